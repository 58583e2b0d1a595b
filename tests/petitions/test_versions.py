"""Versions of a petition's text: made at publication and on edits after signing; each
signature remembers the version it signed, and each version how many confirmed it."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from advocacy.petitions import editing, services, versions
from advocacy.petitions.models import PetitionVersion, Signature

TEXT = editing.PetitionInput(
    title="Let doctors help",
    target="U.S. Congress",
    goal=100,
    summary="A short summary.",
    body="We ask **Congress** to act.",
)


def published(make):
    org = make.organization()
    author = make.organizer(org)
    petition = editing.create_petition(org, author, TEXT)
    assert petition.version == 0  # a draft has no version
    editing.update_petition(petition, replace(TEXT, body="An early draft."), author)
    editing.update_petition(petition, TEXT, author)
    assert petition.version == 0
    assert count_versions(services.db, petition) == 0
    editing.publish_petition(petition, author)
    return petition, author


def sign(petition, email):
    services.sign_petition(petition, services.SignatureInput("Ana", "Diaz", email, "13202"))
    return services.confirm_signature(
        services.make_token(
            services.db.session.scalar(select(Signature).where(Signature.email == email))
        )
    ).signature


def count_versions(db, petition) -> int:
    query = select(func.count()).where(PetitionVersion.petition_id == petition.id)
    return db.session.scalar(query)


def test_publishing_makes_version_one_from_the_text(app, db, make):
    petition, author = published(make)
    assert petition.version == 1
    v1 = versions.current(petition)
    assert (v1.number, v1.title, v1.summary, v1.body) == (
        1,
        "Let doctors help",
        "A short summary.",
        "We ask **Congress** to act.",
    )
    assert v1.created_by_id == author.id


def test_an_edit_before_anyone_signed_corrects_the_version_in_place(app, db, make):
    petition, author = published(make)
    editing.update_petition(petition, replace(TEXT, title="Let qualified doctors help"), author)
    assert petition.version == 1
    assert count_versions(db, petition) == 1
    assert versions.current(petition).title == "Let qualified doctors help"


def test_signing_stamps_the_current_version_and_an_edit_after_it_makes_the_next(
    app, db, make, mailbox
):
    petition, author = published(make)
    first = sign(petition, "first@example.com")
    v1 = versions.current(petition)
    assert first.version_id == v1.id

    editing.update_petition(petition, replace(TEXT, goal=500), author)  # not the text
    assert petition.version == 1

    editing.update_petition(petition, replace(TEXT, summary="A clearer summary."), author)
    assert petition.version == 2
    v2 = versions.current(petition)
    assert (v2.number, v2.summary) == (2, "A clearer summary.")
    assert db.session.get(PetitionVersion, v1.id).summary == "A short summary."  # kept

    second = sign(petition, "second@example.com")
    third = sign(petition, "third@example.com")
    assert second.version_id == third.version_id == v2.id
    db.session.refresh(first)
    assert first.version_id == v1.id

    # Nobody signed v3 yet: a further edit corrects it in place.
    editing.update_petition(petition, replace(TEXT, body="Version three."), author)
    editing.update_petition(petition, replace(TEXT, body="Version three, fixed."), author)
    assert petition.version == 3
    assert count_versions(db, petition) == 3

    summary = versions.summary(petition)
    assert [(n, title, c) for n, _at, title, c in summary] == [
        (1, "Let doctors help", 1),
        (2, "Let doctors help", 2),
        (3, "Let doctors help", 0),
    ]
    assert services.recount(petition.slug, fix=False) == []


def test_an_unconfirmed_signature_counts_for_no_version(app, db, make, mailbox):
    petition, _author = published(make)
    services.sign_petition(
        petition, services.SignatureInput("Ana", "Diaz", "a@example.com", "13202")
    )
    assert db.session.scalar(select(Signature.version_id)) == versions.current(petition).id
    assert [v.confirmed_count for v in versions.summary(petition)] == [0]


def test_a_petition_published_before_versions_gets_one_at_its_next_edit(app, db, make):
    petition = make.petition()  # inserted open, with no version (as before migration 0009)
    assert petition.version == 0
    editing.update_petition(petition, replace(TEXT, title="New title"))
    assert petition.version == 1
    assert versions.current(petition).title == "New title"

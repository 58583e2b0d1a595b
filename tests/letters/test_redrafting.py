"""Redrafting, copies of other writers' words, races, and a directory refresh after letters."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.legislators import importer
from advocacy.letters import originality, writers, writing
from advocacy.letters.models import Letter, LetterStatus, Writer
from tests.conftest import SHARED_DATA

from .conftest import letters_of, sign_and_confirm, writing_page

STORY = (
    "I waited eleven months for a primary care appointment in Onondaga County last year. "
    "My doctor retired and nobody replaced her, because the hospital could not fund another "
    "resident. My neighbours drive to Rochester for the same reason, and some of them just stop "
    "going to the doctor at all."
)


def start(client, mailbox, petition, email, district="NY-128"):
    page = writing_page(client, sign_and_confirm(client, mailbox, petition, email=email))
    client.post(f"{page}/districts", data={"state_lower": district})
    return page


def test_redrafting_updates_the_drafts_never_duplicates(client, mailbox, petition_campaign):
    page = start(client, mailbox, petition_campaign.petition, "maria@example.com")
    client.post(page, data={"personal_note": "First version."})
    first = {x.recipient_key: x.id for x in letters_of("maria@example.com")}
    client.post(page, data={"personal_note": STORY})
    letters = letters_of("maria@example.com")
    assert {x.recipient_key: x.id for x in letters} == first
    assert all(STORY in x.body and "First version" not in x.body for x in letters)
    writer = db.session.scalars(select(Writer)).one()
    assert writer.personal_note == STORY  # kept to prefill the page
    assert STORY in client.get(page).get_data(as_text=True)


def test_a_parallel_draft_that_inserted_first_is_updated_not_duplicated(
    client, mailbox, petition_campaign, monkeypatch
):
    page = start(client, mailbox, petition_campaign.petition, "maria@example.com")
    writer = db.session.scalars(select(Writer)).one()
    real = writing.letters_of
    # As if another request drafted between our read of the letters and our inserts.
    monkeypatch.setattr(writing, "letters_of", lambda w: [])
    client.post(page, data={"personal_note": "One."})
    monkeypatch.setattr(writing, "letters_of", lambda w: [])
    response = client.post(page, data={"personal_note": "Two."})
    assert response.status_code == 302
    monkeypatch.setattr(writing, "letters_of", real)
    letters = letters_of("maria@example.com")
    assert len(letters) == 5 and all("Two." in x.body for x in letters)
    assert writer.id == letters[0].writer_id


def test_a_copied_paragraph_is_flagged_not_refused(client, mailbox, petition_campaign):
    petition = petition_campaign.petition
    page = start(client, mailbox, petition, "first@example.com")
    client.post(page, data={"personal_note": STORY})
    original = letters_of("first@example.com")[0]
    client.post("/logout")

    copier = start(client, mailbox, petition, "copy@example.com")
    client.post(copier, data={"personal_note": STORY.upper().replace(" ", "  ")})
    assert {x.similar_to_id for x in letters_of("copy@example.com")} == {original.id}

    nearly = start(client, mailbox, petition, "near@example.com")
    client.post(nearly, data={"personal_note": STORY.replace("eleven", "ten")})
    assert {x.similar_to_id for x in letters_of("near@example.com")} == {original.id}
    assert "reads like another supporter" in client.get(f"{nearly}/review").text
    assert client.post(f"{nearly}/send").status_code == 302  # flagged, still sent
    assert LetterStatus.DRAFTED not in {x.status for x in letters_of("near@example.com")}

    own = start(client, mailbox, petition, "own@example.com")
    client.post(own, data={"personal_note": "As a nurse in Syracuse I see the shortage daily."})
    assert {x.similar_to_id for x in letters_of("own@example.com")} == {None}
    # The writer's own letters never flag each other.
    assert {x.similar_to_id for x in letters_of("first@example.com")} == {None}


def test_shingle_similarity():
    a = originality.shingles(STORY)
    assert originality.similarity(a, originality.shingles(STORY + "!")) == 1
    assert originality.similarity(a, originality.shingles("Something else entirely.")) == 0
    assert originality.near_duplicate("", [(1, STORY)]) is None
    assert originality.near_duplicate(STORY, [(1, "other words"), (2, STORY)]) == 2


def test_writer_for_signature_is_idempotent_and_needs_a_confirmed_signature(make, directory):
    from .conftest import campaign

    petition = make.petition()
    c = campaign(petition=petition)
    signature = make.signature(petition, email="sam@example.com")
    first = writers.writer_for_signature(c, signature)
    again = writers.writer_for_signature(c, signature)
    assert first.id == again.id and first.is_confirmed
    unconfirmed = make.signature(petition, email="u@example.com", confirmed=False)
    with pytest.raises(writers.DomainError):
        writers.writer_for_signature(c, unconfirmed)
    other = make.signature(make.petition(), email="o@example.com")
    with pytest.raises(writers.DomainError):
        writers.writer_for_signature(c, other)


def test_a_directory_refresh_keeps_letters_as_written(client, mailbox, petition_campaign, tmp_path):
    page = start(client, mailbox, petition_campaign.petition, "maria@example.com")
    client.post(page, data={"personal_note": STORY})
    client.post(f"{page}/send")
    before = {
        x.id: (x.recipient_name, x.recipient_address, x.body)
        for x in letters_of("maria@example.com")
    }  # noqa: E501

    newer = tmp_path / "data"
    shutil.copytree(SHARED_DATA, newer)
    federal = newer / "federal_legislators.csv"
    federal.write_text(federal.read_text().replace("Charles E. Schumer", "Charles Ellis Schumer"))
    state = newer / "state_legislators.csv"
    state.write_text(state.read_text().replace("Rachel May", "Rachel Mayfield"))
    try:
        old_snapshot = importer.active_snapshot().id
        importer.import_directory(newer)
        assert importer.active_snapshot().id != old_snapshot
        after = {
            x.id: (x.recipient_name, x.recipient_address, x.body)
            for x in letters_of("maria@example.com")
        }  # noqa: E501
        assert after == before
        for path in (f"{page}/sent", f"{page}/review"):
            html = client.get(path).get_data(as_text=True)
            assert "Charles E. Schumer" in html and "Charles Ellis Schumer" not in html
        letter = next(x for x in letters_of("maria@example.com") if "Schumer" in x.recipient_name)
        # The writing page reads the new directory for letters not yet written.
        assert "Charles Ellis Schumer" in client.get(page).get_data(as_text=True)
    finally:
        importer.import_directory(SHARED_DATA)
    assert db.session.scalar(select(Letter.recipient_name).where(Letter.id == letter.id)) == (
        "Charles E. Schumer"
    )

"""Confirmation links, the counter, milestones and goal raising."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import select

from advocacy.core.db import utcnow
from advocacy.petitions import services
from advocacy.petitions.errors import InvalidToken
from advocacy.petitions.models import Milestone, PetitionStatus, Signature
from tests.factories import sign_form


def sign_and_get_link(client, mailbox, petition, email="maria@example.com", **form):
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(email=email, **form))
    link = mailbox.last_link(email)
    return link.replace("http://advocacy.test", "")


def test_get_shows_button_and_does_not_confirm(client, db, make, mailbox):
    petition = make.petition()
    path = sign_and_get_link(client, mailbox, petition)
    response = client.get(path)
    assert response.status_code == 200
    assert "Confirm my signature" in response.text
    assert 'method="post"' in response.text
    assert db.session.scalar(select(Signature.confirmed_at)) is None


def test_post_confirms_counts_and_thanks_with_signer_number(client, db, make, mailbox):
    petition = make.petition(goal=10_000)
    petition.signature_count = 6912  # earlier signers, counted
    db.session.commit()
    path = sign_and_get_link(client, mailbox, petition)
    response = client.post(path)
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"])
    assert "Thank you — you are signer number 6,913" in thanks.text
    assert f"/petitions/{petition.slug}" in thanks.text
    db.session.refresh(petition)
    assert petition.signature_count == 6913
    page = client.get(f"/petitions/{petition.slug}").text
    assert "6,913" in page and "of 10,000 signatures" in page


def test_confirming_twice_is_harmless(client, db, make, mailbox):
    petition = make.petition()
    path = sign_and_get_link(client, mailbox, petition)
    client.post(path)
    again = client.post(path)
    assert again.status_code == 302
    assert client.get(path).status_code == 302  # already confirmed: straight to thanks
    db.session.refresh(petition)
    assert petition.signature_count == 1


def test_share_links_carry_ref(client, make, mailbox):
    petition = make.petition()
    path = sign_and_get_link(client, mailbox, petition)
    thanks = client.get(client.post(path).headers["Location"]).text
    for channel in ("x", "facebook", "whatsapp", "email", "copy"):
        assert f"ref%3D{channel}." in thanks or f"ref={channel}." in thanks, channel
    assert "https://x.com/intent/post" in thanks
    assert "https://wa.me/" in thanks


def test_token_cannot_confirm_another_signature(app, client, db, make, mailbox):
    petition = make.petition()
    sign_and_get_link(client, mailbox, petition, email="a@example.com")
    other = make.signature(petition, email="b@example.com", confirmed=False)
    token = mailbox.last_link("a@example.com").rsplit("/", 1)[1]
    # Re-sign the token's payload for another id without the secret: rejected.
    forged = token.replace(token.split(".")[0], "WzEsImFiYyJd")
    assert client.post(f"/signatures/confirm/{forged}").status_code == 400
    # A token bound to b's id but a's email is rejected too.
    with mock.patch.object(services, "_email_digest", return_value="0" * 16):
        bad = services.make_token(other)
    with pytest.raises(InvalidToken):
        services.signature_for_token(bad)
    db.session.refresh(other)
    assert other.confirmed_at is None


def test_expired_link_is_refused(app, client, make, mailbox):
    petition = make.petition()
    path = sign_and_get_link(client, mailbox, petition)
    later = utcnow().timestamp() + 8 * 86400
    with mock.patch("itsdangerous.timed.time.time", return_value=later):
        response = client.post(path)
    assert response.status_code == 400
    assert "expired" in response.text


def test_garbage_tokens_are_400_not_500(client):
    for token in ("x", "a.b.c", "%00", "W10.abc.def"):
        assert client.get(f"/signatures/confirm/{token}").status_code in (400, 404)


def test_confirming_after_petition_closed_does_not_count(client, db, make, mailbox):
    petition = make.petition()
    path = sign_and_get_link(client, mailbox, petition)
    petition.status = PetitionStatus.CLOSED
    db.session.commit()
    response = client.post(path)
    assert response.status_code == 409
    db.session.refresh(petition)
    assert petition.signature_count == 0


def test_milestones_recorded_once_and_organizers_emailed_once(app, db, make, mailbox):
    org = make.organization()
    organizer = make.organizer(org)
    petition = make.petition(org, goal=8)
    for i in range(9):
        signature = make.signature(petition, email=f"s{i}@example.com", confirmed=False)
        services.confirm_signature(services.make_token(signature))
    milestones = db.session.scalars(select(Milestone).order_by(Milestone.percent)).all()
    assert [(m.percent, m.signature_count) for m in milestones] == [
        (25, 2),
        (50, 4),
        (75, 6),
        (100, 8),
    ]
    mails = mailbox.messages(to=organizer.email, kind="milestone")
    assert [m.subject.split("%")[0] for m in mails] == ["25", "50", "75", "100"]


def test_goal_raises_to_next_step_when_reached(client, db, make):
    petition = make.petition(goal=2, goal_step=3)
    for i in range(2):
        s = make.signature(petition, email=f"g{i}@example.com", confirmed=False)
        services.confirm_signature(services.make_token(s))
    db.session.refresh(petition)
    assert (petition.goal, petition.previous_goal) == (5, 2)
    page = client.get(f"/petitions/{petition.slug}").text
    assert "We reached 2 signatures! The new goal is 5." in page


def test_purge_removes_only_stale_unconfirmed(app, db, make):
    petition = make.petition()
    stale = make.signature(petition, confirmed=False, created_at=utcnow() - timedelta(days=8))
    fresh = make.signature(petition, confirmed=False)
    kept = make.signature(petition, created_at=utcnow() - timedelta(days=30))
    stale_id, expected = stale.id, {fresh.id, kept.id}
    assert services.purge_unconfirmed() == 1
    remaining = set(db.session.scalars(select(Signature.id)))
    assert remaining == expected and stale_id not in remaining

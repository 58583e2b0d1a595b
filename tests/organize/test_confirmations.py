"""Irreversible organizer actions ask once, on a page of their own, before they act.

The first POST (the button on the editor) answers with the consequence and a "Yes, …" button
carrying confirm=1; only that second POST publishes, closes, marks as won or sends.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.mail import suppression as mail
from advocacy.mail.models import OutboxMessage
from advocacy.petitions import updates
from advocacy.petitions.models import PetitionStatus, PetitionUpdate

CONFIRM = {"confirm": "1"}


@pytest.fixture
def organizer(make, auth):
    user = make.organizer(make.organization("Doctors Now"), email="olive@doctorsnow.org")
    auth.login(user.email)
    return user


@pytest.fixture
def org(organizer):
    return organizer.memberships[0].organization


def confirmation(response) -> dict:
    """The confirmation page's heading, sentence, form fields and buttons."""
    assert response.status_code == 200
    page = unescape(response.text)
    form = re.search(
        r'<form method="post" action="([^"]+)" class="confirm-actions">(.*?)</form>', page, re.S
    )
    assert form, "no confirmation form"
    return {
        "heading": re.search(r'<h1 id="confirm-heading">(.*?)</h1>', page, re.S).group(1),
        "consequence": re.search(r'id="confirm-consequence">(.*?)</p>', page, re.S).group(1),
        "action": form.group(1),
        "fields": dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(2))
        ),
        "yes": re.search(r'<button type="submit"[^>]*>(.*?)</button>', form.group(2)).group(1),
        "cancel": re.search(
            r'<a class="button button-plain" href="([^"]+)">Cancel</a>', form.group(2)
        ).group(1),
    }


def outbox(kind="update") -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == kind))


def test_publish_asks_first_and_changes_nothing_until_confirmed(client, make, org):
    draft = make.petition(
        org,
        status=PetitionStatus.DRAFT,
        published_at=None,
        title="Fund residencies",
        slug="fund-residencies",
    )
    url = f"/organize/petitions/{draft.id}/publish"

    asked = confirmation(client.post(url))

    assert asked["heading"] == "Publish “Fund residencies”?"
    assert re.match(
        r"It becomes public at https?://[^/ ]+/petitions/fund-residencies and people can sign\.",
        asked["consequence"],
    )
    assert asked["action"] == url and asked["fields"]["confirm"] == "1"
    assert "csrf_token" in asked["fields"]
    assert asked["yes"] == "Yes, publish"
    assert asked["cancel"] == f"/organize/petitions/{draft.id}/edit"
    db.session.refresh(draft)
    assert draft.status is PetitionStatus.DRAFT and draft.published_at is None
    assert client.get("/petitions/fund-residencies").status_code == 404

    done = client.post(url, data=CONFIRM)
    assert done.status_code == 302
    db.session.refresh(draft)
    assert draft.status is PetitionStatus.OPEN
    published_at = draft.published_at

    again = client.post(url, data=CONFIRM, follow_redirects=True)  # a replay acts no second time
    assert "This petition has already been published." in again.text
    db.session.refresh(draft)
    assert draft.published_at == published_at


def test_publish_that_will_be_refused_is_not_asked_about(client, make, org):
    draft = make.petition(org, status=PetitionStatus.DRAFT, published_at=None, body="")
    response = client.post(f"/organize/petitions/{draft.id}/publish", follow_redirects=True)
    assert "Write the petition text before publishing." in response.text
    assert "confirm-heading" not in response.text


def test_close_asks_first_then_closes_once(client, make, org):
    petition = make.petition(org, title="Let IMGs practise", signature_count=2755)
    url = f"/organize/petitions/{petition.id}/close"

    asked = confirmation(client.post(url))

    assert asked["heading"] == "Close “Let IMGs practise”?"
    assert asked["consequence"].startswith("No one can sign after this.")
    assert "2,755 signatures" in asked["consequence"]
    assert asked["yes"] == "Yes, close it" and "won" not in asked["fields"]
    db.session.refresh(petition)
    assert petition.status is PetitionStatus.OPEN
    assert "Sign the petition" in client.get(f"/petitions/{petition.slug}").text

    client.post(url, data=CONFIRM)
    db.session.refresh(petition)
    assert petition.status is PetitionStatus.CLOSED
    closed_at = petition.closed_at
    again = client.post(url, data=CONFIRM, follow_redirects=True)
    assert "This petition is already closed." in again.text
    db.session.refresh(petition)
    assert petition.closed_at == closed_at


@pytest.mark.parametrize("status", [PetitionStatus.OPEN, PetitionStatus.CLOSED])
def test_mark_as_won_asks_first_and_carries_the_choice(client, make, org, status):
    petition = make.petition(org, title="Lift the cap", status=status)
    url = f"/organize/petitions/{petition.id}/close"

    asked = confirmation(client.post(url, data={"won": "y"}))

    assert asked["heading"] == "Mark “Lift the cap” as won?"
    assert asked["fields"]["won"] == "y" and asked["yes"] == "Yes, mark as won"
    assert ("no one can sign after this" in asked["consequence"]) == (status is PetitionStatus.OPEN)
    db.session.refresh(petition)
    assert petition.status is status

    client.post(url, data={k: v for k, v in asked["fields"].items() if k != "csrf_token"})
    db.session.refresh(petition)
    assert petition.status is PetitionStatus.WON


def test_reopening_is_one_click(client, make, org):
    petition = make.petition(org, status=PetitionStatus.CLOSED)
    client.post(f"/organize/petitions/{petition.id}/reopen")
    db.session.refresh(petition)
    assert petition.status is PetitionStatus.OPEN


def _draft_update(client, petition) -> PetitionUpdate:
    client.post(
        f"/organize/petitions/{petition.id}/updates/new",
        data={"subject": "We delivered", "body": "Thank you."},
    )
    return db.session.scalar(select(PetitionUpdate))


def test_send_asks_with_the_number_of_signers_then_sends_once(client, make, org):
    petition = make.petition(org, title="Let IMGs practise")
    for email in ("a@example.com", "b@example.com", "gone@example.com"):
        make.signature(petition, email=email, opt_in=True)
    make.signature(petition, email="quiet@example.com", opt_in=False)
    mail.unsubscribe("gone@example.com", org.id, None)
    item = _draft_update(client, petition)
    url = f"/organize/petitions/{petition.id}/updates/{item.id}/send"

    asked = confirmation(client.post(url))

    assert asked["heading"] == "Send to 2 signers? This cannot be undone"
    assert "“We delivered”" in asked["consequence"]
    assert asked["yes"] == "Yes, send to 2 signers"
    assert asked["cancel"] == f"/organize/petitions/{petition.id}/updates/{item.id}"
    db.session.refresh(item)
    assert item.is_draft and outbox() == 0

    client.post(url, data=CONFIRM)
    assert outbox() == 2
    again = client.post(url, data=CONFIRM, follow_redirects=True)
    assert "This update has been sent already." in again.text
    assert outbox() == 2


def test_send_question_counts_in_thousands(client, make, org, monkeypatch):
    petition = make.petition(org)
    item = _draft_update(client, petition)
    monkeypatch.setattr(
        updates, "audience", lambda p: updates.Audience(opted_in=2800, reachable=2755)
    )
    asked = confirmation(client.post(f"/organize/petitions/{petition.id}/updates/{item.id}/send"))
    assert asked["heading"] == "Send to 2,755 signers? This cannot be undone"
    assert asked["yes"] == "Yes, send to 2,755 signers"


def test_the_confirmed_post_still_needs_its_csrf_token(app, client, make, org):
    draft = make.petition(org, status=PetitionStatus.DRAFT, published_at=None)
    url = f"/organize/petitions/{draft.id}/publish"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url, data=CONFIRM).status_code == 400
        editor = client.get(f"/organize/petitions/{draft.id}/edit").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', editor).group(1)
        asked = confirmation(client.post(url, data={"csrf_token": token}))
        db.session.refresh(draft)
        assert draft.status is PetitionStatus.DRAFT
        assert client.post(url, data=asked["fields"]).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(draft)
    assert draft.status is PetitionStatus.OPEN

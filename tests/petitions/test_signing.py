"""Signing through the public form: validation, duplicates, tracking and closed petitions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy.core.db import utcnow
from advocacy.petitions.models import PetitionStatus, Signature
from tests.factories import sign_form


def count_rows(db, **filters) -> int:
    query = select(func.count(Signature.id)).filter_by(**filters)
    return db.session.scalar(query)


def test_sign_creates_unconfirmed_signature_and_sends_link(client, db, make, mailbox):
    petition = make.petition()
    response = client.post(
        f"/petitions/{petition.slug}/sign?ref=x.1&utm_source=newsletter",
        data=sign_form(email="  Maria@Example.COM ", address="1 Main St, Syracuse, NY 13202"),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/petitions/{petition.slug}/check-your-inbox")

    signature = db.session.scalar(select(Signature))
    assert signature.email == "maria@example.com"
    assert signature.confirmed_at is None
    assert (signature.ref, signature.utm_source) == ("x.1", "newsletter")
    assert (signature.city, signature.state, signature.zip) == ("Syracuse", "NY", "13202")
    assert signature.opt_in is False and signature.consent_at is None
    db.session.refresh(petition)
    assert petition.signature_count == 0

    [message] = mailbox.messages(to="maria@example.com")
    assert message.kind == "confirm_signature"
    assert "/signatures/confirm/" in mailbox.last_link("maria@example.com")
    assert message.html_body and "Confirm my signature" in message.html_body


def test_opt_in_records_consent_text_and_time(client, db, make):
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(opt_in="y"))
    signature = db.session.scalar(select(Signature))
    assert signature.opt_in is True
    assert "Keep me updated" in signature.consent_text
    assert signature.consent_at is not None


def test_zip_plus_four_is_accepted(client, db, make):
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="132021234"))
    assert db.session.scalar(select(Signature.zip)) == "13202-1234"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address"),
        ("email", "", "Enter your email address."),
        ("zip", "1320", "Enter a 5-digit ZIP code"),
        ("zip", "00000", "not a ZIP code in use"),
        ("first_name", "", "Enter your first name."),
        ("first_name", '=HYPERLINK("http://x")', "cannot start with"),
        ("last_name", "-2+3", "cannot start with"),
        ("last_name", "@admin", "cannot start with"),
        ("first_name", "Visit spam.com", "cannot contain links"),
        ("first_name", "x" * 61, "Field cannot be longer than 60 characters."),
        ("comment", "y" * 501, "Keep your comment to 500 characters."),
    ],
)
def test_invalid_input_gets_field_message_and_keeps_other_entries(
    client, db, make, field, value, message
):
    petition = make.petition()
    data = sign_form(**{"comment": "Because patients wait too long", field: value})
    response = client.post(f"/petitions/{petition.slug}/sign", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"')
    # The other entries are still in the form.
    for kept in ("first_name", "last_name", "email", "zip"):
        if kept != field:
            assert f'value="{data[kept]}"' in html
    if field != "comment":
        assert "Because patients wait too long</textarea>" in html
    assert count_rows(db) == 0


def test_garbage_input_never_500s(client, make):
    petition = make.petition()
    for data in (
        {"email": ["a@b.co", "c@d.co"], "zip": "\x00\x01"},
        {"first_name": "\u202e\u0000", "zip": "1" * 5000},
        {"public": "maybe", "opt_in": "🙂"},
        {},
    ):
        assert client.post(f"/petitions/{petition.slug}/sign", data=data).status_code == 400


def test_repeat_by_unconfirmed_email_resends_link_without_second_row(client, db, make, mailbox):
    petition = make.petition()
    first = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    second = client.post(
        f"/petitions/{petition.slug}/sign", data=sign_form(email="MARIA@example.com")
    )
    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(db) == 1
    assert [m.kind for m in mailbox.messages()] == ["confirm_signature", "confirm_signature"]


def test_repeat_by_confirmed_email_gets_already_signed_note_and_same_page(
    client, db, make, mailbox
):
    petition = make.petition()
    make.signature(petition, email="maria@example.com")
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/check-your-inbox")
    assert count_rows(db) == 1
    db.session.refresh(petition)
    assert petition.signature_count == 1
    [message] = mailbox.messages(to="maria@example.com")
    assert message.kind == "already_signed"
    assert "already counted" in message.text_body


def test_same_email_may_sign_different_petitions(client, db, make):
    one, two = make.petition(), make.petition()
    client.post(f"/petitions/{one.slug}/sign", data=sign_form())
    client.post(f"/petitions/{two.slug}/sign", data=sign_form())
    assert count_rows(db) == 2


def test_without_confirmation_signature_counts_at_once(client, db, make, mailbox):
    petition = make.petition(require_confirmation=False)
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    location = response.headers["Location"]
    assert f"/petitions/{petition.slug}/signed?t=" in location
    db.session.refresh(petition)
    assert petition.signature_count == 1
    assert mailbox.messages(kind="confirm_signature") == []
    # A repeat still does not count twice.
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    db.session.refresh(petition)
    assert petition.signature_count == 1
    assert "your signature counts" in client.get(location).text


@pytest.mark.parametrize("status", [PetitionStatus.CLOSED, PetitionStatus.WON])
def test_closed_petition_takes_no_signatures(client, db, make, status):
    petition = make.petition(status=status)
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    assert response.status_code == 409
    assert count_rows(db) == 0


def test_petition_past_deadline_closes_itself(client, db, make):
    petition = make.petition(deadline=utcnow() - timedelta(minutes=1))
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    assert response.status_code == 409
    assert "This petition is closed" in response.text
    db.session.refresh(petition)
    assert petition.status is PetitionStatus.CLOSED and petition.closed_at is not None


def test_draft_is_404_to_the_public(client, make):
    petition = make.petition(status=PetitionStatus.DRAFT)
    assert client.get(f"/petitions/{petition.slug}").status_code == 404
    assert client.post(f"/petitions/{petition.slug}/sign", data=sign_form()).status_code == 404


def test_mail_failure_never_loses_the_signature(app, client, db, make, monkeypatch):
    from advocacy.mail import broadcasts, transport
    from advocacy.mail.models import MessageStatus

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(transport, "send", refuse)
    petition = make.petition()
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    assert response.status_code == 302
    assert count_rows(db) == 1
    message = broadcasts.recent_messages()[0]
    assert message.status is MessageStatus.QUEUED  # kept for a retry
    assert "SMTP server down" in message.last_error


def test_stale_cached_petition_cannot_take_signatures_after_closing(app, client, db, make):
    """Another worker closed the petition: this worker's cached copy still says open."""
    from sqlalchemy import update

    from advocacy.petitions.models import Petition

    app.config["PETITION_PAGE_CACHE_SECONDS"] = 60
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(email="first@example.com"))
    db.session.execute(
        update(Petition).where(Petition.id == petition.id).values(status=PetitionStatus.CLOSED)
    )
    db.session.commit()  # no cache invalidation in this process, as in another worker
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    assert response.status_code == 409
    assert "This petition is closed" in response.text
    assert count_rows(db) == 1


def test_signing_from_cached_petition_across_requests(app, client, db, make, mailbox):
    app.config["PETITION_PAGE_CACHE_SECONDS"] = 60
    petition = make.petition()
    org_name = petition.organization.name
    for i in range(3):
        db.session.remove()  # what the end of each real request does
        response = client.post(
            f"/petitions/{petition.slug}/sign", data=sign_form(email=f"c{i}@example.com")
        )
        assert response.status_code == 302
    assert count_rows(db) == 3
    assert all(org_name in m.text_body for m in mailbox.messages(kind="confirm_signature"))


def test_invalid_input_on_a_cached_petition_redisplays_the_form(app, client, db, make):
    app.config["PETITION_PAGE_CACHE_SECONDS"] = 60
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form(email="ok@example.com"))
    db.session.remove()  # the next request finds the petition in this worker's cache
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form(zip="12"))
    assert response.status_code == 400
    assert "Enter a 5-digit ZIP code" in response.text
    assert petition.organization.name in response.text

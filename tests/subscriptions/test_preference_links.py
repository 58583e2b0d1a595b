"""Every non-transactional email links to its recipient's own preference centre."""

from __future__ import annotations

import re

import pytest

from advocacy import mail
from advocacy.extensions import db
from advocacy.mail import broadcasts, dispatch, suppression
from advocacy.petitions import updates


@pytest.fixture
def hold(monkeypatch):
    """Broadcasts stay queued (no sender after commit): the test reads the copies."""
    monkeypatch.setattr(dispatch, "dispatch_broadcast", lambda app, bid, **kw: None)


def preference_links(text: str) -> list[str]:
    return re.findall(r"https?://\S+/preferences/(\S+)", text)


def test_each_copy_of_an_update_links_its_own_recipients_preferences(app, client, make, hold, auth):
    petition = make.petition()
    readers = [f"reader{i}@example.com" for i in range(3)]
    for email in readers:
        make.signature(petition, email=email, opt_in=True)
    item = updates.create_update(petition, None, updates.UpdateInput("News", "We met them."))
    assert updates.send_update(item) == 3

    copies = [m for m in broadcasts.recent_messages() if m.broadcast_id is not None]
    assert sorted(c.recipient for c in copies) == readers
    for copy in copies:
        for body in (copy.text_body, copy.html_body or ""):
            [token] = set(preference_links(body))
            assert suppression.read_preferences_token(token.strip('"')) == copy.recipient
            assert "advocacy.invalid" not in body
        page = client.get(f"/preferences/{preference_links(copy.text_body)[0]}")
        assert page.status_code == 200 and copy.recipient in page.text
    # The report's copy and the organizer's preview show no one's link.
    assert preference_links(updates.sent_email_html(item) or "") == []


def test_single_non_transactional_mail_carries_the_link_and_transactional_does_not(app, make):
    petition = make.petition()
    message_id = mail.enqueue(
        "update",
        "ana@example.com",
        "update",
        transactional=False,
        organization_id=petition.organization_id,
        petition_id=petition.id,
        subject="Hello",
        body_text="Text",
        body_html="<p>Text</p>",
        organization=petition.organization,
        petition=petition,
    )
    db.session.commit()
    message = db.session.get_one(mail.OutboxMessage, message_id)
    [token] = preference_links(message.text_body)
    assert suppression.read_preferences_token(token) == "ana@example.com"
    assert "Manage all your email" in (message.html_body or "")

    # Mail the person asked for (here: an account notice) is not "mail from a sender".
    notice_id = mail.enqueue(
        "account_exists",
        "bo@example.com",
        "account_exists",
        login_url="http://advocacy.test/login",
        forgot_url="http://advocacy.test/password/forgot",
    )
    db.session.commit()
    notice = db.session.get_one(mail.OutboxMessage, notice_id)
    assert notice.transactional and preference_links(notice.text_body) == []


def test_a_test_send_links_back_to_the_draft_not_to_preferences(app, make, auth):
    petition = make.petition()
    author = make.organizer(petition.organization)
    item = updates.create_update(petition, author, updates.UpdateInput("News", "We met them."))
    updates.send_test(item, author)
    [message] = mail.OutboxMessage.query.filter_by(kind="update_test").all()
    assert preference_links(message.text_body) == []
    assert f"/updates/{item.id}" in message.text_body


def test_preference_tokens_are_bound_to_one_address_and_cannot_be_forged(app):
    token = suppression.preferences_token(" Ana@Example.com ")
    assert suppression.read_preferences_token(token) == "ana@example.com"
    from itsdangerous import URLSafeSerializer

    key = app.config["SECRET_KEY"]
    signed = URLSafeSerializer(key, salt="preferences")
    for forged in (
        # a signature character that carries whole bits (the last one partly pads)
        token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
        URLSafeSerializer("another key that is long enough", salt="preferences").dumps(["a@b.c"]),
        URLSafeSerializer(key, salt="unsubscribe").dumps(["ana@example.com"]),
        signed.dumps("ana@example.com"),
        signed.dumps(["ANA@example.com"]),  # not the normalised form we issue
        signed.dumps(["a" * 255]),
        signed.dumps([7]),
        signed.dumps(["ana@example.com", 1]),
    ):
        assert suppression.read_preferences_token(forged) is None


def test_the_unsubscribe_page_links_to_the_preference_centre(app, client, make):
    petition = make.petition()
    token = suppression.unsubscribe_token("ana@example.com", petition.organization_id, None)
    for page in (client.get(f"/unsubscribe/{token}"), client.post(f"/unsubscribe/{token}")):
        [link] = preference_links(page.text.replace('">', " "))
        assert suppression.read_preferences_token(link) == "ana@example.com"
    assert "/preferences/" not in client.get("/unsubscribe/not-a-token").text

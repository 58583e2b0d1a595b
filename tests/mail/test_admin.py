"""Admins see the outbox: counts by status, failed messages with their errors, and retry."""

from __future__ import annotations

from sqlalchemy import update

from advocacy.extensions import db
from advocacy.mail.models import MessageStatus, OutboxMessage

from .test_outbox import queue_one


def fail(message: OutboxMessage, error: str = "SMTPRecipientsRefused: 550 No such user") -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(status=MessageStatus.FAILED, attempts=1, last_error=error)
    )
    db.session.commit()


def test_only_admins_see_the_outbox(client, auth, make):
    assert client.get("/admin/outbox").status_code == 302  # to the login page
    organizer = make.organizer()
    auth.login(organizer.email)
    assert client.get("/admin/outbox").status_code == 404
    assert client.post("/admin/outbox/retry").status_code == 404


def test_admin_sees_counts_and_failed_messages_and_retries_one(client, auth, make):
    admin = make.organizer(is_admin=True)
    make.petition()
    ok = queue_one("fine@example.com")
    bad = queue_one("gone@example.com")
    interrupted = queue_one("maybe@example.com")
    db.session.commit()  # delivered at once in tests (memory backend)
    fail(bad)
    fail(interrupted, "Interrupted: the worker stopped during this attempt …")
    auth.login(admin.email)

    page = client.get("/admin/outbox").text

    assert "gone@example.com" in page and "550 No such user" in page
    assert "May already have been delivered." in page
    assert "fine@example.com" not in page  # sent, not listed
    assert '<span class="status-count">2</span><span class="status-name">failed</span>' in page
    assert '<span class="status-count">1</span><span class="status-name">sent</span>' in page

    response = client.post("/admin/outbox/retry", data={"message_id": str(bad.id)})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get_one(OutboxMessage, bad.id).status is MessageStatus.SENT
    assert db.session.get_one(OutboxMessage, interrupted.id).status is MessageStatus.FAILED
    assert db.session.get_one(OutboxMessage, ok.id).attempts == 1
    assert "Queued 1 message(s) again." in client.get("/admin/outbox").text


def test_retry_all_and_bad_input(client, auth, make):
    admin = make.organizer(is_admin=True)
    make.petition()
    messages = [queue_one(f"r{i}@example.com") for i in range(3)]
    db.session.commit()
    for message in messages:
        fail(message)
    auth.login(admin.email)

    assert client.post("/admin/outbox/retry", data={"message_id": "x"}).status_code == 400
    client.post("/admin/outbox/retry")

    db.session.expire_all()
    statuses = {db.session.get_one(OutboxMessage, m.id).status for m in messages}
    assert statuses == {MessageStatus.SENT}


def test_a_starttls_failure_shows_what_to_change(client, auth, make):
    """The hints are those of ``flask mail check`` (one text, in mail/check.py)."""
    from markupsafe import escape

    from advocacy.mail import check

    admin = make.organizer(is_admin=True)
    make.petition()
    tls = queue_one("tls@example.com")
    refused = queue_one("refused@example.com")
    waiting = queue_one("waiting@example.com")
    db.session.commit()
    fail(tls, "SMTPNotSupportedError: STARTTLS extension not supported by server.")
    fail(refused)  # a refused address: nothing to change in the settings
    db.session.execute(  # retrying after a refused connection
        update(OutboxMessage)
        .where(OutboxMessage.id == waiting.id)
        .values(
            status=MessageStatus.QUEUED,
            attempts=2,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
    )
    db.session.commit()
    auth.login(admin.email)

    page = client.get("/admin/outbox").text

    starttls = str(escape(f"{check.STARTTLS_HINT} {check.CHECK_POINTER}"))
    connect = str(escape(f"{check.CONNECT_HINT} {check.CHECK_POINTER}"))
    assert "MAIL_USE_TLS=false" in starttls and "flask mail check" in starttls
    assert page.count(starttls) == 2  # once above the tables, once on the message
    assert "Waiting to be retried" in page and "waiting@example.com" in page
    assert page.count(connect) == 2
    row = page[page.index("refused@example.com") :].split("</tr>", 1)[0]
    assert "550 No such user" in row and "flask mail check" not in row


def test_no_hints_without_errors(client, auth, make):
    admin = make.organizer(is_admin=True)
    auth.login(admin.email)
    page = client.get("/admin/outbox").text
    assert "flask mail check" not in page and "Waiting to be retried" not in page

"""The suppression list: hard bounces and complaints (signed webhook) and admins stop mail."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from advocacy import mail
from advocacy.extensions import db
from advocacy.mail import transport
from advocacy.mail.models import MessageStatus, OutboxMessage, Suppression
from advocacy.mail.webhooks import signature

from .test_outbox import queue_one

SECRET = "webhook-test-secret"


def post_events(client, events, secret=SECRET, timestamp=None, raw=None):
    body = raw if raw is not None else json.dumps({"events": events}).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    return client.post(
        "/webhooks/mail-events",
        data=body,
        content_type="application/json",
        headers={"X-Advocacy-Signature": f"t={timestamp},v1={signature(secret, timestamp, body)}"},
    )


@pytest.fixture
def webhook(app):
    app.config["MAIL_WEBHOOK_SECRET"] = SECRET


def suppressed() -> dict[str, str]:
    return {s.email: s.reason for s in db.session.scalars(select(Suppression))}


def test_hard_bounces_and_complaints_are_suppressed_soft_bounces_not(client, webhook):
    response = post_events(
        client,
        [
            {"type": "bounce", "bounce": "hard", "email": "Gone@Example.com", "detail": "550"},
            {"type": "complaint", "email": "angry@example.com"},
            {"type": "bounce", "bounce": "soft", "email": "full@example.com"},
            {"type": "delivered", "email": "fine@example.com"},
            "garbage",
        ],
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "suppressed": 2,
        "bounced": 0,
        "ignored": 2,
        "replayed": False,
        "refused": [{"index": 4, "reason": "an event must be a JSON object"}],
    }
    assert suppressed() == {"gone@example.com": "bounce", "angry@example.com": "complaint"}
    # The same event again (a new request) changes nothing.
    again = post_events(client, [{"type": "complaint", "email": "angry@example.com"}])
    assert again.get_json()["suppressed"] == 0


@pytest.mark.parametrize(
    "tamper",
    ["no header", "wrong secret", "old timestamp", "changed body"],
)
def test_unsigned_or_tampered_requests_are_refused(client, webhook, tamper):
    events = [{"type": "complaint", "email": "angry@example.com"}]
    if tamper == "no header":
        response = client.post("/webhooks/mail-events", json={"events": events})
    elif tamper == "wrong secret":
        response = post_events(client, events, secret="guess")
    elif tamper == "old timestamp":
        response = post_events(client, events, timestamp=int(time.time()) - 3600)
    else:
        body = json.dumps({"events": events}).encode()
        ts = int(time.time())
        response = client.post(
            "/webhooks/mail-events",
            data=body.replace(b"angry", b"other"),
            content_type="application/json",
            headers={"X-Advocacy-Signature": f"t={ts},v1={signature(SECRET, ts, body)}"},
        )
    assert response.status_code == 401
    assert suppressed() == {}


def test_malformed_payload_is_a_400(client, webhook):
    assert post_events(client, None, raw=b"not json").status_code == 400
    assert post_events(client, None, raw=b'{"events": "x"}').status_code == 400


def test_no_secret_no_webhook(client):
    assert client.post("/webhooks/mail-events", json={"events": []}).status_code == 404


def test_mail_to_a_suppressed_address_is_never_sent(app, make, monkeypatch):
    sent = []
    monkeypatch.setattr(transport, "send", lambda backend, message, c=None: sent.append(message))
    make.petition()
    mail.suppress("gone@example.com", "bounce")

    blocked = queue_one("GONE@example.com")
    allowed = queue_one("fine@example.com")
    db.session.commit()

    db.session.expire_all()
    assert db.session.get_one(OutboxMessage, blocked.id).status is MessageStatus.SUPPRESSED
    assert db.session.get_one(OutboxMessage, allowed.id).status is MessageStatus.SENT
    assert [m.recipient for m in sent] == ["fine@example.com"]


def test_cli_suppress_and_remove(runner):
    result = runner.invoke(args=["mail", "suppress", "Someone@Example.com"])
    assert "added to the suppression list" in result.output
    assert suppressed() == {"someone@example.com": "manual"}
    assert (
        "was already on" in runner.invoke(args=["mail", "suppress", "someone@example.com"]).output
    )
    assert (
        "removed from"
        in runner.invoke(args=["mail", "suppress", "--remove", "someone@example.com"]).output
    )
    assert suppressed() == {}
    assert runner.invoke(args=["mail", "suppress", "not-an-address"]).exit_code == 2

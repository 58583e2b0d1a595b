"""The mail-event webhook takes every usable event of a batch, lists the refused ones, and
applies a request once however often it arrives.

NUL bytes only fail on PostgreSQL (SQLite stores them): run this file with
``TEST_DATABASE_URL`` pointing at PostgreSQL too.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.mail import webhook_events
from advocacy.mail.models import MessageStatus, OutboxMessage, Suppression, WebhookReceipt
from advocacy.mail.webhooks import signature

from .test_outbox import queue_one
from .test_suppression import SECRET, post_events, suppressed

GOOD = {"type": "complaint", "email": "angry@example.com"}


@pytest.fixture
def webhook(app):
    app.config["MAIL_WEBHOOK_SECRET"] = SECRET


def signed(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"X-Advocacy-Signature": f"t={timestamp},v1={signature(SECRET, timestamp, body)}"}


def post_raw(client, body: bytes, headers: dict[str, str]):
    return client.post(
        "/webhooks/mail-events", data=body, content_type="application/json", headers=headers
    )


def receipts() -> int:
    return db.session.scalar(select(func.count()).select_from(WebhookReceipt))


def sent_message(to: str) -> OutboxMessage:
    message = queue_one(to)
    db.session.commit()  # delivered at once in tests (memory backend)
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT
    return message


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            {"type": "complaint", "email": "nul\x00@example.com"},
            "email contains a control character",
        ),
        (
            {"type": "bounce", "bounce": "hard", "email": "x@example.com", "detail": "550\x00"},
            "detail contains a control character",
        ),
        (
            {
                "type": "bounce",
                "bounce": "hard",
                "email": "x@example.com",
                "message_id": "<a\x00b>",
            },
            "message_id contains a control character",
        ),
        (
            {"type": "complaint", "email": "x@example.com", "detail": "lone \ud800 surrogate"},
            "detail contains a control character",
        ),
        ({"type": "complaint", "email": "a" * 288 + "@example.com"}, "email is longer than 254"),
        # 112 characters as sent, 312 once case-folded (ﬃ folds to "ffi").
        ({"type": "complaint", "email": "\ufb03" * 100 + "@example.com"}, "email is longer"),
        ({"type": "complaint", "email": "no-at-sign"}, "email is not an address"),
        ({"type": "complaint", "email": 42}, "email must be a string"),
        ({"type": ["complaint"], "email": "x@example.com"}, "type must be a non-empty string"),
        ({"type": "bounce", "bounce": "hard", "email": "x@example.com", "detail": {}}, "detail"),
        ({"type": "complaint", "email": "x@example.com", "detail": "d" * 501}, "detail is longer"),
        ({"type": "complaint", "email": "x@example.com", "extra": "\x07"}, "a field contains"),
        ("garbage", "an event must be a JSON object"),
        (None, "an event must be a JSON object"),
    ],
)
def test_a_bad_event_is_refused_and_the_rest_of_the_batch_applied(client, webhook, bad, reason):
    response = post_events(client, [GOOD, bad, {"type": "complaint", "email": "Last@Example.com"}])

    assert response.status_code == 200
    body = response.get_json()
    assert body["suppressed"] == 2 and not body["replayed"]
    [refused] = body["refused"]
    assert refused["index"] == 1 and refused["reason"].startswith(reason)
    assert suppressed() == {"angry@example.com": "complaint", "last@example.com": "complaint"}


def test_a_mixed_batch_applies_the_good_events_in_one_go(app, client, webhook, make):
    make.petition()
    message = sent_message("gone@example.com")
    events = [
        {"type": "bounce", "bounce": "hard", "email": "Gone@Example.com", "detail": "550 5.1.1",
         "message_id": message.message_id.strip("<>")},
        {"type": "bounce", "bounce": "hard", "email": "bad\x00@example.com"},
        {"type": "bounce", "bounce": "soft", "email": "full@example.com"},
        {"type": "complaint", "email": "angry@example.com", "detail": ["not", "text"]},
        {"type": "complaint", "email": "angry@example.com"},
        {"type": "complaint", "email": "ANGRY@example.com"},  # the same address again
    ]  # fmt: skip

    response = post_events(client, events)

    assert response.status_code == 200
    assert response.get_json() == {
        "suppressed": 2,
        "bounced": 1,
        "ignored": 1,
        "replayed": False,
        "refused": [
            {"index": 1, "reason": "email contains a control character"},
            {"index": 3, "reason": "detail must be a string"},
        ],
    }
    assert suppressed() == {"gone@example.com": "bounce", "angry@example.com": "complaint"}
    detail = db.session.scalar(select(Suppression.detail).where(Suppression.email.like("gone%")))
    assert detail == "550 5.1.1"
    db.session.expire_all()
    assert db.session.get_one(OutboxMessage, message.id).status is MessageStatus.BOUNCED


def test_nothing_usable_is_a_400_and_applies_nothing(client, webhook):
    bad = [{"type": "complaint", "email": "a\x00@example.com"}, 7]
    response = post_events(client, bad)

    assert response.status_code == 400
    assert response.get_json()["refused"] == [
        {"index": 0, "reason": "email contains a control character"},
        {"index": 1, "reason": "an event must be a JSON object"},
    ]
    assert post_events(client, [GOOD] * 1001).status_code == 400
    assert post_events(client, None, raw=b'{"no": "events"}').status_code == 400
    assert post_events(client, None, raw=b"\xff\xfe not utf-8").status_code == 400
    assert post_events(client, None, raw=b"[" * 100_000 + b"]" * 100_000).status_code == 400
    assert suppressed() == {} and receipts() == 0


def test_an_empty_batch_is_fine(client, webhook):
    response = post_events(client, [])
    assert response.status_code == 200
    assert response.get_json()["suppressed"] == 0


def test_a_replayed_request_is_applied_once(client, webhook, make):
    make.petition()
    message = sent_message("gone@example.com")
    body = json.dumps(
        {"events": [{"type": "bounce", "bounce": "hard", "email": "gone@example.com",
                     "message_id": message.message_id}]}
    ).encode()  # fmt: skip
    headers = signed(body)

    first = post_raw(client, body, headers)
    # The admin lifts the suppression and the message is re-sent; the captured request again:
    db.session.execute(Suppression.__table__.delete())
    db.session.commit()
    again = post_raw(client, body, headers)
    # Reformatted (reordered, an extra field, a field twice): still the same signature.
    t, v1 = headers["X-Advocacy-Signature"].split(",")
    reformatted = post_raw(client, body, {"X-Advocacy-Signature": f"{v1},{t},x=1,{v1}"})

    assert first.status_code == 200 and first.get_json()["suppressed"] == 1
    assert first.get_json()["bounced"] == 1
    for replay in (again, reformatted):
        assert replay.status_code == 200
        assert replay.get_json()["replayed"] is True
        assert replay.get_json()["suppressed"] == 0
    assert suppressed() == {}  # not put back by the replays
    assert receipts() == 1
    digest = db.session.scalar(select(WebhookReceipt.digest))
    assert digest == webhook_events.receipt_digest(int(t[2:]), v1[3:])
    assert digest != hashlib.sha256(body).hexdigest()

    # The provider retrying with a new signature is a new request (and harmless).
    # (a second before the first: the clock may have ticked over since, which made it the same)
    retried = post_raw(client, body, signed(body, int(t[2:]) - 1))
    assert retried.get_json()["replayed"] is False and retried.get_json()["suppressed"] == 1


def test_old_receipts_are_pruned(client, webhook):
    old = utcnow() - timedelta(seconds=webhook_events.RECEIPT_SECONDS + 1)
    db.session.add(WebhookReceipt(digest="0" * 64, received_at=old))
    db.session.add(WebhookReceipt(digest="1" * 64, received_at=utcnow()))
    db.session.commit()

    assert post_events(client, [GOOD]).status_code == 200

    db.session.expire_all()
    assert db.session.get(WebhookReceipt, "0" * 64) is None
    assert db.session.get(WebhookReceipt, "1" * 64) is not None
    assert receipts() == 2


def test_two_identical_requests_racing_apply_once(app, webhook, monkeypatch):
    body = json.dumps({"events": [GOOD]}).encode()
    headers = signed(body)
    # Both requests have checked their events before either records its receipt.
    barrier = threading.Barrier(2, timeout=10)
    parse = webhook_events.parse

    def parse_together(events):
        batch = parse(events)
        barrier.wait()
        return batch

    monkeypatch.setattr(webhook_events, "parse", parse_together)
    answers: list[dict] = []

    def post():
        response = post_raw(app.test_client(), body, headers)
        answers.append({"status": response.status_code, **response.get_json()})

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert sorted(a["status"] for a in answers) == [200, 200]
    assert sorted(a["replayed"] for a in answers) == [False, True]
    assert sum(a["suppressed"] for a in answers) == 1
    db.session.expire_all()
    assert suppressed() == {"angry@example.com": "complaint"}
    assert receipts() == 1

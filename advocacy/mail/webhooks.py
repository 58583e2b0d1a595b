"""``POST /webhooks/mail-events``: hard bounces and complaints from the mail provider.

The body is JSON, signed with ``MAIL_WEBHOOK_SECRET`` (HMAC-SHA256), so no CSRF token:

    X-Advocacy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

    {"events": [
      {"type": "bounce", "bounce": "hard", "email": "gone@example.com", "detail": "550 5.1.1",
       "message_id": "<5f0c…@advocacy.example>"},
      {"type": "complaint", "email": "angry@example.com"}
    ]}

Hard bounces and complaints put the address on the suppression list; soft bounces and other
event types are counted and ignored. A hard bounce that names the ``message_id`` (the
Message-ID header we sent, as providers report it) also marks that message "bounced", which
the organizer's report of an update counts.

Every event is checked before any is applied (``webhook_events``): it must be an object with
a string ``type`` (at most 50 characters) and ``email`` (an address of at most 254 characters
once trimmed and case-folded), ``detail`` at most 500 and ``message_id`` at most 255
characters, and no control character in any string. The usable events are applied in one
transaction and the answer is 200::

    {"suppressed": 1, "bounced": 0, "ignored": 2, "replayed": false,
     "refused": [{"index": 3, "reason": "email contains a control character"}]}

so a provider never retries a batch because of one bad event. 400 only when nothing in the
body is usable: not JSON, no ``events`` list, more than 1,000 events, or every event refused.

Signatures older than five minutes are refused (401), and a request is applied once: the
SHA-256 of its verified signature is recorded in ``mail_webhook_receipts`` with its events,
and the same signature again (a replay, or a provider's retry of a request that succeeded)
is answered 200 with ``"replayed": true`` and applies nothing. Without
``MAIL_WEBHOOK_SECRET`` the endpoint is 404.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import asdict

from flask import Blueprint, abort, current_app, jsonify, request

from advocacy.extensions import csrf
from advocacy.mail import webhook_events
from advocacy.mail.webhook_events import MAX_EVENTS, TOLERANCE_SECONDS

bp = Blueprint("mail_webhooks", __name__, url_prefix="/webhooks")

__all__ = ["MAX_EVENTS", "TOLERANCE_SECONDS", "bp", "signature"]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _verified(secret: str) -> str | None:
    """The receipt digest of a valid, current signature; None when it is missing or wrong."""
    header = request.headers.get("X-Advocacy-Signature", "")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return None
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        return None
    expected = signature(secret, timestamp, request.get_data(cache=True))
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        return None
    return webhook_events.receipt_digest(timestamp, expected)


@bp.post("/mail-events")
@csrf.exempt  # authenticated by its HMAC signature instead
def mail_events():
    secret = current_app.config.get("MAIL_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    if request.content_length and request.content_length > 1_000_000:
        return jsonify(error="The body is too large."), 413
    digest = _verified(secret)
    if digest is None:
        return jsonify(error="Missing, expired or wrong X-Advocacy-Signature."), 401
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" nested past the parser's depth: not an events list
        payload = None
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        return jsonify(error=f'Expected {{"events": [...]}} with at most {MAX_EVENTS}.'), 400
    batch = webhook_events.parse(events)
    if not batch.events and batch.refused:
        return jsonify(error="No event in the body is usable.", refused=batch.refused), 400
    applied = webhook_events.apply(digest, batch.events)
    if not applied.replayed:
        webhook_events.prune_receipts()
    return jsonify(**asdict(applied), refused=batch.refused)

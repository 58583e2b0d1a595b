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
the organizer's report of an update counts. Signatures older than five minutes are refused, so a
captured request cannot be replayed later. Without ``MAIL_WEBHOOK_SECRET`` the endpoint is 404.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Blueprint, abort, current_app, jsonify, request

from advocacy.extensions import csrf
from advocacy.mail import outbox, suppression

bp = Blueprint("mail_webhooks", __name__, url_prefix="/webhooks")
TOLERANCE_SECONDS = 300
MAX_EVENTS = 1000


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _verified(secret: str) -> bool:
    header = request.headers.get("X-Advocacy-Signature", "")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, timestamp, request.get_data(cache=True))
    return hmac.compare_digest(expected, parts.get("v1", ""))


@bp.post("/mail-events")
@csrf.exempt  # authenticated by its HMAC signature instead
def mail_events():
    secret = current_app.config.get("MAIL_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    if request.content_length and request.content_length > 1_000_000:
        return jsonify(error="The body is too large."), 413
    if not _verified(secret):
        return jsonify(error="Missing, expired or wrong X-Advocacy-Signature."), 401
    payload = request.get_json(silent=True)
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        return jsonify(error=f'Expected {{"events": [...]}} with at most {MAX_EVENTS}.'), 400
    suppressed = bounced = ignored = 0
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("email"), str):
            ignored += 1
            continue
        kind = event.get("type")
        hard = kind == "complaint" or (kind == "bounce" and event.get("bounce") == "hard")
        email = event["email"].strip()[:254]
        if not hard or "@" not in email:
            ignored += 1
            continue
        detail = event.get("detail") if isinstance(event.get("detail"), str) else None
        suppressed += suppression.suppress(email, str(kind), detail)
        message_id = event.get("message_id")
        if kind == "bounce" and isinstance(message_id, str) and 0 < len(message_id) <= 255:
            bounced += outbox.mark_bounced(message_id)
    return jsonify(suppressed=suppressed, bounced=bounced, ignored=ignored)

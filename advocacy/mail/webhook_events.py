"""The mail-event webhook's rules: which events are usable, and applying them once.

Every event of a request is checked before anything is written, so one bad event (a NUL byte
PostgreSQL refuses, an address that case-folds past 254 characters, a number where a string
belongs) is reported back by its index instead of failing the request half-applied, which
made the provider retry the whole batch forever. The usable events are then applied in one
transaction together with the request's receipt: a replayed request, or the same request
racing itself, is applied once because the receipt's primary key lets only one of them in.

The events go through ``suppression.suppress`` and ``outbox.mark_bounced`` with
``commit=False``: one commit for the whole batch and its receipt.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from advocacy.core.db import rowcount, utcnow
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.mail import outbox, suppression
from advocacy.mail.models import WebhookReceipt

TOLERANCE_SECONDS = 300  # how far a signature's timestamp may be from now
MAX_EVENTS = 1000
MAX_TYPE = 50
MAX_EMAIL = 254  # Suppression.email, after normalisation
MAX_DETAIL = 500  # Suppression.detail
MAX_MESSAGE_ID = 255  # OutboxMessage.message_id, with its angle brackets
# Receipts are kept for twice the tolerance: a signature is accepted from TOLERANCE_SECONDS
# before its timestamp until TOLERANCE_SECONDS after it.
RECEIPT_SECONDS = 2 * TOLERANCE_SECONDS

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


@dataclass
class Event:
    """A usable event: ``action`` is "suppress" (hard bounce, complaint) or "ignore"."""

    action: str
    kind: str
    email: str
    detail: str | None = None
    message_id: str | None = None


@dataclass
class Batch:
    events: list[Event] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)  # {"index": i, "reason": …}


@dataclass
class Applied:
    suppressed: int = 0
    bounced: int = 0
    ignored: int = 0
    replayed: bool = False


def _has_control(value: str) -> bool:
    # Cc: NUL and the other C0/C1 controls; Cs: lone surrogates, which JSON can carry
    # ("\ud800") and no database encoding accepts.
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def _optional_str(event: dict, name: str, limit: int) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    return value


def _event(raw: Any) -> Event:
    """The usable event in ``raw``, or ValueError saying why it is refused."""
    if not isinstance(raw, dict):
        raise ValueError("an event must be a JSON object")
    for name, value in raw.items():
        if isinstance(value, str) and _has_control(value):
            label = (
                name if name in ("type", "bounce", "email", "detail", "message_id") else "a field"
            )
            raise ValueError(f"{label} contains a control character")
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind:
        raise ValueError("type must be a non-empty string")
    if len(kind) > MAX_TYPE:
        raise ValueError(f"type is longer than {MAX_TYPE} characters")
    if not isinstance(raw.get("email"), str):
        raise ValueError("email must be a string")
    email = normalise_email(raw["email"])
    if len(email) > MAX_EMAIL:
        raise ValueError(f"email is longer than {MAX_EMAIL} characters")
    if not _EMAIL.fullmatch(email):
        raise ValueError("email is not an address")
    bounce = _optional_str(raw, "bounce", MAX_TYPE)
    detail = _optional_str(raw, "detail", MAX_DETAIL)
    message_id = _optional_str(raw, "message_id", MAX_MESSAGE_ID)
    if message_id is not None:
        message_id = message_id.strip()
        if message_id and not message_id.startswith("<"):
            message_id = f"<{message_id}>"  # as mark_bounced does: providers drop the brackets
        if len(message_id) > MAX_MESSAGE_ID:
            raise ValueError(f"message_id is longer than {MAX_MESSAGE_ID} characters")
    hard = kind == "complaint" or (kind == "bounce" and bounce == "hard")
    return Event(
        action="suppress" if hard else "ignore",
        kind=kind,
        email=email,
        detail=detail or None,
        message_id=message_id if hard and kind == "bounce" and message_id else None,
    )


def parse(events: list[Any]) -> Batch:
    """Sort a request's events into the usable ones and the refused ones (with reasons)."""
    batch = Batch()
    for index, raw in enumerate(events):
        try:
            batch.events.append(_event(raw))
        except ValueError as exc:
            batch.refused.append({"index": index, "reason": str(exc)})
    return batch


def receipt_digest(timestamp: int, v1: str) -> str:
    """The receipt key of a verified signature: SHA-256 of its canonical header, so that
    spacing, extra fields or a repeated field cannot make a replay look like a new request."""
    return hashlib.sha256(f"t={timestamp},v1={v1.lower()}".encode()).hexdigest()


def apply(digest: str, events: list[Event]) -> Applied:
    """Apply ``events`` and record the receipt ``digest`` in one transaction; a receipt that is
    already there (a replay, or the same request a moment earlier) applies nothing."""
    session = db.session
    applied = Applied()
    try:
        session.add(WebhookReceipt(digest=digest, received_at=utcnow()))
        session.flush()  # the primary key decides between a request and its replays
    except IntegrityError:
        session.rollback()
        return Applied(replayed=True)
    for event in events:
        if event.action != "suppress":
            applied.ignored += 1
            continue
        applied.suppressed += suppression.suppress(
            event.email, event.kind, event.detail, commit=False
        )
        if event.message_id:
            applied.bounced += outbox.mark_bounced(event.message_id, commit=False)
    session.commit()
    return applied


def prune_receipts() -> int:
    """Forget receipts whose signatures can no longer be accepted (run after each request:
    one indexed DELETE, in its own transaction so it never holds up the events)."""
    cutoff = utcnow() - timedelta(seconds=RECEIPT_SECONDS)
    removed = rowcount(
        db.session.execute(delete(WebhookReceipt).where(WebhookReceipt.received_at < cutoff))
    )
    db.session.commit()
    return removed

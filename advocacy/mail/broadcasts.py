"""Broadcasts: one message to many, rendered once and queued by one statement.

``create_broadcast`` renders the message once, with placeholders where each recipient's own
unsubscribe links go, into ``mail_broadcasts``, and writes one outbox row per recipient with a
single ``INSERT … SELECT`` (bodies empty). ``fill_copy`` gives a copy its bodies and links
when it leaves (``delivery``) or is shown; ``sender`` sends the copies at the set pace.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from flask import url_for
from sqlalchemy import Select, String, cast, func, literal, select
from sqlalchemy.orm import Session

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.mail.models import Broadcast, MessageStatus, OutboxMessage, outbox_table
from advocacy.mail.outbox import send_broadcasts_after_commit
from advocacy.mail.rendering import render_email, sender_domain
from advocacy.mail.suppression import (
    PREFERENCES_ENDPOINT,
    preferences_token,
    reachable,
    unsubscribe_token,
)

# Where each recipient's own unsubscribe links go in a broadcast rendered once for everyone.
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.advocacy.invalid/this"
UNSUBSCRIBE_ALL_PLACEHOLDER = "https://unsubscribe.advocacy.invalid/all"
PREFERENCES_PLACEHOLDER = "https://unsubscribe.advocacy.invalid/preferences"


def create_broadcast(
    kind: str,
    template: str,
    recipients: Select[Any],
    *,
    organization_id: int,
    petition_id: int | None = None,
    **context: Any,
) -> Broadcast:
    """Queue non-transactional mail to every address ``recipients`` selects, in this transaction.

    ``recipients`` is a SELECT of two columns: the (normalised) address and a key unique among
    the rows (a signature id, say), which makes each copy's Message-ID. The template is
    rendered once; each copy is one outbox row written by a single ``INSERT … SELECT``, so
    100,000 recipients queue in seconds. Addresses that are suppressed or unsubscribed are
    left out now, and checked again when each copy is sent. After the commit the broadcast is
    handed to its sender (``send_broadcast``), which keeps to ``MAIL_BULK_RATE``.
    """
    context = {
        **context,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "unsubscribe_all_url": UNSUBSCRIBE_ALL_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
    }
    subject, text_body, html_body = render_email(template, context)
    marker = "__token__"
    link = url_for("mail_unsubscribe.unsubscribe", token=marker, _external=True)
    preferences = url_for(PREFERENCES_ENDPOINT, token=marker, _external=True)
    broadcast = Broadcast(
        kind=kind,
        organization_id=organization_id,
        petition_id=petition_id,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        unsubscribe_base=link.removesuffix(marker),
        preferences_base=preferences.removesuffix(marker),
    )
    db.session.add(broadcast)
    db.session.flush()

    found = reachable(recipients, organization_id, petition_id).subquery()
    email, key = list(found.c)[:2]
    prefix = uuid.uuid4().hex[:20]  # Message-ID: <prefix.key@domain>
    now = utcnow()
    rows = select(
        literal(kind),
        email,
        literal(subject),
        literal(""),
        literal(MessageStatus.QUEUED.value),
        literal(0),
        literal(now, type_=OutboxMessage.created_at.type),
        literal(f"<{prefix}.") + cast(key, String) + literal(f"@{sender_domain()}>"),
        literal(False),
        literal(organization_id),
        literal(petition_id),
        literal(broadcast.id),
    )
    table = outbox_table
    columns = [
        "kind", "recipient", "subject", "text_body", "status", "attempts", "created_at",
        "message_id", "transactional", "organization_id", "petition_id", "broadcast_id",
    ]  # fmt: skip
    db.session.execute(table.insert().from_select(columns, rows))
    # (rowcount of an INSERT … SELECT is -1 through SQLAlchemy on psycopg: count instead)
    broadcast.recipient_count = (
        db.session.scalar(select(func.count()).where(OutboxMessage.broadcast_id == broadcast.id))
        or 0
    )
    send_broadcasts_after_commit(db.session, [broadcast.id])
    return broadcast


def fill_copy(session: Session, message: OutboxMessage, cache: dict[int, Broadcast]) -> None:
    """Give a broadcast's copy its bodies, with this recipient's unsubscribe links (``cache``
    keeps the broadcasts already read). Other messages are left as they are."""
    if message.broadcast_id is None:
        return
    broadcast = cache.get(message.broadcast_id)
    if broadcast is None:
        broadcast = cache[message.broadcast_id] = session.get_one(Broadcast, message.broadcast_id)
    base, organization_id = broadcast.unsubscribe_base, broadcast.organization_id
    this = base + unsubscribe_token(message.recipient, organization_id, message.petition_id)
    everything = base + unsubscribe_token(message.recipient, organization_id, None)
    message.unsubscribe_url = everything  # the List-Unsubscribe header's, as in enqueue
    # Broadcasts queued before the preference centre have no base and no placeholder.
    preferences = (broadcast.preferences_base or "") + preferences_token(message.recipient)
    links = {
        UNSUBSCRIBE_PLACEHOLDER: this,
        UNSUBSCRIBE_ALL_PLACEHOLDER: everything,
        PREFERENCES_PLACEHOLDER: preferences,
    }
    message.text_body = _fill(broadcast.text_body, links)
    message.html_body = _fill(broadcast.html_body, links)


def _fill(body: str, links: dict[str, str]) -> str:
    for placeholder, link in links.items():
        body = body.replace(placeholder, link)
    return body


def recent_messages(limit: int = 50) -> list[OutboxMessage]:
    """The newest messages, a broadcast's copies with their bodies filled in (detached, so
    the filled-in bodies are never written back)."""
    messages = list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )
    broadcasts: dict[int, Broadcast] = {}
    for message in messages:
        if message.broadcast_id is not None:
            db.session.expunge(message)
            fill_copy(db.session(), message, broadcasts)
    return messages


def broadcast_html(broadcast_id: int, unsubscribe_url: str) -> str:
    """A broadcast's HTML as rendered when it was queued, with ``unsubscribe_url`` where each
    recipient's own links went (for showing it, not sending it)."""
    html = db.session.get_one(Broadcast, broadcast_id).html_body
    placeholders = (UNSUBSCRIBE_PLACEHOLDER, UNSUBSCRIBE_ALL_PLACEHOLDER, PREFERENCES_PLACEHOLDER)
    return _fill(html, dict.fromkeys(placeholders, unsubscribe_url))


def broadcast_counts(broadcast_id: int) -> dict[str, int]:
    """How a broadcast is going: queued (incl. being sent), sent, failed, bounced, not_sent
    (suppressed or unsubscribed before their copy left)."""
    return counts_of_broadcasts([broadcast_id])[broadcast_id]


def counts_of_broadcasts(ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``broadcast_counts`` for several broadcasts, in one query."""
    ids = list(ids)
    found: dict[int, dict[MessageStatus, int]] = {i: {} for i in ids}
    if ids:
        rows = db.session.execute(
            select(OutboxMessage.broadcast_id, OutboxMessage.status, func.count())
            .where(OutboxMessage.broadcast_id.in_(ids))
            .group_by(OutboxMessage.broadcast_id, OutboxMessage.status)
        )
        for broadcast_id, status, count in rows:
            if broadcast_id is not None:  # the WHERE names broadcasts: never None
                found[broadcast_id][status] = count
    return {
        broadcast_id: {
            "queued": counts.get(MessageStatus.QUEUED, 0) + counts.get(MessageStatus.SENDING, 0),
            "sent": counts.get(MessageStatus.SENT, 0),
            "failed": counts.get(MessageStatus.FAILED, 0),
            "bounced": counts.get(MessageStatus.BOUNCED, 0),
            "not_sent": counts.get(MessageStatus.SUPPRESSED, 0),
        }
        for broadcast_id, counts in found.items()
    }

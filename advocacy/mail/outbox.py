"""The outbox: ``enqueue`` writes a message in the caller's transaction; it leaves after commit.

Delivery never runs inside the request that caused it: the ids of what this transaction
queued wait in the session (``pending``) until ``dispatch`` hands them on after the commit
(a rollback drops them). A message moves ``queued`` → ``sending`` (``claim``, which only one
worker can win) → ``sent``, or back to ``queued`` for a retry, or ``failed`` (``record_*``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from advocacy.core.db import rowcount, utcnow
from advocacy.extensions import db
from advocacy.mail.models import MessageStatus, OutboxMessage, outbox_table
from advocacy.mail.rendering import make_message_id, render_email
from advocacy.mail.suppression import preferences_link, unsubscribe_link
from advocacy.mail.transport import MaybeDelivered, is_permanent

log = logging.getLogger(__name__)
_PENDING_MESSAGES = "advocacy_outbox_pending"
_PENDING_BROADCASTS = "advocacy_outbox_broadcasts"


def enqueue(
    kind: str,
    recipient: str,
    template: str,
    *,
    transactional: bool = True,
    organization_id: int | None = None,
    petition_id: int | None = None,
    from_name: str | None = None,
    reply_to: str | None = None,
    cc: str | None = None,
    **context: Any,
) -> int:
    """Render ``email/<template>.txt`` and ``.html``, queue the message in this transaction.

    The first line of the text template, after ``Subject:``, is the subject. Returns the
    message id. One Core INSERT: this runs inside hot requests such as signing.

    Non-transactional mail (``transactional=False``: updates, newsletters) needs the sending
    ``organization_id`` (and ``petition_id`` when it is about one petition): the templates get
    ``unsubscribe_url`` (this petition, or the organisation), ``unsubscribe_all_url`` (every
    mail of the organisation) and ``preferences_url`` (the recipient's preference centre:
    every sender, no login), the message carries ``List-Unsubscribe`` and
    ``List-Unsubscribe-Post`` (RFC 8058), and it is not sent if the address has unsubscribed.

    Mail sent on someone's behalf (a supporter's letter to an office) gives ``from_name``
    (the From display name; the address stays the platform's, so SPF and DKIM hold),
    ``reply_to`` (where the office's answer goes) and ``cc`` (who gets a copy).
    """
    unsubscribe_url = None
    if not transactional:
        if organization_id is None:
            raise ValueError("Non-transactional mail needs the sending organization_id")
        context["unsubscribe_url"] = unsubscribe_link(recipient, organization_id, petition_id)
        # The one-click header leaves the whole organisation, as people who press a mail
        # client's "Unsubscribe" expect; the footer link offers this petition or everything.
        unsubscribe_url = unsubscribe_link(recipient, organization_id, None)
        context["unsubscribe_all_url"] = unsubscribe_url
        context["preferences_url"] = preferences_link(recipient)
    subject, text_body, html_body = render_email(template, context)
    table = outbox_table
    message_id: int = db.session.execute(
        table.insert().returning(table.c.id),
        {
            "kind": kind,
            "recipient": recipient,
            "subject": subject,
            "text_body": text_body,
            "html_body": html_body,
            "message_id": make_message_id(),
            "transactional": transactional,
            "organization_id": organization_id,
            "petition_id": petition_id,
            "unsubscribe_url": unsubscribe_url,
            "from_name": from_name[:200] if from_name else None,
            "reply_to": reply_to,
            "cc": cc,
        },
    ).scalar_one()
    deliver_after_commit(db.session, [message_id])
    return message_id


# --- what waits for the commit ---------------------------------------------------------------


def deliver_after_commit(session: Any, ids: Iterable[int]) -> None:
    """Have these messages delivered once ``session`` commits (dropped if it rolls back)."""
    session.info.setdefault(_PENDING_MESSAGES, []).extend(ids)


def send_broadcasts_after_commit(session: Any, ids: Iterable[int]) -> None:
    """Have these broadcasts' senders started once ``session`` commits."""
    session.info.setdefault(_PENDING_BROADCASTS, []).extend(ids)


def take_pending(session: Session) -> tuple[list[int], list[int]]:
    """(message ids, broadcast ids) waiting for this session's commit, forgotten here."""
    return (
        session.info.pop(_PENDING_MESSAGES, None) or [],
        session.info.pop(_PENDING_BROADCASTS, None) or [],
    )


# --- one attempt: claim, then record ---------------------------------------------------------


def claim(session: Session, ids: list[int], now: datetime) -> list[OutboxMessage]:
    """Move these ids from queued to sending; returns the ones this worker won."""
    table = outbox_table
    rows = session.execute(
        table.update()
        .where(table.c.id.in_(ids), table.c.status == MessageStatus.QUEUED.value)
        .values(status=MessageStatus.SENDING.value, claimed_at=now, attempts=table.c.attempts + 1)
        .returning(*table.c)
    ).all()
    session.commit()
    return [OutboxMessage(**row._mapping) for row in sorted(rows, key=lambda r: r.id)]


def record_sent(session: Session, ids: list[int], commit: bool = True) -> None:
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=MessageStatus.SENT, sent_at=utcnow(), last_error=None)
        )
        if commit:
            session.commit()


def record_failure(
    session: Session, message: OutboxMessage, exc: Exception, commit: bool = True
) -> str:
    """Record a failed attempt; returns "retrying" or "failed"."""
    config = current_app.config
    error = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, MaybeDelivered):
        error = (
            f"Interrupted after the message was handed over ({exc}): it may have been "
            "delivered; not retried automatically (at most once)."
        )[:500]
    permanent = is_permanent(exc)
    values: dict[str, Any]
    if permanent or message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        values = {"status": MessageStatus.FAILED, "last_error": error}
        outcome = "failed"
        log.warning("Mail %s to %s failed for good: %s", message.id, message.recipient, error)
    else:
        delay = min(
            config["MAIL_RETRY_SECONDS"] * 2 ** (message.attempts - 1),
            config["MAIL_RETRY_MAX_SECONDS"],
        )
        values = {
            "status": MessageStatus.QUEUED,
            "last_error": error,
            "next_attempt_at": utcnow() + timedelta(seconds=delay),
        }
        outcome = "retrying"
        log.info("Mail %s: %s; retrying in %s s", message.id, error, delay)
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))
    if commit:
        session.commit()
    return outcome


def mark_bounced(message_id: str, *, commit: bool = True) -> bool:
    """A sent message the provider reports as hard-bounced (by its Message-ID); with
    ``commit=False`` the caller's transaction holds the change."""
    value = message_id.strip()
    if not value.startswith("<"):
        value = f"<{value}>"
    marked = rowcount(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.message_id == value, OutboxMessage.status == MessageStatus.SENT)
            .values(status=MessageStatus.BOUNCED)
            .execution_options(synchronize_session=False)
        )
    )
    if commit:
        db.session.commit()
    return bool(marked)


# --- the admin's view ------------------------------------------------------------------------


def status_counts() -> dict[str, int]:
    """How many messages are in each status (every status listed, zeros included)."""
    counts: dict[MessageStatus, int] = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return {status.value: counts.get(status, 0) for status in MessageStatus}


def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.FAILED)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retrying_messages(limit: int = 100) -> list[OutboxMessage]:
    """Queued messages that have failed at least once and wait for their next attempt: during
    an outage or with a wrong setting these pile up before anything is marked failed."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == MessageStatus.QUEUED,
                OutboxMessage.attempts > 0,
                OutboxMessage.last_error.is_not(None),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry(ids: Iterable[int] | None = None) -> int:
    """Queue failed messages again (these, or all) for delivery after this commit.

    An admin's decision: a message marked "interrupted" may already have been delivered once.
    """
    query = update(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    requeued = db.session.execute(
        query.values(status=MessageStatus.QUEUED, next_attempt_at=None, attempts=0)
        .returning(OutboxMessage.id, OutboxMessage.broadcast_id)
        .execution_options(synchronize_session=False)
    ).all()
    # A broadcast's copies go back to its sender, which keeps them to MAIL_BULK_RATE.
    deliver_after_commit(db.session, [row.id for row in requeued if row.broadcast_id is None])
    broadcasts = {row.broadcast_id for row in requeued if row.broadcast_id is not None}
    send_broadcasts_after_commit(db.session, sorted(broadcasts))
    db.session.commit()
    return len(requeued)

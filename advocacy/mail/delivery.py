"""Delivery: send what is due, at most once, and record each outcome.

Each message is claimed before it is sent and its outcome recorded right after (``outbox``);
suppressed and unsubscribed addresses are marked instead of sent (``suppression``); a
broadcast's copy gets its bodies as it leaves (``broadcasts``); ``transport`` sends it.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_mail import Connection
from sqlalchemy import Select, case, or_, select, update
from sqlalchemy.orm import Session

from advocacy.core.db import rowcount, utcnow
from advocacy.extensions import db
from advocacy.mail import outbox, transport
from advocacy.mail.broadcasts import fill_copy
from advocacy.mail.models import Broadcast, MessageStatus, OutboxMessage, outbox_table
from advocacy.mail.suppression import SUPPRESSED_ERROR, blocked_message

BATCH = 200  # messages one delivery takes at most


@dataclass
class Delivery:
    """What one ``deliver`` call did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0

    def count(self, outcome: str) -> None:
        """Add one to ``outcome`` ("sent", "retrying", "failed" or "suppressed")."""
        setattr(self, outcome, getattr(self, outcome) + 1)


def deliver(ids: Iterable[int] | None = None, limit: int | None = None) -> Delivery:
    """Send queued messages that are due: those with these ids, or (``ids=None``) any that
    is not a broadcast's copy.

    Each message is *claimed* (``queued`` → ``sending``, one conditional UPDATE that only one
    worker can win) before it is sent, and its outcome recorded right after: ``sent``; back to
    ``queued`` with ``next_attempt_at`` pushed back exponentially after a transient error
    (connection refused, timeout, 4xx); ``failed`` after a permanent one (5xx, a refused
    address) or ``MAIL_MAX_ATTEMPTS`` attempts. A worker that dies between sending and
    recording leaves its one message in ``sending``: ``sweep`` marks it failed as
    "interrupted" rather than send it twice (at most once), and every message it had not yet
    claimed is still ``queued``, so nothing else is lost.

    Backends without a network (console, memory, null) claim and record a batch at a time.
    """
    backend = current_app.config["MAIL_BACKEND"]
    now = utcnow()
    due = select(OutboxMessage.id).where(
        OutboxMessage.status == MessageStatus.QUEUED,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
    )
    if ids is not None:
        due = due.where(OutboxMessage.id.in_(list(ids)))
    else:  # a broadcast's copies leave only through its sender, at its pace
        due = due.where(OutboxMessage.broadcast_id.is_(None))
    due = due.order_by(OutboxMessage.id).limit(limit or BATCH)
    report = Delivery()
    with Session(db.engine) as session:
        if backend != "smtp":
            return _deliver_locally(session, backend, due, now)
        candidates = list(session.scalars(due))
        if not candidates:
            return report
        report.suppressed = _suppress_blocked(session, candidates)
        broadcasts: dict[int, Broadcast] = {}
        with ExitStack() as stack:
            connection: Connection | None = None
            for message_id in candidates:
                claimed = outbox.claim(session, [message_id], now)
                if not claimed:
                    continue  # another worker took it
                message = claimed[0]
                try:
                    fill_copy(session, message, broadcasts)
                    if connection is None:
                        connection = stack.enter_context(transport.smtp_connection())
                    transport.send(backend, message, connection)
                except Exception as exc:  # noqa: BLE001 - every failure is recorded
                    report.count(outbox.record_failure(session, message, exc))
                    if transport.connection_lost(exc):
                        # The server is down or hung up: leave the rest queued for later,
                        # untouched, rather than spend an attempt of each on it.
                        break
                else:
                    outbox.record_sent(session, [message.id])
                    report.sent += 1
    return report


def _deliver_locally(session: Session, backend: str, due: Select[int], now: datetime) -> Delivery:
    """Console, memory and null backends: nothing leaves the machine, so no attempt can be
    half done. One conditional UPDATE claims the due messages (or marks them suppressed), one
    records them, one commit: signing's after-commit delivery stays cheap."""
    table = outbox_table
    blocked = blocked_message()
    rows = session.execute(
        table.update()
        .where(table.c.id.in_(due.scalar_subquery()), table.c.status == MessageStatus.QUEUED.value)
        .values(
            status=case(
                (blocked, MessageStatus.SUPPRESSED.value), else_=MessageStatus.SENDING.value
            ),
            claimed_at=now,
            attempts=case((blocked, table.c.attempts), else_=table.c.attempts + 1),
            last_error=case((blocked, SUPPRESSED_ERROR), else_=table.c.last_error),
        )
        .returning(*table.c)
    ).all()
    report = Delivery()
    sent = []
    broadcasts: dict[int, Broadcast] = {}
    for row in sorted(rows, key=lambda r: r.id):
        message = OutboxMessage(**row._mapping)
        if message.status is MessageStatus.SUPPRESSED or row.status == "suppressed":
            report.suppressed += 1
            continue
        try:
            fill_copy(session, message, broadcasts)
            transport.send(backend, message)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded
            report.count(outbox.record_failure(session, message, exc, commit=False))
        else:
            sent.append(message.id)
    outbox.record_sent(session, sent, commit=False)
    session.commit()
    report.sent = len(sent)
    return report


def _suppress_blocked(session: Session, ids: list[int]) -> int:
    """Mark the queued messages among ``ids`` that must not go (``blocked_message``)."""
    marked = rowcount(
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == MessageStatus.QUEUED,
                blocked_message(),
            )
            .values(status=MessageStatus.SUPPRESSED, last_error=SUPPRESSED_ERROR)
            .execution_options(synchronize_session=False)
        )
    )
    session.commit()
    return marked

"""A broadcast's paced sender: one at a time (a lease on the broadcast), a batch at a time,
no faster than ``MAIL_BULK_RATE``, each copy through ``delivery.deliver``."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Update, or_, select, update
from sqlalchemy.orm import Session

from advocacy.core.db import rowcount, utcnow
from advocacy.extensions import db
from advocacy.mail import delivery
from advocacy.mail.models import Broadcast, MessageStatus, OutboxMessage

log = logging.getLogger(__name__)


@dataclass
class BroadcastRun(delivery.Delivery):
    """What one ``send_broadcast`` call did; ``done`` when nothing of it is left due."""

    done: bool = False
    busy: bool = False  # another sender holds the broadcast
    stalled: bool = False  # the mail server is down: the copies wait for their retry time
    token: str = ""  # the lease this run held (still held when handed on)


def send_broadcast(
    broadcast_id: int,
    budget: float | None = None,
    *,
    token: str | None = None,
    hand_on: bool = False,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Any] = time.sleep,
) -> BroadcastRun:
    """Deliver a broadcast's due copies, ``MAIL_BULK_BATCH`` at a time, at most
    ``MAIL_BULK_RATE`` per second (0: no limit), for at most ``budget`` seconds.

    One sender at a time: it holds a lease on the broadcast (``sender_token`` and
    ``sender_until``), renewed every batch and only by its holder, so a second sender (a sweep,
    a duplicate job) returns at once, a sender that finds its lease taken over stops, and a
    crashed one's broadcast is picked up by the sweep when the lease runs out. ``token`` is a
    lease taken beforehand (a queued job's); with ``hand_on`` a run that used up its budget
    keeps the lease for the continuation its caller queues. Each copy is claimed and recorded
    by ``deliver``, so none is sent twice. Stops early when the mail server is down: the copies
    wait for their retry time and the sweep starts a sender again.
    """
    config = current_app.config
    lease = lease_length()
    run = BroadcastRun(token=token or uuid.uuid4().hex)
    if not take_lease(broadcast_id, run.token, lease):
        run.busy = True
        return run
    rate, size = config["MAIL_BULK_RATE"], config["MAIL_BULK_BATCH"]
    interval = size / rate if rate else 0.0
    started = clock()
    keep = False
    try:
        while True:
            batch_started = clock()
            ids = _due_copies(broadcast_id, size)
            if not ids:
                run.done = True
                break
            report = delivery.deliver(ids, limit=size)
            for field in ("sent", "retrying", "failed", "suppressed"):
                setattr(run, field, getattr(run, field) + getattr(report, field))
            if report.retrying and not report.sent:
                run.stalled = True
                break
            if not _renew_lease(broadcast_id, run.token, lease):
                log.warning("Broadcast %s: lease taken over; this sender stops", broadcast_id)
                run.busy = True
                return run  # not ours to release
            if budget is not None and clock() - started >= budget:
                keep = hand_on
                break
            pause = interval - (clock() - batch_started)
            if pause > 0:
                sleep(pause)
    except BaseException:
        release_lease(broadcast_id, run.token)
        raise
    if not keep:
        release_lease(broadcast_id, run.token)
    return run


def orphaned_broadcasts(now: datetime | None = None) -> list[int]:
    """Broadcasts with copies due and no live sender (crashed, or stopped while the server
    was down): the sweep starts a sender for each."""
    now = now or utcnow()
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.broadcast_id == Broadcast.id,
            OutboxMessage.status == MessageStatus.QUEUED,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .exists()
    )
    ids = list(
        db.session.scalars(
            select(Broadcast.id).where(
                or_(Broadcast.sender_until.is_(None), Broadcast.sender_until < now), due
            )
        )
    )
    db.session.rollback()
    return ids


def _due_copies(broadcast_id: int, limit: int) -> list[int]:
    now = utcnow()
    with Session(db.engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.broadcast_id == broadcast_id,
                    OutboxMessage.status == MessageStatus.QUEUED,
                    or_(
                        OutboxMessage.next_attempt_at.is_(None),
                        OutboxMessage.next_attempt_at <= now,
                    ),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )


# --- the lease -------------------------------------------------------------------------------


def lease_length() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_BULK_LEASE_SECONDS"])


def take_lease(broadcast_id: int, token: str, lease: timedelta) -> bool:
    """Take the broadcast's sender lease for ``token``: free, expired, or already ``token``'s."""
    now = utcnow()
    free = or_(
        Broadcast.sender_until.is_(None),
        Broadcast.sender_until < now,
        Broadcast.sender_token == token,
    )
    return _lease_update(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, free)
        .values(sender_token=token, sender_until=now + lease)
    )


def _renew_lease(broadcast_id: int, token: str, lease: timedelta) -> bool:
    """Extend the lease if ``token`` still holds it; False if another sender took it over."""
    return _lease_update(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.sender_token == token)
        .values(sender_until=utcnow() + lease)
    )


def release_lease(broadcast_id: int, token: str) -> None:
    _lease_update(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.sender_token == token)
        .values(sender_token=None, sender_until=None)
    )


def _lease_update(statement: Update) -> bool:
    with Session(db.engine) as session, session.begin():
        return bool(rowcount(session.execute(statement)))

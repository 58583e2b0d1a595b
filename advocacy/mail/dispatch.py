"""After the commit: hand queued mail to whatever delivers it here, and sweep what was missed.

Committed message ids go to RQ when ``REDIS_URL`` is set, otherwise to one in-process drain
thread (or straight through, with ``MAIL_SYNC`` in tests); a broadcast gets its sender the same
way. A failed delivery marks the message failed; it never fails the request. The sweep
delivers what a lost dispatch left behind and settles attempts a dead worker left open.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import Flask, current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from advocacy.core.db import rowcount, utcnow
from advocacy.extensions import db
from advocacy.mail import delivery, outbox, sender
from advocacy.mail.delivery import BATCH
from advocacy.mail.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Dispatch queued mail after each commit of the app's session (listeners added once).

    Without Redis there is no worker to sweep the outbox, so each serving process runs the
    sweep itself every ``MAIL_SWEEP_SECONDS`` (started by its first request; claims keep
    several processes from sending one message twice). Mail that waited for an SMTP outage
    then leaves on its own once the server is back.
    """
    if not event.contains(FlaskSession, "after_commit", _after_commit):
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_rollback", _after_rollback)
    if app.config.get("MAIL_SWEEP_SECONDS") and not app.config.get("REDIS_URL") and not app.testing:
        app.before_request(lambda: _sweep_in_this_process(app))


def _after_commit(session: Session) -> None:
    ids, broadcasts = outbox.take_pending(session)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy, typed as Flask
    if ids:
        dispatch_messages(app, ids)
    for broadcast_id in broadcasts:
        dispatch_broadcast(app, broadcast_id)


def _after_rollback(session: Session) -> None:
    # A rolled-back message was never written. (This fires for a real rollback only; rolling
    # back to a savepoint leaves the messages queued outside it pending, as it should.)
    outbox.take_pending(session)


def dispatch_messages(app: Flask, ids: list[int]) -> None:
    """Hand committed message ids to whatever delivers them in this deployment."""
    if app.config.get("MAIL_SYNC"):  # tests: deliver before the request returns
        delivery.deliver(ids)
        return
    if app.config.get("REDIS_URL"):
        try:
            from advocacy.core.queue import get_queue

            get_queue("mail").enqueue("advocacy.mail.jobs.deliver_messages", ids)
            return
        except Exception:  # Redis down: deliver in-process rather than lose the mail.
            log.exception("Could not queue mail on Redis; delivering in-process")
    deliver_in_process(app, ids)


# In-process delivery: one drain task at a time takes everything queued so far, so under load
# many messages share one SELECT and one commit. The executor joins its thread at exit, so
# messages already handed over are delivered before the process ends.
_lock = threading.Lock()
_waiting: list[tuple[Flask, int]] = []
_draining = False
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
LINGER = 0.2  # seconds a drain waits so that a burst is delivered as one batch


def deliver_in_process(app: Flask, ids: list[int]) -> None:
    """Queue these ids for this process's drain thread (started if none is running)."""
    global _draining, _executor, _executor_pid
    with _lock:
        _waiting.extend((app, i) for i in ids)
        if _executor is None or _executor_pid != os.getpid():  # new, or inherited by a fork
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="advocacy-mail")
            _executor_pid, _draining = os.getpid(), False
        if not _draining:
            _draining = True
            _executor.submit(_drain)


def _drain() -> None:
    global _draining
    time.sleep(LINGER)  # let a burst gather into one batch
    while True:
        with _lock:
            if not _waiting:
                _draining = False
                return
            batch = _waiting[:BATCH]
            del _waiting[:BATCH]
        by_app: dict[Flask, list[int]] = {}
        for app, message_id in batch:
            by_app.setdefault(app, []).append(message_id)
        for app, ids in by_app.items():
            with app.app_context():
                try:
                    delivery.deliver(ids)
                except Exception:
                    log.exception("Mail delivery failed for messages %s", ids)


# --- broadcasts ------------------------------------------------------------------------------


def dispatch_broadcast(app: Flask, broadcast_id: int, background: bool = True) -> None:
    """Start a broadcast's sender: an RQ job when ``REDIS_URL`` is set, else a thread (or, with
    ``background=False`` as the sweep asks from a command, right here)."""
    if app.config.get("MAIL_SYNC"):
        with app.app_context():
            sender.send_broadcast(broadcast_id)
        return
    if not background and not app.config.get("REDIS_URL"):
        # The sweep, with no worker to hand it to: a slice now, the rest at the next sweep, so
        # the sweep keeps coming round for the other mail that waits.
        with app.app_context():
            sender.send_broadcast(broadcast_id, budget=app.config["MAIL_BULK_JOB_SECONDS"])
        return
    if app.config.get("REDIS_URL"):
        with app.app_context():
            # The job's lease is taken now, so a sweep meanwhile sees a live sender and does
            # not queue a second job; if someone else holds it, there is nothing to do.
            token = uuid.uuid4().hex
            if not sender.take_lease(broadcast_id, token, sender.lease_length()):
                return
            try:
                queue_broadcast_job(broadcast_id, token)
                return
            except Exception:  # Redis down: send from here; the sweep covers a crash
                log.exception("Could not queue broadcast %s on Redis; sending here", broadcast_id)
                sender.release_lease(broadcast_id, token)

    def run() -> None:
        with app.app_context():
            try:
                sender.send_broadcast(broadcast_id)
            except Exception:
                log.exception("Broadcast %s stopped; the sweep resumes it", broadcast_id)
            finally:
                db.session.remove()

    threading.Thread(target=run, name=f"advocacy-broadcast-{broadcast_id}", daemon=True).start()


def queue_broadcast_job(broadcast_id: int, token: str) -> None:
    """Queue ``jobs.send_broadcast`` holding the lease ``token`` (taken by the caller)."""
    from advocacy.core.queue import get_queue

    seconds = current_app.config["MAIL_BULK_JOB_SECONDS"]
    get_queue("mail").enqueue(
        "advocacy.mail.jobs.send_broadcast",
        broadcast_id,
        token,
        job_timeout=int(seconds * 2 + 60),
    )


# --- the sweep -------------------------------------------------------------------------------


def sweep(older_than: float = 30.0) -> tuple[int, int]:
    """Deliver what a lost dispatch left behind; settle attempts a dead worker left open.

    Messages queued and due for at least ``older_than`` seconds (so the normal after-commit
    dispatch gets the first go) are delivered. A broadcast's copies are left to its sender; a
    broadcast with copies due and no live sender gets one (``orphaned_broadcasts``).
    Messages ``sending`` for longer than ``MAIL_SENDING_LEASE_SECONDS`` belonged to a worker
    that died mid-attempt: they may or may not have left, so they are marked failed
    ("interrupted") and never resent automatically.
    Returns (delivered, interrupted).
    """
    config = current_app.config
    now = utcnow()
    lease = now - timedelta(seconds=config["MAIL_SENDING_LEASE_SECONDS"])
    interrupted = rowcount(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.claimed_at < lease)
            .values(
                status=MessageStatus.FAILED,
                last_error="Interrupted: the worker stopped during this attempt, so the message "
                "may or may not have been sent; not retried automatically (at most once).",
            )
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    cutoff = now - timedelta(seconds=older_than)
    stale = select(OutboxMessage.id).where(
        OutboxMessage.status == MessageStatus.QUEUED,
        OutboxMessage.broadcast_id.is_(None),  # broadcasts go at their own pace, below
        or_(
            and_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.created_at <= cutoff),
            OutboxMessage.next_attempt_at <= now,
        ),
    )
    delivered = 0
    while True:
        ids = list(db.session.scalars(stale.order_by(OutboxMessage.id).limit(BATCH)))
        db.session.rollback()
        if not ids:
            break
        report = delivery.deliver(ids)
        delivered += report.sent
        if report.retrying or not (report.sent + report.failed + report.suppressed):
            break  # the server is down or refusing: the rest waits for the next sweep
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy, typed as Flask
    for broadcast_id in sender.orphaned_broadcasts(now):
        dispatch_broadcast(app, broadcast_id, background=False)
    return delivered, interrupted


def start_sweeper(app: Flask, every: float) -> threading.Event:
    """Run ``sweep`` every ``every`` seconds in a daemon thread; set the event to stop it.
    The RQ worker runs one, so mail a lost dispatch left behind still goes out."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            with app.app_context():
                try:
                    delivered, interrupted = sweep()
                    if delivered or interrupted:
                        log.info("Sweep: delivered %s, interrupted %s", delivered, interrupted)
                except Exception:
                    log.exception("Mail sweep failed")
                finally:
                    db.session.remove()

    threading.Thread(target=loop, name="advocacy-mail-sweep", daemon=True).start()
    return stop


_sweeping: dict[int, tuple[int, threading.Event]] = {}  # id(app) → (pid, its sweeper's stop)


def _sweep_in_this_process(app: Flask) -> None:
    pid = os.getpid()
    running = _sweeping.get(id(app))
    if running and running[0] == pid:
        return
    with _lock:
        running = _sweeping.get(id(app))
        if not running or running[0] != pid:  # the first request here, or a forked child's
            _sweeping[id(app)] = (pid, start_sweeper(app, app.config["MAIL_SWEEP_SECONDS"]))


def stop_sweeping(app: Flask) -> None:
    """Stop this process's in-process sweeper for ``app`` (tests; shutdown needs nothing)."""
    with _lock:
        running = _sweeping.pop(id(app), None)
    if running:
        running[1].set()

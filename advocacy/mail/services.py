"""The outbox: ``enqueue`` writes a message in the caller's transaction; it leaves after commit.

Delivery never runs inside the request that caused it: after the commit the message ids go
to RQ when ``REDIS_URL`` is set, otherwise to a small in-process thread pool (or straight
through, in tests). A failed delivery marks the message failed; it never fails the request.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from flask import Flask, current_app
from flask_mail import Message
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from advocacy.core.db import utcnow
from advocacy.extensions import db, mail
from advocacy.mail.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)
_PENDING_KEY = "advocacy_outbox_pending"


def enqueue(kind: str, recipient: str, template: str, **context: Any) -> int:
    """Render ``email/<template>.txt`` and ``.html``, queue the message in this transaction.

    The first line of the text template, after ``Subject:``, is the subject. Returns the
    message id. One Core INSERT: this runs inside hot requests such as signing.
    """
    text = _render(f"email/{template}.txt", context)
    subject, _, text_body = text.partition("\n")
    html_body = _render(f"email/{template}.html", {**context, "subject": subject})
    table = OutboxMessage.__table__
    message_id = db.session.execute(
        table.insert().returning(table.c.id),
        {
            "kind": kind,
            "recipient": recipient,
            "subject": subject.removeprefix("Subject:").strip(),
            "text_body": text_body.lstrip("\n"),
            "html_body": html_body,
        },
    ).scalar_one()
    db.session.info.setdefault(_PENDING_KEY, []).append(message_id)
    return message_id


def _render(name: str, context: dict[str, Any]) -> str:
    """Render an email template with only what it is given.

    No request context processors: an email is not a page (no ``current_user``, no CSRF
    token), and skipping them keeps signing cheap.
    """
    return current_app.jinja_env.get_template(name).render(context)


def register(app: Flask) -> None:
    """Dispatch queued mail after each commit of the app's session (listeners added once)."""
    if not event.contains(FlaskSession, "after_commit", _after_commit):
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids:
        dispatch(current_app._get_current_object(), ids)  # type: ignore[attr-defined]


def _after_rollback(session: Session) -> None:
    # A rolled-back message was never written. (This fires for a real rollback only; rolling
    # back to a savepoint leaves the messages queued outside it pending, as it should.)
    session.info.pop(_PENDING_KEY, None)


def dispatch(app: Flask, ids: list[int]) -> None:
    """Hand committed message ids to whatever delivers them in this deployment."""
    if app.config.get("MAIL_SYNC"):  # tests: deliver before the request returns
        deliver(ids)
        return
    if app.config.get("REDIS_URL"):
        try:
            from advocacy.core.queue import get_queue

            get_queue("mail").enqueue("advocacy.mail.jobs.deliver_messages", ids)
            return
        except Exception:  # Redis down: deliver in-process rather than lose the mail.
            log.exception("Could not queue mail on Redis; delivering in-process")
    _in_process(app, ids)


# In-process delivery: one drain task at a time takes everything queued so far, so under load
# many messages share one SELECT and one commit. The executor joins its thread at exit, so
# messages already handed over are delivered before the process ends.
_lock = threading.Lock()
_waiting: list[tuple[Flask, int]] = []
_draining = False
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
BATCH = 200
LINGER = 0.2  # seconds a drain waits so that a burst is delivered as one batch


def _in_process(app: Flask, ids: list[int]) -> None:
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
                    deliver(ids)
                except Exception:
                    log.exception("Mail delivery failed for messages %s", ids)


def deliver(ids: Iterable[int]) -> None:
    """Send the queued messages with these ids; each one is marked sent or failed.

    A batch shares one SMTP connection, one SELECT and one UPDATE for all that were sent.
    """
    backend = current_app.config["MAIL_BACKEND"]
    with Session(db.engine) as session:
        messages = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_(list(ids)), OutboxMessage.status != MessageStatus.SENT
            )
        ).all()
        if not messages:
            return
        sent: list[int] = []
        failed: dict[int, str] = {}
        with ExitStack() as stack:
            connection = None
            for message in messages:
                try:
                    if backend == "smtp" and connection is None:
                        connection = stack.enter_context(mail.connect())
                    _send(backend, message, connection)
                except Exception as exc:  # SMTP down, refused, timed out …
                    failed[message.id] = f"{type(exc).__name__}: {exc}"[:500]
                    log.warning("Mail %s to %s failed: %s", message.id, message.recipient, exc)
                else:
                    sent.append(message.id)
        session.expunge_all()
        if sent:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(sent))
                .values(
                    status=MessageStatus.SENT,
                    sent_at=utcnow(),
                    attempts=OutboxMessage.attempts + 1,
                    last_error=None,
                )
            )
        for message_id, error in failed.items():
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    status=MessageStatus.FAILED,
                    attempts=OutboxMessage.attempts + 1,
                    last_error=error,
                )
            )
        session.commit()


def _send(backend: str, message: OutboxMessage, connection: Any = None) -> None:
    if backend == "smtp":
        connection.send(
            Message(
                subject=message.subject,
                recipients=[message.recipient],
                body=message.text_body,
                html=message.html_body,
            )
        )
    elif backend == "console":
        print(
            f"\n----- mail to {message.recipient} -----\nSubject: {message.subject}\n\n"
            f"{message.text_body}\n----- end of mail -----",
            file=sys.stderr,
            flush=True,
        )
    elif backend in {"memory", "null"}:
        pass  # kept in the outbox table only
    else:
        raise ValueError(f"Unknown MAIL_BACKEND {backend!r}")


def recent_messages(limit: int = 50) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )

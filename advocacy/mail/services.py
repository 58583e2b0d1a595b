"""The outbox: ``enqueue`` writes a message in the caller's transaction; it leaves after commit.

Delivery never runs inside the request that caused it: after the commit the message ids go
to RQ when ``REDIS_URL`` is set, otherwise to a small in-process thread pool (or straight
through, in tests). A failed delivery marks the message failed; it never fails the request.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app, render_template
from flask_mail import Message
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from advocacy.core.db import utcnow
from advocacy.extensions import db, mail
from advocacy.mail.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)
_PENDING_KEY = "advocacy_outbox_pending"
_executor: ThreadPoolExecutor | None = None


def enqueue(kind: str, recipient: str, template: str, **context: Any) -> OutboxMessage:
    """Render ``email/<template>.txt`` and ``.html`` and queue the message in this transaction.

    The first line of the text template, after ``Subject:``, is the subject.
    """
    text = render_template(f"email/{template}.txt", **context)
    subject, _, text_body = text.partition("\n")
    html_body = render_template(f"email/{template}.html", subject=subject, **context)
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=subject.removeprefix("Subject:").strip(),
        text_body=text_body.lstrip("\n"),
        html_body=html_body,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append(message.id)
    return message


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
    # A rolled-back message was never written; a savepoint rollback keeps the outer ones.
    if not session.in_nested_transaction():
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
    _background().submit(_deliver_with_app, app, ids)


def _background() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="advocacy-mail")
    return _executor


def _deliver_with_app(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        try:
            deliver(ids)
        except Exception:
            log.exception("Mail delivery failed")


def deliver(ids: Iterable[int]) -> None:
    """Send the queued messages with these ids; each one is marked sent or failed."""
    backend = current_app.config["MAIL_BACKEND"]
    with Session(db.engine) as session:
        messages = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_(list(ids)), OutboxMessage.status != MessageStatus.SENT
            )
        ).all()
        for message in messages:
            message.attempts += 1
            try:
                _send(backend, message)
            except Exception as exc:  # SMTP down, refused, timed out …
                message.status = MessageStatus.FAILED
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("Mail %s to %s failed: %s", message.id, message.recipient, exc)
            else:
                message.status = MessageStatus.SENT
                message.sent_at = utcnow()
                message.last_error = None
        session.commit()


def _send(backend: str, message: OutboxMessage) -> None:
    if backend == "smtp":
        mail.send(
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

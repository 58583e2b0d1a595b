"""The outbox: ``enqueue`` writes a message in the caller's transaction; it leaves after commit.

Delivery never runs inside the request that caused it: after the commit the message ids go
to RQ when ``REDIS_URL`` is set, otherwise to a small in-process thread pool (or straight
through, in tests). A failed delivery marks the message failed; it never fails the request.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy as email_policy
from typing import Any

from flask import Flask, current_app, url_for
from flask_mail import Connection, Message
from flask_sqlalchemy.session import Session as FlaskSession
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, and_, case, cast, event, func, literal, or_, select, update
from sqlalchemy.orm import Session

from advocacy.core.db import utcnow
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.mail.models import (
    Broadcast,
    MessageStatus,
    OutboxMessage,
    Suppression,
    Unsubscribe,
)

log = logging.getLogger(__name__)
_PENDING_KEY = "advocacy_outbox_pending"
_PENDING_BROADCASTS = "advocacy_outbox_broadcasts"


def enqueue(
    kind: str,
    recipient: str,
    template: str,
    *,
    transactional: bool = True,
    organization_id: int | None = None,
    petition_id: int | None = None,
    **context: Any,
) -> int:
    """Render ``email/<template>.txt`` and ``.html``, queue the message in this transaction.

    The first line of the text template, after ``Subject:``, is the subject. Returns the
    message id. One Core INSERT: this runs inside hot requests such as signing.

    Non-transactional mail (``transactional=False``: updates, newsletters) needs the sending
    ``organization_id`` (and ``petition_id`` when it is about one petition): the templates get
    ``unsubscribe_url`` (this petition, or the organisation) and ``unsubscribe_all_url`` (every
    mail of the organisation), the message carries ``List-Unsubscribe`` and
    ``List-Unsubscribe-Post`` (RFC 8058), and it is not sent if the address has unsubscribed.
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
    subject, text_body, html_body = _render_email(template, context)
    table = OutboxMessage.__table__
    message_id = db.session.execute(
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
        },
    ).scalar_one()
    db.session.info.setdefault(_PENDING_KEY, []).append(message_id)
    return message_id


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_link(email: str, organization_id: int, petition_id: int | None) -> str:
    """A link that never expires (RFC 8058 asks for that) naming who and what to leave."""
    return url_for(
        "mail_unsubscribe.unsubscribe",
        token=_unsubscribe_token(email, organization_id, petition_id),
        _external=True,
    )


def _unsubscribe_token(email: str, organization_id: int, petition_id: int | None) -> str:
    return _unsubscribe_serializer().dumps([normalise_email(email), organization_id, petition_id])


def read_unsubscribe_token(token: str) -> tuple[str, int, int | None] | None:
    try:
        email, organization_id, petition_id = _unsubscribe_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(email, str) or not isinstance(organization_id, int):
        return None
    if petition_id is not None and not isinstance(petition_id, int):
        return None
    return email, organization_id, petition_id


def unsubscribe(email: str, organization_id: int, petition_id: int | None) -> bool:
    """Record the unsubscribe (idempotent); False if it was already recorded."""
    query = select(Unsubscribe.id).where(
        Unsubscribe.email == email, Unsubscribe.organization_id == organization_id
    )
    query = query.where(
        or_(Unsubscribe.petition_id.is_(None), Unsubscribe.petition_id == petition_id)
        if petition_id is not None
        else Unsubscribe.petition_id.is_(None)
    )
    if db.session.scalar(query.limit(1)):
        return False
    db.session.add(
        Unsubscribe(email=email, organization_id=organization_id, petition_id=petition_id)
    )
    db.session.commit()
    return True


def make_message_id() -> str:
    """``<32 hex digits@sender's domain>``: unique, and the same on every attempt."""
    return f"<{uuid.uuid4().hex}@{_sender_domain()}>"


def _sender_domain() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    address = sender[1] if isinstance(sender, tuple) else sender
    return address.rpartition("@")[2].strip(" >") or "advocacy.localhost"


def _render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of ``email/<template>.txt`` and ``.html``: the text
    template's first line, after ``Subject:``, is the subject."""
    first_line, _, text_body = _render(f"email/{template}.txt", context).partition("\n")
    subject = first_line.removeprefix("Subject:").strip()
    html_body = _render(f"email/{template}.html", {**context, "subject": subject})
    return subject, text_body.lstrip("\n"), html_body


def _render(name: str, context: dict[str, Any]) -> str:
    """Render an email template with only what it is given.

    No request context processors: an email is not a page (no ``current_user``, no CSRF
    token), and skipping them keeps signing cheap.
    """
    return current_app.jinja_env.get_template(name).render(context)


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


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    broadcasts = session.info.pop(_PENDING_BROADCASTS, None)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if ids:
        dispatch(app, ids)
    for broadcast_id in broadcasts or ():
        dispatch_broadcast(app, broadcast_id)


def _after_rollback(session: Session) -> None:
    # A rolled-back message was never written. (This fires for a real rollback only; rolling
    # back to a savepoint leaves the messages queued outside it pending, as it should.)
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_PENDING_BROADCASTS, None)


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


@dataclass
class Delivery:
    """What one ``deliver`` call did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0


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
    config = current_app.config
    backend = config["MAIL_BACKEND"]
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
        report.suppressed = _suppress_queued(session, candidates)
        broadcasts: dict[int, Broadcast] = {}
        with ExitStack() as stack:
            connection = None
            for message_id in candidates:
                claimed = _claim(session, [message_id], now)
                if not claimed:
                    continue  # another worker took it
                message = claimed[0]
                try:
                    _fill_broadcast(session, message, broadcasts)
                    if connection is None:
                        connection = stack.enter_context(_smtp_connection())
                    _send(backend, message, connection)
                except Exception as exc:  # noqa: BLE001 - every failure is recorded
                    outcome = _record_failure(session, message, exc)
                    setattr(report, outcome, getattr(report, outcome) + 1)
                    if _connection_lost(exc):
                        # The server is down or hung up: leave the rest queued for later,
                        # untouched, rather than spend an attempt of each on it.
                        break
                else:
                    _record_sent(session, [message.id])
                    report.sent += 1
    return report


def _deliver_locally(session: Session, backend: str, due: Any, now: datetime) -> Delivery:
    """Console, memory and null backends: nothing leaves the machine, so no attempt can be
    half done. One conditional UPDATE claims the due messages (or marks them suppressed), one
    records them, one commit: signing's after-commit delivery stays cheap."""
    table = OutboxMessage.__table__
    blocked = _blocked_condition()
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
            _fill_broadcast(session, message, broadcasts)
            _send(backend, message)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded
            outcome = _record_failure(session, message, exc, commit=False)
            setattr(report, outcome, getattr(report, outcome) + 1)
        else:
            sent.append(message.id)
    _record_sent(session, sent, commit=False)
    session.commit()
    report.sent = len(sent)
    return report


SUPPRESSED_ERROR = (
    "Suppressed: the address is on the suppression list (a hard bounce, a complaint or an "
    "admin's decision) or unsubscribed from this sender; not sent."
)


def _blocked_condition() -> Any:
    """True for an outbox row whose address must get nothing (suppressed), or no more of this
    non-transactional mail (unsubscribed from its petition or organisation)."""
    unsubscribed = (
        select(Unsubscribe.id)
        .where(
            Unsubscribe.email == func.lower(OutboxMessage.recipient),
            Unsubscribe.organization_id == OutboxMessage.organization_id,
            or_(
                Unsubscribe.petition_id.is_(None),
                Unsubscribe.petition_id == OutboxMessage.petition_id,
            ),
        )
        .exists()
    )
    return or_(
        func.lower(OutboxMessage.recipient).in_(select(Suppression.email)),
        and_(OutboxMessage.transactional.is_(False), unsubscribed),
    )


def _suppress_queued(session: Session, ids: list[int]) -> int:
    """Mark the queued messages among ``ids`` that must not go (see _blocked_condition)."""
    marked = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status == MessageStatus.QUEUED,
            _blocked_condition(),
        )
        .values(status=MessageStatus.SUPPRESSED, last_error=SUPPRESSED_ERROR)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return marked


class _MaybeDelivered(Exception):  # noqa: N818 - named for what it tells the reader
    """The connection failed after the whole message had gone to the server and before its
    answer: it may have been accepted. Not retried (at most once)."""


class _WatchedSMTP(smtplib.SMTP):
    """Notes when a message's content has been written (it ends with CRLF.CRLF), so a timeout
    or a hang-up after that point is known to be ambiguous."""

    content_sent = False

    def send(self, s: Any) -> None:
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.content_sent = True
        super().send(s)


class _WatchedSMTPSSL(_WatchedSMTP, smtplib.SMTP_SSL):
    pass


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout (``MAIL_TIMEOUT``): a server that accepts
    the connection and then says nothing must not hold a worker forever. A timeout is a
    transient error like a refused connection: retried later, with backoff."""

    def __init__(self, state: Any, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        smtp_class = _WatchedSMTPSSL if state.use_ssl else _WatchedSMTP
        host = smtp_class(state.server, state.port, timeout=self.timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


@contextmanager
def _smtp_connection() -> Iterator[Any]:
    """An SMTP connection whose closing never raises: a server that hung up (421, a reset)
    must not turn a recorded outcome into an error."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = _TimedConnection(app.extensions["mail"], app.config["MAIL_TIMEOUT"])
    connection.__enter__()
    try:
        yield connection
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.__exit__(None, None, None)


def _claim(session: Session, ids: list[int], now) -> list[OutboxMessage]:
    """Move these ids from queued to sending; returns the ones this worker won."""
    table = OutboxMessage.__table__
    rows = session.execute(
        table.update()
        .where(table.c.id.in_(ids), table.c.status == MessageStatus.QUEUED.value)
        .values(status=MessageStatus.SENDING.value, claimed_at=now, attempts=table.c.attempts + 1)
        .returning(*table.c)
    ).all()
    session.commit()
    return [OutboxMessage(**row._mapping) for row in sorted(rows, key=lambda r: r.id)]


def _record_sent(session: Session, ids: list[int], commit: bool = True) -> None:
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=MessageStatus.SENT, sent_at=utcnow(), last_error=None)
        )
        if commit:
            session.commit()


def _record_failure(
    session: Session, message: OutboxMessage, exc: Exception, commit: bool = True
) -> str:
    """Record a failed attempt; returns "retrying" or "failed"."""
    config = current_app.config
    error = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, _MaybeDelivered):
        error = (
            f"Interrupted after the message was handed over ({exc}): it may have been "
            "delivered; not retried automatically (at most once)."
        )[:500]
    permanent = _is_permanent(exc)
    if permanent or message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        values: dict[str, Any] = {"status": MessageStatus.FAILED, "last_error": error}
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


def _is_permanent(exc: Exception) -> bool:
    """5xx answers and refused recipients will not change by trying again; a message that may
    already have been accepted must not be sent again."""
    if isinstance(exc, _MaybeDelivered):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError | UnicodeError)  # a malformed address or header


def _connection_lost(exc: Exception) -> bool:
    if isinstance(exc, _MaybeDelivered):
        return True
    return isinstance(
        exc, OSError | smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError
    ) and not isinstance(exc, smtplib.SMTPResponseException)


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
    interrupted = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.SENDING, OutboxMessage.claimed_at < lease)
        .values(
            status=MessageStatus.FAILED,
            last_error="Interrupted: the worker stopped during this attempt, so the message "
            "may or may not have been sent; not retried automatically (at most once).",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
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
        report = deliver(ids)
        delivered += report.sent
        if report.retrying or not (report.sent + report.failed + report.suppressed):
            break  # the server is down or refusing: the rest waits for the next sweep
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for broadcast_id in orphaned_broadcasts(now):
        dispatch_broadcast(app, broadcast_id, background=False)
    return delivered, interrupted


def _send(backend: str, message: OutboxMessage, connection: Any = None) -> None:
    if backend == "smtp":
        email = _SignedMessage(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.text_body,
            html=message.html_body,
        )
        if message.message_id:  # the same Message-ID on every attempt
            email.msgId = message.message_id
        email.dkim = _dkim_settings()
        if message.unsubscribe_url:  # RFC 2369 and RFC 8058 one-click
            email.extra_headers = {
                "List-Unsubscribe": f"<{message.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        host = getattr(connection, "host", None)
        if host is not None:
            host.content_sent = False
        try:
            connection.send(email)
        except Exception as exc:
            if getattr(host, "content_sent", False) and _connection_lost(exc):
                raise _MaybeDelivered(f"{type(exc).__name__}: {exc}") from exc
            raise
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


class _SignedMessage(Message):
    """A Flask-Mail message that adds a DKIM-Signature when ``dkim`` is set."""

    dkim: tuple[bytes, bytes, bytes] | None = None

    def _message(self):  # type: ignore[no-untyped-def]
        msg = super()._message()
        # Flask-Mail folds at 78 columns, which turns a long List-Unsubscribe URL into an
        # RFC 2047 encoded word that mail clients do not read; RFC 5322 allows 998.
        msg.policy = email_policy.SMTP.clone(max_line_length=998)
        return msg

    def as_bytes(self) -> bytes:
        raw = super().as_bytes()
        if not self.dkim:
            return raw
        import dkim

        selector, domain, key = self.dkim
        signature = dkim.sign(
            raw, selector, domain, key,
            canonicalize=(b"relaxed", b"relaxed"), include_headers=DKIM_HEADERS,
        )  # fmt: skip
        return signature + raw


DKIM_HEADERS = [
    b"From", b"To", b"Subject", b"Date", b"Message-ID", b"MIME-Version", b"Content-Type",
]  # fmt: skip
_dkim_keys: dict[str, bytes] = {}


def _dkim_settings() -> tuple[bytes, bytes, bytes] | None:
    """(selector, domain, private key) when ``MAIL_DKIM_*`` are configured, else None."""
    config = current_app.config
    path = config.get("MAIL_DKIM_PRIVATE_KEY_PATH")
    if not path:
        return None
    if path not in _dkim_keys:
        with open(path, "rb") as handle:
            _dkim_keys[path] = handle.read()
    return (
        config["MAIL_DKIM_SELECTOR"].encode(),
        config["MAIL_DKIM_DOMAIN"].encode(),
        _dkim_keys[path],
    )


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
            _fill_broadcast(db.session, message, broadcasts)
    return messages


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


# --- the admin's view ------------------------------------------------------------------------


def status_counts() -> dict[str, int]:
    """How many messages are in each status (every status listed, zeros included)."""
    counts = dict(
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
    db.session.info.setdefault(_PENDING_KEY, []).extend(
        row.id for row in requeued if row.broadcast_id is None
    )
    broadcasts = {row.broadcast_id for row in requeued if row.broadcast_id is not None}
    db.session.info.setdefault(_PENDING_BROADCASTS, []).extend(sorted(broadcasts))
    db.session.commit()
    return len(requeued)


# --- the suppression list ------------------------------------------------------------------


def is_suppressed(email: str) -> bool:
    address = normalise_email(email)
    return db.session.scalar(select(Suppression.id).where(Suppression.email == address)) is not None


def suppress(email: str, reason: str, detail: str | None = None) -> bool:
    """Add an address to the suppression list; False if it was already there."""
    address = normalise_email(email)
    if db.session.scalar(select(Suppression.id).where(Suppression.email == address)):
        return False
    db.session.add(Suppression(email=address, reason=reason, detail=(detail or "")[:500] or None))
    db.session.commit()
    return True


def unsuppress(email: str) -> bool:
    removed = db.session.execute(
        Suppression.__table__.delete().where(Suppression.email == normalise_email(email))
    ).rowcount
    db.session.commit()
    return bool(removed)


# --- broadcasts: one message to many, at a set pace ----------------------------------------

# Where each recipient's own unsubscribe links go in a broadcast rendered once for everyone.
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.advocacy.invalid/this"
UNSUBSCRIBE_ALL_PLACEHOLDER = "https://unsubscribe.advocacy.invalid/all"


def _recipient_blocked(email: Any, organization_id: int, petition_id: int | None) -> Any:
    """SQL: this address is suppressed, or unsubscribed from this organisation or petition."""
    unsubscribed = select(Unsubscribe.id).where(
        Unsubscribe.email == email,
        Unsubscribe.organization_id == organization_id,
        or_(Unsubscribe.petition_id.is_(None), Unsubscribe.petition_id == petition_id)
        if petition_id is not None
        else Unsubscribe.petition_id.is_(None),
    )
    return or_(email.in_(select(Suppression.email)), unsubscribed.exists())


def reachable(recipients: Any, organization_id: int, petition_id: int | None = None) -> Any:
    """``recipients`` (a SELECT whose first column is the address) without the addresses a
    broadcast from this organisation (about this petition) would leave out."""
    found = recipients.subquery()
    email = list(found.c)[0]
    return select(*found.c).where(~_recipient_blocked(email, organization_id, petition_id))


def create_broadcast(
    kind: str,
    template: str,
    recipients: Any,
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
    }
    subject, text_body, html_body = _render_email(template, context)
    marker = "__token__"
    link = url_for("mail_unsubscribe.unsubscribe", token=marker, _external=True)
    broadcast = Broadcast(
        kind=kind,
        organization_id=organization_id,
        petition_id=petition_id,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        unsubscribe_base=link.removesuffix(marker),
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
        literal(f"<{prefix}.") + cast(key, String) + literal(f"@{_sender_domain()}>"),
        literal(False),
        literal(organization_id),
        literal(petition_id),
        literal(broadcast.id),
    )
    table = OutboxMessage.__table__
    columns = [
        "kind", "recipient", "subject", "text_body", "status", "attempts", "created_at",
        "message_id", "transactional", "organization_id", "petition_id", "broadcast_id",
    ]  # fmt: skip
    db.session.execute(table.insert().from_select(columns, rows))
    # (rowcount of an INSERT … SELECT is -1 through SQLAlchemy on psycopg: count instead)
    broadcast.recipient_count = db.session.scalar(
        select(func.count()).where(OutboxMessage.broadcast_id == broadcast.id)
    )
    db.session.info.setdefault(_PENDING_BROADCASTS, []).append(broadcast.id)
    return broadcast


def _fill_broadcast(session: Session, message: OutboxMessage, cache: dict[int, Broadcast]) -> None:
    """Give a broadcast's copy its bodies, with this recipient's unsubscribe links."""
    if message.broadcast_id is None:
        return
    broadcast = cache.get(message.broadcast_id)
    if broadcast is None:
        broadcast = cache[message.broadcast_id] = session.get_one(Broadcast, message.broadcast_id)
    base, organization_id = broadcast.unsubscribe_base, broadcast.organization_id
    this = base + _unsubscribe_token(message.recipient, organization_id, message.petition_id)
    everything = base + _unsubscribe_token(message.recipient, organization_id, None)
    message.unsubscribe_url = everything  # the List-Unsubscribe header's, as in enqueue
    message.text_body = broadcast.text_body.replace(UNSUBSCRIBE_PLACEHOLDER, this).replace(
        UNSUBSCRIBE_ALL_PLACEHOLDER, everything
    )
    message.html_body = broadcast.html_body.replace(UNSUBSCRIBE_PLACEHOLDER, this).replace(
        UNSUBSCRIBE_ALL_PLACEHOLDER, everything
    )


def dispatch_broadcast(app: Flask, broadcast_id: int, background: bool = True) -> None:
    """Start a broadcast's sender: an RQ job when ``REDIS_URL`` is set, else a thread (or, with
    ``background=False`` as the sweep asks from a command, right here)."""
    if app.config.get("MAIL_SYNC"):
        with app.app_context():
            send_broadcast(broadcast_id)
        return
    if not background and not app.config.get("REDIS_URL"):
        # The sweep, with no worker to hand it to: a slice now, the rest at the next sweep, so
        # the sweep keeps coming round for the other mail that waits.
        with app.app_context():
            send_broadcast(broadcast_id, budget=app.config["MAIL_BULK_JOB_SECONDS"])
        return
    if app.config.get("REDIS_URL"):
        with app.app_context():
            # The job's lease is taken now, so a sweep meanwhile sees a live sender and does
            # not queue a second job; if someone else holds it, there is nothing to do.
            token = uuid.uuid4().hex
            if not _take_lease(broadcast_id, token, _lease_length()):
                return
            try:
                queue_broadcast_job(broadcast_id, token)
                return
            except Exception:  # Redis down: send from here; the sweep covers a crash
                log.exception("Could not queue broadcast %s on Redis; sending here", broadcast_id)
                _release_lease(broadcast_id, token)

    def run() -> None:
        with app.app_context():
            try:
                send_broadcast(broadcast_id)
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


@dataclass
class BroadcastRun(Delivery):
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
    clock: Any = time.monotonic,
    sleep: Any = time.sleep,
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
    lease = _lease_length()
    run = BroadcastRun(token=token or uuid.uuid4().hex)
    if not _take_lease(broadcast_id, run.token, lease):
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
            report = deliver(ids, limit=size)
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
        _release_lease(broadcast_id, run.token)
        raise
    if not keep:
        _release_lease(broadcast_id, run.token)
    return run


def _lease_length() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_BULK_LEASE_SECONDS"])


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


def _take_lease(broadcast_id: int, token: str, lease: timedelta) -> bool:
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


def _release_lease(broadcast_id: int, token: str) -> None:
    _lease_update(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.sender_token == token)
        .values(sender_token=None, sender_until=None)
    )


def _lease_update(statement: Any) -> bool:
    with Session(db.engine) as session, session.begin():
        return bool(session.execute(statement).rowcount)


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


def broadcast_html(broadcast_id: int, unsubscribe_url: str) -> str:
    """A broadcast's HTML as rendered when it was queued, with ``unsubscribe_url`` where each
    recipient's own links went (for showing it, not sending it)."""
    html = db.session.get_one(Broadcast, broadcast_id).html_body
    return html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url).replace(
        UNSUBSCRIBE_ALL_PLACEHOLDER, unsubscribe_url
    )


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


def mark_bounced(message_id: str) -> bool:
    """A sent message the provider reports as hard-bounced (by its Message-ID)."""
    value = message_id.strip()
    if not value.startswith("<"):
        value = f"<{value}>"
    marked = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.message_id == value, OutboxMessage.status == MessageStatus.SENT)
        .values(status=MessageStatus.BOUNCED)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(marked)

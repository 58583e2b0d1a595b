"""How a message leaves: SMTP (with a timeout, DKIM, the List-Unsubscribe headers) or a local
backend (console, memory, null), and what an error means for trying again.

Nothing here touches the database: ``delivery`` claims and records around ``send``.
"""

from __future__ import annotations

import contextlib
import smtplib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy as email_policy
from email.mime.base import MIMEBase
from email.utils import formataddr, parseaddr
from typing import Any

from flask import current_app
from flask_mail import Connection, Message

from advocacy.mail.models import OutboxMessage


class MaybeDelivered(Exception):  # noqa: N818 - named for what it tells the reader
    """The connection failed after the whole message had gone to the server and before its
    answer: it may have been accepted. Not retried (at most once)."""


def is_permanent(exc: Exception) -> bool:
    """5xx answers and refused recipients will not change by trying again; a message that may
    already have been accepted must not be sent again."""
    if isinstance(exc, MaybeDelivered):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, ValueError | UnicodeError)  # a malformed address or header


def connection_lost(exc: Exception) -> bool:
    """The server is down or hung up: the next message would fail the same way."""
    if isinstance(exc, MaybeDelivered):
        return True
    return isinstance(
        exc, OSError | smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError
    ) and not isinstance(exc, smtplib.SMTPResponseException)


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


def connect(state: Any, timeout: float) -> smtplib.SMTP:
    """An SMTP session with the server Flask-Mail's ``state`` names (SSL or STARTTLS, login),
    with a socket timeout: a server that accepts the connection and then says nothing must
    not hold a worker forever."""
    smtp_class = _WatchedSMTPSSL if state.use_ssl else _WatchedSMTP
    host = smtp_class(state.server, state.port, timeout=timeout)
    host.set_debuglevel(int(state.debug))
    if state.use_tls:
        host.starttls()
    if state.username and state.password:
        host.login(state.username, state.password)
    return host


class _TimedConnection(Connection):
    """Flask-Mail's connection, its session opened by ``connect`` (``MAIL_TIMEOUT``). A timeout
    is a transient error like a refused connection: retried later, with backoff."""

    def __init__(self, state: Any, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        return connect(self.mail, self.timeout)


@contextmanager
def smtp_connection() -> Iterator[Connection]:
    """An SMTP connection whose closing never raises: a server that hung up (421, a reset)
    must not turn a recorded outcome into an error."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy, typed as Flask
    connection = _TimedConnection(app.extensions["mail"], app.config["MAIL_TIMEOUT"])
    connection.__enter__()
    try:
        yield connection
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            if connection.host is not None:  # what Connection.__exit__ does
                connection.host.quit()


def send(backend: str, message: OutboxMessage, connection: Connection | None = None) -> None:
    """Send one message by ``MAIL_BACKEND``; SMTP needs an open ``connection``. A failure
    after the content went out is raised as ``MaybeDelivered``."""
    if backend == "smtp":
        if connection is None:
            raise ValueError("SMTP delivery needs an open connection")
        email = _SignedMessage(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.text_body,
            html=message.html_body,
            sender=sender_of(message) if message.from_name else None,
            reply_to=message.reply_to,
            cc=[message.cc] if message.cc else None,
        )
        if message.message_id:  # the same Message-ID on every attempt
            email.msgId = message.message_id
        email.dkim = _dkim_settings()
        if message.unsubscribe_url:  # RFC 2369 and RFC 8058 one-click
            email.extra_headers = {
                "List-Unsubscribe": f"<{message.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        watched = connection.host if isinstance(connection.host, _WatchedSMTP) else None
        if watched is not None:
            watched.content_sent = False
        try:
            connection.send(email)
        except Exception as exc:
            if watched is not None and watched.content_sent and connection_lost(exc):
                raise MaybeDelivered(f"{type(exc).__name__}: {exc}") from exc
            raise
    elif backend == "console":
        headers = {
            "From": formataddr(sender_of(message)) if message.from_name else None,
            "Reply-To": message.reply_to,
            "Cc": message.cc,
        }
        extra = "".join(f"{name}: {value}\n" for name, value in headers.items() if value)
        print(
            f"\n----- mail to {message.recipient} -----\n{extra}Subject: {message.subject}\n\n"
            f"{message.text_body}\n----- end of mail -----",
            file=sys.stderr,
            flush=True,
        )
    elif backend in {"memory", "null"}:
        pass  # kept in the outbox table only
    else:
        raise ValueError(f"Unknown MAIL_BACKEND {backend!r}")


def sender_of(message: OutboxMessage) -> tuple[str, str]:
    """(display name, address) of the From header: the platform's address always; the
    message's ``from_name`` ("Maria Okonkwo via Org") when it is sent on someone's behalf."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"] or "")
    return (message.from_name or name, address)


class _SignedMessage(Message):
    """A Flask-Mail message that adds a DKIM-Signature when ``dkim`` is set."""

    dkim: tuple[bytes, bytes, bytes] | None = None

    def _message(self) -> MIMEBase:
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

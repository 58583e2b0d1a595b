"""``flask mail check``: try the SMTP settings step by step and say which one to change.

A wrong mail setting shows up only as messages piling up in the outbox with an smtplib error
("STARTTLS extension not supported by server." is the common one: ``MAIL_USE_TLS`` defaults to
true, and a local relay such as Mailpit offers no TLS). The check connects the way delivery
does (``transport._TimedConnection``: SSL from the first byte or STARTTLS, then a login when
both the user name and password are set), one step at a time, and on failure names the
setting to change. It sends nothing unless asked to (``--send-to``).

The hints live here, once: the admin outbox page shows the same text next to a message whose
last error matches (``advice``).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

CHECK_POINTER = "Run `flask mail check` to test the mail settings step by step."
STARTTLS_HINT = (
    "The server does not offer STARTTLS: for a plain local relay without TLS (Mailpit, a local "
    "Postfix) set MAIL_USE_TLS=false."
)
CONNECT_HINT = (
    "Nothing accepts connections there: check MAIL_SERVER and MAIL_PORT (587 for STARTTLS, "
    "465 for SSL, 25 or 1025 for a local relay)."
)
HOST_HINT = "The host name does not resolve: check MAIL_SERVER."
TIMEOUT_HINT = (
    "No answer within MAIL_TIMEOUT seconds: check MAIL_SERVER and MAIL_PORT, and that a "
    "firewall lets the connection out. On an SSL port (465) set MAIL_USE_SSL=true and "
    "MAIL_USE_TLS=false."
)
SSL_HINT = (
    "The port does not speak SSL from the first byte: set MAIL_USE_SSL=false (and "
    "MAIL_USE_TLS=true on port 587), or use the provider's SSL port (465)."
)
TLS_FAILED_HINT = (
    "The TLS handshake failed: check that MAIL_SERVER is the name the provider documents, or "
    "for a relay without working TLS set MAIL_USE_TLS=false."
)
BOTH_HINT = (
    "MAIL_USE_SSL and MAIL_USE_TLS are both true: choose one, MAIL_USE_SSL=true for port 465 "
    "or MAIL_USE_TLS=true for port 587."
)
AUTH_HINT = "The server refused the login: check MAIL_USERNAME and MAIL_PASSWORD."
NO_AUTH_HINT = (
    "The server offers no login (AUTH): unset MAIL_USERNAME and MAIL_PASSWORD for a relay that "
    "needs none; many providers offer it only after STARTTLS (MAIL_USE_TLS=true)."
)
SENDER_HINT = (
    "Check MAIL_DEFAULT_SENDER (an address the server may send for), and MAIL_USERNAME and "
    "MAIL_PASSWORD if the server wants a login."
)
NO_SERVER_HINT = (
    "In development mail goes to the console and to the development outbox (/dev/outbox). "
    "Set MAIL_SERVER (with MAIL_PORT, MAIL_USE_TLS or MAIL_USE_SSL, MAIL_USERNAME and "
    "MAIL_PASSWORD) to send real mail."
)


@dataclass
class Step:
    ok: bool | None  # True worked, False failed, None a note (nothing wrong yet)
    text: str
    hint: str | None = None


@dataclass
class Report:
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.ok is not False for step in self.steps)

    def passed(self, text: str) -> None:
        self.steps.append(Step(True, text))

    def failed(self, text: str, hint: str | None = None) -> None:
        self.steps.append(Step(False, text, hint))

    def note(self, text: str, hint: str | None = None) -> None:
        self.steps.append(Step(None, text, hint))


_CONNECTION_ERRORS = {
    name.casefold()
    for name in (
        "SMTPServerDisconnected",
        "SMTPConnectError",
        "SMTPHeloError",
        "SMTPNotSupportedError",
        "SSLError",
        "SSLCertVerificationError",
        "OSError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "BrokenPipeError",
    )
}


def advice(last_error: str | None) -> str | None:
    """What to do about an outbox message's ``last_error`` ("<exception class>: <text>", as
    delivery records it): a hint and the pointer to ``flask mail check`` for errors of the
    connection or the settings; None for errors of one message (a refused address)."""
    if not last_error:
        return None
    error = last_error.casefold()
    hints = [
        ("starttls extension not supported", STARTTLS_HINT),
        ("smtpauthenticationerror", AUTH_HINT),
        ("connectionrefusederror", CONNECT_HINT),
        ("connection refused", CONNECT_HINT),
        ("gaierror", HOST_HINT),
        ("wrong version number", SSL_HINT),
        ("timeouterror", TIMEOUT_HINT),
        ("timed out", TIMEOUT_HINT),
    ]
    for needle, hint in hints:
        if needle in error:
            return f"{hint} {CHECK_POINTER}"
    if error.split(":", 1)[0].strip() in _CONNECTION_ERRORS:
        return CHECK_POINTER
    return None


def _connect_failure(exc: BaseException, use_ssl: bool) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return CONNECT_HINT
    if isinstance(exc, socket.gaierror):
        return HOST_HINT
    if isinstance(exc, TimeoutError):
        return TIMEOUT_HINT
    if isinstance(exc, ssl.SSLError) and use_ssl:
        return SSL_HINT
    if isinstance(exc, smtplib.SMTPConnectError):
        return "The server turns this machine away: check MAIL_SERVER, or ask its operator."
    return "Check MAIL_SERVER and MAIL_PORT."


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = (
        exc.smtp_error.decode(errors="replace")
        if isinstance(exc.smtp_error, bytes)
        else exc.smtp_error
    )
    return f"{exc.smtp_code} {text}"


def run(config: Mapping[str, Any], send_to: str | None = None) -> Report:
    """Check the SMTP settings in ``config`` (an app's config), sending one test message to
    ``send_to`` when given. Never raises for a server's or a network's failure: each one is a
    failed step with its hint."""
    report = Report()
    server = config.get("MAIL_SERVER")
    if not server:
        report.failed("MAIL_SERVER is not set: mail is not sent over SMTP.", NO_SERVER_HINT)
        return report
    backend = config.get("MAIL_BACKEND", "smtp")
    if backend != "smtp":
        report.note(
            f"MAIL_BACKEND is {backend!r}: the app does not send through this server.",
            "Unset MAIL_BACKEND (or set MAIL_BACKEND=smtp) to send mail over SMTP.",
        )
    use_ssl = bool(config.get("MAIL_USE_SSL"))
    use_tls = bool(config.get("MAIL_USE_TLS"))
    if use_ssl and use_tls:
        report.failed("MAIL_USE_SSL and MAIL_USE_TLS are both true.", BOTH_HINT)
        return report
    port = int(config.get("MAIL_PORT") or (465 if use_ssl else 587))
    timeout = float(config.get("MAIL_TIMEOUT") or 30.0)
    where = f"{server}:{port}"
    smtp_class = smtplib.SMTP_SSL if use_ssl else smtplib.SMTP
    try:
        smtp = smtp_class(server, port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as exc:
        report.failed(
            f"Connect to {where}{' over SSL' if use_ssl else ''}: {type(exc).__name__}: {exc}",
            _connect_failure(exc, use_ssl),
        )
        return report
    report.passed(f"Connected to {where}{' over SSL (MAIL_USE_SSL=true)' if use_ssl else ''}.")
    try:
        _session(report, smtp, config, use_ssl, use_tls, send_to)
    except (OSError, smtplib.SMTPException) as exc:
        # The server hung up or stopped answering between two steps.
        hint = TIMEOUT_HINT if isinstance(exc, TimeoutError) else "Check MAIL_SERVER and MAIL_PORT."
        report.failed(f"The connection broke: {type(exc).__name__}: {exc}", hint)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report


def _session(
    report: Report,
    smtp: smtplib.SMTP,
    config: Mapping[str, Any],
    use_ssl: bool,
    use_tls: bool,
    send_to: str | None,
) -> None:
    code, reply = smtp.ehlo()
    if code != 250:
        report.failed(
            f"EHLO answered {code} {reply.decode(errors='replace')}.",
            "The server does not speak ESMTP or refuses this client: check MAIL_SERVER.",
        )
        return
    offered = ", ".join(sorted(smtp.esmtp_features)) or "nothing"
    report.passed(f"EHLO accepted; the server offers: {offered}.")

    if not use_ssl:
        starttls = smtp.has_extn("starttls")
        if use_tls and not starttls:
            report.failed("STARTTLS: not offered by the server (MAIL_USE_TLS=true).", STARTTLS_HINT)
            return
        if use_tls:
            try:
                smtp.starttls()
                smtp.ehlo()
            except (ssl.SSLError, smtplib.SMTPException) as exc:
                report.failed(f"STARTTLS offered, but it failed: {exc}", TLS_FAILED_HINT)
                return
            report.passed("STARTTLS offered and succeeded: the connection is encrypted.")
        elif starttls:
            report.note(
                "STARTTLS is offered but not used (MAIL_USE_TLS=false): mail and the login "
                "travel unencrypted.",
                "Set MAIL_USE_TLS=true unless the relay runs on this machine.",
            )
        else:
            report.note("No TLS (MAIL_USE_TLS=false, none offered): right for a local relay only.")

    username, password = config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD")
    if username and password:
        if not smtp.has_extn("auth"):
            report.failed("Login: the server offers no AUTH.", NO_AUTH_HINT)
            return
        try:
            smtp.login(username, password)
        except smtplib.SMTPAuthenticationError as exc:
            report.failed(f"Login as {username} refused: {_reply(exc)}", AUTH_HINT)
            return
        except smtplib.SMTPException as exc:
            report.failed(f"Login as {username} failed: {exc}", AUTH_HINT)
            return
        report.passed(f"Logged in as {username}.")
    elif username or password:
        report.failed(
            "Only one of MAIL_USERNAME and MAIL_PASSWORD is set: delivery logs in with both only.",
            "Set both, or neither for a relay that needs no login.",
        )
        return
    else:
        report.note("No login (MAIL_USERNAME and MAIL_PASSWORD unset): right for a relay only.")

    if not send_to:
        report.note("No message sent (give --send-to ADDRESS to send one).")
        return
    _send_test(report, smtp, config, send_to)


def _send_test(report: Report, smtp: smtplib.SMTP, config: Mapping[str, Any], to: str) -> None:
    sender = config.get("MAIL_DEFAULT_SENDER") or ""
    if isinstance(sender, tuple):  # Flask-Mail also takes (name, address)
        sender = f"{sender[0]} <{sender[1]}>"
    address = parseaddr(sender)[1]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Advocacy: mail check"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message.set_content(
        "This message was sent by `flask mail check --send-to`: the mail settings work.\n"
    )
    try:
        smtp.send_message(message, from_addr=address, to_addrs=[to])
    except smtplib.SMTPSenderRefused as exc:
        report.failed(f"The server refused the sender {address}: {_reply(exc)}", SENDER_HINT)
        return
    except smtplib.SMTPRecipientsRefused as exc:
        reply = "; ".join(
            f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values()
        )
        report.failed(f"The server refused the recipient {to}: {reply}", SENDER_HINT)
        return
    except smtplib.SMTPResponseException as exc:
        report.failed(f"The server refused the test message: {_reply(exc)}", SENDER_HINT)
        return
    report.passed(f"Test message to {to} accepted ({message['Message-ID']}).")

"""Delivery against a real SMTP server on 127.0.0.1 (aiosmtpd) that can be down or refuse.

Retries with backoff for transient errors, no retry for permanent ones, the same Message-ID
on every attempt, and at most once when a worker dies between sending and recording.
"""

from __future__ import annotations

import asyncio
import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from advocacy.core.db import utcnow
from advocacy.extensions import db, mail
from advocacy.mail import delivery, dispatch, outbox
from advocacy.mail.models import OutboxMessage

from .test_outbox import queue_one


class Recorder:
    """An SMTP handler that keeps what it accepts, or answers with a chosen refusal."""

    def __init__(self) -> None:
        self.messages: list = []
        self.raw: list[bytes] = []  # exactly as received
        self.refuse: str | None = None  # e.g. "451 4.3.0 Try again later"
        self.delay = 0.0  # seconds before answering the message's content

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        self.raw.append(envelope.original_content)
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.handler = Recorder()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app, make, monkeypatch):
    """An SMTP server (not started yet), with the app configured to send to it.

    The after-commit dispatch is switched off, as if the process that queued the mail had
    died before handing it over: the tests deliver with ``deliver`` and ``sweep`` alone.
    """
    monkeypatch.setattr(dispatch, "dispatch_messages", lambda app, ids: None)
    server = SMTPServer()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_USE_TLS=False,
        MAIL_SUPPRESS_SEND=False,
        MAIL_RETRY_SECONDS=0,  # retries are due at once, so the tests need not wait
    )
    mail.init_app(app)
    make.petition()
    yield server
    server.stop()


def queue(n: int) -> list[int]:
    ids = [queue_one(f"signer{i}@example.com").id for i in range(n)]
    db.session.commit()
    return ids


def statuses(ids: list[int]) -> list[tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return [(m.status.value, m.attempts) for m in sorted(rows, key=lambda m: m.id)]


def test_server_down_then_up_delivers_every_message_once(smtp):
    ids = queue(4)

    report = delivery.deliver(ids)  # nobody listening
    assert (report.sent, report.retrying) == (0, 1)
    # One attempt is spent discovering the server is down; the rest are not touched.
    assert statuses(ids) == [("queued", 1), ("queued", 0), ("queued", 0), ("queued", 0)]

    smtp.start()
    delivered, interrupted = dispatch.sweep(older_than=0)

    assert (delivered, interrupted) == (4, 0)
    assert statuses(ids) == [("sent", 2), ("sent", 1), ("sent", 1), ("sent", 1)]
    stored = [db.session.get_one(OutboxMessage, i).message_id for i in ids]
    assert sorted(smtp.handler.message_ids()) == sorted(stored)  # each once, stable ids
    assert dispatch.sweep(older_than=0) == (0, 0)  # nothing is sent twice


def test_transient_refusals_are_retried_then_fail_after_the_last_attempt(app, smtp):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp.start()
    smtp.handler.refuse = "451 4.3.0 Mailbox busy, try again later"
    [message_id] = queue(1)

    for attempt in (1, 2):
        assert delivery.deliver([message_id]).retrying == 1
        assert statuses([message_id]) == [("queued", attempt)]
    assert delivery.deliver([message_id]).failed == 1
    assert statuses([message_id]) == [("failed", 3)]
    assert "451" in db.session.get_one(OutboxMessage, message_id).last_error


def test_backoff_doubles_and_a_retry_waits_its_turn(app, smtp):
    app.config.update(MAIL_RETRY_SECONDS=60, MAIL_RETRY_MAX_SECONDS=3600)
    smtp.start()
    smtp.handler.refuse = "421 4.7.0 Too many connections"
    [message_id] = queue(1)

    delivery.deliver([message_id])
    first = db.session.get_one(OutboxMessage, message_id)
    db.session.refresh(first)
    wait = (first.next_attempt_at - first.claimed_at).total_seconds()
    assert 59 <= wait <= 61
    assert delivery.deliver([message_id]).retrying == 0  # not due yet: left alone
    assert statuses([message_id]) == [("queued", 1)]


def test_permanent_refusal_fails_at_once_without_retry(smtp):
    smtp.start()
    smtp.handler.refuse = "550 5.1.1 No such user"
    [message_id] = queue(1)

    assert delivery.deliver([message_id]).failed == 1
    assert statuses([message_id]) == [("failed", 1)]
    assert dispatch.sweep(older_than=0) == (0, 0)
    assert smtp.handler.messages == []


def test_a_worker_killed_between_sending_and_recording_sends_nothing_twice(app, smtp, monkeypatch):
    smtp.start()
    ids = queue(5)
    real_record = outbox.record_sent
    calls = []

    def die_on_the_second(session, sent_ids):
        calls.append(sent_ids)
        if len(calls) == 2:
            raise SystemExit("worker killed")  # after the 2nd message left, before recording
        real_record(session, sent_ids)

    monkeypatch.setattr(outbox, "record_sent", die_on_the_second)
    with pytest.raises(SystemExit):
        delivery.deliver(ids)
    monkeypatch.setattr(outbox, "record_sent", real_record)

    assert len(smtp.handler.messages) == 2
    assert statuses(ids) == [
        ("sent", 1),
        ("sending", 1),  # left the building, never recorded
        ("queued", 0),
        ("queued", 0),
        ("queued", 0),
    ]
    app.config["MAIL_SENDING_LEASE_SECONDS"] = 0  # the dead worker's lease has run out
    delivered, interrupted = dispatch.sweep(older_than=0)

    assert (delivered, interrupted) == (3, 1)
    assert [s for s, _ in statuses(ids)] == ["sent", "failed", "sent", "sent", "sent"]
    assert "Interrupted" in db.session.get_one(OutboxMessage, ids[1]).last_error
    # Every message reached the server exactly once.
    assert len(smtp.handler.message_ids()) == len(set(smtp.handler.message_ids())) == 5


def test_two_workers_never_send_the_same_message(smtp):
    smtp.start()
    ids = queue(3)
    # A worker claims the first message, as a concurrent one would mid-batch.
    claimed = outbox.claim(db.session, [ids[0]], utcnow())
    assert [m.id for m in claimed] == [ids[0]]
    assert outbox.claim(db.session, [ids[0]], utcnow()) == []

    report = delivery.deliver(ids)  # the other worker skips the claimed one

    assert report.sent == 2
    assert len(smtp.handler.messages) == 2


def test_cli_send_pending_and_sweep(app, runner, smtp):
    ids = queue(2)
    smtp.start()

    result = runner.invoke(args=["mail", "send-pending"])

    assert "Sent 2, will retry 0, failed 0." in result.output
    assert statuses(ids) == [("sent", 1), ("sent", 1)]
    result = runner.invoke(args=["mail", "sweep", "--older-than", "0"])
    assert "Delivered 0; marked 0 interrupted attempt(s) failed." in result.output


def test_dkim_signature_verifies_with_the_published_key(app, smtp, tmp_path):
    import base64
    import subprocess

    import dkim

    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    app.config.update(
        MAIL_DKIM_SELECTOR="mail2026",
        MAIL_DKIM_DOMAIN="advocacy.localhost",
        MAIL_DKIM_PRIVATE_KEY_PATH=str(key),
    )
    smtp.start()
    queue(1)
    dispatch.sweep(older_than=0)

    [raw] = smtp.handler.raw
    assert raw.startswith(b"DKIM-Signature:") or b"\nDKIM-Signature:" in raw
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name, timeout=5):
        assert name == b"mail2026._domainkey.advocacy.localhost."
        return record

    assert dkim.verify(raw, dnsfunc=dns)
    # A changed body no longer verifies.
    assert not dkim.verify(raw.replace(b"already signed", b"already SIGNED"), dnsfunc=dns)


def test_production_refuses_half_a_dkim_configuration(tmp_path):
    from config import ProductionConfig

    base = {
        "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": "postgresql://db/advocacy",
        "SERVER_NAME": "petitions.example.org",
    }
    with pytest.raises(RuntimeError, match="DKIM signing needs all of"):
        ProductionConfig.validate({**base, "MAIL_DKIM_SELECTOR": "s1"})
    with pytest.raises(RuntimeError, match="not a readable file"):
        ProductionConfig.validate(
            {
                **base,
                "MAIL_DKIM_SELECTOR": "s1",
                "MAIL_DKIM_DOMAIN": "example.org",
                "MAIL_DKIM_PRIVATE_KEY_PATH": str(tmp_path / "missing.pem"),
            }
        )
    ProductionConfig.validate(base)  # DKIM is optional


def test_a_sweep_stops_when_the_server_is_down_even_with_immediate_retries(smtp):
    ids = queue(3)  # MAIL_RETRY_SECONDS is 0 here: a failed message is due again at once

    assert dispatch.sweep(older_than=0) == (0, 0)  # returns instead of looping

    assert statuses(ids) == [("queued", 1), ("queued", 0), ("queued", 0)]


def test_without_redis_the_web_process_sweeps_so_mail_waits_out_an_outage(app, make):
    """The issue's walk: SMTP down, a supporter signs (and succeeds), the confirmation waits in
    the outbox; the server comes back and it arrives once, with nobody running a command."""
    import time

    from advocacy import create_app
    from tests.factories import sign_form

    server = SMTPServer()
    web = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TESTING": False,  # as served: no synchronous delivery, the sweeper runs
            "MAIL_SYNC": False,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": server.port,
            "MAIL_USE_TLS": False,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_SWEEP_SECONDS": 0.1,
            "MAIL_RETRY_SECONDS": 1,
        }
    )
    petition = make.petition()

    def outbox() -> list[tuple[str, int]]:
        db.session.expire_all()
        return [(m.status.value, m.attempts) for m in db.session.scalars(select(OutboxMessage))]

    def wait_for(condition, seconds=10.0):
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.05)
        return condition()

    try:
        response = web.test_client().post(f"/petitions/{petition.slug}/sign", data=sign_form())
        assert response.status_code == 302  # signing succeeded with the server down
        assert wait_for(lambda: outbox() == [("queued", 1)])  # tried once, waiting to retry
        time.sleep(0.3)
        assert outbox() == [("queued", 1)] and server.handler.messages == []
        server.start()
        assert wait_for(lambda: outbox() == [("sent", 2)])
        time.sleep(0.3)  # a few more sweeps: nothing is sent again
        assert len(server.handler.messages) == 1
        assert server.handler.messages[0]["To"] == "maria@example.com"
    finally:
        dispatch.stop_sweeping(web)
        server.stop()
        with web.app_context():
            db.engine.dispose()


def test_a_server_that_never_answers_times_out_and_is_retried(app, smtp):
    """It accepts the connection and says nothing: MAIL_TIMEOUT, then a retry later."""
    import threading

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    app.config.update(MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.3)
    mail.init_app(app)
    try:
        [message_id] = queue(1)
        report = delivery.deliver([message_id])
    finally:
        silent.close()
    assert (report.sent, report.retrying) == (0, 1)
    assert statuses([message_id]) == [("queued", 1)]
    assert "timed out" in db.session.get_one(OutboxMessage, message_id).last_error


def test_a_timeout_after_the_content_was_sent_is_not_retried(app, smtp):
    """The server took the whole message and did not answer in time: it may have accepted it,
    so the message is marked failed ("may have been delivered"), never sent a second time."""
    import time

    smtp.start()
    smtp.handler.delay = 1.0
    app.config["MAIL_TIMEOUT"] = 0.3
    [message_id] = queue(1)
    report = delivery.deliver([message_id])
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    assert statuses([message_id]) == [("failed", 1)]
    error = db.session.get_one(OutboxMessage, message_id).last_error
    assert error.startswith("Interrupted after the message was handed over")
    smtp.handler.delay = 0.0
    dispatch.sweep(older_than=0)  # a working server now: still not sent again
    time.sleep(0.2)
    assert statuses([message_id]) == [("failed", 1)] and len(smtp.handler.messages) <= 1

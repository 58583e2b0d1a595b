"""The outbox: queued in the transaction, delivered after commit, never failing the caller."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from advocacy import create_app
from advocacy.extensions import db
from advocacy.mail import delivery, dispatch, outbox, transport
from advocacy.mail.models import MessageStatus, OutboxMessage
from tests.factories import sign_form

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


def queue_one(to="someone@example.com") -> OutboxMessage:
    from advocacy.petitions.models import Petition

    petition = db.session.query(Petition).first()
    message_id = outbox.enqueue(
        "already_signed",
        to,
        "already_signed",
        petition=petition,
        signature=type("S", (), {"first_name": "Ana", "signer_number": 3})(),
        petition_url="http://advocacy.test/p",
    )
    return db.session.get_one(OutboxMessage, message_id)


def test_message_leaves_only_after_commit(app, make):
    make.petition()
    message = queue_one()
    assert message.status is MessageStatus.QUEUED
    db.session.rollback()
    assert db.session.query(OutboxMessage).count() == 0  # rolled back: never sent
    message = queue_one()
    db.session.commit()
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT and message.attempts == 1


def test_console_backend_prints_the_mail(app, make, capsys):
    app.config["MAIL_BACKEND"] = "console"
    make.petition()
    message = queue_one()
    db.session.commit()
    delivery.deliver([message.id])
    err = capsys.readouterr().err
    assert "mail to someone@example.com" in err and "Subject: You have already signed" in err


def test_smtp_down_keeps_the_message_queued_for_a_retry(app, make):
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=1,
        MAIL_USE_TLS=False,
        MAIL_SUPPRESS_SEND=False,
    )
    from advocacy.extensions import mail

    mail.init_app(app)
    make.petition()
    message = queue_one()
    db.session.commit()
    db.session.refresh(message)
    assert message.status is MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at is not None and message.next_attempt_at > message.created_at
    assert message.last_error and "Error" in message.last_error


def test_smtp_backend_sends_multipart(app, make, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, *a, **kw):
            pass

        def __getattr__(self, name):
            return lambda *a, **kw: (250, b"ok")

        def sendmail(self, sender, recipients, msg, *a, **kw):
            sent.append((recipients, msg))

    monkeypatch.setattr(transport, "connect", lambda state, timeout: FakeSMTP())
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="smtp.example.org",
        MAIL_USE_TLS=False,
        MAIL_SUPPRESS_SEND=False,
    )
    from advocacy.extensions import mail

    mail.init_app(app)
    make.petition()
    queue_one()
    db.session.commit()
    [(recipients, raw)] = sent
    assert recipients == ["someone@example.com"]
    raw = raw.decode() if isinstance(raw, bytes) else raw
    assert "multipart/alternative" in raw and "text/html" in raw


def test_dev_outbox_lists_messages_with_clickable_links(client, make):
    petition = make.petition()
    client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    html = client.get("/dev/outbox").text
    assert "Please confirm your signature" in html
    assert '<a href="http://advocacy.test/signatures/confirm/' in html


def test_dev_outbox_does_not_exist_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("SERVER_NAME", "petitions.example.org")
    app = create_app("production")
    assert "dev_mail.outbox" not in app.view_functions


def test_production_refuses_to_start_without_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/advocacy")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.redis
@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs TEST_REDIS_URL=redis://…")
def test_with_redis_mail_goes_through_rq_and_a_worker_delivers_it(app, make):
    from redis import Redis
    from rq import Queue, SimpleWorker

    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    app.config.update(REDIS_URL=TEST_REDIS_URL, MAIL_BACKEND="null", MAIL_SYNC=False)
    app.extensions.pop("advocacy_redis", None)
    make.petition()
    message = queue_one()
    db.session.commit()
    queue = Queue("mail", connection=redis)
    assert queue.count == 1  # queued on Redis, not delivered in-process
    db.session.refresh(message)
    assert message.status is MessageStatus.QUEUED
    SimpleWorker([queue], connection=redis).work(burst=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status is MessageStatus.SENT


def test_without_redis_mail_is_delivered_by_a_background_thread(app, make):
    import time

    app.config["MAIL_SYNC"] = False
    make.petition()
    ids = [queue_one(to=f"bg{i}@example.com").id for i in range(5)]
    db.session.commit()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.expire_all()
        statuses = {db.session.get(OutboxMessage, i).status for i in ids}
        if statuses == {MessageStatus.SENT}:
            break
        time.sleep(0.05)
    assert statuses == {MessageStatus.SENT}


def _closed_port() -> int:
    import socket

    with socket.socket() as s:  # bound, never listening: connecting is refused
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_down_when_signing_commits_the_mail_and_the_sweep_sends_it(
    app, client, make, monkeypatch
):
    """Redis refuses the job: signing still succeeds with its confirmation in the outbox.
    The fallback hands it to this process's thread; here that process dies first, and the
    periodic sweep delivers the message instead."""
    app.config.update(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0", MAIL_SYNC=False)
    app.extensions.pop("advocacy_redis", None)
    handed_over = []
    monkeypatch.setattr(dispatch, "deliver_in_process", lambda app, ids: handed_over.extend(ids))
    petition = make.petition()

    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())

    assert response.status_code == 302
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.status is MessageStatus.QUEUED and handed_over == [message.id]
    delivered, _ = dispatch.sweep(older_than=0)
    assert delivered == 1
    db.session.refresh(message)
    assert message.status is MessageStatus.SENT and message.attempts == 1


@pytest.mark.redis
@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs TEST_REDIS_URL=redis://…")
def test_a_plain_rq_worker_process_delivers_the_mail_too(app, make):
    """Operators may run `rq worker mail` instead of `flask mail worker`: the job builds the
    app from the environment itself."""
    import subprocess
    import sys
    from pathlib import Path

    from redis import Redis
    from rq import Queue

    redis = Redis.from_url(TEST_REDIS_URL)
    redis.flushdb()
    app.config.update(REDIS_URL=TEST_REDIS_URL, MAIL_SYNC=False)
    app.extensions.pop("advocacy_redis", None)
    make.petition()
    message = queue_one()
    db.session.commit()
    assert Queue("mail", connection=redis).count == 1

    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(root),
        "ADVOCACY_CONFIG": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_BACKEND": "null",
    }
    rq = Path(sys.executable).with_name("rq")
    done = subprocess.run(
        [str(rq), "worker", "--burst", "--url", TEST_REDIS_URL, "mail"],
        env=env, cwd=root, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status is MessageStatus.SENT

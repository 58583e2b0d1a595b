"""The embedded default (SQLite) loses no signing while another connection is writing."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from advocacy.petitions.models import Signature
from tests.conftest import ON_POSTGRES
from tests.factories import sign_form

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's locking")


def _hold_write_lock(path: str, started: threading.Event, seconds: float) -> None:
    """Another process's write transaction: takes the write lock, writes, commits later."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO mail_suppressions (email, reason, created_at) "
        "VALUES ('x' || random() || '@example.com', 'manual', '2026-01-01 00:00:00')"
    )
    started.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


def test_signing_waits_for_a_writer_instead_of_failing(app, client, db, make):
    """In WAL mode a statement that reads and then writes (signing's INSERT … SELECT … ON
    CONFLICT) failed at once with "database is locked" when another connection committed
    while it waited, whatever the busy timeout; with BEGIN IMMEDIATE it waits and succeeds."""
    petition = make.petition()
    path = db.engine.url.database
    for n in range(3):
        started = threading.Event()
        writer = threading.Thread(target=_hold_write_lock, args=(path, started, 0.3))
        writer.start()
        started.wait(5)
        response = client.post(
            f"/petitions/{petition.slug}/sign", data=sign_form(email=f"w{n}@example.com")
        )
        writer.join()
        assert response.status_code == 302
    assert db.session.scalar(select(func.count(Signature.id))) == 3


def test_many_concurrent_signers_all_succeed(app, db, make):
    petition = make.petition()
    url = f"/petitions/{petition.slug}/sign"
    codes: list[int] = []

    def signer(n: int) -> None:
        client = app.test_client()
        for k in range(10):
            email = f"c{n}-{k}@example.com"
            codes.append(client.post(url, data=sign_form(email=email)).status_code)

    threads = [threading.Thread(target=signer, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes.count(302) == 120, sorted(set(codes))
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Signature.id))) == 120

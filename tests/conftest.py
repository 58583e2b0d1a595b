"""Shared fixtures: an app on a migrated database, emptied between tests.

The database is SQLite (a temporary file) unless ``TEST_DATABASE_URL`` names another, such
as PostgreSQL in CI. Migrations run once per session; each test starts with empty tables.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, select, text

from advocacy import create_app
from advocacy.extensions import db as _db
from advocacy.mail.models import OutboxMessage
from config import database_url

from . import factories

TEST_DATABASE_URL = database_url(os.environ.get("TEST_DATABASE_URL"))
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


def _postgres_db_per_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the named one
    (``test`` → ``test_gw0``, ``test_gw1``), created on first use: the tests empty their tables
    between tests, so two workers may not share one. Without xdist the named one is used."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise RuntimeError(f"Cannot derive a per-worker database name from {base.database!r}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _redis_db_per_worker() -> None:
    """Under pytest-xdist each worker gets its own Redis database (the tests flush theirs):
    db N for the first worker, N-1 for the second, … Read by test modules at import."""
    url, worker = os.environ.get("TEST_REDIS_URL"), os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return
    base, _, number = url.rpartition("/")
    if number.isdigit():
        os.environ["TEST_REDIS_URL"] = f"{base}/{int(number) - int(worker.removeprefix('gw'))}"


_redis_db_per_worker()


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (TEST_DATABASE_URL)")
    config.addinivalue_line("markers", "redis: needs Redis (TEST_REDIS_URL)")
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright")


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    if ON_POSTGRES:
        return _postgres_db_per_worker(TEST_DATABASE_URL)
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _migrated(database_uri):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        if ON_POSTGRES:
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
        _db.engine.dispose()
    return database_uri


# The legislator directory is kept between tests: importing the shared data takes seconds.
# Tests say what they need with the ``directory`` / ``no_directory`` fixtures.
DIRECTORY_TABLES = frozenset(
    {"directory_snapshots", "legislators", "legislator_offices", "districts", "zip_districts"}
)
SHARED_DATA = Path(
    os.environ.get("ADVOCACY_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
)


def _empty_tables(keep: frozenset[str] = DIRECTORY_TABLES) -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables) if t.name not in keep]
    with _db.engine.begin() as conn:
        if ON_POSTGRES:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def app(_migrated):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _migrated})
    with app.app_context():
        _empty_tables()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def directory(app):
    """The shared data (../shared/data) as the loaded directory; a no-op when it already is."""
    from advocacy.legislators import importer

    if not (SHARED_DATA / "federal_legislators.csv").exists():
        pytest.fail(f"The shared legislator data is missing at {SHARED_DATA} (ADVOCACY_DATA_DIR)")
    importer.import_directory(SHARED_DATA)
    return SHARED_DATA


@pytest.fixture
def no_directory(app):
    """No directory loaded."""
    _empty_tables(keep=frozenset())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(db):
    """Factories bound to the test database: ``make.petition(...)``, ``make.organizer(...)``."""
    return factories


class Mailbox:
    """The messages the app queued, read back from the outbox table."""

    def messages(self, to: str | None = None, kind: str | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.recipient == to)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        _db.session.expire_all()
        return list(_db.session.scalars(query))

    def links(self, message: OutboxMessage) -> list[str]:
        return re.findall(r"https?://\S+", message.text_body)

    def last_link(self, to: str, kind: str = "confirm_signature") -> str:
        messages = self.messages(to=to, kind=kind)
        assert messages, f"no {kind} message to {to}"
        return self.links(messages[-1])[0]


@pytest.fixture
def mailbox(app):
    return Mailbox()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def limits_on(app):
    """The per-address request limits counting from zero for this test (TestingConfig's are
    too high to reach): set the limit settings on ``app.config`` to make them small."""
    from advocacy.extensions import limiter

    limiter.reset()
    yield limiter
    limiter.reset()

"""A live server on its own SQLite file, and a headless Chromium to drive it.

The app runs with CSRF on, as in production, and ``SERVER_NAME`` set to the live address so
the links in emails (read back from ``/dev/outbox``) point at this server. Without
``/usr/bin/chromium`` the journeys are skipped, unless ``REQUIRE_BROWSER=1`` makes that a failure.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from werkzeug.serving import WSGIRequestHandler, make_server

from advocacy import create_app
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage
from advocacy.petitions.models import Petition, Signature
from tests import factories
from tests.conftest import DIRECTORY_TABLES, SHARED_DATA

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _no_browser(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # keep pytest output to failures
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("live") / "live.db") as server:
        yield server


@contextmanager
def serve(db_path: Path) -> Iterator[LiveServer]:
    """The app on a migrated SQLite file at ``db_path``, served from a thread on a free port."""
    port = _free_port()
    db_uri = f"sqlite:///{db_path}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db_uri,
            "SERVER_NAME": f"127.0.0.1:{port}",
            "WTF_CSRF_ENABLED": True,
            "MAIL_BACKEND": "memory",
            "DEV_OUTBOX": True,
        }
    )
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@dataclass
class Seed:
    slug: str
    count: int
    goal: int


def seed_petitions(app: Flask) -> Seed:
    """Empty tables, then two organisations with three open petitions; the first gets signed."""
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name in DIRECTORY_TABLES:
                    continue
                conn.execute(text(f"DELETE FROM {table.name}"))  # noqa: S608 - our table names
        org = factories.organization("Doctors for Access")
        petition = factories.petition(
            org,
            slug="let-doctors-practice",
            title="Let internationally trained doctors practice where patients need them",
            summary=(
                "Thousands of qualified physicians trained abroad cannot treat patients here. "
                "Open a licensing pathway in every state."
            ),
            body=(
                "Rural counties wait **months** for a doctor while qualified physicians drive "
                "taxis.\n\n## What we ask\n\n- A provisional license after a supervised year\n"
                "- Fair recognition of residency abroad\n\n> Patients should not wait because "
                "of paperwork."
            ),
            target="State legislatures",
            goal=10_000,
        )
        people = [("Ana", "Reyes", "Syracuse"), ("Ben", "Okafor", None), ("Chloe", "Ng", None)]
        for i, (first, last, city) in enumerate(people * 2):
            factories.signature(
                petition,
                first_name=first,
                last_name=last,
                city=city,
                comment="My family doctor trained in Manila." if i == 0 else None,
            )
        other = factories.petition(
            org,
            slug="fund-residencies",
            title="Fund 14,000 more residency positions",
            summary="Medicare caps residency slots at 1997 levels. Lift the cap.",
            target="U.S. Congress",
            goal=10,
        )
        for _ in range(7):
            factories.signature(other)
        factories.petition(
            factories.organization("Collaborative Practice Now"),
            slug="collaborative-practice",
            title="Open collaborative practice to medical graduates",
            summary="Let graduates who did not match work under a supervising physician.",
            target="Governors",
            goal=5_000,
        )
        seed = Seed(petition.slug, petition.signature_count, petition.goal)
        db.session.remove()
    return seed


@pytest.fixture
def live_directory(live_server) -> None:
    """The shared legislator data imported into the live server's database (once)."""
    from advocacy.legislators import importer

    with live_server.app.app_context():
        importer.import_directory(SHARED_DATA)
        db.session.remove()


@pytest.fixture
def seeded(live_server) -> Seed:
    return seed_petitions(live_server.app)


class Store:
    """Read the live database from the test, outside any request."""

    def __init__(self, app: Flask):
        self.app = app

    def _scalar(self, query):
        with self.app.app_context():
            try:
                return db.session.scalar(query)
            finally:
                db.session.remove()

    def signatures(self) -> int:
        return self._scalar(select(func.count(Signature.id)))

    def outbox_count(self, kind: str, status: str | None = None) -> int:
        query = select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == kind)
        if status:
            query = query.where(OutboxMessage.status == status)
        return self._scalar(query)

    def messages(self) -> int:
        return self._scalar(select(func.count(OutboxMessage.id)))

    def count(self, slug: str) -> int:
        return self._scalar(select(Petition.signature_count).where(Petition.slug == slug))


@pytest.fixture
def store(live_server) -> Store:
    return Store(live_server.app)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _no_browser(f"Chromium not found at {CHROMIUM}; set CHROMIUM_PATH or install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _context(browser, viewport: dict, **kw):
    context = browser.new_context(viewport=viewport, **kw)
    context.set_default_timeout(5_000)
    return context


@pytest.fixture
def page(browser):
    context = _context(browser, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_page(browser):
    context = _context(browser, DESKTOP, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser):
    context = _context(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield context.new_page()
    context.close()


def snap(page, name: str, phone: bool = True) -> None:
    """Full-page screenshots of the current page at desktop and (by default) phone width."""
    SCREENSHOTS.mkdir(exist_ok=True)
    viewport = page.viewport_size
    page.screenshot(path=SCREENSHOTS / f"{name}-{viewport['width']}.png", full_page=True)
    if phone and viewport["width"] != PHONE["width"]:
        page.set_viewport_size(PHONE)
        page.screenshot(path=SCREENSHOTS / f"{name}-{PHONE['width']}.png", full_page=True)
        page.set_viewport_size(viewport)


A11Y_SMOKE = (Path(__file__).parent / "a11y_smoke.js").read_text()


def assert_accessible(page) -> None:
    """A smoke check, not an audit: one h1, alt on images, a name on every field and control."""
    problems = page.evaluate(A11Y_SMOKE)
    assert not problems, f"{page.url}: {problems}"


def assert_no_horizontal_overflow(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} > {widths[1]}px"

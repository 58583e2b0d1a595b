"""Deployment is safe without reading the docs: production by default, its host only, the
client address from the configured proxies only, the development outbox on loopback only."""

from __future__ import annotations

import importlib
import sys

import pytest
from flask import Flask

from advocacy import create_app
from advocacy.core.network import client_address
from config import DEVELOPMENT_SECRET_KEY

HOST = "petitions.example.org"


@pytest.fixture
def production_env(monkeypatch, _migrated):
    for name in ("ADVOCACY_CONFIG", "REDIS_URL", "MAIL_SERVER", "ALLOWED_HOSTS", "PROXY_HOPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", _migrated)
    monkeypatch.setenv("SERVER_NAME", HOST)
    monkeypatch.setenv("MAIL_BACKEND", "memory")
    monkeypatch.setenv("MAIL_SWEEP_SECONDS", "0")  # no sweeper thread in the test process
    return monkeypatch


def _import_wsgi() -> Flask:
    sys.modules.pop("wsgi", None)
    return importlib.import_module("wsgi").app


def test_wsgi_without_a_config_name_is_production(production_env):
    app = _import_wsgi()
    assert app.config["CONFIG_NAME"] == "production"
    assert not app.debug and app.config["SESSION_COOKIE_SECURE"]
    assert "dev_mail.outbox" not in app.view_functions
    assert app.config["TRUSTED_HOSTS"] == [HOST]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "SERVER_NAME", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_settings(production_env, missing):
    production_env.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        _import_wsgi()


@pytest.mark.parametrize("key", [DEVELOPMENT_SECRET_KEY, "test-secret-key", "short"])
def test_production_refuses_a_public_or_short_key(production_env, key):
    production_env.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_the_development_key_is_refused_outside_development(_migrated):
    with pytest.raises(RuntimeError, match="development SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": _migrated, "SECRET_KEY": DEVELOPMENT_SECRET_KEY})


def test_make_says_development_explicitly():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "ADVOCACY_CONFIG ?= development" in makefile and "export ADVOCACY_CONFIG" in makefile


@pytest.fixture
def development(monkeypatch, tmp_path):
    from advocacy.extensions import db

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dev.db'}")
    monkeypatch.delenv("SERVER_NAME", raising=False)
    app = create_app("development")
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize(
    ("bound", "remote", "status"),
    [
        ("127.0.0.1", "127.0.0.1", 200),
        ("localhost", "::1", 200),
        ("0.0.0.0", "127.0.0.1", 404),  # noqa: S104 - make run HOST=0.0.0.0
        ("192.168.1.20", "192.168.1.30", 404),
        ("127.0.0.1", "192.168.1.30", 404),  # a tunnel or proxy to the loopback server
    ],
)
def test_the_dev_outbox_answers_only_on_loopback(development, bound, remote, status):
    response = development.test_client().get(
        "/dev/outbox", environ_overrides={"SERVER_NAME": bound, "REMOTE_ADDR": remote}
    )
    assert response.status_code == status


def _with_whoami(app: Flask) -> Flask:
    app.add_url_rule("/whoami", "whoami", lambda: client_address())
    return app


@pytest.mark.parametrize(
    ("hops", "forwarded", "seen"),
    [
        (1, "203.0.113.9", "203.0.113.9"),  # the proxy's own entry
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged first entry is not read
        (2, "6.6.6.6, 198.51.100.2, 203.0.113.9", "198.51.100.2"),
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy configured: the header is not read at all
    ],
)
def test_the_client_address_comes_only_from_the_configured_hops(
    production_env, hops, forwarded, seen
):
    production_env.setenv("PROXY_HOPS", str(hops))
    app = _with_whoami(create_app("production"))
    response = app.test_client().get(
        "/whoami",
        base_url=f"https://{HOST}",
        headers={"X-Forwarded-For": forwarded},
        environ_overrides={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.text == seen


def test_development_reads_no_forwarded_header(development):
    app = _with_whoami(development)
    response = app.test_client().get(
        "/whoami",
        headers={"X-Forwarded-For": "6.6.6.6"},
        environ_overrides={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.text == "127.0.0.1"


def test_links_and_cached_pages_use_the_configured_host(production_env, _migrated):
    """A forged X-Forwarded-Host is refused; a request through another allowed name still
    gets pages (cached for everyone) and email links naming SERVER_NAME only."""
    from sqlalchemy import select

    from advocacy.extensions import db
    from advocacy.mail.models import OutboxMessage
    from tests import factories
    from tests.conftest import _empty_tables
    from tests.factories import sign_form

    production_env.setenv("ALLOWED_HOSTS", f"www.{HOST}")
    app = create_app("production")
    with app.app_context():
        _empty_tables()
        petition = factories.petition()
        slug = petition.slug
        client = app.test_client()
        forged = client.get(
            f"/petitions/{slug}",
            base_url=f"https://{HOST}",
            headers={"X-Forwarded-Host": "evil.example"},
        )
        assert forged.status_code == 400
        page = client.get(f"/petitions/{slug}", base_url=f"https://www.{HOST}")
        assert page.status_code == 200
        assert f'rel="canonical" href="https://{HOST}/petitions/{slug}"' in page.text
        assert "evil.example" not in page.text
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed = client.post(
            f"/petitions/{slug}/sign",
            base_url=f"https://www.{HOST}",
            data=sign_form(csrf_token=token),
        )
        assert signed.status_code == 302
        body = db.session.scalars(select(OutboxMessage.text_body)).one()
        assert f"https://{HOST}/signatures/confirm/" in body
        db.session.remove()  # its open transaction would block the TRUNCATE on PostgreSQL
        _empty_tables()
        db.engine.dispose()

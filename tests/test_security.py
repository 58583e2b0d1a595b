"""Cross-cutting guarantees: every POST needs a CSRF token; configuration is safe."""

from __future__ import annotations

import re

from advocacy.petitions import services


def test_every_post_route_refuses_a_missing_csrf_token(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = True
    petition = make.petition()
    signature = make.signature(petition, confirmed=False)
    values = {
        "slug": petition.slug,
        "petition_id": petition.id,
        "token": services.make_token(signature),
    }
    # Endpoints authenticated by a signature instead (tested on their own): the mail
    # provider's webhook, and RFC 8058 one-click unsubscribe (mail clients post no form).
    signed = {"mail_webhooks.mail_events", "mail_unsubscribe.unsubscribe"}
    post_rules = [
        r
        for r in app.url_map.iter_rules()
        if "POST" in (r.methods or ()) and r.endpoint not in signed
    ]
    assert len(post_rules) >= 3
    for rule in post_rules:
        url = rule.build({arg: values.get(arg, 1) for arg in rule.arguments})[1]
        response = client.post(url, data={"email": "a@example.com"})
        assert response.status_code == 400, url
        assert "form expired" in response.text
    db_signature_count = petition.signature_count
    assert db_signature_count == 0


def test_security_headers_and_cookie_flags(client, make):
    petition = make.petition()
    response = client.get(f"/petitions/{petition.slug}")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert (
        "unsafe-inline"
        not in response.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )


def _page_token(client, slug: str) -> str:
    page = client.get(f"/petitions/{slug}").text
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_first_visit_gets_a_sign_cookie_and_no_session(app, client, make):
    app.config.update(PETITION_PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)
    petition = make.petition()
    response = client.get(f"/petitions/{petition.slug}")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("advocacy_sign=")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    again = client.get(f"/petitions/{petition.slug}")
    assert again.headers.getlist("Set-Cookie") == []  # the cookie is reused


def test_sign_token_must_match_this_browsers_cookie(app, make, db):
    from sqlalchemy import func, select

    from advocacy.petitions.models import Signature
    from tests.factories import sign_form

    app.config.update(PETITION_PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)
    petition = make.petition()
    attacker, victim = app.test_client(), app.test_client()
    attackers_token = _page_token(attacker, petition.slug)
    _page_token(victim, petition.slug)  # the victim has a cookie of their own
    url = f"/petitions/{petition.slug}/sign"
    forged = victim.post(url, data=sign_form(csrf_token=attackers_token))
    assert forged.status_code == 400 and "form expired" in forged.text
    tampered = attackers_token[:-2] + ("AA" if not attackers_token.endswith("AA") else "BB")
    assert attacker.post(url, data=sign_form(csrf_token=tampered)).status_code == 400
    assert app.test_client().post(url, data=sign_form(csrf_token=attackers_token)).status_code == (
        400  # no cookie at all
    )
    assert db.session.scalar(select(func.count(Signature.id))) == 0
    assert attacker.post(url, data=sign_form(csrf_token=attackers_token)).status_code == 302


def test_sign_token_expires(app, client, make, monkeypatch):
    import time

    from tests.factories import sign_form

    app.config.update(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=3600)
    petition = make.petition()
    token = _page_token(client, petition.slug)
    later = time.time() + 3601
    monkeypatch.setattr("advocacy.core.csrf.time.time", lambda: later)
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form(csrf_token=token))
    assert response.status_code == 400


def test_cached_page_token_is_accepted_by_the_sign_form(app, client, db, make):
    app.config.update(PETITION_PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=True)
    from tests.factories import sign_form

    petition = make.petition()
    token = _page_token(client, petition.slug)
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form(csrf_token=token))
    assert response.status_code == 302


def test_sign_token_survives_a_key_rotation_with_fallback(app, client, make):
    from tests.factories import sign_form

    app.config.update(WTF_CSRF_ENABLED=True)
    petition = make.petition()
    token = _page_token(client, petition.slug)
    old = app.secret_key
    app.secret_key = app.config["SECRET_KEY"] = "a-new-key"
    url = f"/petitions/{petition.slug}/sign"
    assert client.post(url, data=sign_form(csrf_token=token)).status_code == 400
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert client.post(url, data=sign_form(csrf_token=token)).status_code == 302


def test_production_refuses_a_forged_host_so_email_links_stay_ours(monkeypatch, tmp_path):
    from advocacy import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("SERVER_NAME", "petitions.example.org")
    app = create_app("production")
    client = app.test_client()
    forged = client.get(
        "/legislators",
        base_url="https://petitions.example.org",
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    )
    assert forged.status_code == 400
    ours = client.get(
        "/legislators",
        base_url="https://petitions.example.org",
        headers={"X-Forwarded-Host": "petitions.example.org", "X-Forwarded-Proto": "https"},
    )
    assert ours.status_code != 400


# Transport, browser-feature and caching headers (core/security.register_privacy_headers).


def _production(monkeypatch, database_uri):
    from advocacy import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", database_uri)
    monkeypatch.setenv("SERVER_NAME", "localhost")
    monkeypatch.setenv("MAIL_SWEEP_SECONDS", "0")  # no sweeper thread in the test process
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    return create_app("production")


def test_hsts_is_sent_in_production_only(app, client, make, monkeypatch, database_uri):
    from advocacy import create_app
    from advocacy.core.security import HSTS

    assert HSTS == "max-age=31536000; includeSubDomains"
    petition = make.petition()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = _production(monkeypatch, database_uri).test_client()  # sets the environment
    development = create_app("development")  # on the same database, from the environment
    assert "Strict-Transport-Security" not in development.test_client().get("/login").headers
    for path in ("/login", f"/petitions/{petition.slug}", f"/api/v1/petitions/{petition.slug}"):
        response = production.get(path, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == HSTS, path


def test_permissions_policy_everywhere(client, make):
    petition = make.petition()
    for path in (
        "/",
        "/login",
        f"/petitions/{petition.slug}",
        f"/api/v1/petitions/{petition.slug}",
    ):
        policy = client.get(path).headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (path, feature)


def test_account_pages_are_never_stored(app, client):
    for path in ("/login", "/organize/", "/organize/petitions/new", "/admin/outbox"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert client.post("/logout").headers["Cache-Control"] == "no-store"


def test_public_pages_keep_their_caching_for_anonymous_visitors(client, make):
    petition = make.petition()
    api = client.get(f"/api/v1/petitions/{petition.slug}")
    assert api.headers["Cache-Control"] == "public, max-age=30"
    page = client.get(f"/petitions/{petition.slug}")
    assert "no-store" not in page.headers.get("Cache-Control", "")
    # A leftover session without a login (a flash message, a CSRF token) changes nothing.
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You have logged out.")]
    again = client.get(f"/api/v1/petitions/{petition.slug}")
    assert again.headers["Cache-Control"] == "public, max-age=30"


def test_nothing_a_signed_in_user_sees_is_stored(app, client, make, auth):
    petition = make.petition()
    auth.login(make.organizer().email)
    for path in ("/", f"/petitions/{petition.slug}", f"/api/v1/petitions/{petition.slug}"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    css = client.get("/static/css/site.css")
    assert css.status_code == 200 and css.headers.get("Cache-Control") != "no-store"


def test_gunicorn_sends_no_version_banner(tmp_path):
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    import pytest

    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists() and not shutil.which("gunicorn"):
        pytest.skip("gunicorn is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    env = {"PATH": "/usr/bin:/bin", "ADVOCACY_CONFIG": "testing", "PYTHONPATH": str(root)}
    server = subprocess.Popen(
        [str(gunicorn) if gunicorn.exists() else "gunicorn", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "wsgi:app"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/login", headers={"Host": "advocacy.test"}
        )
        for _ in range(100):
            try:
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    headers = response.headers
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)
    servers = headers.get_all("Server") or []
    assert servers and all("/" not in s and not any(c.isdigit() for c in s) for s in servers)
    assert "camera=()" in headers["Permissions-Policy"]


def test_an_id_past_the_integer_columns_is_a_404_on_every_route(app, client, auth, make):
    """Primary keys are INTEGER (int4 on PostgreSQL): /…/3000000000/… failed in the database
    (a 500) on every route with an id; now no route matches such a number."""
    from werkzeug.routing import IntegerConverter

    from advocacy.core.ids import MAX_ID

    auth.login(make.organizer().email)
    rules = [
        r
        for r in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in r._converters.values())
    ]
    assert len(rules) >= 10
    for rule in rules:
        for too_big in (MAX_ID + 1, 10**20):
            values = {
                arg: too_big if isinstance(rule._converters[arg], IntegerConverter) else "x"
                for arg in rule.arguments
            }
            path = rule.rule
            for arg, value in values.items():
                path = re.sub(rf"<[^>]*:?{arg}>", str(value), path)
            for method in {"GET", "POST"} & set(rule.methods or ()):
                response = client.open(path, method=method)
                assert response.status_code == 404, (method, path, response.status_code)
    # The largest id still routes (to a row that does not exist).
    assert client.get(f"/organize/campaigns/{MAX_ID}").status_code == 404


HOSTILE_VALUES = ("\x00", "a\x00b", "x" * 20_000, "=cmd|' /C calc'!A0", "{{ 7*7 }}", "\u202e\ud7ff")
FORM_KEYS = (
    "email", "password", "current_password", "new_password", "name", "first_name",
    "last_name", "address", "city", "zip", "state", "comment", "note", "subject", "body",
    "label", "kind", "choices", "help_text", "intro", "is_open", "decision", "revision",
    "direction", "confirm", "remember", "personal_note", "request_key", "min_value",
    "max_value", "required", "state_lower", "state_upper", "us_house",
)  # fmt: skip


def test_no_post_route_answers_hostile_input_with_a_500(app, client, auth, make):
    """Every POST route, signed in as a confirmed organizer of an existing organisation,
    with NUL bytes, over-long, formula and template text in every common field: a clear
    4xx or a redirect, never a 500 (the routes' own tests check the messages)."""
    organizer = make.organizer()
    org_id = organizer.memberships[0].organization_id
    petition = make.petition(organization_id=org_id)
    auth.login(organizer.email)
    values = {"slug": petition.slug, "token": "x", "organization_id": org_id, "org_id": org_id}
    signed = {"mail_webhooks.mail_events", "mail_unsubscribe.unsubscribe", "accounts.logout"}
    signed |= {"privacy.delete_account"}  # it would end the session the other routes need
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "POST" in (r.methods or ()) and r.endpoint not in signed
    ]
    assert len(rules) >= 60
    for value in HOSTILE_VALUES:
        for rule in rules:
            url = rule.build({arg: values.get(arg, 1) for arg in rule.arguments})[1]
            data = dict.fromkeys(FORM_KEYS, value)
            response = client.post(url, data=data)
            assert response.status_code < 500, (url, value[:10], response.status_code)

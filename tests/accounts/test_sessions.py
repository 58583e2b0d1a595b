"""Sessions end everywhere at logout and at a password change; the remember cookie's flags."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.accounts import services
from advocacy.accounts.models import User
from tests.factories import PASSWORD

REMEMBER = "remember_token"


def _login(client, email, remember=False):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.text
    return response


def _replay(app, client, *names):
    """A new browser holding only copies of ``client``'s cookies ``names``."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name, domain=app.config["SERVER_NAME"])
        assert cookie is not None, f"no {name} cookie to copy"
        other.set_cookie(name, cookie.value, domain=cookie.domain)
    return other


def _opens_dashboard(client) -> bool:
    response = client.get("/organize/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def test_the_session_holds_the_version(app, client, make):
    user = make.organizer()
    _login(client, user.email)
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}:0"


def test_a_copied_session_cookie_is_refused_after_logout(app, client, make, auth):
    user = make.organizer()
    _login(client, user.email)
    assert _opens_dashboard(_replay(app, client, "session"))  # the copy works while logged in
    stolen = _replay(app, client, "session")
    auth.logout()
    assert not _opens_dashboard(stolen)
    assert not _opens_dashboard(client)


def test_a_copied_remember_cookie_alone_is_refused_after_logout(app, client, make, auth):
    user = make.organizer()
    _login(client, user.email, remember=True)
    assert _opens_dashboard(_replay(app, client, REMEMBER))  # no session: the cookie logs in
    stolen = _replay(app, client, REMEMBER)
    auth.logout()
    assert client.get_cookie(REMEMBER, domain=app.config["SERVER_NAME"]) is None  # deleted here
    assert not _opens_dashboard(stolen)


def test_logout_ends_the_users_other_sessions(app, make):
    user = make.organizer()
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, user.email)
    _login(phone, user.email, remember=True)
    laptop.post("/logout")
    assert not _opens_dashboard(phone)
    _login(phone, user.email)  # logging in again works
    assert _opens_dashboard(phone)


def test_another_users_sessions_survive_a_logout(app, make):
    ada, bob = make.organizer(), make.organizer()
    a, b = app.test_client(), app.test_client()
    _login(a, ada.email)
    _login(b, bob.email)
    a.post("/logout")
    assert _opens_dashboard(b)


def test_a_password_change_refuses_the_old_cookies(app, client, db, make):
    user = make.organizer()
    _login(client, user.email, remember=True)
    old_session = _replay(app, client, "session")
    old_remember = _replay(app, client, REMEMBER)
    services.change_password(user, PASSWORD, "a brand new passphrase")
    assert not _opens_dashboard(client)
    assert not _opens_dashboard(old_session)
    assert not _opens_dashboard(old_remember)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == (
        400
    )
    fresh = app.test_client()
    fresh.post("/login", data={"email": user.email, "password": "a brand new passphrase"})
    assert _opens_dashboard(fresh)


def test_change_password_checks_the_current_one_and_the_length(db, make):
    user = make.organizer()
    with pytest.raises(services.DomainError) as wrong:
        services.change_password(user, "not my password", "a brand new passphrase")
    assert wrong.value.field == "current_password"
    with pytest.raises(services.DomainError) as short:
        services.change_password(user, PASSWORD, "short")
    assert short.value.field == "new_password" and "at least 10" in short.value.message
    db.session.expire_all()
    user = db.session.scalar(select(User))
    assert user.check_password(PASSWORD) and user.session_version == 0  # nothing changed
    services.change_password(user, PASSWORD, "a brand new passphrase")
    db.session.expire_all()
    assert user.check_password("a brand new passphrase") and user.session_version == 1


def test_a_deactivated_user_is_logged_out(app, client, db, make):
    user = make.organizer()
    _login(client, user.email)
    user.active = False
    db.session.commit()
    assert not _opens_dashboard(client)


@pytest.mark.parametrize(
    "forged", ["1", "1:", ":0", "1:x", "x:0", "1:0:0", "", f"{2**70}:0", "0:0", "1:²", "١:0"]
)
def test_malformed_session_ids_load_no_user(app, make, forged):
    make.organizer()  # id 1, version 0
    assert services.user_for_session("1:0") is not None
    assert services.user_for_session(forged) is None


def test_login_starts_a_new_session(app, client, make):
    user = make.organizer()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    _login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}:0"


def test_the_remember_cookie_is_httponly_lax_and_renewed_on_use(app, client, make):
    user = make.organizer()
    response = _login(client, user.email, remember=True)
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER)]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Expires=" in header
    assert "Secure" not in header  # testing runs on http; production is checked below

    browser = _replay(app, client, REMEMBER)
    used = browser.get("/organize/")
    assert used.status_code == 200
    renewed = [h for h in used.headers.getlist("Set-Cookie") if h.startswith(REMEMBER)]
    assert renewed and "HttpOnly" in renewed[0] and "SameSite=Lax" in renewed[0]
    # Once the session carries the login, later requests leave the cookie alone.
    again = browser.get("/organize/")
    assert not [h for h in again.headers.getlist("Set-Cookie") if h.startswith(REMEMBER)]


def test_production_cookies_are_secure(app, make, monkeypatch, database_uri):
    from advocacy import create_app

    user = make.organizer()
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", database_uri)
    monkeypatch.setenv("SERVER_NAME", "localhost")
    monkeypatch.setenv("MAIL_SWEEP_SECONDS", "0")  # no sweeper thread in the test process
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    production = create_app("production")
    client = production.test_client()
    https = {"base_url": "https://localhost"}
    page = client.get("/login", **https).text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
        headers={"Referer": "https://localhost/login"},
        **https,
    )
    assert response.status_code == 302, response.text
    cookies = {h.split("=")[0]: h for h in response.headers.getlist("Set-Cookie")}
    for name in ("session", REMEMBER):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name], cookies[name]
        assert "SameSite=Lax" in cookies[name]

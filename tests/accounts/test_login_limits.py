"""Login: the same hashing work for unknown emails, and limits per address and per account."""

from __future__ import annotations

from unittest import mock

import pytest
from werkzeug.security import check_password_hash

from advocacy import create_app
from advocacy.accounts import services
from tests.factories import PASSWORD

METHOD = "pbkdf2:sha256:1000"  # TestingConfig's PASSWORD_HASH_METHOD
WRONG = "wrong password!"


@pytest.fixture
def spy():
    with mock.patch.object(services, "check_password_hash", wraps=check_password_hash) as spy:
        yield spy


@pytest.mark.parametrize("email", ["nobody@example.org", "inactive@example.org"])
def test_unknown_and_inactive_emails_still_check_a_password_hash(app, db, make, spy, email):
    make.organizer(email="inactive@example.org").active = False
    db.session.commit()
    response = app.test_client().post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    spy.assert_called_once()
    dummy, password = spy.call_args.args
    assert dummy.startswith(METHOD + "$") and password == PASSWORD
    assert not check_password_hash(dummy, PASSWORD)  # the dummy matches no real password


def test_a_known_email_checks_its_own_hash_once(app, make, spy):
    user = make.organizer()
    assert app.test_client().post("/login", data={"email": user.email, "password": "wrong!"})
    spy.assert_called_once_with(user.password_hash, "wrong!")
    assert user.password_hash.startswith(METHOD + "$")  # the same work as the dummy


def test_the_dummy_hash_follows_the_configured_method(app, spy):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:2000"
    assert services.authenticate("nobody@example.org", PASSWORD) is None
    assert spy.call_args.args[0].startswith("pbkdf2:sha256:2000$")


@pytest.fixture
def limited(_migrated, app):
    """An app with the limiter on (fresh memory storage) and small login limits."""
    limited = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_LIMIT_PER_ADDRESS": "4 per 10 minutes",
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per 10 minutes",
        }
    )
    yield limited
    limited.config["RATELIMIT_ENABLED"] = False
    from advocacy.extensions import limiter

    limiter.enabled = False  # the limiter object is shared: leave it as the other tests expect


def _browser(app, address="198.51.100.7"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _attempt(client, email, password=WRONG):
    return client.post("/login", data={"email": email, "password": password})


def test_the_account_limit_holds_across_addresses(limited, make):
    user = make.organizer()
    for n in range(3):
        assert _attempt(_browser(limited, f"198.51.100.{n}"), user.email).status_code == 400
    refused = _attempt(_browser(limited, "203.0.113.99"), user.email, PASSWORD)
    assert refused.status_code == 429
    page = refused.text
    assert "Too many sign-in attempts. Please wait 10 minutes and try again." in page
    assert "Traceback" not in page and "RateLimitExceeded" not in page
    assert refused.headers.get("Retry-After")
    # Other accounts are not locked, and the email is matched as login does (case, spaces).
    assert _attempt(_browser(limited, "203.0.113.99"), "other@example.org").status_code == 400
    blocked = _attempt(_browser(limited, "203.0.113.98"), f"  {user.email.upper()} ", PASSWORD)
    assert blocked.status_code == 429


def test_the_address_limit_covers_every_account(limited, make):
    ada, bob = make.organizer(), make.organizer()
    browser = _browser(limited)
    for _ in range(3):
        assert _attempt(browser, ada.email).status_code == 400
    assert _attempt(browser, bob.email).status_code == 400  # the address's 4th attempt
    # Bob's account has seen one attempt: the address limit refuses his right password.
    assert _attempt(browser, bob.email, PASSWORD).status_code == 429
    assert _attempt(browser, "").status_code == 429  # no email: still this address
    assert _attempt(_browser(limited, "192.0.2.1"), bob.email, PASSWORD).status_code == 302


def test_an_attempt_the_account_limit_refuses_still_counts_for_the_address(limited, make):
    ada, bob = make.organizer(), make.organizer()
    browser = _browser(limited)
    codes = [_attempt(browser, ada.email).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    assert _attempt(browser, bob.email, PASSWORD).status_code == 429  # the address's 5th


def test_get_login_is_never_limited(limited):
    browser = _browser(limited)
    for _ in range(20):
        assert browser.get("/login").status_code == 200


def test_a_hundred_wrong_passwords_then_the_right_one_does_not_log_in(_migrated, app, make):
    from advocacy.extensions import limiter
    from config import Config

    defaults = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "RATELIMIT_ENABLED": True,
            # The shipped defaults (TestingConfig's are out of reach).
            "LOGIN_LIMIT_PER_ADDRESS": Config.LOGIN_LIMIT_PER_ADDRESS,
            "LOGIN_LIMIT_PER_ACCOUNT": Config.LOGIN_LIMIT_PER_ACCOUNT,
        }
    )
    try:
        user = make.organizer()
        browser = _browser(defaults)
        codes = [_attempt(browser, user.email).status_code for _ in range(100)]
        assert codes.count(400) == 10 and codes.count(429) == 90  # 10 per 10 minutes
        assert _attempt(browser, user.email, PASSWORD).status_code == 429
        assert browser.get("/organize/").status_code == 302
    finally:
        limiter.enabled = False

"""Sign-up, resend and "forgot password" send email: limited per client address and per
typed address, the latter shared by the three pages."""

from __future__ import annotations

import pytest

from advocacy import create_app


@pytest.fixture
def limited(_migrated, app):
    limited = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "ACCOUNT_MAIL_LIMIT_PER_ADDRESS": "5 per 10 minutes",
            "ACCOUNT_MAIL_LIMIT_PER_EMAIL": "3 per 10 minutes",
        }
    )
    yield limited
    from advocacy.extensions import limiter

    limiter.enabled = False  # the limiter object is shared: leave it as the other tests expect


def _browser(app, address="198.51.100.7"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_inbox_gets_at_most_the_limit_across_the_three_pages(limited, mailbox):
    email = "ada@example.org"
    sign = {"email": email, "name": "Ada", "password": "a long passphrase"}
    codes = [
        _browser(limited, "198.51.100.1").post("/signup", data=sign).status_code,
        _browser(limited, "198.51.100.2").post("/signup/resend", data={"email": email}).status_code,
        _browser(limited, "198.51.100.3")
        .post("/password/forgot", data={"email": email})
        .status_code,
    ]
    assert codes == [200, 200, 200]
    refused = _browser(limited, "198.51.100.4").post(
        "/password/forgot", data={"email": " ADA@example.org"}
    )
    assert refused.status_code == 429
    assert "Too many requests. Please wait 10 minutes" in refused.text
    assert len(mailbox.messages(to=email)) == 3
    # Another inbox is not blocked.
    other = _browser(limited, "198.51.100.4").post(
        "/password/forgot", data={"email": "bo@example.org"}
    )
    assert other.status_code == 200


def test_one_client_address_is_limited_across_inboxes(limited):
    browser = _browser(limited)
    codes = [
        browser.post("/password/forgot", data={"email": f"p{n}@example.org"}).status_code
        for n in range(6)
    ]
    assert codes == [200] * 5 + [429]
    assert browser.get("/password/forgot").status_code == 200  # GET is never limited

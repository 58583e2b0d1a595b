"""Subscribe requests email a confirmation: limited per client address and per address
emailed, the latter shared by the public form and the preference centre's buttons."""

from __future__ import annotations

import pytest

from advocacy import create_app
from advocacy.mail import suppression


@pytest.fixture
def limited(_migrated, app):
    limited = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "NEWSLETTER_LIMIT_PER_ADDRESS": "5 per 10 minutes",
            "NEWSLETTER_LIMIT_PER_EMAIL": "3 per 10 minutes",
        }
    )
    yield limited
    from advocacy.extensions import limiter

    limiter.enabled = False  # the limiter object is shared: leave it as the other tests expect


def _browser(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_inbox_is_limited_across_clients_and_pages(limited, make, mailbox):
    first, second = make.organization(), make.organization()
    email = "ines@example.org"
    centre = f"/preferences/{suppression.preferences_token(email)}"
    codes = [
        _browser(limited, "198.51.100.1").post(f"/o/{first.slug}/subscribe", data={"email": email}),
        _browser(limited, "198.51.100.2").post(
            f"/o/{second.slug}/subscribe", data={"email": email}
        ),
        _browser(limited, "198.51.100.3").post(f"{centre}/newsletters/{first.id}/subscribe"),
    ]
    assert [c.status_code for c in codes] == [200, 200, 302]
    refused = _browser(limited, "198.51.100.4").post(f"{centre}/newsletters/{second.id}/subscribe")
    assert refused.status_code == 429
    also = _browser(limited, "198.51.100.5").post(
        f"/o/{first.slug}/subscribe", data={"email": " INES@example.org"}
    )
    assert also.status_code == 429
    assert len(mailbox.messages(to=email)) == 3
    other = _browser(limited, "198.51.100.5").post(
        f"/o/{first.slug}/subscribe", data={"email": "other@example.org"}
    )
    assert other.status_code == 200


def test_one_client_address_is_limited_across_inboxes(limited, make):
    org = make.organization()
    browser = _browser(limited, "198.51.100.9")
    codes = [
        browser.post(f"/o/{org.slug}/subscribe", data={"email": f"p{i}@example.org"}).status_code
        for i in range(6)
    ]
    assert codes == [200] * 5 + [429]
    # Reading the form is not limited.
    assert browser.get(f"/o/{org.slug}/subscribe").status_code == 200

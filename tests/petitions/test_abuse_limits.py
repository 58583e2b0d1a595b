"""Signing cannot be used to flood a petition or to mail-bomb an address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from advocacy import create_app
from advocacy.core.db import utcnow
from advocacy.extensions import db as _db
from advocacy.petitions.models import Signature
from tests.factories import sign_form


@pytest.fixture
def limited(_migrated):
    """The app with the per-address limits on (TestingConfig has them off) and small ones."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "RATELIMIT_ENABLED": True,
            "SIGN_LIMIT_PER_ADDRESS": "3 per minute; 5 per hour",
        }
    )
    with app.app_context():
        from tests.conftest import _empty_tables

        _empty_tables()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _count() -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count(Signature.id)))


def test_signing_has_a_burst_limit_per_client_address(limited):
    from tests import factories

    petition = factories.petition()
    client = limited.test_client()
    url = f"/petitions/{petition.slug}/sign"
    here = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(3):
        data = sign_form(email=f"s{n}@example.com")
        assert client.post(url, data=data, environ_base=here).status_code == 302
    over = client.post(url, data=sign_form(email="s9@example.com"), environ_base=here)
    assert over.status_code == 429
    assert "Please wait a little" in over.text and "about a minute" in over.text
    assert "Traceback" not in over.text
    assert over.headers.get("Retry-After")
    assert _count() == 3  # nothing of the refused request was saved, nothing lost
    # Another address (another hospital's network) is not affected; reading is never limited.
    there = {"REMOTE_ADDR": "198.51.100.4"}
    assert (
        client.post(url, data=sign_form(email="t@example.com"), environ_base=there).status_code
        == 302
    )
    assert client.get(f"/petitions/{petition.slug}", environ_base=here).status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_limit(limited):
    from tests import factories

    petition = factories.petition()
    client = limited.test_client()
    url = f"/petitions/{petition.slug}/sign"
    codes = [
        client.post(
            url,
            data=sign_form(email=f"f{n}@example.com"),
            environ_base={"REMOTE_ADDR": "203.0.113.8"},
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]


def test_repeat_signings_send_at_most_three_emails_a_day(app, client, mailbox, make):
    petition = make.petition()
    url = f"/petitions/{petition.slug}/sign"
    pages = [client.post(url, data=sign_form(email="pending@example.com")) for _ in range(21)]
    # The same "check your inbox" answer every time, whether or not mail went.
    assert {(r.status_code, r.headers["Location"]) for r in pages} == {
        (302, f"/petitions/{petition.slug}/check-your-inbox")
    }
    assert len(mailbox.messages(to="pending@example.com", kind="confirm_signature")) == 3
    assert _count() == 1


def test_already_signed_notes_are_limited_too_and_the_day_rolls_over(
    app, client, mailbox, make, db
):
    petition = make.petition()
    make.signature(petition, email="done@example.com")
    url = f"/petitions/{petition.slug}/sign"
    for _ in range(20):
        assert client.post(url, data=sign_form(email="Done@Example.com")).status_code == 302
    assert len(mailbox.messages(to="done@example.com", kind="already_signed")) == 3
    # A day later the window starts again.
    db.session.execute(
        update(Signature).values(notices_since=utcnow() - timedelta(days=1, seconds=1))
    )
    db.session.commit()
    client.post(url, data=sign_form(email="done@example.com"))
    client.post(url, data=sign_form(email="done@example.com"))
    assert len(mailbox.messages(to="done@example.com", kind="already_signed")) == 5


def test_the_limit_is_per_petition(app, client, mailbox, make):
    first, second = make.petition(), make.petition()
    for petition in (first, second):
        for _ in range(5):
            client.post(f"/petitions/{petition.slug}/sign", data=sign_form(email="p@example.com"))
    assert len(mailbox.messages(to="p@example.com", kind="confirm_signature")) == 6

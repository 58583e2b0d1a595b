"""Members with a profile: sign-up helpers, an address in Syracuse, several browsers."""

from __future__ import annotations

import re

import pytest
from flask import g

from advocacy.accounts import services
from tests.factories import PASSWORD

SYRACUSE = {
    "first_name": "Maria",
    "last_name": "Okonkwo",
    "address": "120 Walton St",
    "city": "Syracuse",
    "zip": "13202",
}


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    """Load the user afresh on every request, as a served app does (see tests/accounts)."""

    @app.before_request
    def _forget_loaded_user() -> None:
        g.pop("_login_user", None)


def results(page: str) -> str:
    """The legislators shown on "My legislators" (after the district choice form)."""
    return page.split('id="results-heading"', 1)[1]


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def member(db, email: str = "maria@example.org", name: str = "Maria Okonkwo", confirmed=True):
    user = services.new_user(email, name, PASSWORD, confirmed=confirmed)
    db.session.commit()
    return user


def sign_up_and_confirm(client, mailbox, email: str = "maria@example.org") -> None:
    """The whole sign-up: the form, the emailed link's button, then a login."""
    response = client.post(
        "/signup", data={"name": "Maria Okonkwo", "email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    link = path_of(mailbox.last_link(email, "account_confirm"))
    assert client.post(link).status_code == 302
    login = client.post("/login", data={"email": email, "password": PASSWORD})
    assert login.status_code == 302, login.text


@pytest.fixture
def logged_in(client, db):
    """A confirmed member, logged in on ``client``."""
    user = member(db)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return user

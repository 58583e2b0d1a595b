"""A member downloads their data, then deletes their account: the password and a ticked
box, logged out, and the petition they signed still shows the same count."""

from __future__ import annotations

import json

import pytest

from advocacy.accounts import services
from advocacy.extensions import db
from advocacy.petitions import services as petitions
from tests import factories

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser

EMAIL = "mia@example.com"
PASSWORD = "syracuse residency 2027"


@pytest.fixture
def member(live_server, seeded):
    """A member who signed the seeded petition by the account's address."""
    with live_server.app.app_context():
        services.new_user(EMAIL, "Mia Member", PASSWORD, confirmed=True)
        petition = petitions.get_public_petition(seeded.slug)
        factories.signature(petition, email=EMAIL, first_name="Mia", last_name="Member")
        db.session.remove()
    return seeded.count + 1


def _drift(app) -> list:
    """What ``flask petitions recount --check`` would report (the seed writes no rollups,
    so the test compares before with after)."""
    with app.app_context():
        try:
            return petitions.recount(fix=False)
        finally:
            db.session.remove()


def test_member_downloads_their_data_and_deletes_the_account(page, live_server, store, member):
    drift = _drift(live_server.app)
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")
    assert page.get_by_role("heading", name="Your data").is_visible()
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "account-your-data")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download my data").click()
    download = info.value
    assert download.suggested_filename.startswith("advocacy-my-data-")
    data = json.loads(download.path().read_text(encoding="utf-8"))
    assert data["account"]["email"] == EMAIL
    assert [s["first_name"] for s in data["signatures"]] == ["Mia"]

    page.get_by_role("link", name="Delete my account").click()
    page.wait_for_url("**/account/delete")
    page.get_by_label("Your password").fill("not my password at all")
    page.get_by_role("button", name="Delete my account").click()
    assert "Tick the box" in page.locator("main").inner_text()
    assert "not your current password" not in page.locator("main").inner_text()
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "account-delete-error")
    page.get_by_label("Your password").fill("not my password at all")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    assert "not your current password" in page.locator("main").inner_text()
    assert store.count("let-doctors-practice") == member

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(live_server("/"))
    assert "Your account is deleted" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Log in").count() >= 1

    page.goto(live_server("/petitions/let-doctors-practice"))
    assert "Mia" not in page.locator("main").inner_text()
    assert store.count("let-doctors-practice") == member
    assert _drift(live_server.app) == drift

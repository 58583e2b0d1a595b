"""What a new member does in a real browser: sign up, confirm by email, log in, forget the
password and choose a new one; every page at desktop and phone width."""

from __future__ import annotations

import pytest

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser

EMAIL = "grace@example.com"
PASSWORD = "syracuse residency 2027"


def _outbox_link(page, live_server, text: str) -> str:
    page.goto(live_server("/dev/outbox"))
    message = page.locator(".outbox-message").filter(has_text=EMAIL).first
    return message.locator(f'a[href*="{text}"]').first.get_attribute("href")


def test_member_signs_up_confirms_logs_in_and_resets_the_password(page, live_server):
    page.goto(live_server("/"))
    page.get_by_role("link", name="Sign up").click()
    page.wait_for_url("**/signup")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("password")  # short and common
    page.get_by_role("button", name="Create my account").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Your name").input_value() == "Grace Hopper"  # entries kept
    assert_accessible(page)
    snap(page, "account-signup-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "account-check-inbox")

    page.goto(_outbox_link(page, live_server, "/signup/confirm/"))
    assert_accessible(page)
    snap(page, "account-confirm")
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_url("**/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")
    assert EMAIL in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Organize").count() == 0
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "account-page")

    page.get_by_role("button", name="Log out").click()
    page.goto(live_server("/login"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Email me a link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    page.goto(_outbox_link(page, live_server, "/password/reset/"))
    assert_accessible(page)
    snap(page, "account-reset")
    page.get_by_label("New password").fill("a new passphrase for grace")
    page.get_by_role("button", name="Set my new password").click()
    page.wait_for_url("**/account")
    assert "Your password is changed" in page.locator("main").inner_text()

"""A member on a phone and a laptop: sign up, confirm, an address in Syracuse, their
legislators with the split Assembly district asked once, the letter from the profile, and
the history with the letter's PDF."""

from __future__ import annotations

import re

import pytest

from advocacy.extensions import db
from tests.letters.conftest import campaign

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser

EMAIL = "ines.profile@example.com"
PASSWORD = "unmatched but writing 2027"


def _checked(page, name: str) -> None:
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, name)


def test_member_sets_an_address_writes_from_the_profile_and_reads_the_history(
    page, live_server, live_directory
):
    with live_server.app.app_context():
        campaign(slug="profile-residencies", title="Fund residency positions from the profile")
        db.session.remove()

    page.goto(live_server("/signup"))
    page.get_by_label("Your name").fill("Inès Okafor")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.goto(live_server("/dev/outbox"))
    message = page.locator(".outbox-message").filter(has_text=EMAIL).first
    page.goto(message.locator('a[href*="/signup/confirm/"]').first.get_attribute("href"))
    page.get_by_role("button", name="Confirm my address").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")

    page.get_by_role("link", name="See my legislators").click()
    page.wait_for_url("**/account/legislators")
    page.get_by_role("link", name="Add your address").click()
    assert page.get_by_label("First name").input_value() == "Inès"
    page.get_by_label("Street address").fill("120 Walton St")
    page.get_by_label("City").fill("Syracuse")
    page.get_by_label("ZIP code").fill("1320")
    page.get_by_role("button", name="Save my address").click()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("Street address").input_value() == "120 Walton St"
    _checked(page, "profile-address-error")
    page.get_by_label("ZIP code").fill("13202")
    page.get_by_role("button", name="Save my address").click()
    page.wait_for_url("**/account/legislators")

    assert page.get_by_role("heading", name="Which district is yours?").is_visible()
    _checked(page, "profile-legislators-split")
    page.get_by_label(re.compile("NY District 129")).check()
    page.get_by_role("button", name="Save my district").click()
    page.wait_for_url("**/account/legislators")
    names = page.locator(".member-name").all_inner_texts()
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion", "Rachel May",
                 "Bill Magnarelli"):  # fmt: skip
        assert name in names
    assert "Pamela Hunter" not in names
    _checked(page, "profile-legislators")

    page.get_by_role("button", name=re.compile("Write this letter")).first.click()
    page.wait_for_url(re.compile(r".*/letters/[^/]+$"))
    assert page.get_by_role("heading", name="Which district is yours?").count() == 0
    page.get_by_label(re.compile("Your own words")).fill(
        "I graduated from medical school and am waiting for a residency in Syracuse."
    )
    page.get_by_role("button", name="Review my letters").click()
    page.get_by_role("button", name=re.compile("Send")).click()
    page.wait_for_url(re.compile(r".*/sent$"))

    page.goto(live_server("/account/history"))
    letters = page.locator("article.letter-card")
    assert letters.count() == 5
    assert "Ready for you to send" in page.locator("main").inner_text()
    _checked(page, "profile-history")
    pdf_link = page.get_by_role("link", name=re.compile("Download the letter as a PDF")).first
    response = page.request.get(live_server(pdf_link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

"""A supporter on a phone: sign, confirm, write their letters, review them and send."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters.models import Letter, LetterStatus
from tests.letters.conftest import campaign

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser


def test_sign_confirm_write_review_and_send_on_a_phone(
    phone_page, live_server, seeded, live_directory
):
    page = phone_page
    with live_server.app.app_context():
        from advocacy.petitions.models import Petition

        petition = db.session.scalars(select(Petition).where(Petition.slug == seeded.slug)).one()
        campaign(petition=petition, slug="write-for-residencies")
        db.session.remove()

    page.goto(live_server(f"/petitions/{seeded.slug}"))
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("Okonkwo")
    page.get_by_label("Email", exact=True).fill("maria.letters@example.com")
    page.get_by_label("ZIP code").fill("13202")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url("**/check-your-inbox*")

    page.goto(live_server("/dev/outbox"))
    message = page.locator(".outbox-message").filter(has_text="maria.letters@example.com").first
    message.locator('a[href*="/signatures/confirm/"]').first.click()
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_url("**/signatures/confirmed/**")
    assert_no_horizontal_overflow(page)
    page.get_by_role("link", name="Write my letters").click()

    page.wait_for_url(re.compile(r".*/letters/[^/]+$"))
    assert page.get_by_role("heading", name="Which district is yours?").is_visible()
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "letters-choose", phone=False)
    page.get_by_label("NY District 129").check()
    page.get_by_role("button", name="Save my district").click()
    page.wait_for_url(re.compile(r".*/letters/[^/]+$"))

    recipients = page.locator(".recipient-list").inner_text()
    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion", "Rachel May"):
        assert name in recipients
    assert "Offices give more weight to letters in your own words" in page.content()
    page.get_by_label(re.compile("Your own words")).fill(
        "I finished medical school in Lagos and am waiting for a residency in Syracuse."
    )
    assert_no_horizontal_overflow(page)
    snap(page, "letters-write", phone=False)
    page.get_by_role("button", name="Review my letters").click()

    page.wait_for_url("**/review")
    assert page.locator(".letter-card").count() == 5
    assert "Dear Senator Schumer:" in page.content()
    assert "Dear Representative Mannion:" in page.content()
    assert "Dear Assembly Member Magnarelli:" in page.content()
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "letters-review", phone=False)
    send = page.get_by_role("button", name="Send my letters")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    send.click()

    page.wait_for_url("**/sent")
    assert "your letters are on their way" in page.content()
    assert page.get_by_role("button", name="Copy the letter").first.is_visible()  # copy.js
    assert page.get_by_role("link", name="Open the office's form").count() >= 2
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "letters-sent", phone=False)
    page.get_by_role("button", name="I sent it").first.click()
    page.wait_for_url("**/sent*")
    assert "You sent it" in page.content()

    with live_server.app.app_context():
        statuses = db.session.scalars(select(Letter.status)).all()
        db.session.remove()
    assert LetterStatus.DRAFTED not in statuses and LetterStatus.REPORTED_SENT in statuses

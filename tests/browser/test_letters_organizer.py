"""An organizer starts a standalone campaign to the AAMC; a supporter writes; the counts move."""

from __future__ import annotations

import re

import pytest

from advocacy.extensions import db
from tests import factories

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser


def test_an_organizer_campaign_to_an_organisation_from_template_to_counts(
    page, browser, live_server, live_directory
):
    with live_server.app.app_context():
        org = factories.organization("Unmatched Graduates Now")
        email = factories.organizer(org, email="olu@unmatched.example").email
        db.session.remove()

    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server("/organize/campaigns/new"))
    page.locator("#title").fill("Ask the AAMC to back more residency positions")
    page.locator("#slug").fill("aamc-residencies")
    page.locator("#ask").fill("Back the Resident Physician Shortage Reduction Act")
    page.locator("#goal").fill("500")
    page.locator("#subject_template").fill("More residency positions, from {{ supporter.city }}")
    page.locator("#body_template").fill(
        "I write from {{ supporter.city }}.\n\n{{ supporter.password }}"
    )
    page.get_by_role("button", name="Save draft").click()
    # Refused with the line and the reason, every other entry kept.
    main = page.inner_text("main")
    assert "Line 3: {{ supporter.password }} is not a merge field" in main, main[-3000:]
    assert page.locator("#title").input_value() == "Ask the AAMC to back more residency positions"
    assert_accessible(page)

    page.locator("#body_template").fill(
        "I write from {{ supporter.city }}, {{ supporter.state }}.\n\n{{ personal_note }}\n\n"
        "Please back more residency positions."
    )
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/organize/campaigns/\d+/edit"))
    campaign_id = re.search(r"/campaigns/(\d+)/", page.url)[1]

    page.goto(live_server(f"/organize/campaigns/{campaign_id}/targets/new"))
    page.get_by_label("Name").fill("Association of American Medical Colleges")
    page.locator("#salutation").fill("Dear AAMC leadership:")
    page.locator("#address").fill("655 K Street NW, Suite 100\nWashington, DC 20001-2399")
    page.get_by_role("button", name=re.compile("Add|Save")).first.click()
    page.wait_for_url(re.compile(r".*/organize/campaigns/\d+/edit.*"))
    page.get_by_role("button", name="Preview").click()
    assert "Dear AAMC leadership:" in page.inner_text("#preview")
    snap(page, "campaign-preview")

    page.get_by_role("button", name=re.compile("^Publish")).first.click()
    page.get_by_role("button", name=re.compile("^Yes")).click()
    assert "is open for letters" in page.inner_text("main")

    # A supporter on a phone writes to the AAMC from the action page.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server("/act/aamc-residencies"))
    assert phone.get_by_role("heading", name=re.compile("Write to")).is_visible()
    assert_no_horizontal_overflow(phone)
    phone.get_by_label("First name").fill("Lee")
    phone.get_by_label("Last name").fill("Nguyễn")
    phone.get_by_label("Email", exact=True).fill("lee@example.com")
    phone.get_by_label("Street address").fill("100 S Salina St")
    phone.get_by_label("City").fill("Syracuse")
    phone.get_by_label("ZIP code").fill("13202")
    phone.get_by_role("button", name="Continue to my letters").click()
    phone.goto(live_server("/dev/outbox"))
    message = phone.locator(".outbox-message").filter(has_text="lee@example.com").first
    message.locator('a[href*="/letters/confirm/"]').first.click()
    phone.get_by_role("button", name=re.compile("Confirm")).click()
    phone.get_by_label(re.compile("Your own words")).fill("I am an unmatched graduate.")
    phone.get_by_role("button", name="Review my letters").click()
    assert "Dear AAMC leadership:" in phone.inner_text("main")
    phone.get_by_role("button", name=re.compile("^Send")).first.click()
    assert "Thank you, Lee" in phone.inner_text("main")
    phone.context.close()

    page.goto(live_server(f"/organize/campaigns/{campaign_id}"))
    totals = page.inner_text("#totals")
    assert re.search(r"Letters confirmed\s+1", totals), totals
    assert "Association of American Medical Colleges" in page.inner_text("main")
    assert_accessible(page)
    snap(page, "campaign-report")

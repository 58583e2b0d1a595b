"""A doctor offers to help an organisation in New York and Illinois, confirms by email, and
the organizer finds them in the list, by filter and in the CSV. Every page at desktop and
phone width; then the volunteer withdraws."""

from __future__ import annotations

import csv
import io

import pytest

from advocacy.extensions import db
from tests import factories

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser

EMAIL = "amara@example.com"


def _check(page, name: str) -> None:
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, name)


def test_volunteer_signs_up_confirms_and_the_organizer_exports(page, live_server, seeded):
    app = live_server.app
    with app.app_context():
        org = factories.organization("Physicians Bridge")
        organizer_email = factories.organizer(org, email="olu@bridge.example").email
        slug, org_id = org.slug, org.id
        db.session.remove()

    page.goto(live_server(f"/o/{slug}/volunteer"))
    page.get_by_role("button", name="Offer to help").click()
    assert page.locator("#error-summary").is_visible()
    _check(page, "volunteer-form-errors")
    page.get_by_label("Your name").fill("Amara Okafor")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("New York").check()
    page.get_by_label("Illinois").check()
    page.get_by_label("International medical graduate").check()
    page.get_by_label("Licence or certification status").fill("ECFMG certified; USMLE 1, 2 CK")
    page.get_by_label("Part time").check()
    page.get_by_label("I could help by telehealth").check()
    page.locator("#consent").check()
    _check(page, "volunteer-form")
    page.get_by_role("button", name="Offer to help").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"

    page.goto(live_server("/dev/outbox"))
    message = page.locator(".outbox-message").filter(has_text=EMAIL).first
    link = message.locator('a[href*="/volunteer/confirm/"]').first.get_attribute("href")
    page.goto(link)
    assert "IL, NY" in page.locator("main").inner_text()
    _check(page, "volunteer-confirm")
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for offering to help"
    _check(page, "volunteer-confirmed")
    withdraw = page.get_by_role("link", name="Withdraw my offer").get_attribute("href")

    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(organizer_email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server("/organize/"))
    assert "1 confirmed volunteer" in page.locator("main").inner_text()
    page.get_by_role("link", name="See volunteers of Physicians Bridge").click()
    page.wait_for_url(f"**/organize/volunteers/{org_id}")
    assert "Amara Okafor" in page.locator("main").inner_text()
    page.get_by_label("State").select_option("IL")
    page.get_by_label("Telehealth").select_option("yes")
    page.get_by_role("button", name="Filter").click()
    assert "Amara Okafor" in page.locator("main table").inner_text()
    _check(page, "volunteer-organizer")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    table = list(csv.reader(io.StringIO(text)))
    assert table[1][:3] == ["Amara Okafor", EMAIL, "IL NY"]

    # The volunteer withdraws from the link: the organizer's list is empty again.
    page.goto(withdraw)
    _check(page, "volunteer-withdraw")
    page.get_by_role("button", name="Withdraw and delete my details").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You have withdrawn"
    _check(page, "volunteer-withdrawn")
    page.goto(live_server(f"/organize/volunteers/{org_id}"))
    assert "Amara Okafor" not in page.locator("main").inner_text()

"""A member applies to an organisation in a real browser, its organizer approves, and the
member finds the organisation on /account; every page at desktop and phone width."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from advocacy.accounts import services as accounts
from advocacy.extensions import db
from advocacy.membership.demo import load_demo_intake
from tests import factories
from tests.conftest import DIRECTORY_TABLES

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser

MEMBER = "amara@example.org"


def _seed(app) -> tuple[str, int]:
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in DIRECTORY_TABLES:
                    conn.execute(text(f"DELETE FROM {table.name}"))  # noqa: S608 - our tables
        org = factories.organization("Unmatched Medical Graduates Coalition")
        factories.organizer(org, email="olive@example.org")
        accounts.new_user(MEMBER, "Amara Okafor", factories.PASSWORD, confirmed=True)
        db.session.commit()
        load_demo_intake(org)
        slug, org_id = org.slug, org.id
        db.session.remove()
    return slug, org_id


def _login(page, live_server, email: str) -> None:
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _check(page, name: str) -> None:
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, name)


def test_member_applies_organizer_approves_member_sees_it(browser, page, live_server):
    slug, org_id = _seed(live_server.app)
    page.goto(live_server(f"/o/{slug}/apply"))
    assert page.get_by_role("link", name="Log in to apply").is_visible()
    _check(page, "members-apply-anonymous")

    _login(page, live_server, MEMBER)
    page.goto(live_server(f"/o/{slug}/apply"))
    page.get_by_label("Year of graduation from medical school").fill("19")
    page.get_by_label("Country of your medical school").fill("Nigeria")
    page.get_by_label("USMLE steps passed").select_option("Step 1 and Step 2 CK")
    page.get_by_label("Yes").check()
    page.get_by_label("State of residence").fill("NY")
    page.get_by_role("button", name="Send my application").click()
    assert page.get_by_role("alert").is_visible()
    assert "from 1960 to 2030" in page.locator("main").inner_text()
    assert page.get_by_label("Country of your medical school").input_value() == "Nigeria"
    _check(page, "members-apply-error")
    page.get_by_label("Year of graduation from medical school").fill("2018")
    page.get_by_role("button", name="Send my application").click()
    assert "is sent" in page.locator("main").inner_text()
    _check(page, "members-apply-pending")

    organizer = browser.new_context(viewport=page.viewport_size).new_page()
    _login(organizer, live_server, "olive@example.org")
    organizer.goto(live_server("/organize/members"))
    _check(organizer, "members-organize-list")
    organizer.goto(live_server(f"/organize/orgs/{org_id}/application"))
    _check(organizer, "members-organize-setup")
    organizer.goto(live_server(f"/organize/orgs/{org_id}/applications"))
    _check(organizer, "members-organize-applications")
    organizer.get_by_role("link", name="Amara Okafor").click()
    assert "Nigeria" in organizer.locator("main").inner_text()
    _check(organizer, "members-organize-application")
    organizer.get_by_label("Note to the applicant").fill("Welcome to the coalition!")
    organizer.get_by_role("button", name="Approve").click()
    assert "we emailed them" in organizer.locator("main").inner_text()
    organizer.context.close()

    page.goto(live_server("/account"))
    section = page.locator("#organisations")
    assert "Unmatched Medical Graduates Coalition" in section.inner_text()
    assert "Member" in section.inner_text()
    assert page.get_by_role("link", name="Organize").count() == 0
    _check(page, "members-account")

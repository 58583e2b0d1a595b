"""A reader subscribes to a newsletter (no account), confirms by email, manages everything
from the preference centre and leaves; an organizer subscribes from /account, sees the count
and sends a newsletter. Every page at desktop and phone width."""

from __future__ import annotations

import pytest

from advocacy.extensions import db
from tests import factories

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser

EMAIL = "noor@example.com"


def _outbox_link(page, live_server, text: str) -> str:
    page.goto(live_server("/dev/outbox"))
    message = page.locator(".outbox-message").filter(has_text=EMAIL).first
    return message.locator(f'a[href*="{text}"]').first.get_attribute("href")


def _check(page, name: str) -> None:
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, name)


def test_subscribe_confirm_manage_and_leave(page, live_server, seeded):
    app = live_server.app
    with app.app_context():
        org = factories.organization("Doctors for Access")
        # The reader signed a petition of another organisation and asked for its updates.
        other = factories.organization("Collaborative Practice Now")
        petition = factories.petition(other, slug="open-practice", title="Open practice now")
        factories.signature(petition, email=EMAIL, opt_in=True)
        organizer_email = factories.organizer(org, email="omar@access.example").email
        slug = org.slug
        db.session.remove()

    page.goto(live_server(f"/o/{slug}/subscribe"))
    page.get_by_role("button", name="Subscribe").click()
    assert "Enter your email address." in page.locator("#email-error").inner_text()
    _check(page, "newsletter-subscribe-error")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    _check(page, "newsletter-check-inbox")

    page.goto(_outbox_link(page, live_server, "/newsletter/confirm/"))
    _check(page, "newsletter-confirm")
    page.get_by_role("button", name="Confirm my subscription").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    page.get_by_role("link", name="See all the email you get").click()
    page.wait_for_url("**/preferences/**")
    main = page.locator("main")
    assert "Doctors for Access" in main.inner_text()
    assert "Updates about Open practice now" in main.inner_text()
    _check(page, "newsletter-preferences")

    # Stop one petition's updates, then leave the newsletter.
    page.get_by_role("button", name="Stop these updates").click()
    assert "No more updates about “Open practice now”" in main.inner_text()
    page.get_by_role("button", name="Leave the newsletter").click()
    assert "You left the newsletter of Doctors for Access" in main.inner_text()
    assert page.get_by_role("button", name="Leave the newsletter").count() == 0
    _check(page, "newsletter-preferences-after")

    # An organizer, as a member, subscribes in one click and sees the count.
    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(organizer_email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server("/account"))
    mine = page.locator("#newsletters li").filter(has_text="Doctors for Access")
    mine.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/account#newsletters")
    assert "You get the newsletter of" in page.locator("main").inner_text()
    _check(page, "newsletter-account")
    page.goto(live_server("/organize/"))
    assert "1 confirmed subscriber" in page.locator("main").inner_text()
    _check(page, "newsletter-dashboard")

    # ...and sends it a newsletter, asked once before it goes.
    page.get_by_role("link", name="Send a newsletter of Doctors for Access").click()
    page.get_by_label("Subject").fill("Spring news from Doctors for Access")
    page.get_by_label("Newsletter", exact=True).fill("We met the **licensing board**.")
    _check(page, "newsletter-organizer")
    page.get_by_role("button", name="Send…").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Send to 1 subscriber?")
    page.get_by_role("button", name="Yes, send to 1 subscriber").click()
    assert "Sending to 1 subscriber." in page.locator("main").inner_text()
    _check(page, "newsletter-organizer-sent")

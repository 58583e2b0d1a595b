"""What a supporter does in a real browser: sign, confirm by email, make mistakes, use a phone."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import SCREENSHOTS, assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser


def sign_count(page) -> int:
    text = page.locator(".sign-panel .count").inner_text()
    return int(text.replace(",", ""))


def fill_with_keyboard(page, first, last, email, zip_code, comment="") -> None:
    """Type into the sign form the way a keyboard user does: one field, Tab, the next."""
    page.get_by_label("First name").focus()
    for value in (first, last, email, zip_code, "", comment):
        if value:
            page.keyboard.type(value)
        page.keyboard.press("Tab")


def test_supporter_signs_confirms_by_email_and_cannot_sign_twice(page, live_server, seeded, store):
    page.goto(live_server("/"))
    assert_accessible(page)
    snap(page, "home")
    page.get_by_role("link", name=re.compile("Let internationally trained doctors")).click()

    page.wait_for_url(f"**/petitions/{seeded.slug}")
    assert sign_count(page) == seeded.count
    assert_accessible(page)
    snap(page, "petition")

    fill_with_keyboard(
        page, "Maria", "Lopez", "maria@example.com", "13202", "My mother waited a year."
    )
    # Tab has walked past the comment: "show my name" (checked), "keep me updated", the button.
    assert page.evaluate("document.activeElement.name") == "public"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # opt in
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Sign the petition"
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/petitions/{seeded.slug}/check-your-inbox*")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert_accessible(page)
    snap(page, "check-inbox")
    assert store.count(seeded.slug) == seeded.count

    page.goto(live_server("/dev/outbox"))
    assert_accessible(page)
    snap(page, "outbox")
    message = page.locator(".outbox-message").filter(has_text="maria@example.com").first
    message.locator('a[href*="/signatures/confirm/"]').first.click()

    page.wait_for_url("**/signatures/confirm/**")
    assert "Maria L." in page.locator("main").inner_text()
    assert_accessible(page)
    snap(page, "confirm")
    page.get_by_role("button", name="Confirm my signature").click()

    page.wait_for_url("**/signatures/confirmed/**")
    number = seeded.count + 1
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Thank you — you are signer number {number}"
    assert page.get_by_role("link", name="Facebook").count() == 1
    assert page.get_by_role("button", name="Copy link").is_visible()  # share.js shows it
    assert_accessible(page)
    snap(page, "thanks")

    page.get_by_role("link", name="Back to the petition").click()
    page.wait_for_url(f"**/petitions/{seeded.slug}")
    assert sign_count(page) == number
    assert "Maria L." in page.locator(".signers").inner_text()

    # The same email again: the same page, nothing counted twice, a note by email instead.
    fill_with_keyboard(page, "Maria", "Lopez", "maria@example.com", "13202")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url(f"**/petitions/{seeded.slug}/check-your-inbox*")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    page.goto(live_server(f"/petitions/{seeded.slug}"))
    assert sign_count(page) == number
    assert store.count(seeded.slug) == number
    page.goto(live_server("/dev/outbox"))
    assert page.locator(".outbox-message").first.locator(".outbox-subject").inner_text() == (
        "You have already signed: Let internationally trained doctors practice where "
        "patients need them"
    )


def test_invalid_input_shows_field_messages_and_keeps_entries(page, live_server, seeded, store):
    signatures, messages = store.signatures(), store.messages()
    page.goto(live_server(f"/petitions/{seeded.slug}"))
    fill_with_keyboard(page, "Maria", "Lopez", "maria@", "1320", "Because patients wait.")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign the petition").click()

    assert page.get_by_role("alert").inner_text().startswith("Please correct the 2 fields")
    # sign.js moves focus to the summary, so a screen reader announces it first.
    page.wait_for_function("document.activeElement.id === 'error-summary'")
    email, zip_code = page.get_by_label("Email", exact=True), page.get_by_label("ZIP code")
    assert email.get_attribute("aria-invalid") == "true"
    assert zip_code.get_attribute("aria-invalid") == "true"
    assert "Enter a valid email address" in page.locator("#email-error").inner_text()
    assert "Enter a 5-digit ZIP code" in page.locator("#zip-error").inner_text()
    assert "email-error" in email.get_attribute("aria-describedby")
    # What was typed stays, so only the mistakes need fixing.
    assert page.get_by_label("First name").input_value() == "Maria"
    assert page.get_by_label("Last name").input_value() == "Lopez"
    assert email.input_value() == "maria@"
    assert page.get_by_label(re.compile("Why are you signing")).input_value() == (
        "Because patients wait."
    )
    assert_accessible(page)
    snap(page, "petition-errors")
    assert (store.signatures(), store.messages()) == (signatures, messages)
    assert store.count(seeded.slug) == seeded.count

    # Fixing the two fields is enough: the CSRF token in the re-rendered form still works.
    email.fill("maria@example.com")
    zip_code.fill("13202")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url(f"**/petitions/{seeded.slug}/check-your-inbox*")
    assert store.signatures() == signatures + 1


def test_petition_page_fits_a_phone(phone_page, live_server, seeded):
    page = phone_page
    for path in ("/", f"/petitions/{seeded.slug}", "/no-such-page"):
        page.goto(live_server(path))
        assert_no_horizontal_overflow(page)
    assert_accessible(page)
    snap(page, "not-found")

    page.goto(live_server(f"/petitions/{seeded.slug}"))
    snap(page, "petition-phone", phone=False)
    # The count and a way to the form show on the first screen, above the petition text.
    jump = page.get_by_role("link", name="Sign now")
    assert jump.is_visible() and jump.bounding_box()["y"] + 44 < 844
    jump.click()
    button = page.get_by_role("button", name="Sign the petition")
    page.get_by_label("First name").focus()
    button.scroll_into_view_if_needed()
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] >= 44, "a thumb-sized target"
    assert_no_horizontal_overflow(page)


def test_signing_works_without_javascript(no_js_page, live_server, seeded, store):
    page = no_js_page
    page.goto(live_server(f"/petitions/{seeded.slug}"))
    page.get_by_label("First name").fill("Noor")
    page.get_by_label("Last name").fill("Haddad")
    page.get_by_label("Email", exact=True).fill("noor@example.com")
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_role("button", name="Sign the petition").click()
    page.wait_for_url(f"**/petitions/{seeded.slug}/check-your-inbox*")

    page.goto(live_server("/dev/outbox"))
    page.locator('.outbox-message a[href*="/signatures/confirm/"]').first.click()
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_url("**/signatures/confirmed/**")
    assert store.count(seeded.slug) == seeded.count + 1
    # Without the script the link to share is a plain field to copy from; no dead button.
    link = page.get_by_label("Or copy the link").input_value()
    assert link.startswith(live_server(f"/petitions/{seeded.slug}?ref=copy."))
    assert not page.get_by_role("button", name="Copy link").is_visible()


def test_member_finds_their_legislators_and_settles_a_split_zip(page, live_server, live_directory):
    page.goto(live_server("/"))
    page.get_by_role("link", name="Your legislators").click()
    page.wait_for_url("**/legislators")
    page.get_by_label("ZIP code").fill("13202")
    page.get_by_role("button", name="Find").click()

    page.get_by_role("heading", name=re.compile("Your legislators for ZIP 13202")).wait_for()
    senate = page.locator("section.race").filter(
        has=page.get_by_role("heading", name="U.S. Senate")
    )
    assert senate.locator(".member-name").all_inner_texts() == [
        "Charles E. Schumer",
        "Kirsten E. Gillibrand",
    ]
    house = page.locator("section.race").filter(has=page.get_by_role("heading", name="U.S. House"))
    assert house.locator(".member-name").all_inner_texts() == ["John W. Mannion"]
    assert "NY-22" in house.inner_text()
    assert house.get_by_role("link", name="Official website").count() == 1
    assert "202-225-3701" in house.inner_text()
    assert "Directory as of" in page.locator(".directory-note").inner_text()
    assert_accessible(page)
    snap(page, "legislators-13202")

    page.get_by_label("ZIP code").fill("10001")
    page.get_by_role("button", name="Find").click()
    page.get_by_text("Which of these is your representative?").wait_for()
    page.get_by_role("radio", name=re.compile("NY-12")).check()
    page.locator("form.choose-form").filter(
        has=page.get_by_role("radio", name=re.compile("NY-12"))
    ).get_by_role("button", name="This is mine").click()

    house = page.locator("section.race").filter(has=page.get_by_role("heading", name="U.S. House"))
    house.get_by_text("your choice").wait_for()
    assert house.locator(".member-name").all_inner_texts() == ["Jerrold Nadler"]
    assert_no_horizontal_overflow(page)
    snap(page, "legislators-10001-chosen")


def test_organizer_writes_tests_and_sends_an_update_to_opted_in_signers(
    page, live_server, seeded, store
):
    from sqlalchemy import update as sql_update

    from advocacy.extensions import db
    from advocacy.petitions.models import Petition, Signature
    from tests import factories

    app = live_server.app
    app.config["MAIL_BULK_RATE"] = 0  # the report should be complete when we look
    with app.app_context():
        petition = db.session.scalar(select_petition(Petition, seeded.slug))
        organizer = factories.organizer(petition.organization, email="olive@doctors.example")
        db.session.execute(
            sql_update(Signature).where(Signature.petition_id == petition.id).values(opt_in=True)
        )
        db.session.commit()
        petition_id, email = petition.id, organizer.email
        db.session.remove()

    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server(f"/organize/petitions/{petition_id}/edit"))
    page.get_by_role("link", name="Updates to signers").click()
    assert "6 confirmed signers who asked for updates" in page.inner_text("main")
    page.get_by_role("link", name="Write an update").click()
    page.get_by_label("Subject").fill("We delivered your signatures")
    page.get_by_label("Update").fill(
        "## Thank you\n\nWe met **12 offices** this week. <script>alert(1)</script>"
    )
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.inner_text("main")

    preview = page.frame_locator("iframe[title^='Preview']")
    assert preview.get_by_role("heading", name="Thank you").is_visible()
    assert "<script>alert(1)</script>" in preview.locator("body").inner_text()  # text, not run
    snap(page, "organizer-update-draft")
    page.locator("iframe[title^='Preview']").screenshot(path=SCREENSHOTS / "update-preview.png")

    page.get_by_role("button", name="Send me a test").click()
    assert f"A test is on its way to {email}" in page.inner_text("main")
    page.get_by_role("button", name="Send to 6 signers").click()
    # It asks once: nothing leaves until "Yes".
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Send to 6 signers? This cannot be undone"
    )
    assert_accessible(page)
    snap(page, "organizer-update-confirm")
    assert store.outbox_count(kind="update") == 0
    page.get_by_role("button", name="Yes, send to 6 signers").click()
    assert "Sending to 6 signers" in page.inner_text("main")
    deadline = time.monotonic() + 10
    while store.outbox_count(kind="update", status="sent") < 6 and time.monotonic() < deadline:
        time.sleep(0.1)  # the copies leave from a background thread
    page.reload()
    counts = page.locator(".delivery-counts").inner_text()
    assert re.search(r"Sent\s+6", counts) and re.search(r"Queued\s+0", counts), counts
    assert_accessible(page)
    snap(page, "organizer-update-sent")
    assert store.outbox_count(kind="update") == 6
    assert store.outbox_count(kind="update_test") == 1


def select_petition(model, slug):
    from sqlalchemy import select

    return select(model).where(model.slug == slug)

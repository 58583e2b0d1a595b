"""The comment box counts down as you type and never cuts a paste off."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_comment_counter_counts_down_and_past_the_limit(page, live_server, seeded, store):
    from playwright.sync_api import expect  # here: without playwright the fixtures skip

    page.goto(live_server(f"/petitions/{seeded.slug}"))
    box = page.get_by_label(re.compile("Why are you signing"))
    count = page.locator("#comment-hint")
    assert count.inner_text() == "500 characters left"
    assert box.get_attribute("aria-describedby") == "comment-hint"
    live = page.locator("#comment-hint + [aria-live=polite]")
    assert live.count() == 1 and live.inner_text() == ""  # nothing announced on load

    box.fill("My mother waited a year.")
    assert count.inner_text() == "476 characters left"
    expect(live).to_have_text("476 characters left")  # once typing pauses

    pasted = "Patients wait. " * 133 + "x"  # 1,996 characters, pasted at once
    box.fill(pasted)
    assert box.input_value() == pasted  # all of it: no maxlength cuts it off
    assert count.inner_text() == "1,496 characters too many"
    assert "count-over" in count.get_attribute("class")

    box.fill("a" * 499 + "\n")  # the trailing line break is trimmed, as on the server
    assert count.inner_text() == "1 character left"

    # Signing anyway: the server says so and keeps every entry for shortening.
    box.fill(pasted)
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("Lopez")
    page.get_by_label("Email", exact=True).fill("maria@example.com")
    page.get_by_label("ZIP code").fill("13202")
    signatures = store.signatures()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign the petition").click()
    assert "Keep your comment to 500 characters." in page.locator("#comment-error").inner_text()
    assert box.input_value() == pasted.strip()
    assert page.get_by_label("First name").input_value() == "Maria"
    assert count.inner_text() == "1,496 characters too many"
    assert store.signatures() == signatures

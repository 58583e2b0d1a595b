"""A partner's page on another origin embeds the sign form in an iframe; a supporter signs there."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage

from .conftest import PHONE, SCREENSHOTS, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser


@pytest.fixture
def partner_site(live_server, seeded) -> Iterator[str]:
    """A plain page on another port of 127.0.0.1 (another origin) holding the README's snippet."""
    src = live_server(f"/petitions/{seeded.slug}/embed")
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Doctors for Access: take action</title>
<style>body {{ font-family: Georgia, serif; margin: 0; padding: 16px; background: #fdf8ef }}</style>
</head><body>
<h1>Take action with Doctors for Access</h1>
<p>Our partners at Advocacy collect the signatures. Sign right here:</p>
<iframe src="{escape(src)}" title="Sign: Let internationally trained doctors practice"
  width="100%" height="760" style="border:0;max-width:480px" loading="lazy"></iframe>
<p>Thank you for standing with patients.</p>
</body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="partner-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def _confirmation_link(app, email: str) -> str:
    with app.app_context():
        try:
            message = db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == email, OutboxMessage.kind == "confirm_signature")
                .order_by(OutboxMessage.id.desc())
            ).first()
            assert message is not None, f"no confirmation to {email}"
            return re.findall(r"https?://\S+/signatures/confirm/\S+", message.text_body)[0]
        finally:
            db.session.remove()


def _frame_count(frame) -> int:
    return int(frame.locator(".progress-text .count").inner_text().replace(",", ""))


def test_supporter_signs_in_a_partners_iframe_and_confirms(
    page, live_server, seeded, store, partner_site
):
    page.goto(partner_site)
    frame = page.frame_locator("iframe")
    assert frame.get_by_role("heading", level=1).inner_text().startswith("Let internationally")
    assert _frame_count(frame) == seeded.count
    page.wait_for_timeout(300)  # let the frame's CSS settle before the pictures
    snap(page, "embed-partner")
    page.set_viewport_size(PHONE)
    inner = page.frames[1]
    assert_no_horizontal_overflow(inner)
    page.set_viewport_size({"width": 1280, "height": 800})

    # A mistake first: the frame shows the sign form's own messages and keeps the entries.
    frame.get_by_label("First name").fill("Priya")
    frame.get_by_label("Last name").fill("Raman")
    frame.get_by_label("Email", exact=True).fill("priya@example")
    frame.get_by_role("button", name="Sign the petition").click()
    expect_text = "Enter a valid email address, such as name@example.com."
    frame.get_by_text(expect_text).wait_for()
    assert frame.get_by_label("First name").input_value() == "Priya"
    snap(page, "embed-partner-error")

    frame.get_by_label("Email", exact=True).fill("priya@example.com")
    frame.get_by_label("ZIP code").fill("13202")
    frame.get_by_role("button", name="Sign the petition").click()
    frame.get_by_role("heading", name="Check your inbox").wait_for()
    assert page.url == partner_site  # the partner's page stayed; only the frame moved on
    snap(page, "embed-partner-done")
    assert store.count(seeded.slug) == seeded.count
    # Nothing was needed, or left, in the browser's cookie jar for our origin.
    assert [c for c in page.context.cookies() if c["domain"] == "127.0.0.1"] == []

    page.goto(_confirmation_link(live_server.app, "priya@example.com"))
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_url("**/signatures/confirmed/**")
    assert store.count(seeded.slug) == seeded.count + 1

    page.goto(partner_site)
    assert _frame_count(page.frame_locator("iframe")) == seeded.count + 1
    assert (SCREENSHOTS / f"embed-partner-{PHONE['width']}.png").exists()


def test_a_page_other_than_the_embed_refuses_to_be_framed(page, live_server, seeded):
    """The petition page, framed even by our own origin, is blocked: frame-ancestors 'none'."""
    page.goto(live_server(f"/petitions/{seeded.slug}"))
    src = live_server(f"/petitions/{seeded.slug}")
    page.set_content(f'<iframe src="{src}" width="600" height="400"></iframe>')
    page.wait_for_timeout(500)
    frame = page.frames[1]
    assert frame.locator(".sign-form").count() == 0  # blocked: nothing of ours rendered


def test_organizer_copies_the_embed_snippet(browser, live_server, seeded):
    from advocacy.petitions.models import Petition
    from tests import factories

    from .conftest import _context

    app = live_server.app
    with app.app_context():
        petition = db.session.scalar(select(Petition).where(Petition.slug == seeded.slug))
        user = factories.organizer(petition.organization, email="emma@doctors.example")
        petition_id, email = petition.id, user.email
        db.session.remove()
    context = _context(browser, {"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    try:
        page.goto(live_server("/login"))
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(live_server(f"/organize/petitions/{petition_id}/edit"))
        code = page.get_by_label("Embed code").input_value()
        assert code.startswith(f'<iframe src="{live_server(f"/petitions/{seeded.slug}/embed")}"')
        button = page.get_by_role("button", name="Copy code")
        assert button.is_visible()  # copy.js shows it
        button.click()
        page.get_by_role("button", name="Copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == code
        page.locator("#embed-heading").scroll_into_view_if_needed()
        snap(page, "organizer-embed-snippet")
    finally:
        context.close()

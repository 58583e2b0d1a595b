"""Every public page fits a phone: nothing scrolls sideways at 320 or 390 px, nothing touches
the edges, buttons and links are big enough for a thumb. Screenshots go to screenshots/."""

from __future__ import annotations

import pytest

from advocacy.extensions import db
from advocacy.mail.suppression import preferences_link, unsubscribe_link
from advocacy.petitions.models import PetitionStatus
from advocacy.petitions.services import make_token
from advocacy.resources.demo import load_demo_resources
from tests import factories

from .conftest import SCREENSHOTS, _context, assert_no_horizontal_overflow

pytestmark = pytest.mark.browser

WIDTHS = (320, 390)

# Anything a thumb presses: at least WCAG 2.2's 24 px target, 44 px for the main buttons.
# A box inside a label is pressed through its label; a card's title link covers the card;
# links inside running text are exempt, as WCAG allows; so is a map square, whose link the
# table beside the map repeats at full size (WCAG 2.5.8's "equivalent" exception).
TARGETS_JS = """() => [...document.querySelectorAll('a, button, input, select, textarea, label')]
  .filter((el) => el.offsetParent !== null && !el.closest('.prose, .signer-comment, p, li, dd'))
  .filter((el) => !el.closest('svg.tile-map'))
  .filter((el) => !(el.matches('input') && el.closest('label')) && !el.closest('.card h2'))
  .filter((el) => !el.matches('label') || el.querySelector('input'))
  .map((el) => ({el, box: el.getBoundingClientRect()}))
  .filter(({el, box}) => box.height < (el.matches('.button') ? 44 : 24) || box.width < 24)
  .map(({el, box}) => `${el.tagName.toLowerCase()} "${(el.innerText || el.name || '').trim()
    .slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`)"""

# Text or controls cut off by the viewport or hugging its edges (a card's own edge may).
EDGES_JS = """() => [...document.querySelectorAll('body *')]
  .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden, .skip-link'))
  .filter((el) => el.matches('a, button, input, select, textarea, img')
    || [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((el) => ({el, box: el.getBoundingClientRect()}))
  .filter(({box}) => box.width > 0 && (box.left < 8 || box.right > window.innerWidth - 8))
  .map(({el, box}) => `${el.tagName.toLowerCase()}.${el.className} "${(el.innerText || '')
    .trim().slice(0, 20)}" ${Math.round(box.left)}-${Math.round(box.right)}`)"""


@pytest.fixture
def public_pages(live_server, seeded, live_directory) -> dict[str, str]:
    """Every kind of public page, as name → path."""
    app = live_server.app
    with app.app_context():
        org = factories.organization("Residency Now")
        open_one = factories.petition(org, slug="open-for-layout", title="Open for layout")
        won = factories.petition(
            org,
            slug="won-for-layout",
            title="Lift the cap on Medicare-funded residency positions for good",
            status=PetitionStatus.WON,
            signature_count=12_480,
        )
        closed = factories.petition(
            org, slug="closed-for-layout", title="Closed for layout", status=PetitionStatus.CLOSED
        )
        load_demo_resources()  # the state pages' entries; the thank-you page's "In New York"
        waiting = factories.signature(open_one, email="wait@example.com", confirmed=False)
        signed = factories.signature(open_one, email="done@example.com")
        factories.signature(won, email="done@example.com", opt_in=True)
        pages = {
            "home": "/",
            "petition": f"/petitions/{seeded.slug}",
            "won": f"/petitions/{won.slug}",
            "closed": f"/petitions/{closed.slug}",
            "check-inbox": f"/petitions/{open_one.slug}/check-your-inbox",
            "confirm": f"/signatures/confirm/{make_token(waiting)}",
            "thanks": f"/signatures/confirmed/{make_token(signed)}",
            "legislators": "/legislators?zip=10001",
            "login": "/login",
            "privacy": "/privacy",
            "signup": "/signup",
            "forgot-password": "/password/forgot",
            "resend-confirmation": "/signup/resend",
            "not-found": "/no-such-page",
            "unsubscribe": unsubscribe_link(signed.email, org.id, open_one.id).split(
                live_server.url, 1
            )[1],
            "subscribe": f"/o/{org.slug}/subscribe",
            "preferences": preferences_link(signed.email).split(live_server.url, 1)[1],
            "search": "/petitions?q=residency",
            "victories": "/petitions?status=won",
            "states": "/states",
            "state": "/states/NY",
            **_letter_pages(org),
        }
        db.session.remove()
    return pages


def _letter_pages(org) -> dict[str, str]:
    """A letter campaign's pages: the action page, writing (a split ZIP to choose in),
    reviewing and the sent letters with their hand-over boxes."""
    from flask import current_app

    from advocacy.core.db import utcnow
    from advocacy.letters import delivery, writers, writing
    from advocacy.letters.models import Writer
    from tests.letters.conftest import campaign, target

    action = campaign(org, slug="write-for-layout", title="Write to fund residency positions")
    target(action)

    def writer(email: str) -> Writer:
        w = Writer(campaign_id=action.id, first_name="Maria", last_name="Okonkwo-Adebayo",
                   email=email, zip="13202", state="NY", city="Syracuse",
                   address="100 S Salina St", confirmed_at=utcnow())  # fmt: skip
        db.session.add(w)
        db.session.flush()
        writers._record_districts(w.id, "13202")
        db.session.commit()
        return w

    choosing, reviewing, sent = (writer(f"{n}@example.com") for n in ("w1", "w2", "w3"))
    with current_app.test_request_context():
        for w in (reviewing, sent):
            writers.choose_districts(w, {"state_lower": "NY-129"})
            writing.draft_letters(w, "I finished medical school in 2023 and wait for a match.")
        delivery.send_letters(sent)
        return {
            "action": f"/act/{action.slug}",
            "letters-write": f"/letters/{writers.access_token(choosing)}",
            "letters-review": f"/letters/{writers.access_token(reviewing)}/review",
            "letters-sent": f"/letters/{writers.access_token(sent)}/sent",
        }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_fits_a_phone(browser, live_server, public_pages, width):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = _context(
        browser,
        {"width": width, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,  # layout is in CSS pixels; smaller screenshots are quicker
    )
    page = context.new_page()
    problems = {}
    try:
        for name, path in public_pages.items():
            response = page.goto(live_server(path))
            assert response.status == (404 if name == "not-found" else 200), path
            page.screenshot(
                path=SCREENSHOTS / f"layout-{name}-{width}.png", full_page=True, timeout=20_000
            )
            page.screenshot(path=SCREENSHOTS / f"layout-{name}-{width}-top.png", timeout=20_000)
            # A phone widens its layout viewport to fit wide content, so innerWidth alone
            # would follow the overflow: compare with the device's width too.
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > width:
                problems[f"{name} scrolls sideways"] = f"{wide} > {width}px"
            assert_no_horizontal_overflow(page)
            brand = page.locator(".brand").bounding_box()
            if brand["y"] < 8:
                problems[f"{name} logo"] = f"touches the top edge ({brand['y']}px)"
            for check, script in (("small targets", TARGETS_JS), ("at the edge", EDGES_JS)):
                found = page.evaluate(script)
                if found:
                    problems[f"{name} {check}"] = found[:5]
    finally:
        context.close()
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())

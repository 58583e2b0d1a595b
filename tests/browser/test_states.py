"""/states in a real browser at 390 and 1280 px: the map with its legend and table, a tile
that leads to the state's page, the filter without JavaScript; screenshots to look at."""

from __future__ import annotations

import pytest

from advocacy.extensions import db
from advocacy.resources.demo import load_demo_resources

from .conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    _context,
    assert_accessible,
    assert_no_horizontal_overflow,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_states_map_table_and_a_state(browser, live_server, live_directory, viewport):
    with live_server.app.app_context():
        load_demo_resources()
        db.session.remove()
    SCREENSHOTS.mkdir(exist_ok=True)
    context = _context(browser, viewport, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server("/states"))
        assert page.locator("svg.tile-map .tile").count() == 51
        assert page.locator(".map-legend li").count() == 4
        assert page.locator(".states-table tbody tr").count() == 56
        assert_no_horizontal_overflow(page)
        assert_accessible(page)
        page.screenshot(path=SCREENSHOTS / f"states-{viewport['width']}.png", full_page=True)

        page.get_by_label("State medical board").check()
        page.get_by_role("button", name="Filter").click()
        assert page.locator(".states-table tbody tr").count() == 3  # NJ, NY, TX

        page.goto(live_server("/states"))
        page.locator('svg.tile-map a[href="/states/TX"]').click()
        page.wait_for_url("**/states/TX")
        assert page.get_by_role("heading", level=1).inner_text() == "Texas"
        assert page.locator(".state-entry").count() >= 2
        assert page.locator(".member-card").count() >= 3  # two senators and the House
        assert_no_horizontal_overflow(page)
        assert_accessible(page)
        page.screenshot(path=SCREENSHOTS / f"state-tx-{viewport['width']}.png", full_page=True)
        page.goto(live_server("/states/NY"))
        assert page.get_by_role("heading", name="History").is_visible()
        page.screenshot(path=SCREENSHOTS / f"state-ny-{viewport['width']}.png", full_page=True)
    finally:
        context.close()

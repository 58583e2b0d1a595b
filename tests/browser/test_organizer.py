"""An organizer's irreversible buttons ask once, on a page that works without JavaScript."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.petitions.models import Petition, PetitionStatus
from tests import factories

from .conftest import assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser


def _status(app, petition_id: int) -> PetitionStatus:
    with app.app_context():
        try:
            return db.session.scalar(select(Petition.status).where(Petition.id == petition_id))
        finally:
            db.session.remove()


def test_publish_close_and_win_each_ask_once_without_javascript(no_js_page, live_server, seeded):
    page, app = no_js_page, live_server.app
    with app.app_context():
        org = factories.organization("Residency Now")
        draft = factories.petition(
            org, slug="lift-the-cap", title="Lift the residency cap", status=PetitionStatus.DRAFT
        )
        email, petition_id = (
            factories.organizer(org, email="rita@residency.example").email,
            draft.id,
        )
        db.session.remove()

    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server(f"/organize/petitions/{petition_id}/edit"))

    page.get_by_role("button", name="Publish", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Publish “Lift the residency cap”?"
    assert live_server("/petitions/lift-the-cap") in page.inner_text("main")
    assert_accessible(page)
    snap(page, "organizer-confirm-publish")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"**/organize/petitions/{petition_id}/edit")
    assert _status(app, petition_id) is PetitionStatus.DRAFT

    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_role("button", name="Yes, publish").click()
    assert "is now public" in page.inner_text("main")
    assert _status(app, petition_id) is PetitionStatus.OPEN

    page.get_by_role("button", name="Close petition").click()
    assert "No one can sign after this" in page.inner_text("main")
    assert _status(app, petition_id) is PetitionStatus.OPEN
    page.get_by_role("button", name="Yes, close it").click()
    assert "is closed" in page.inner_text("main")
    assert _status(app, petition_id) is PetitionStatus.CLOSED

    page.get_by_role("button", name="Mark as won").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Mark “Lift the residency cap” as won?"
    )
    page.set_viewport_size({"width": 320, "height": 700})
    assert_no_horizontal_overflow(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Yes, mark as won").click()
    assert "marked as won" in page.inner_text("main")
    assert _status(app, petition_id) is PetitionStatus.WON

"""The export page in a browser: the filters at phone and desktop width, a bad filter's
message beside its field, and the download itself."""

from __future__ import annotations

import csv

import pytest

from advocacy.extensions import db
from tests import factories

from .conftest import PHONE, assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser


def test_the_organizer_filters_and_downloads_the_csv(page, live_server, seeded):
    app = live_server.app
    with app.app_context():
        org = factories.organization("Export Doctors")
        petition = factories.petition(org, slug="export-me", title="Export me")
        factories.signature(petition, first_name="=HYPERLINK(1)", opt_in=True, email="x@e.org")
        factories.signature(petition, state="CA", zip="94110")
        email, petition_id = factories.organizer(org, email="eve@export.example").email, petition.id
        db.session.remove()

    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server(f"/organize/petitions/{petition_id}/edit"))
    page.get_by_role("link", name="Export signatures (CSV)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Export signatures"
    assert "2 signatures match" in page.inner_text("main")
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    snap(page, "organizer-export")
    page.set_viewport_size(PHONE)
    assert_no_horizontal_overflow(page)

    page.get_by_label("State (optional)").fill("ZZ")
    page.get_by_role("button", name="Download CSV").click()
    assert "Enter a state as two letters" in page.inner_text("#state-error")
    assert_no_horizontal_overflow(page)
    snap(page, "organizer-export-error", phone=False)

    page.get_by_label("State (optional)").fill("ny")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("export-me-signatures-")
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[1][1:4] == ["'=HYPERLINK(1)", rows[1][2], "x@e.org"]
    assert len(rows) == 2  # the header and the New York signer

"""The organizer's dashboard and a petition's statistics in a real browser: they fit a phone
(nothing scrolls sideways), pass the accessibility smoke check, and are screenshotted at 390 and
1280 px for a person to look at."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.legislators.models import DirectorySnapshot, District
from advocacy.letters.models import CampaignTarget, LetterCampaign
from advocacy.petitions.models import (
    DailyCount,
    DistrictCount,
    DomainCount,
    Milestone,
    PetitionVersion,
    SourceCount,
    StateCount,
)
from tests import factories

from .conftest import PHONE, SCREENSHOTS, assert_accessible, assert_no_horizontal_overflow, snap

pytestmark = pytest.mark.browser


def _rollups(petition_id: int, goal: int, days: int = 120) -> int:
    """About 7,000 signatures' worth of rollups: a launch spike, a tail, a second push."""
    rng = random.Random(11)
    today = utcnow().date()
    total = 0
    for k in range(days):
        day = today - timedelta(days=days - 1 - k)
        confirmed = int(20 + 250 * 0.9**k + (180 * 0.8 ** (k - 80) if k >= 80 else 0))
        confirmed += rng.randint(0, 15)
        total += confirmed
        db.session.add(
            DailyCount(
                petition_id=petition_id,
                day=day,
                started=int(confirmed * 1.15),
                confirmed=confirmed,
            )
        )
        if total >= goal // 2 and not db.session.info.get("half"):
            db.session.info["half"] = True
            db.session.add(
                Milestone(
                    petition_id=petition_id,
                    goal=goal,
                    percent=50,
                    signature_count=total,
                    reached_at=datetime.combine(day, datetime.min.time()),
                )
            )
    db.session.info.pop("half", None)
    weights = {"NY": 40, "CA": 12, "TX": 8, "FL": 6, "PA": 5, "IL": 4, "MA": 4, "NJ": 3}
    other = ["OH", "MI", "GA", "NC", "VA", "WA", "AZ", "CO", "MN", "WI", "OR", "MD", "DC", "VT"]
    for state in other:
        weights[state] = 1
    whole = sum(weights.values())
    for state, w in weights.items():
        db.session.add(
            StateCount(petition_id=petition_id, state=state, confirmed=total * w // whole)
        )
    active = db.session.scalar(select(DirectorySnapshot.id).where(DirectorySnapshot.active))
    for chamber in ("us_house", "state_upper", "state_lower"):
        rows = db.session.scalars(
            select(District).where(
                District.snapshot_id == active,
                District.chamber == chamber,
                District.state.in_(["NY", "CA", "VT"]),
            )
        ).all()
        for d in rows[:40]:
            db.session.add(
                DistrictCount(
                    petition_id=petition_id,
                    chamber=chamber,
                    state=d.state,
                    district=d.district,
                    confirmed=rng.randint(0, 300),
                    possible=rng.choice([0, 0, 0, 4, 12]),
                )
            )
    for domain, started, share in [
        ("gmail.com", 3200, 0.9),
        ("yahoo.com", 1100, 0.88),
        ("outlook.com", 900, 0.35),
        ("aol.com", 300, 0.86),
        ("icloud.com", 420, 0.91),
        ("residency.example.org", 80, 0.95),
    ]:
        db.session.add(
            DomainCount(
                petition_id=petition_id,
                domain=domain,
                started=started,
                confirmed=int(started * share),
            )
        )
    for kind, value, started in [
        ("ref", "", 2500),
        ("ref", "facebook.maria", 900),
        ("ref", "facebook.dev", 400),
        ("ref", "email.list-2026", 1800),
        ("ref", "x.rita", 300),
        ("utm_source", "", 4000),
        ("utm_source", "newsletter", 1500),
        ("utm_campaign", "spring-push", 1200),
    ]:
        db.session.add(
            SourceCount(
                petition_id=petition_id,
                kind=kind,
                value=value,
                started=started,
                confirmed=int(started * 0.86),
            )
        )
    db.session.add_all(
        [
            PetitionVersion(
                petition_id=petition_id,
                number=1,
                title="Lift the residency cap",
                confirmed_count=5100,
            ),
            PetitionVersion(
                petition_id=petition_id,
                number=2,
                title="Lift the cap on Medicare-funded residency positions",
                confirmed_count=total - 5100,
            ),
        ]
    )
    db.session.commit()
    return total


def test_dashboard_and_stats_pages_fit_a_phone_and_are_screenshotted(
    page, live_server, seeded, live_directory
):
    app = live_server.app
    with app.app_context():
        org = factories.organization("Residency Now")
        petition = factories.petition(
            org, slug="lift-the-cap-stats", title="Lift the cap on residency positions", goal=10_000
        )
        factories.petition(org, slug="quiet-one", title="A quiet petition", goal=500)
        total = _rollups(petition.id, petition.goal)
        petition.signature_count = total
        petition.version = 2
        campaign = LetterCampaign(
            organization_id=org.id, petition_id=petition.id, slug="write-aamc", title="Write"
        )
        db.session.add(campaign)
        db.session.flush()
        aamc = "Association of American Medical Colleges"
        for name, title, organisation in [
            ("David J. Skorton, MD", "President and CEO", aamc),
            ("Pamela D. Baker", "Chief Executive Officer", "ECFMG | FAIMER"),
        ]:
            db.session.add(
                CampaignTarget(
                    campaign_id=campaign.id,
                    name=name,
                    title=title,
                    organization=organisation,
                    salutation=f"Dear {name}:",
                    address="655 K Street NW\nWashington, DC 20001",
                )
            )
        db.session.commit()
        email, petition_id = factories.organizer(org).email, petition.id
        db.session.remove()

    page.goto(live_server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server("/organize/"))
    assert page.locator("svg.sparkline").count() >= 2
    assert_accessible(page)
    snap(page, "organize-dashboard")

    page.goto(live_server(f"/organize/petitions/{petition_id}/stats"))
    main = page.inner_text("main")
    assert "goal of 10,000" in main.lower()
    assert page.locator("svg.timeline.wide rect.bar").count() == 120
    assert page.locator("svg.tile-map g.tile").count() == 51
    assert "Kirsten" in main  # Gillibrand, from the directory, on the U.S. Senate table
    assert page.locator("#organisations tbody tr").count() == 2
    assert "Association of American Medical Colleges" in main
    assert_accessible(page)
    snap(page, "organize-stats")
    page.emulate_media(media="print")
    assert not page.locator(".stats-nav").is_visible()
    assert page.locator("svg.timeline.wide").is_visible()
    page.screenshot(path=SCREENSHOTS / "organize-stats-print.png", full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    assert_no_horizontal_overflow(page)
    page.goto(live_server("/organize/"))
    assert_no_horizontal_overflow(page)
    # The packets page's office tables scroll inside their box; the links' hidden labels
    # (absolutely positioned) once widened the whole page past the phone's width.
    page.goto(live_server(f"/organize/petitions/{petition_id}/packets"))
    assert page.locator("table.data-table tbody tr").count() >= 2  # the two targets
    assert_no_horizontal_overflow(page)
    snap(page, "organize-packets")

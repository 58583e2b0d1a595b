"""Demo data loads from the shared tables, idempotently, with exact counters."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy.demo import services
from advocacy.petitions import services as petitions
from advocacy.petitions.models import Petition, Signature

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture
def data_dir():
    if not (DATA_DIR / "zip_congressional_districts.csv").exists():
        pytest.fail(f"shared data not found at {DATA_DIR}")
    return DATA_DIR


def test_demo_load_is_idempotent_and_counts_match(app, db, data_dir):
    first = services.load_demo(data_dir, scale=0.02)
    assert len(first.created) == 4
    second = services.load_demo(data_dir, scale=0.02)
    assert second.created == []
    assert db.session.scalar(select(func.count(Petition.id))) == 4
    assert petitions.recount() == []  # every counter equals its confirmed rows
    flagship = db.session.scalar(select(Petition).where(Petition.slug == "let-imgs-help-covid-19"))
    assert flagship.goal == 10_000
    query = select(Signature.state).where(Signature.petition_id == flagship.id)
    states = set(db.session.scalars(query))
    assert len(states) > 10  # spread over real ZIP codes across the country


def test_demo_command_prints_login(runner, data_dir):
    result = runner.invoke(args=["demo", "load", "--data-dir", str(data_dir), "--scale", "0.01"])
    assert result.exit_code == 0, result.output
    assert services.DEMO_EMAIL in result.output and services.DEMO_PASSWORD in result.output
    assert "Loaded demo letter campaigns: write-for-the-resident-physician" in result.output
    again = runner.invoke(args=["demo", "load", "--data-dir", str(data_dir), "--scale", "0.01"])
    assert "Demo data already loaded." in again.output


def test_demo_command_explains_missing_data(runner, tmp_path):
    result = runner.invoke(args=["demo", "load", "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "zip_congressional_districts.csv" in result.output


def test_demo_organizer_can_log_in_and_sees_the_demo_petitions(app, client, data_dir, auth):
    services.load_demo(data_dir, scale=0.01)
    response = auth.login(services.DEMO_EMAIL, services.DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organize/")
    dashboard = client.get("/organize/").text
    assert "Pass the Resident Physician Shortage Reduction Act" in dashboard
    assert "Let international medical graduates already in the U.S." in dashboard


def test_demo_signatures_get_districts_when_a_directory_is_loaded(db, data_dir, directory):
    from advocacy.petitions.models import SignatureDistrict

    services.load_demo(data_dir, scale=0.01)

    with_districts = db.session.scalar(
        select(func.count(func.distinct(SignatureDistrict.signature_id)))
    )
    assert with_districts == db.session.scalar(select(func.count(Signature.id)))


def test_after_demo_load_the_rollups_and_versions_equal_a_recount(app, db, data_dir):
    from advocacy.petitions import versions
    from advocacy.petitions.models import DailyCount, StateCount

    services.load_demo(data_dir, scale=0.02)
    assert petitions.recount(fix=False) == []  # no counter, rollup or version drift
    flagship = db.session.scalar(select(Petition).where(Petition.slug == "let-imgs-help-covid-19"))
    [v1] = versions.summary(flagship)
    assert (v1.number, v1.title, v1.confirmed_count) == (
        1,
        flagship.title,
        flagship.signature_count,
    )
    by_state = select(func.sum(StateCount.confirmed)).where(StateCount.petition_id == flagship.id)
    assert db.session.scalar(by_state) == flagship.signature_count
    started = select(func.sum(DailyCount.started)).where(DailyCount.petition_id == flagship.id)
    assert db.session.scalar(started) == flagship.signature_count

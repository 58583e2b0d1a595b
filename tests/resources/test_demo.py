"""The demo's state entries: idempotent, every one sourced, the AMA's 17 states enacted."""

from __future__ import annotations

from sqlalchemy import func, select

from advocacy.resources import services
from advocacy.resources.demo import AMA_STATES, AMA_URL, load_demo_resources
from advocacy.resources.models import PathwayStatus, StateResource


def test_demo_resources_load_once_and_are_sourced(db):
    first = load_demo_resources()
    assert len(first) > 17
    assert load_demo_resources() == []
    rows = db.session.scalars(select(StateResource)).all()
    assert len(rows) == len(first)
    assert all(r.source_url and r.source_url.startswith("https://") for r in rows)
    assert all(r.reviewed_on for r in rows)
    statuses = services.pathway_statuses()
    enacted = sorted(s for s, status in statuses.items() if status is PathwayStatus.ENACTED)
    assert enacted == sorted(AMA_STATES) and len(AMA_STATES) == 17
    assert statuses["NY"] is PathwayStatus.PENDING  # A7319 (2025), its own source
    assert db.session.scalar(select(func.count()).where(StateResource.source_url == AMA_URL)) == 17
    # New York's and New Jersey's 2020 orders are dated history.
    for state in ("NY", "NJ"):
        history = [e for e in services.published_entries(state) if e.is_history]
        assert history and all(e.effective_on and e.effective_on.year == 2020 for e in history)

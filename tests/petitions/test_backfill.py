"""Migration 0009's backfill builds version 1 and the rollups of existing signatures exactly
as a recount would (run on the test database's dialect, SQLite or PostgreSQL)."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import delete, select, update

from advocacy.core.db import utcnow
from advocacy.petitions import rollups, services, versions
from advocacy.petitions.models import (
    Petition,
    PetitionStatus,
    PetitionVersion,
    Signature,
    SignatureDistrict,
)

MIGRATION = (
    Path(__file__).resolve().parents[2] / "migrations/versions/0009_rollups_versions_packets.py"
)


def run_backfill(db) -> None:
    spec = importlib.util.spec_from_file_location("migration_0009", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db.session.commit()
    with db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        module.backfill()
    db.session.expire_all()


def test_backfill_equals_a_recount(app, db, make):
    open_petition = make.petition()
    other = make.petition(status=PetitionStatus.CLOSED)
    draft = make.petition(status=PetitionStatus.DRAFT, published_at=None)
    days_ago = utcnow() - timedelta(days=3, hours=5)
    make.signature(open_petition, email="a@Example.com", ref="x.1", state="CA",
                   created_at=days_ago, confirmed_at=days_ago + timedelta(days=1))  # fmt: skip
    make.signature(open_petition, email="b@mail.example.org", utm_source="news", state=None)
    make.signature(open_petition, email="c@example.com", confirmed=False, utm_campaign="spring")
    signed = make.signature(other, email="d@example.com")
    db.session.add_all(
        [
            SignatureDistrict(
                signature_id=signed.id,
                chamber="us_house",
                state="NY",
                district="10",
                status="candidate",
            ),
            SignatureDistrict(
                signature_id=signed.id,
                chamber="us_house",
                state="NY",
                district="12",
                status="candidate",
            ),
            SignatureDistrict(
                signature_id=signed.id,
                chamber="state_lower",
                state="NY",
                district="75",
                status="matched",
            ),
        ]  # fmt: skip
    )
    db.session.commit()
    # As before the migration: no versions, no rollups.
    for model in rollups.COUNTED:
        db.session.execute(delete(model))
    db.session.execute(delete(PetitionVersion))
    db.session.execute(update(Petition).values(version=0))
    db.session.commit()

    run_backfill(db)

    assert services.recount(fix=False) == []
    counts = rollups.stored(open_petition.id)
    assert sum(r["started"] for r in counts[rollups.DailyCount].values()) == 3
    assert counts[rollups.DailyCount][(open_petition.id, days_ago.date())]["started"] == 1
    assert counts[rollups.StateCount][(open_petition.id, "")]["confirmed"] == 1
    assert counts[rollups.DomainCount][(open_petition.id, "mail.example.org")]["started"] == 1
    assert rollups.stored(other.id)[rollups.DistrictCount] == {
        (other.id, "us_house", "NY", "10"): {"confirmed": 0, "possible": 1},
        (other.id, "us_house", "NY", "12"): {"confirmed": 0, "possible": 1},
        (other.id, "state_lower", "NY", "75"): {"confirmed": 1, "possible": 0},
    }
    for petition, confirmed in ((open_petition, 2), (other, 1)):
        db.session.refresh(petition)
        assert petition.version == 1
        [v1] = versions.summary(petition)
        assert (v1.number, v1.title, v1.confirmed_count) == (1, petition.title, confirmed)
    db.session.refresh(draft)
    assert draft.version == 0 and versions.summary(draft) == []
    v1_id = versions.current(open_petition).id
    stamped = select(Signature.version_id).where(Signature.petition_id == open_petition.id)
    assert set(db.session.scalars(stamped)) == {v1_id}

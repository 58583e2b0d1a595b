"""The rollups move with each event, by exactly the right rows; recount finds and fixes drift."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from advocacy.core.db import utcnow
from advocacy.petitions import rollups, services
from advocacy.petitions.models import (
    DailyCount,
    DistrictCount,
    Signature,
    SignatureDistrict,
    SourceCount,
    StateCount,
)
from tests.conftest import ON_POSTGRES


def snapshot(db, petition_id: int) -> dict[tuple, int]:
    """Every non-zero count of the petition's rollups: (table, key…, column) → n."""
    db.session.expire_all()
    counts = {}
    for model, key_rows in rollups.stored(petition_id).items():
        for key, row in key_rows.items():
            for column, n in row.items():
                if n:
                    counts[(model.__tablename__, *key[1:], column)] = n
    return counts


def delta(before: dict, after: dict) -> dict:
    keys = set(before) | set(after)
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)
    }


def sign(petition, email, zip_code="13202", **tracking):
    data = services.SignatureInput("Ana", "Diaz", email, zip_code, tracking=tracking)
    return services.sign_petition(petition, data)


def confirm(db, email):
    signature = db.session.scalar(select(Signature).where(Signature.email == email))
    return services.confirm_signature(services.make_token(signature))


def no_drift(db, petition) -> bool:
    return services.recount(petition.slug, fix=False) == []


def test_signing_counts_started_per_day_source_and_domain(app, db, make, mailbox):
    petition = make.petition()
    today = utcnow().date()
    before = snapshot(db, petition.id)
    sign(petition, "Ana@Mail.Example.ORG", ref="x.7", utm_source="newsletter")

    assert delta(before, snapshot(db, petition.id)) == {
        ("petition_daily_counts", today, "started"): 1,
        ("petition_source_counts", "ref", "x.7", "started"): 1,
        ("petition_source_counts", "utm_source", "newsletter", "started"): 1,
        ("petition_source_counts", "utm_campaign", "", "started"): 1,
        ("petition_domain_counts", "mail.example.org", "started"): 1,
    }
    assert no_drift(db, petition)


def test_a_repeat_signature_counts_nothing(app, db, make, mailbox):
    petition = make.petition()
    sign(petition, "ana@example.com", ref="x.7")
    before = snapshot(db, petition.id)
    sign(petition, "ana@example.com", ref="facebook")
    assert delta(before, snapshot(db, petition.id)) == {}
    confirm(db, "ana@example.com")
    before = snapshot(db, petition.id)
    sign(petition, "ana@example.com")  # a repeat of a confirmed signature
    assert delta(before, snapshot(db, petition.id)) == {}
    assert no_drift(db, petition)


def test_a_repeat_days_later_moves_started_to_its_new_day(app, db, make, mailbox):
    petition = make.petition()
    sign(petition, "ana@example.com")
    earlier = utcnow() - timedelta(days=2)
    db.session.execute(update(Signature).values(created_at=earlier))
    db.session.execute(update(DailyCount).values(day=earlier.date()))
    db.session.commit()
    assert no_drift(db, petition)

    sign(petition, "ana@example.com")  # restarts the link's clock
    assert snapshot(db, petition.id)[("petition_daily_counts", utcnow().date(), "started")] == 1
    assert ("petition_daily_counts", earlier.date(), "started") not in snapshot(db, petition.id)
    assert no_drift(db, petition)


def test_confirming_counts_day_state_districts_sources_domain_and_version(
    app, db, make, mailbox, directory
):
    petition = make.petition()
    sign(petition, "ny@example.com", "10001", utm_campaign="spring")
    before = snapshot(db, petition.id)
    assert confirm(db, "ny@example.com").newly_confirmed
    today = utcnow().date()

    assert delta(before, snapshot(db, petition.id)) == {
        ("petition_daily_counts", today, "confirmed"): 1,
        ("petition_state_counts", "NY", "confirmed"): 1,
        ("petition_district_counts", "us_house", "NY", "10", "possible"): 1,
        ("petition_district_counts", "us_house", "NY", "12", "possible"): 1,
        ("petition_district_counts", "state_upper", "NY", "28", "possible"): 1,
        ("petition_district_counts", "state_upper", "NY", "47", "possible"): 1,
        ("petition_district_counts", "state_lower", "NY", "75", "confirmed"): 1,
        ("petition_source_counts", "ref", "", "confirmed"): 1,
        ("petition_source_counts", "utm_source", "", "confirmed"): 1,
        ("petition_source_counts", "utm_campaign", "spring", "confirmed"): 1,
        ("petition_domain_counts", "example.com", "confirmed"): 1,
    }
    # Confirming twice moves nothing.
    before = snapshot(db, petition.id)
    assert not confirm(db, "ny@example.com").newly_confirmed
    assert delta(before, snapshot(db, petition.id)) == {}
    assert no_drift(db, petition)


def test_a_petition_without_confirmation_counts_both_at_signing(app, db, make, mailbox):
    petition = make.petition(require_confirmation=False)
    sign(petition, "ana@example.com")
    counts = snapshot(db, petition.id)
    today = utcnow().date()
    assert counts[("petition_daily_counts", today, "started")] == 1
    assert counts[("petition_daily_counts", today, "confirmed")] == 1
    assert counts[("petition_state_counts", "NY", "confirmed")] == 1
    assert no_drift(db, petition)


def test_choosing_a_district_moves_possible_to_confirmed(app, db, make, mailbox, directory):
    petition = make.petition()
    sign(petition, "ny@example.com", "10001")
    confirm(db, "ny@example.com")
    before = snapshot(db, petition.id)
    signature = db.session.scalar(select(Signature))
    assert services.choose_districts(signature, {"us_house": "NY-12"}) == 1

    assert delta(before, snapshot(db, petition.id)) == {
        ("petition_district_counts", "us_house", "NY", "12", "possible"): -1,
        ("petition_district_counts", "us_house", "NY", "12", "confirmed"): 1,
        ("petition_district_counts", "us_house", "NY", "10", "possible"): -1,
    }
    assert no_drift(db, petition)


def test_an_unconfirmed_signers_choice_moves_no_count(app, db, make, mailbox, directory):
    petition = make.petition()
    sign(petition, "ny@example.com", "10001")
    before = snapshot(db, petition.id)
    services.choose_districts(db.session.scalar(select(Signature)), {"us_house": "NY-12"})
    assert delta(before, snapshot(db, petition.id)) == {}
    confirm(db, "ny@example.com")
    counts = snapshot(db, petition.id)
    assert counts[("petition_district_counts", "us_house", "NY", "12", "confirmed")] == 1
    assert ("petition_district_counts", "us_house", "NY", "10", "possible") not in counts
    assert no_drift(db, petition)


def test_purging_unconfirmed_signatures_takes_back_their_started(app, db, make, mailbox):
    petition = make.petition()
    sign(petition, "old@example.com", ref="x.1")
    sign(petition, "kept@example.com", ref="x.1")
    confirm(db, "kept@example.com")
    before = snapshot(db, petition.id)
    later = utcnow() + timedelta(days=app.config["SIGNATURE_CONFIRM_DAYS"] + 1)
    assert services.purge_unconfirmed(now=later) == 1

    today = utcnow().date()
    assert delta(before, snapshot(db, petition.id)) == {
        ("petition_daily_counts", today, "started"): -1,
        ("petition_source_counts", "ref", "x.1", "started"): -1,
        ("petition_source_counts", "utm_source", "", "started"): -1,
        ("petition_source_counts", "utm_campaign", "", "started"): -1,
        ("petition_domain_counts", "example.com", "started"): -1,
    }
    assert no_drift(db, petition)


def test_districts_filled_late_join_the_rollup(app, db, make, mailbox, directory):
    petition = make.petition()
    sign(petition, "ny@example.com", "10001")
    confirm(db, "ny@example.com")
    sign(petition, "waiting@example.com", "13202")  # unconfirmed: its districts count later
    # As if signed before the directory was loaded: no districts, none counted.
    db.session.execute(delete(SignatureDistrict))
    db.session.execute(delete(DistrictCount))
    db.session.commit()

    assert services.fill_districts() == 9
    counts = snapshot(db, petition.id)
    assert counts[("petition_district_counts", "state_lower", "NY", "75", "confirmed")] == 1
    assert counts[("petition_district_counts", "us_house", "NY", "12", "possible")] == 1
    assert ("petition_district_counts", "us_house", "NY", "22", "confirmed") not in counts
    assert no_drift(db, petition)


def test_recount_reports_a_corrupted_rollup_and_fixes_it(app, db, make, mailbox, runner):
    petition = make.petition()
    sign(petition, "ana@example.com", ref="x.1")
    confirm(db, "ana@example.com")
    db.session.execute(update(StateCount).values(confirmed=5))
    db.session.execute(
        update(SourceCount).where(SourceCount.kind == "ref").values(value="tampered")
    )
    db.session.add(DistrictCount(petition_id=petition.id, chamber="us_house", state="ZZ",
                                 district="1", confirmed=3, possible=0))  # fmt: skip
    db.session.commit()

    check = runner.invoke(args=["petitions", "recount", "--check"])
    assert f"{petition.slug}: petition_state_counts: 1 row(s) differ" in check.output
    assert "stored total 5, from the signatures 1 — not fixed (--check)" in check.output
    assert f"{petition.slug}: petition_source_counts: 2 row(s) differ" in check.output
    assert f"{petition.slug}: petition_district_counts: 1 row(s) differ" in check.output
    assert "petition_daily_counts" not in check.output
    assert not no_drift(db, petition)  # --check changed nothing

    fixed = runner.invoke(args=["petitions", "recount"])
    assert "— fixed" in fixed.output
    assert "All rollups match" in runner.invoke(args=["petitions", "recount"]).output
    counts = snapshot(db, petition.id)
    assert counts[("petition_state_counts", "NY", "confirmed")] == 1
    assert counts[("petition_source_counts", "ref", "x.1", "confirmed")] == 1
    assert not any(k[:3] == ("petition_district_counts", "us_house", "ZZ") for k in counts)


def test_a_letter_writers_choice_moves_the_signatures_district_counts(
    app, db, make, mailbox, directory
):
    from advocacy.letters import writers
    from tests.letters.conftest import campaign as letter_campaign

    petition = make.petition()
    sign(petition, "ny@example.com", "10001")
    confirm(db, "ny@example.com")
    signature = db.session.scalar(select(Signature))
    writer = writers.writer_for_signature(letter_campaign(petition=petition), signature)
    before = snapshot(db, petition.id)
    writers.choose_districts(writer, {"state_upper": "NY-47"})

    assert delta(before, snapshot(db, petition.id)) == {
        ("petition_district_counts", "state_upper", "NY", "47", "possible"): -1,
        ("petition_district_counts", "state_upper", "NY", "47", "confirmed"): 1,
        ("petition_district_counts", "state_upper", "NY", "28", "possible"): -1,
    }
    assert no_drift(db, petition)


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…")
def test_parallel_confirmations_and_signings_leave_the_rollups_exact(app, db, make, mailbox):
    from tests.petitions.test_concurrency import _race

    petition = make.petition(goal=1000)
    for i in range(20):
        sign(petition, f"c{i}@example.com", ref=f"x.{i % 3}")
    tokens = [
        services.make_token(s)
        for s in db.session.scalars(select(Signature).where(Signature.petition_id == petition.id))
    ]
    petition_id = petition.id

    def new_signer(i):
        def job():
            from advocacy.petitions.models import Petition

            p = db.session.get(Petition, petition_id)
            return sign(p, f"n{i}@example.com", ref=f"x.{i % 3}").needs_confirmation

        return job

    # Every link clicked twice, while 20 more people sign; 10 at a time (the pool has 15
    # connections, and mail's after-commit delivery takes some).
    jobs = [(lambda t=t: services.confirm_signature(t).newly_confirmed) for t in tokens * 2]
    results = _race(app, jobs + [new_signer(i) for i in range(20)], workers=10)
    assert sum(r is True for r in results[:40]) == 20

    counts = snapshot(db, petition.id)
    today = utcnow().date()
    assert counts[("petition_daily_counts", today, "confirmed")] == 20
    assert counts[("petition_daily_counts", today, "started")] == 40
    assert counts[("petition_state_counts", "NY", "confirmed")] == 20
    assert counts[("petition_domain_counts", "example.com", "started")] == 40
    assert no_drift(db, petition)

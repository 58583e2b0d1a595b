"""Importing a directory folder: atomic replacement, idempotence, errors with file and line."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from advocacy.legislators import importer, lookup
from advocacy.legislators.models import (
    DirectorySnapshot,
    District,
    Legislator,
    LegislatorOffice,
    ZipDistrict,
)

from .conftest import FEDERAL, ZIP_CD, write_directory


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_loads_every_table_and_reports(db, small_directory):
    report = importer.import_directory(small_directory)

    assert report.changed
    assert report.counts["legislators"] == 8
    assert count(db, Legislator) == 8
    assert count(db, ZipDistrict) == 7
    # A ZIP-table district with nobody in it is a vacancy; a legislator in no ZIP table is
    # reported too (DC Council here).
    assert report.vacancies == ["NY-24"]
    assert report.unmapped == {"DC": ["Wanda Ward (DC Legislature Ward 1)"]}
    snapshot = db.session.scalars(select(DirectorySnapshot)).one()
    assert snapshot.active
    # As of the older of the two legislator sources.
    assert snapshot.as_of == date(2026, 6, 15)
    assert snapshot.details["source_dates"] == {"congress": "2026-06-15", "states": "2026-08-05"}
    assert snapshot.details["has_shares"] is True
    lines = "\n".join(report.lines())
    assert "1 vacant districts (no legislator): NY-24" in lines


def test_import_maps_titles_parties_and_offices(db, small_directory):
    importer.import_directory(small_directory)
    by_id = {x.external_id: x for x in db.session.scalars(select(Legislator))}

    assert by_id["A000001"].title == "Senator"
    assert by_id["A000001"].party == "Democratic"  # congress-legislators says "Democrat"
    assert by_id["A000001"].district is None
    assert by_id["E000005"].title == "Delegate" and not by_id["E000005"].voting
    assert by_id["ocd-person/2"].title == "Assembly Member"  # New York's lower house
    assert by_id["ocd-person/1"].email == "sue@nysenate.gov"
    assert [(o.kind, o.phone) for o in by_id["ocd-person/1"].offices] == [
        ("capitol", "518-455-0001")
    ]
    assert by_id["A000001"].offices[0].kind == "washington"


def test_reimporting_the_same_snapshot_changes_nothing(db, small_directory):
    first = importer.import_directory(small_directory)
    ids = db.session.scalars(select(Legislator.id).order_by(Legislator.id)).all()

    again = importer.import_directory(small_directory)

    assert not again.changed
    assert again.snapshot_id == first.snapshot_id
    assert db.session.scalars(select(Legislator.id).order_by(Legislator.id)).all() == ids
    assert "unchanged" in next(again.lines())


def test_a_new_snapshot_replaces_the_old_one_whole(db, small_directory, tmp_path):
    importer.import_directory(small_directory)
    newer = write_directory(
        tmp_path / "newer",
        federal=[r for r in FEDERAL if r["bioguide_id"] != "C000003"],
        zip_cd=ZIP_CD[:1],
    )

    report = importer.import_directory(newer)

    assert report.changed
    assert count(db, DirectorySnapshot) == 1
    assert set(db.session.scalars(select(Legislator.snapshot_id))) == {report.snapshot_id}
    assert set(db.session.scalars(select(ZipDistrict.snapshot_id))) == {report.snapshot_id}
    assert set(db.session.scalars(select(District.snapshot_id))) == {report.snapshot_id}
    assert count(db, LegislatorOffice) == db.session.scalar(
        select(func.count())
        .select_from(LegislatorOffice)
        .join(Legislator)
        .where(Legislator.snapshot_id == report.snapshot_id)
    )
    # NY-22 is now vacant: the lookup says so instead of showing the old member.
    race = lookup.find_legislators("13202").race(lookup.Chamber.US_HOUSE)
    assert race is not None and race.seats[0].vacant


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: (d / "zip_congressional_districts.csv").unlink(),
         "zip_congressional_districts.csv: file not found"),
        (lambda d: (d / "federal_legislators.csv").write_text("bioguide,chamber\nX,senate\n"),
         "federal_legislators.csv line 1: wrong header, missing column(s) bioguide_id"),
        (lambda d: _append(d / "zip_congressional_districts.csv", "1320,NY,22,1,\n"),
         "zip_congressional_districts.csv line 7: ZIP must be 5 digits, not '1320'"),
        (lambda d: _append(d / "zip_state_legislative_districts.csv", "13202,NY,middle,4,1\n"),
         "zip_state_legislative_districts.csv line 4: chamber must be upper or lower"),
        (lambda d: _append(d / "state_legislators.csv", "ocd-person/9,ZZ,upper,1" + "," * 13),
         "state_legislators.csv line 5: unknown state 'ZZ'"),
        (lambda d: _append(d / "zip_congressional_districts.csv", "13001,NY,22,1,1.5\n"),
         "zip_congressional_districts.csv line 7: share must be between 0 and 1"),
        (lambda d: _append(d / "zip_congressional_districts.csv", "13202,NY,22\n"),
         "zip_congressional_districts.csv line 7: expected 5 fields"),
        (lambda d: _append(d / "federal_legislators.csv", "A000001,senate,NY" + "," * 16),
         "federal_legislators.csv line 7: bioguide_id A000001 appears twice"),
    ],
)  # fmt: skip
def test_a_failing_import_leaves_the_previous_directory(
    db, small_directory, tmp_path, breakage, message
):
    importer.import_directory(small_directory)
    before = lookup.as_json(lookup.find_legislators("13202"))
    broken = write_directory(tmp_path / "broken")
    breakage(broken)

    with pytest.raises(importer.DirectoryImportError) as failure:
        importer.import_directory(broken)

    assert message in str(failure.value)
    assert count(db, DirectorySnapshot) == 1
    assert lookup.as_json(lookup.find_legislators("13202")) == before


def test_a_database_failure_midway_rolls_back_to_the_previous_directory(
    db, small_directory, tmp_path, monkeypatch
):
    importer.import_directory(small_directory)
    before = lookup.as_json(lookup.find_legislators("13202"))
    newer = write_directory(tmp_path / "newer", federal=FEDERAL[:3])

    def explode(model, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_insert", explode)
    with pytest.raises(RuntimeError):
        importer.import_directory(newer)

    assert count(db, DirectorySnapshot) == 1
    assert lookup.as_json(lookup.find_legislators("13202")) == before


def test_cli_import_reports_and_fails_cleanly(runner, small_directory, tmp_path):
    result = runner.invoke(args=["legislators", "import", "--from", str(small_directory)])
    assert result.exit_code == 0, result.output
    assert "Imported directory snapshot" in result.output
    assert "8 legislators" in result.output

    result = runner.invoke(args=["legislators", "import", "--from", str(small_directory)])
    assert "Directory unchanged" in result.output

    missing = tmp_path / "nowhere"
    result = runner.invoke(args=["legislators", "import", "--from", str(missing)])
    assert result.exit_code == 1
    assert "Import failed, the directory is unchanged" in result.output

    result = runner.invoke(args=["legislators", "import", "--from", str(missing), "--if-present"])
    assert result.exit_code == 0
    assert "the directory is NOT loaded" in result.output

    result = runner.invoke(args=["legislators", "status"])
    assert "as of 2026-06-15" in result.output


def test_status_without_a_directory(runner, no_directory):
    result = runner.invoke(args=["legislators", "status"])
    assert "No legislator directory is loaded" in result.output


def test_links_that_are_not_http_are_dropped(db, tmp_path, no_directory):
    federal = [dict(FEDERAL[0], website="javascript:alert(1)", contact_form="ftp://x")]
    report = importer.import_directory(write_directory(tmp_path / "d", federal=federal))
    senator = db.session.scalars(select(Legislator).where(Legislator.chamber == "us_senate")).one()
    assert senator.website is None and senator.contact_form is None
    assert report.dropped == {"non-http websites": 1, "non-http contact forms": 1}


def _append(path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)

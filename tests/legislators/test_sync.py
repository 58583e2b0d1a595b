"""``flask legislators sync``: fetch (here from file:// URLs), convert, import."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.legislators import lookup
from advocacy.legislators.models import DirectorySnapshot

from .test_upstream import upstream_folder


def test_sync_fetches_converts_and_imports(app, runner, db, tmp_path, no_directory):
    app.config["LEGISLATOR_SOURCES"] = upstream_folder(tmp_path / "published")

    result = runner.invoke(args=["legislators", "sync", "--state", "ID", "--state", "NE"])

    assert result.exit_code == 0, result.output
    assert "Imported directory snapshot" in result.output
    snapshot = db.session.scalars(select(DirectorySnapshot)).one()
    assert snapshot.source == "sync from file"
    assert snapshot.details["has_shares"] is True
    assert set(snapshot.details["source_dates"]) == {"congress", "states"}
    # The converted Census files carry land shares, which the lookup passes on.
    result = lookup.as_json(lookup.find_legislators(_some_zip(db)))
    assert any(x["share"] is not None for x in result["legislators"])


def test_a_failing_sync_leaves_the_directory(app, runner, db, tmp_path, small_directory):
    from advocacy.legislators import importer

    importer.import_directory(small_directory)
    sources = upstream_folder(tmp_path / "published")
    sources["zip_cd"] = (tmp_path / "missing.txt").as_uri()
    app.config["LEGISLATOR_SOURCES"] = sources

    result = runner.invoke(args=["legislators", "sync", "--state", "ID"])

    assert result.exit_code == 1
    assert "Sync failed, the directory is unchanged" in result.output
    assert lookup.find_legislators("13202").race(lookup.Chamber.US_HOUSE).seats[0].key == "NY-22"


def _some_zip(db) -> str:
    from advocacy.legislators.models import ZipDistrict

    return db.session.scalars(select(ZipDistrict.zip).where(ZipDistrict.share < 1)).first()

"""Readers never see half a directory: lookups during an import get the old or the new one.

Runs on PostgreSQL (``TEST_DATABASE_URL``), where readers and the importer are separate
connections with real concurrency.
"""

from __future__ import annotations

import threading

import pytest

from advocacy.extensions import db
from advocacy.legislators import importer, lookup
from tests.conftest import ON_POSTGRES

from .conftest import FEDERAL, ZIP_CD, write_directory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…"),
]


def house_member(zip_code: str = "13202") -> str:
    race = lookup.find_legislators(zip_code).race(lookup.Chamber.US_HOUSE)
    return race.seats[0].members[0].name


def test_lookups_during_an_import_see_the_old_or_the_new_directory(app, small_directory, tmp_path):
    importer.import_directory(small_directory)
    assert house_member() == "Cy House"
    # The new snapshot renames NY-22's member and is big enough to take a while to write.
    renamed = [
        dict(r, full_name="Zed Newcomer") if r["bioguide_id"] == "C000003" else r for r in FEDERAL
    ]
    filler = [
        {"zip": f"{n:05d}", "state": "NY", "district": "23", "candidates": "1"}
        for n in range(20_000, 80_000)
        if f"{n:05d}" not in {r["zip"] for r in ZIP_CD}
    ]
    newer = write_directory(tmp_path / "newer", federal=renamed, zip_cd=[*ZIP_CD, *filler])

    seen: list[str] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        with app.app_context():
            try:
                while not done.is_set():
                    seen.append(house_member())
                    db.session.rollback()  # a fresh snapshot of the database each time
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        report = importer.import_directory(newer)
    finally:
        done.set()
        reader.join(10)

    assert report.changed
    assert not errors, errors
    assert set(seen) <= {"Cy House", "Zed Newcomer"}
    assert seen.count("Cy House") > 10  # the reader ran while the import was writing
    assert house_member() == "Zed Newcomer"
    # Once the new directory is seen, the old one never comes back.
    first_new = seen.index("Zed Newcomer") if "Zed Newcomer" in seen else len(seen)
    assert all(name == "Zed Newcomer" for name in seen[first_new:])

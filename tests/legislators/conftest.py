"""Small directory folders written by the tests, in the import format of ``files``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from advocacy.legislators import files

FEDERAL = [
    {"bioguide_id": "A000001", "chamber": "senate", "state": "NY", "first_name": "Ann",
     "last_name": "Senior", "full_name": "Ann Senior", "party": "Democrat", "phone": "202-224-0001",
     "office_address": "1 Hart Senate Office Building Washington DC 20510",
     "website": "https://senior.senate.gov", "contact_form": "https://senior.senate.gov/contact",
     "state_rank": "senior", "voting": "yes"},
    {"bioguide_id": "B000002", "chamber": "senate", "state": "NY", "first_name": "Bob",
     "last_name": "Junior", "full_name": "Bob Junior", "party": "Republican",
     "website": "https://junior.senate.gov", "state_rank": "junior", "voting": "yes"},
    {"bioguide_id": "C000003", "chamber": "house", "state": "NY", "district": "22",
     "first_name": "Cy", "last_name": "House", "full_name": "Cy House", "party": "Democrat",
     "phone": "202-225-0003", "website": "https://house22.house.gov", "voting": "yes"},
    {"bioguide_id": "D000004", "chamber": "house", "state": "NY", "district": "23",
     "first_name": "Di", "last_name": "Other", "full_name": "Di Other", "party": "Republican",
     "website": "https://house23.house.gov", "voting": "yes"},
    {"bioguide_id": "E000005", "chamber": "house", "state": "DC", "district": "0",
     "first_name": "Ed", "last_name": "Delegate", "full_name": "Ed Delegate",
     "party": "Democrat", "voting": "no"},
]  # fmt: skip
STATE = [
    {"openstates_id": "ocd-person/1", "state": "NY", "chamber": "upper", "district": "48",
     "name": "Sue Senator", "party": "Democratic", "email": "sue@nysenate.gov",
     "capitol_phone": "518-455-0001", "capitol_address": "State Capitol, Albany NY"},
    {"openstates_id": "ocd-person/2", "state": "NY", "chamber": "lower", "district": "128",
     "name": "Al Assembly", "party": "Democratic", "email": "al@nyassembly.gov"},
    {"openstates_id": "ocd-person/3", "state": "DC", "chamber": "legislature", "district": "Ward 1",
     "name": "Wanda Ward", "party": "Democratic"},
]  # fmt: skip
ZIP_CD = [
    {"zip": "13202", "state": "NY", "district": "22", "candidates": "1"},
    {"zip": "13000", "state": "NY", "district": "22", "candidates": "2", "share": "0.25"},
    {"zip": "13000", "state": "NY", "district": "23", "candidates": "2", "share": "0.75"},
    {"zip": "13999", "state": "NY", "district": "24", "candidates": "1"},
    {"zip": "20001", "state": "DC", "district": "0", "candidates": "1"},
]
ZIP_SLD = [
    {"zip": "13202", "state": "NY", "chamber": "upper", "district": "48", "candidates": "1"},
    {"zip": "13202", "state": "NY", "chamber": "lower", "district": "128", "candidates": "1"},
]
SOURCES = {
    "built_at": "2026-11-01T00:00:00+00:00",
    "sources": {
        "congress_legislators": {"repo": "unitedstates/congress-legislators",
                                 "commit_date": "2026-06-15T12:00:00-04:00"},
        "openstates_people": {"repo": "openstates/people", "commit_date": "2026-08-05T00:00:00Z"},
    },
}  # fmt: skip


def dump_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_directory(
    folder: Path,
    federal=FEDERAL,
    state=STATE,
    zip_cd=ZIP_CD,
    zip_sld=ZIP_SLD,
    sources=SOURCES,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (
        (files.FEDERAL, federal),
        (files.STATE, state),
        (files.ZIP_CD, zip_cd),
        (files.ZIP_SLD, zip_sld),
    ):
        columns = files.COLUMNS[name] + tuple(
            c for c in files.OPTIONAL_COLUMNS.get(name, ()) if any(c in r for r in rows)
        )
        full = [{c: r.get(c, "") for c in columns} for r in rows]
        (folder / name).write_text(dump_csv(full, columns), encoding="utf-8")
    if sources is not None:
        (folder / files.SOURCES).write_text(json.dumps(sources), encoding="utf-8")
    return folder


@pytest.fixture
def small_directory(tmp_path, no_directory):
    """A folder of the small tables above (nothing imported yet)."""
    return write_directory(tmp_path / "directory")

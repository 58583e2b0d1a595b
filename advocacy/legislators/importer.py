"""Load a directory folder (see ``files``) as a new snapshot and swap it in atomically.

The import happens in two steps. ``read_directory`` parses and checks every file first and
stops at the first structural error with its file and line (``DirectoryImportError``);
nothing is written until the whole folder has been read. ``import_directory`` then writes
the snapshot's rows and flips ``DirectorySnapshot.active`` in *one* transaction, deleting
the previous snapshot's rows in the same transaction. Readers therefore see the old
directory until the commit and the new one after it; a failure anywhere rolls back and
leaves the old directory in place. A folder whose files hash to the active snapshot's
fingerprint is not imported again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, text, update

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.legislators import files, titles
from advocacy.legislators.models import (
    Chamber,
    DirectorySnapshot,
    District,
    Legislator,
    LegislatorOffice,
    ZipDistrict,
)

_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
)
STATES = frozenset(_STATE_CODES.split())
PARTY_NAMES = {"Democrat": "Democratic"}
STATE_CHAMBERS = {
    "upper": Chamber.STATE_UPPER,
    "lower": Chamber.STATE_LOWER,
    "legislature": Chamber.STATE_LEGISLATURE,
}
FEDERAL_CHAMBERS = {"senate": Chamber.US_SENATE, "house": Chamber.US_HOUSE}

_BIOGUIDE = re.compile(r"^[A-Z]\d{6}$")
_ZIP5 = re.compile(r"^\d{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CHUNK = 5000


class DirectoryImportError(Exception):
    """A file is missing or malformed; ``str()`` names the file and line."""


@dataclass
class ParsedDirectory:
    """Everything read from a folder, ready to insert."""

    fingerprint: str
    source: str
    as_of: date
    sources: dict[str, Any]
    source_dates: dict[str, str]
    legislators: list[dict[str, Any]] = field(default_factory=list)
    offices: list[list[dict[str, Any]]] = field(default_factory=list)  # one list per legislator
    districts: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    zip_rows: list[dict[str, Any]] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)


@dataclass
class ImportReport:
    snapshot_id: int
    changed: bool
    as_of: date
    source: str
    counts: dict[str, int]
    vacancies: list[str]
    unmapped: dict[str, list[str]]
    dropped: dict[str, int]

    def lines(self) -> Iterator[str]:
        if not self.changed:
            yield f"Directory unchanged: this snapshot is already loaded (as of {self.as_of})."
            return
        yield f"Imported directory snapshot {self.snapshot_id} (as of {self.as_of})"
        yield f"  from {self.source}"
        for name, count in self.counts.items():
            yield f"  {count:>8,} {name}"
        if self.vacancies:
            yield f"  {len(self.vacancies)} vacant districts (no legislator): " + ", ".join(
                self.vacancies
            )
        if self.unmapped:
            total = sum(len(v) for v in self.unmapped.values())
            by_state = ", ".join(f"{s} {len(v)}" for s, v in sorted(self.unmapped.items()))
            yield f"  {total} legislators whose district is in no ZIP table ({by_state})"
        for what, count in self.dropped.items():
            yield f"  dropped {count} {what}"


# --- reading -----------------------------------------------------------------------------


def _rows(folder: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row, after checking the header."""
    path = folder / name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DirectoryImportError(f"{name}: file not found in {folder}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in files.COLUMNS[name] if c not in header]
        if missing:
            raise DirectoryImportError(
                f"{name} line 1: wrong header, missing column(s) {', '.join(missing)}"
            )
        try:
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise DirectoryImportError(
                        f"{name} line {reader.line_num}: expected {len(header)} fields"
                    )
                yield reader.line_num, {k: v.strip() for k, v in row.items()}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DirectoryImportError(f"{name} line {reader.line_num}: {exc}") from exc


def _fail(name: str, line: int, message: str) -> DirectoryImportError:
    return DirectoryImportError(f"{name} line {line}: {message}")


def _state(name: str, line: int, value: str) -> str:
    if value not in STATES:
        raise _fail(name, line, f"unknown state {value!r}")
    return value


def _url(value: str, dropped: Counter[str], what: str) -> str | None:
    """Only http(s) URLs become links; anything else is dropped and counted."""
    if not value:
        return None
    if value.startswith(("https://", "http://")) and " " not in value and len(value) <= 500:
        return value
    dropped[what] += 1
    return None


def _email(value: str, dropped: Counter[str]) -> str | None:
    if not value:
        return None
    if _EMAIL.match(value) and len(value) <= 254:
        return value
    dropped["malformed email addresses"] += 1
    return None


def _text(value: str, limit: int) -> str | None:
    return value[:limit] or None


def _senate_class(value: str) -> int | None:
    return int(value) if value in ("1", "2", "3") else None


def _party(value: str) -> str | None:
    return PARTY_NAMES.get(value, value) or None


def _read_federal(folder: Path, parsed: ParsedDirectory) -> None:
    name = files.FEDERAL
    seen: set[str] = set()
    for line, row in _rows(folder, name):
        bioguide = row["bioguide_id"]
        if not _BIOGUIDE.match(bioguide):
            raise _fail(name, line, f"bad bioguide_id {bioguide!r}")
        if bioguide in seen:
            raise _fail(name, line, f"bioguide_id {bioguide} appears twice")
        seen.add(bioguide)
        chamber = FEDERAL_CHAMBERS.get(row["chamber"])
        if chamber is None:
            raise _fail(name, line, f"chamber must be senate or house, not {row['chamber']!r}")
        state = _state(name, line, row["state"])
        voting = row["voting"] != "no"
        if chamber is Chamber.US_HOUSE:
            if not row["district"].isdigit():
                raise _fail(name, line, f"House district must be a number, not {row['district']!r}")
            district: str | None = str(int(row["district"]))
            title = titles.federal_title(Chamber.US_HOUSE, state, voting)
        else:
            if row["district"]:
                raise _fail(name, line, "senators have no district")
            district, title = None, "Senator"
        full_name = row["full_name"] or " ".join(
            p for p in (row["first_name"], row["last_name"], row["suffix"]) if p
        )
        if not full_name:
            raise _fail(name, line, "no name")
        parsed.legislators.append(
            {
                "external_id": bioguide,
                "chamber": chamber.value,
                "state": state,
                "district": district,
                "seat": None,
                "name": full_name[:200],
                "first_name": _text(row["nickname"] or row["first_name"], 100),
                "last_name": _text(row["last_name"], 100),
                "title": title,
                "party": _party(row["party"]),
                "email": None,
                "contact_form": _url(row["contact_form"], parsed.dropped, "non-http contact forms"),
                "website": _url(row["website"], parsed.dropped, "non-http websites"),
                "voting": voting,
                "rank": _text(row["state_rank"], 10),
                "senate_class": int(row["senate_class"])
                if row["senate_class"] in ("1", "2", "3")
                else None,
            }
        )
        office = {"phone": _text(row["phone"], 50), "address": _text(row["office_address"], 300)}
        parsed.offices.append(
            [dict(kind="washington", position=0, **office)] if any(office.values()) else []
        )


def _read_state(folder: Path, parsed: ParsedDirectory) -> None:
    name = files.STATE
    seen: set[tuple[str, str]] = set()
    for line, row in _rows(folder, name):
        person = row["openstates_id"]
        if not person:
            raise _fail(name, line, "no openstates_id")
        chamber = STATE_CHAMBERS.get(row["chamber"])
        if chamber is None:
            raise _fail(
                name, line, f"chamber must be upper, lower or legislature: {row['chamber']!r}"
            )
        if (person, chamber) in seen:
            raise _fail(name, line, f"{person} appears twice in the {row['chamber']} chamber")
        seen.add((person, chamber))
        state = _state(name, line, row["state"])
        if not row["district"]:
            raise _fail(name, line, "no district")
        if not row["name"]:
            raise _fail(name, line, "no name")
        parsed.legislators.append(
            {
                "external_id": person[:100],
                "chamber": chamber.value,
                "state": state,
                "district": row["district"][:100],
                "seat": _text(row["seat"], 10),
                "name": row["name"][:200],
                "first_name": _text(row["given_name"], 100),
                "last_name": _text(row["family_name"], 100),
                "title": titles.state_title(state, chamber),
                "party": _party(row["party"]),
                "email": _email(row["email"], parsed.dropped),
                "contact_form": None,
                "website": _url(row["website"], parsed.dropped, "non-http websites"),
                "voting": True,
                "rank": None,
                "senate_class": None,
            }
        )
        offices: list[dict[str, Any]] = []
        for kind in ("capitol", "district"):
            phone, address = row[f"{kind}_phone"], row[f"{kind}_address"]
            if phone or address:
                offices.append(
                    {
                        "kind": kind,
                        "position": len(offices),
                        "phone": _text(phone, 50),
                        "address": _text(address, 300),
                    }
                )
        parsed.offices.append(offices)


def _share(name: str, line: int, row: dict[str, str]) -> float | None:
    value = row.get("share") or ""
    if not value:
        return None
    try:
        share = float(value)
    except ValueError:
        raise _fail(name, line, f"share must be a number between 0 and 1, not {value!r}") from None
    if not 0 <= share <= 1:
        raise _fail(name, line, f"share must be between 0 and 1, not {value}")
    return share


def _zip(name: str, line: int, value: str) -> str:
    if not _ZIP5.match(value):
        raise _fail(name, line, f"ZIP must be 5 digits, not {value!r}")
    return value


def _read_zip_tables(folder: Path, parsed: ParsedDirectory) -> None:
    seen: set[tuple[str, str, str, str]] = set()

    def add(name: str, line: int, zip_code: str, chamber: Chamber, state: str, district: str):
        key = (zip_code, chamber.value, state, district)
        if key in seen:
            raise _fail(name, line, f"duplicate row for ZIP {zip_code}")
        seen.add(key)
        parsed.zip_rows.append(
            {
                "zip": zip_code,
                "chamber": chamber.value,
                "state": state,
                "district": district,
                "share": _share(name, line, row),
            }
        )
        info = parsed.districts.setdefault(
            (state, chamber.value, district), {"census_code": None, "census_name": None}
        )
        info["zip_count"] = info.get("zip_count", 0) + 1

    name = files.ZIP_CD
    for line, row in _rows(folder, name):
        zip_code = _zip(name, line, row["zip"])
        state = _state(name, line, row["state"])
        if not row["district"].isdigit():
            raise _fail(name, line, f"district must be a number, not {row['district']!r}")
        add(name, line, zip_code, Chamber.US_HOUSE, state, str(int(row["district"])))

    name = files.ZIP_SLD
    for line, row in _rows(folder, name):
        zip_code = _zip(name, line, row["zip"])
        state = _state(name, line, row["state"])
        chamber = STATE_CHAMBERS.get(row["chamber"])
        if chamber not in (Chamber.STATE_UPPER, Chamber.STATE_LOWER):
            raise _fail(name, line, f"chamber must be upper or lower, not {row['chamber']!r}")
        if not row["district"]:
            raise _fail(name, line, "no district")
        add(name, line, zip_code, chamber, state, row["district"][:100])


def _read_district_names(folder: Path, parsed: ParsedDirectory) -> None:
    name = files.SLD
    if not (folder / name).exists():
        return
    for line, row in _rows(folder, name):
        chamber = STATE_CHAMBERS.get(row["chamber"])
        if chamber is None:
            raise _fail(name, line, f"unknown chamber {row['chamber']!r}")
        key = (_state(name, line, row["state"]), chamber.value, row["district"][:100])
        info = parsed.districts.setdefault(key, {})
        info["census_code"] = _text(row["census_code"], 20)
        info["census_name"] = _text(row["census_name"], 200)


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _read_sources(folder: Path) -> tuple[dict[str, Any], dict[str, str], date | None]:
    """The sources.json metadata, the legislator sources' dates, and the snapshot's as-of."""
    path = folder / files.SOURCES
    if not path.exists():
        return {}, {}, None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DirectoryImportError(f"{files.SOURCES}: not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise DirectoryImportError(f"{files.SOURCES}: expected an object")
    sources = found if isinstance(found := meta.get("sources"), dict) else {}
    dates: dict[str, str] = {}
    for key, label in (("congress_legislators", "congress"), ("openstates_people", "states")):
        info = sources.get(key) or {}
        when = (
            _date(info.get("commit_date"))
            or _date(info.get("last_modified_iso"))
            or _date(info.get("retrieved_at"))
        )
        if when:
            dates[label] = when.isoformat()
    as_of = min((date.fromisoformat(d) for d in dates.values()), default=None) or _date(
        meta.get("built_at")
    )
    kept = {
        "built_at": meta.get("built_at"),
        "sources": {
            k: {f: v[f] for f in ("repo", "commit", "commit_date", "url", "retrieved_at") if f in v}
            for k, v in sources.items()
            if isinstance(v, dict)
        },
    }
    return kept, dates, as_of


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in (*files.REQUIRED_FILES, files.SLD, files.SOURCES):
        path = folder / name
        if path.exists():
            digest.update(name.encode() + b"\0")
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise DirectoryImportError(f"{folder} is not a folder")
    for name in files.REQUIRED_FILES:
        if not (folder / name).is_file():
            raise DirectoryImportError(f"{name}: file not found in {folder}")


def read_directory(folder: Path, source: str | None = None) -> ParsedDirectory:
    """Parse and check a folder; raise DirectoryImportError naming the file and line."""
    folder = Path(folder)
    _check_folder(folder)
    sources, source_dates, as_of = _read_sources(folder)
    parsed = ParsedDirectory(
        fingerprint=fingerprint(folder),
        source=(source or str(folder.resolve()))[:500],
        as_of=as_of or datetime.now(UTC).date(),
        sources=sources,
        source_dates=source_dates,
    )
    _read_federal(folder, parsed)
    _read_state(folder, parsed)
    _read_zip_tables(folder, parsed)
    _read_district_names(folder, parsed)
    senators = Counter(
        row["state"] for row in parsed.legislators if row["chamber"] == Chamber.US_SENATE
    )
    too_many = sorted(state for state, count in senators.items() if count > 2)
    if too_many:
        raise DirectoryImportError(f"{files.FEDERAL}: more than two senators for {too_many}")
    return parsed


# --- writing -----------------------------------------------------------------------------


def _insert(model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        db.session.execute(insert(model), rows[start : start + _CHUNK])


def active_snapshot() -> DirectorySnapshot | None:
    return db.session.scalar(select(DirectorySnapshot).where(DirectorySnapshot.active))


def import_directory(folder: Path, source: str | None = None) -> ImportReport:
    """Read ``folder`` and make it the directory, atomically; see the module docstring."""
    folder = Path(folder)
    _check_folder(folder)
    current = active_snapshot()
    if current is not None and current.fingerprint == fingerprint(folder):
        return ImportReport(current.id, False, current.as_of, current.source, {}, [], {}, {})
    parsed = read_directory(folder, source)
    try:
        report = _write(parsed)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


_IMPORT_LOCK = 0x4C454749  # "LEGI": one import at a time (a PostgreSQL advisory lock)


def _write(parsed: ParsedDirectory) -> ImportReport:
    if db.session.get_bind().dialect.name == "postgresql":
        # Two imports at once would each delete only the rows they can see; the second waits
        # here until the first commits or rolls back. (SQLite serialises writers anyway.)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
    snapshot = DirectorySnapshot(
        fingerprint=parsed.fingerprint,
        source=parsed.source,
        as_of=parsed.as_of,
        imported_at=utcnow(),
        active=False,
        details={},
    )
    db.session.add(snapshot)
    db.session.flush()
    sid = snapshot.id

    rows = [{**row, "snapshot_id": sid} for row in parsed.legislators]
    ids: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        ids.extend(
            db.session.scalars(
                insert(Legislator).returning(Legislator.id, sort_by_parameter_order=True),
                rows[start : start + _CHUNK],
            )
        )
    offices = [
        {**office, "legislator_id": legislator_id}
        for legislator_id, group in zip(ids, parsed.offices, strict=True)
        for office in group
    ]
    _insert(LegislatorOffice, offices)
    _insert(ZipDistrict, [{**row, "snapshot_id": sid} for row in parsed.zip_rows])

    members: Counter[tuple[str, str, str]] = Counter(
        (row["state"], row["chamber"], row["district"])
        for row in parsed.legislators
        if row["district"] is not None
    )
    districts = dict(parsed.districts)
    for key in members:
        districts.setdefault(key, {})
    _insert(
        District,
        [
            {
                "snapshot_id": sid,
                "state": state,
                "chamber": chamber,
                "district": district,
                "census_code": info.get("census_code"),
                "census_name": info.get("census_name"),
                "zip_count": info.get("zip_count", 0),
                "legislator_count": members[(state, chamber, district)],
            }
            for (state, chamber, district), info in districts.items()
        ],
    )

    mapped = {key for key, info in districts.items() if info.get("zip_count")}
    vacancies = sorted(_district_label(*key) for key in mapped if not members[key])
    unmapped: dict[str, list[str]] = defaultdict(list)
    for row in parsed.legislators:
        key = (row["state"], row["chamber"], row["district"])
        if row["district"] is not None and key not in mapped:
            unmapped[row["state"]].append(f"{row['name']} ({_district_label(*key)})")
    counts = {
        "legislators": len(rows),
        "offices": len(offices),
        "districts": len(districts),
        "ZIP-district rows": len(parsed.zip_rows),
        "ZIP codes": len({row["zip"] for row in parsed.zip_rows}),
    }
    snapshot.details = {
        "sources": parsed.sources,
        "source_dates": parsed.source_dates,
        "counts": counts,
        "vacancies": vacancies,
        "unmapped": dict(unmapped),
        "dropped": dict(parsed.dropped),
        "has_shares": any(row["share"] is not None for row in parsed.zip_rows),
    }

    # The swap: the new snapshot becomes the only one, in this same transaction.
    for model in (ZipDistrict, District):
        db.session.execute(delete(model).where(model.snapshot_id != sid))
    old_legislators = select(Legislator.id).where(Legislator.snapshot_id != sid)
    db.session.execute(
        delete(LegislatorOffice).where(LegislatorOffice.legislator_id.in_(old_legislators))
    )
    db.session.execute(delete(Legislator).where(Legislator.snapshot_id != sid))
    db.session.execute(delete(DirectorySnapshot).where(DirectorySnapshot.id != sid))
    db.session.execute(update(DirectorySnapshot).values(active=DirectorySnapshot.id == sid))
    return ImportReport(
        sid,
        True,
        parsed.as_of,
        parsed.source,
        counts,
        vacancies,
        dict(unmapped),
        dict(parsed.dropped),
    )


def _district_label(state: str, chamber: str, district: str) -> str:
    if chamber == Chamber.US_HOUSE:
        return f"{state}-{district}"
    return f"{state} {Chamber(chamber).label} {district}"


def census_district_names() -> dict[tuple[str, str, str], str]:
    """(state, upper|lower, Census code) → district name, from the loaded directory.

    ``sync`` uses it to name the districts of the Census files the way Open States does
    (Massachusetts, New Hampshire and Vermont name theirs rather than number them).
    """
    snapshot = active_snapshot()
    if snapshot is None:
        return {}
    back = {v.value: k for k, v in STATE_CHAMBERS.items()}
    rows = db.session.execute(
        select(District.state, District.chamber, District.census_code, District.district).where(
            District.snapshot_id == snapshot.id, District.census_code.is_not(None)
        )
    )
    return {
        (state, back[chamber], code): name
        for state, chamber, code, name in rows
        if code is not None  # the query's filter already; mypy sees a nullable column
    }

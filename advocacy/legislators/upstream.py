"""Fetch the official publications and convert them into a directory folder (``files``).

``flask legislators sync`` is fetch + convert + the same importer that reads the shared folder:

1. ``fetch`` downloads each publication in ``DEFAULT_SOURCES`` into ``DEST/upstream/``
   (streamed to a temporary file, then renamed, so a broken download never leaves half a file):

   - congress-legislators' ``legislators-current.csv`` (one row per member of Congress, taken
     from each member's latest term; no term dates or state rank in that CSV);
   - Open States' ``people/current/<state>.csv``, one file per state, DC and PR (the file has
     no state column: the state comes from the file name);
   - the Census Bureau's 2020 relationship files between ZCTAs and the 119th Congress's
     districts and the 2024 state legislative districts (upper and lower), pipe-delimited,
     one row per (district, ZCTA) part with its land area (``AREALAND_PART``) and the ZCTA's
     whole land area (``AREALAND_ZCTA5_20``).

2. The ``convert_*`` functions, pure (no network, no Flask, no database), read those files and
   write the CSV files of ``files.COLUMNS``; the ZIP tables get the optional ``share`` column
   (the part of the ZIP's land in that district). A file that is not what it should be (a
   missing column, an HTML error page, a malformed row) raises ``SyncError`` naming the file and
   the line, before anything is imported.

3. ``write_sources`` records where each table came from and when (``sources.json``), and
   ``build_directory`` runs the whole chain; the caller then imports the folder.

Census district codes are turned into Open States district names (so ``(state, chamber,
district)`` joins the ZIP tables to the legislators) by, in order: the ``district_names``
mapping the caller passes (the loaded directory's ``(state, chamber, census_code) → district``),
the district's Census name for the states that name rather than number their districts
(Massachusetts, New Hampshire's House, Vermont), and otherwise the code without its zero
padding (``001`` → ``1``, ``01A`` → ``1A``, ``00A`` → ``A``).
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from advocacy.legislators import files

USER_AGENT = "Advocacy legislator sync"

_CENSUS_REL = "https://www2.census.gov/geo/docs/maps-data/data/rel2020/cd-sld/"
DEFAULT_SOURCES: dict[str, str] = {
    # unitedstates/congress-legislators, published on GitHub Pages (CC0). The older
    # theunitedstates.io host no longer serves it reliably.
    "congress_legislators": (
        "https://unitedstates.github.io/congress-legislators/legislators-current.csv"
    ),
    # Open States people, current legislators of one jurisdiction (CC0); {state} is the
    # lowercase USPS code (al … wy, dc, pr).
    "openstates_people": "https://data.openstates.org/people/current/{state}.csv",
    # Census 2020 relationship files (public domain): ZCTA ↔ 119th Congress districts and
    # ZCTA ↔ 2024 state legislative districts, upper (SLDU) and lower (SLDL) chambers.
    "zip_cd": _CENSUS_REL + "tab20_cd11920_zcta520_natl.txt",
    "zip_sldu": _CENSUS_REL + "tab20_sldu202420_zcta520_natl.txt",
    "zip_sldl": _CENSUS_REL + "tab20_sldl202420_zcta520_natl.txt",
}

# State FIPS codes of the 50 states, DC and Puerto Rico. The island areas (AS 60, GU 66,
# MP 69, VI 78) are not in the Census relationship files' scope; rows for them are skipped.
FIPS_TO_STATE: dict[str, str] = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "72": "PR",
}  # fmt: skip
_ISLAND_AREA_FIPS = frozenset({"60", "66", "69", "78"})
# Open States jurisdictions fetched by default: the 50 states, DC and PR.
DEFAULT_STATES: tuple[str, ...] = tuple(sorted(s.lower() for s in FIPS_TO_STATE.values()))
# House members who do not vote on the floor: the delegates and PR's resident commissioner.
NON_VOTING = frozenset({"DC", "PR", "GU", "VI", "AS", "MP"})
_STATES = frozenset(FIPS_TO_STATE.values())
_ALL_STATES = _STATES | NON_VOTING

# Columns read from each upstream file (all present in the published headers).
CONGRESS_COLUMNS = (
    "last_name", "first_name", "suffix", "nickname", "full_name", "type", "state",
    "district", "senate_class", "party", "url", "address", "phone", "contact_form",
    "bioguide_id",
)  # fmt: skip
OPENSTATES_COLUMNS = (
    "id", "name", "current_party", "current_district", "current_chamber", "given_name",
    "family_name", "email", "links", "capitol_address", "capitol_voice", "district_address",
    "district_voice",
)  # fmt: skip
# Census relationship files: the ZCTA side, and the land area of each (district, ZCTA) part.
# The district columns carry the plan's vintage (GEOID_CD119_20, GEOID_SLDU2024_20, …) and
# are found by prefix, so a later file of the same layout converts unchanged.
CENSUS_ZCTA_COLUMNS = ("GEOID_ZCTA5_20", "AREALAND_ZCTA5_20", "AREALAND_PART")

_ZIP5 = re.compile(r"^\d{5}$")
_IDAHO_SEAT = re.compile(r"^(\d+)\s*-?\s*([A-Za-z])$")
_CHAMBER_ORDER = {"senate": 0, "house": 1, "upper": 0, "lower": 1, "legislature": 2}
_SHARE_PLACES = 4


class SyncError(Exception):
    """An upstream file could not be fetched, or is not in the format it should be."""


# --- fetching -----------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _http_date_iso(value: str | None) -> str | None:
    """An HTTP date (``Last-Modified``) as UTC ISO 8601, or None if there is none."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds")


def fetch(url: str, dest: Path, timeout: float = 60) -> dict[str, Any]:
    """Download ``url`` to ``dest``; return ``{"url", "retrieved_at", "last_modified"}``.

    http(s) and file URLs only. The body is streamed to a temporary file beside ``dest`` and
    renamed over it once complete. Loopback hosts are never sent through a proxy.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https", "file"):
        raise SyncError(f"Cannot fetch {url!r}: only http(s) and file URLs are supported")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    handlers = []
    if parts.hostname in ("127.0.0.1", "localhost", "::1"):
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, opener.open(request, timeout=timeout) as response:
            shutil.copyfileobj(response, out, 1 << 16)
            last_modified = response.headers.get("Last-Modified")
        os.replace(tmp, dest)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise SyncError(f"Could not fetch {url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise SyncError(f"Could not fetch {url}: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:  # timeouts, resets, short reads
        raise SyncError(f"Could not fetch {url}: {exc or type(exc).__name__}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return {"url": url, "retrieved_at": _now(), "last_modified": last_modified}


# --- reading and writing tables -------------------------------------------------------------


class _Table:
    """An upstream CSV (or pipe-delimited) file: header checks and numbered, stripped rows."""

    def __init__(self, path: Path, delimiter: str = ",") -> None:
        self.path = Path(path)
        self.name = self.path.name
        try:
            self._handle = self.path.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise SyncError(f"{self.name}: cannot read {self.path} ({exc})") from exc
        self._reader = csv.DictReader(self._handle, delimiter=delimiter)
        try:
            self.header = [h.strip() for h in (self._reader.fieldnames or [])]
        except (csv.Error, UnicodeDecodeError) as exc:
            self._handle.close()
            raise SyncError(f"{self.name} line 1: unreadable header ({exc})") from exc
        self._reader.fieldnames = self.header

    def __enter__(self) -> _Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._handle.close()

    def error(self, line: int, message: str) -> SyncError:
        return SyncError(f"{self.name} line {line}: {message}")

    def _wrong_header(self, what: str) -> SyncError:
        shown = ", ".join(self.header[:6]) + (", …" if len(self.header) > 6 else "")
        return self.error(1, f"wrong header, {what} (header starts: {shown or 'nothing'})")

    def require(self, *columns: str) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise self._wrong_header(f"missing column(s) {', '.join(missing)}")

    def column(self, prefix: str) -> str:
        """The one column named ``prefix``… (``GEOID_CD`` finds ``GEOID_CD119_20``)."""
        found = [c for c in self.header if c.startswith(prefix)]
        if len(found) != 1:
            raise self._wrong_header(
                f"expected one {prefix}… column, found {', '.join(found) or 'none'}"
            )
        return found[0]

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        reader = self._reader
        width = len(self.header)
        try:
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise self.error(reader.line_num, f"expected {width} fields")
                yield reader.line_num, {k: v.strip() for k, v in row.items()}
        except csv.Error as exc:
            raise self.error(reader.line_num, str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise self.error(reader.line_num + 1, f"not UTF-8 text ({exc.reason})") from exc


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> int:
    """Write ``rows`` with exactly ``columns`` (temporary file, then rename); return the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return len(rows)


def _natural(value: str) -> tuple[Any, ...]:
    """Sort key putting district 2 before 10 and 1A before 1B before 2A."""
    parts = re.split(r"(\d+)", value)
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))


def _share_text(part: float, whole: float) -> str:
    return str(round(min(1.0, part / whole), _SHARE_PLACES))


# --- congress-legislators -------------------------------------------------------------------


def _house_district(table: _Table, line: int, value: str) -> str:
    """A House district as a plain integer; at-large seats and delegates are ``0``.

    congress-legislators writes 0 for at-large seats; -1 (unknown, in historical data) and a
    blank are treated as at-large too.
    """
    if value in ("", "-1"):
        return "0"
    match = re.fullmatch(r"(\d+)(?:\.0+)?", value)
    if not match:
        raise table.error(line, f"House district must be a number, not {value!r}")
    return str(int(match[1]))


def convert_congress(src_csv: Path, dest_dir: Path) -> int:
    """congress-legislators ``legislators-current.csv`` → ``federal_legislators.csv``."""
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    with _Table(src_csv) as table:
        table.require(*CONGRESS_COLUMNS)
        extra = [c for c in ("term_start", "term_end", "state_rank") if c in table.header]
        for line, row in table:
            bioguide = row["bioguide_id"]
            if not bioguide:
                raise table.error(line, "no bioguide_id")
            if bioguide in seen:
                raise table.error(line, f"bioguide_id {bioguide} appears twice")
            seen.add(bioguide)
            state = row["state"].upper()
            if state not in _ALL_STATES:
                raise table.error(line, f"unknown state {row['state']!r}")
            if row["type"] == "sen":
                chamber, district, senate_class = "senate", "", row["senate_class"]
            elif row["type"] == "rep":
                chamber, senate_class = "house", ""
                district = _house_district(table, line, row["district"])
            else:
                raise table.error(line, f"type must be sen or rep, not {row['type']!r}")
            if not (row["full_name"] or row["last_name"]):
                raise table.error(line, "no name")
            optional = {c: row[c] for c in extra}
            rows.append(
                {
                    "bioguide_id": bioguide,
                    "chamber": chamber,
                    "state": state,
                    "district": district,
                    "first_name": row["first_name"],
                    "last_name": row["last_name"],
                    "nickname": row["nickname"],
                    "suffix": row["suffix"],
                    "full_name": row["full_name"],
                    "party": row["party"],
                    "phone": row["phone"],
                    "office_address": row["address"],
                    "website": row["url"],
                    "contact_form": row["contact_form"],
                    "term_start": optional.get("term_start", ""),
                    "term_end": optional.get("term_end", ""),
                    "senate_class": senate_class,
                    "state_rank": optional.get("state_rank", "") if chamber == "senate" else "",
                    "voting": "no" if chamber == "house" and state in NON_VOTING else "yes",
                }
            )
    rows.sort(
        key=lambda r: (
            r["state"],
            _CHAMBER_ORDER[r["chamber"]],
            int(r["district"] or 0),
            r["last_name"].casefold(),
            r["first_name"].casefold(),
        )
    )
    return _write_csv(Path(dest_dir) / files.FEDERAL, files.COLUMNS[files.FEDERAL], rows)


# --- Open States ----------------------------------------------------------------------------


def _state_from_filename(path: Path) -> str:
    """``id.csv`` (or ``openstates-id.csv``) → ``ID``: Open States files have no state column."""
    stem = Path(path).stem.upper()
    code = stem if stem in _STATES else re.split(r"[-_. ]", stem)[-1]
    if code not in _STATES:
        raise SyncError(f"{Path(path).name}: cannot tell the state from the file name")
    return code


def _first_link(links: str) -> str:
    """Open States joins a person's links with ``;``; the first is their official page."""
    return next((u.strip() for u in links.split(";") if u.strip()), "")


def convert_openstates(src_csvs: list[Path], dest_dir: Path) -> int:
    """Open States ``people/current/<state>.csv`` files → ``state_legislators.csv``.

    The state comes from each file's name (``id.csv``). Chambers are kept as Open States
    gives them (upper, lower, legislature) except Nebraska's unicameral legislature, which the
    directory calls ``upper`` as the Census files do. Idaho's House seats (``10A``, ``10B``)
    become district ``10`` with seat ``A``/``B``; ``source_district`` keeps the original.
    """
    rows: list[dict[str, str]] = []
    seen: dict[tuple[str, str], str] = {}
    for src in src_csvs:
        state = _state_from_filename(src)
        with _Table(src) as table:
            table.require(*OPENSTATES_COLUMNS)
            start_column = next((c for c in ("role_start", "start_date") if c in table.header), "")
            for line, row in table:
                person = row["id"]
                if not person:
                    raise table.error(line, "no id")
                chamber = row["current_chamber"]
                if chamber not in ("upper", "lower", "legislature"):
                    raise table.error(
                        line, f"current_chamber must be upper, lower or legislature: {chamber!r}"
                    )
                if state == "NE" and chamber == "legislature":
                    chamber = "upper"
                source_district = row["current_district"]
                if not source_district:
                    raise table.error(line, "no current_district")
                if not row["name"]:
                    raise table.error(line, "no name")
                where = f"{table.name} line {line}"
                if (person, chamber) in seen:
                    raise table.error(line, f"{person} already listed at {seen[person, chamber]}")
                seen[person, chamber] = where
                district, seat = source_district, ""
                if state == "ID" and chamber == "lower":
                    match = _IDAHO_SEAT.match(source_district)
                    if match:
                        district, seat = match[1], match[2].upper()
                rows.append(
                    {
                        "openstates_id": person,
                        "state": state,
                        "chamber": chamber,
                        "district": district,
                        "seat": seat,
                        "source_district": source_district,
                        "name": row["name"],
                        "given_name": row["given_name"],
                        "family_name": row["family_name"],
                        "party": row["current_party"],
                        "email": row["email"],
                        "capitol_phone": row["capitol_voice"],
                        "capitol_address": row["capitol_address"],
                        "district_phone": row["district_voice"],
                        "district_address": row["district_address"],
                        "website": _first_link(row["links"]),
                        "role_start": row[start_column] if start_column else "",
                    }
                )
    rows.sort(
        key=lambda r: (
            r["state"],
            _CHAMBER_ORDER[r["chamber"]],
            _natural(r["district"]),
            r["seat"],
            r["family_name"].casefold(),
            r["name"].casefold(),
        )
    )
    return _write_csv(Path(dest_dir) / files.STATE, files.COLUMNS[files.STATE], rows)


# --- Census relationship files --------------------------------------------------------------


def _area(table: _Table, line: int, row: dict[str, str], column: str) -> int:
    value = row.get(column, "")
    if value == "":
        return 0
    if not value.isdigit():
        raise table.error(line, f"{column} must be a whole number of square metres: {value!r}")
    return int(value)


def _split_geoid(table: _Table, line: int, geoid: str, code_length: int) -> tuple[str, str] | None:
    """A district GEOID → (state, district code), or None for a row to skip.

    Skipped: the island areas, and the ``ZZ``/``ZZZ`` codes the Census uses for parts
    (mostly water) that are in no district.
    """
    if len(geoid) != 2 + code_length:
        raise table.error(line, f"district GEOID {geoid!r} should be {2 + code_length} characters")
    fips, code = geoid[:2], geoid[2:]
    if fips in _ISLAND_AREA_FIPS or set(code.upper()) == {"Z"}:
        return None
    state = FIPS_TO_STATE.get(fips)
    if state is None:
        raise table.error(line, f"unknown state FIPS code {fips!r} in {geoid!r}")
    return state, code


def _zcta(table: _Table, line: int, value: str) -> str:
    if not _ZIP5.match(value):
        raise table.error(line, f"ZCTA must be 5 digits, not {value!r}")
    return value


class _Overlaps:
    """Land (and water) of each (ZIP, key) part, and each ZIP's whole area."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[tuple[str, ...], list[Any]]] = {}
        self.whole: dict[str, tuple[int, int]] = {}

    def add(
        self,
        table: _Table,
        line: int,
        row: dict[str, str],
        zcta: str,
        key: tuple[str, ...],
        tag: str = "",
    ) -> None:
        land = _area(table, line, row, "AREALAND_PART")
        water = _area(table, line, row, "AREAWATER_PART")
        whole = (
            _area(table, line, row, "AREALAND_ZCTA5_20"),
            _area(table, line, row, "AREAWATER_ZCTA5_20"),
        )
        part = self.parts.setdefault(zcta, {}).setdefault(key, [0, 0, set()])
        part[0] += land
        part[1] += water
        if tag:
            part[2].add(tag)
        self.whole[zcta] = whole

    def kept(
        self, group: Callable[[tuple[str, ...]], Any] = lambda key: None
    ) -> Iterator[tuple[str, tuple[str, ...], str, int, set[str]]]:
        """(zip, key, share, candidates, tags) for the parts kept, grouped by ``group(key)``.

        Within a group (a ZIP, or a ZIP and chamber), parts with no land are dropped when
        another part has land: a ZIP touching a district only over water is not in it. The
        share is the part's land over the ZIP's land (water when the ZIP has no land).
        """
        for zcta in sorted(self.parts):
            groups: dict[Any, list[tuple[tuple[str, ...], list[Any]]]] = {}
            for key, part in self.parts[zcta].items():
                groups.setdefault(group(key), []).append((key, part))
            land_whole, water_whole = self.whole[zcta]
            for members in groups.values():
                if any(part[0] > 0 for _, part in members):
                    members = [(k, p) for k, p in members if p[0] > 0]
                for key, (land, water, tags) in members:
                    if land_whole > 0:
                        share = _share_text(land, land_whole)
                    elif water_whole > 0:
                        share = _share_text(water, water_whole)
                    else:
                        share = _share_text(1, len(members))
                    yield zcta, key, share, len(members), tags


def _census_parts(
    table: _Table, geoid_column: str, code_length: int
) -> Iterator[tuple[int, dict[str, str], str, str, str]]:
    """(line, row, ZCTA, state, district code) for each part with both a ZCTA and a district."""
    for line, row in table:
        zcta, geoid = row["GEOID_ZCTA5_20"], row[geoid_column]
        if not zcta or not geoid:
            continue
        zcta = _zcta(table, line, zcta)
        split = _split_geoid(table, line, geoid, code_length)
        if split is not None:
            yield line, row, zcta, *split


def convert_census_cd(src_txt: Path, dest_dir: Path) -> int:
    """Census ZCTA ↔ congressional district file → ``zip_congressional_districts.csv``.

    The district is the last two digits of the GEOID as an integer; ``00`` (at-large) and
    ``98`` (DC's delegate, PR's resident commissioner) become ``0``. Parts with no ZCTA or no
    district (``ZZ``) are skipped.
    """
    overlaps = _Overlaps()
    with _Table(src_txt, delimiter="|") as table:
        district_column = table.column("GEOID_CD")
        table.require(*CENSUS_ZCTA_COLUMNS)
        for line, row, zcta, state, code in _census_parts(table, district_column, 2):
            if not code.isdigit():
                raise table.error(
                    line, f"congressional district code must be 2 digits: {row[district_column]!r}"
                )
            district = "0" if code in ("00", "98") else str(int(code))
            overlaps.add(table, line, row, zcta, (state, district))
    rows: list[dict[str, Any]] = [
        {"zip": z, "state": key[0], "district": key[1], "candidates": n, "share": share}
        for z, key, share, n, _ in overlaps.kept()
    ]
    rows.sort(key=lambda r: (r["zip"], r["state"], int(r["district"])))
    columns = files.COLUMNS[files.ZIP_CD] + files.OPTIONAL_COLUMNS[files.ZIP_CD]
    return _write_csv(Path(dest_dir) / files.ZIP_CD, columns, rows)


def _ordinal_name(census_name: str, suffix: str) -> str | None:
    match = re.fullmatch(rf"(.+?) {suffix}", census_name)
    return match[1] if match else None


def _name_from_census(state: str, chamber: str, census_name: str) -> str | None:
    """Open States' name of a district in the states that name them, from the Census name.

    ``1st Barnstable District`` → ``1st Barnstable``; ``Berkshire-Hampden-Franklin-Hampshire
    District`` → ``Berkshire, Hampden, Franklin and Hampshire`` (MA); ``State House District
    Belknap 01`` → ``Belknap 1`` (NH House); ``Addison-1 State House District`` →
    ``Addison-1``, ``Addison Senatorial District`` → ``Addison`` (VT).
    """
    if state == "MA":
        name = _ordinal_name(census_name, "District")
        if name is None:
            return None
        counties = name.split("-")
        if len(counties) > 1:
            name = ", ".join(counties[:-1]) + " and " + counties[-1]
        return name
    if state == "NH" and chamber == "lower":
        match = re.fullmatch(r"State House District (.+?) 0*(\d+)", census_name)
        return f"{match[1]} {match[2]}" if match else None
    if state == "VT":
        return _ordinal_name(census_name, "(?:State House|Senatorial) District")
    return None


def census_district_name(
    state: str,
    chamber: str,
    census_code: str,
    census_name: str = "",
    district_names: Mapping[tuple[str, str, str], str] | None = None,
) -> str:
    """The Open States name of a Census state legislative district (see the module notes)."""
    short = census_code.lstrip("0") or "0"
    if district_names:
        for code in (census_code, short):
            name = district_names.get((state, chamber, code))
            if name:
                return name
    return _name_from_census(state, chamber, census_name) or short


def convert_census_sld(
    upper_txt: Path,
    lower_txt: Path,
    dest_dir: Path,
    district_names: dict[tuple[str, str, str], str] | None = None,
) -> int:
    """Census ZCTA ↔ 2024 state legislative district files → the two state district tables.

    Writes ``zip_state_legislative_districts.csv`` (with ``share``; ``candidates`` = the
    districts of that chamber for that ZIP) and ``state_legislative_districts.csv`` (one row
    per Census district; ``census_code`` is the code without zero padding, as in the shared
    folder; ``legislators`` is left blank, the importer counts them). Nebraska's unicameral
    legislature is ``upper``. Returns the number of ZIP rows.
    """
    return _convert_census_sld(upper_txt, lower_txt, dest_dir, district_names)[0]


def _convert_census_sld(
    upper_txt: Path,
    lower_txt: Path,
    dest_dir: Path,
    district_names: Mapping[tuple[str, str, str], str] | None,
) -> tuple[int, int]:
    """``convert_census_sld``, returning (ZIP rows, district rows)."""
    overlaps = _Overlaps()
    districts: dict[tuple[str, str, str], dict[str, Any]] = {}
    for src, chamber, prefix in ((upper_txt, "upper", "SLDU"), (lower_txt, "lower", "SLDL")):
        with _Table(src, delimiter="|") as table:
            geoid_column = table.column(f"GEOID_{prefix}")
            name_column = table.column(f"NAMELSAD_{prefix}")
            table.require(*CENSUS_ZCTA_COLUMNS)
            for line, row, zcta, state, code in _census_parts(table, geoid_column, 3):
                house = "upper" if state == "NE" else chamber
                short = code.lstrip("0") or "0"
                info = districts.get((state, house, short))
                if info is None:
                    census_name = row[name_column]
                    info = districts[state, house, short] = {
                        "state": state,
                        "chamber": house,
                        "district": census_district_name(
                            state, house, code, census_name, district_names
                        ),
                        "census_code": short,
                        "census_name": census_name,
                        "zips": set(),
                    }
                overlaps.add(table, line, row, zcta, (state, house, info["district"]), short)
    zip_rows: list[dict[str, Any]] = []
    for zcta, (state, house, district), share, count, codes in overlaps.kept(
        group=lambda key: key[1]
    ):
        zip_rows.append(
            {
                "zip": zcta,
                "state": state,
                "chamber": house,
                "district": district,
                "candidates": count,
                "share": share,
            }
        )
        for code in codes:
            districts[state, house, code]["zips"].add(zcta)
    zip_rows.sort(
        key=lambda r: (
            r["zip"],
            r["state"],
            _CHAMBER_ORDER[r["chamber"]],
            _natural(r["district"]),
        )
    )
    sld_rows = [
        {**info, "zips": len(info["zips"]), "legislators": ""}
        for info in sorted(
            districts.values(),
            key=lambda i: (i["state"], _CHAMBER_ORDER[i["chamber"]], _natural(i["district"])),
        )
    ]
    columns = files.COLUMNS[files.ZIP_SLD] + files.OPTIONAL_COLUMNS[files.ZIP_SLD]
    return (
        _write_csv(Path(dest_dir) / files.ZIP_SLD, columns, zip_rows),
        _write_csv(Path(dest_dir) / files.SLD, files.COLUMNS[files.SLD], sld_rows),
    )


def read_district_names(sld_csv: Path) -> dict[tuple[str, str, str], str]:
    """``(state, chamber, census_code) → district`` from a state_legislative_districts.csv.

    For callers that have the previous folder rather than a loaded directory.
    """
    names: dict[tuple[str, str, str], str] = {}
    with _Table(sld_csv) as table:
        table.require("state", "chamber", "district", "census_code")
        for _, row in table:
            if row["census_code"] and row["district"]:
                names[row["state"], row["chamber"], row["census_code"]] = row["district"]
    return names


# --- provenance and the whole chain ---------------------------------------------------------


def _describe(url: str, fetched: list[dict[str, Any]]) -> dict[str, Any]:
    """One sources.json entry for a source fetched as one or several files.

    Several files (one per state; the two chambers' Census files) give ``url`` (the Open
    States template, the first Census file), the latest ``retrieved_at`` and
    ``last_modified``, and each file's own record under ``files``.
    """
    if len(fetched) == 1:
        return dict(fetched[0])
    modified = [f["last_modified"] for f in fetched if f.get("last_modified")]
    latest = max(modified, key=lambda v: _http_date_iso(v) or "", default=None)
    return {
        "url": url,
        "retrieved_at": max(f["retrieved_at"] for f in fetched),
        "last_modified": latest,
        "files": fetched,
    }


def write_sources(
    dest_dir: Path, sources: dict[str, Any], row_counts: dict[str, int] | None = None
) -> Path:
    """Write ``sources.json``: ``{"built_at", "sources": {key: {"url", "retrieved_at",
    "last_modified", "last_modified_iso", …}}, "row_counts"}``.

    The keys are the shared folder's: congress_legislators, openstates_people, zip_cd, zip_sld.
    """
    entries: dict[str, Any] = {}
    for key, info in sources.items():
        entry = dict(info)
        if "last_modified" in entry and "last_modified_iso" not in entry:
            entry["last_modified_iso"] = _http_date_iso(entry["last_modified"])
        entries[key] = entry
    document: dict[str, Any] = {"built_at": _now(), "sources": entries}
    if row_counts is not None:
        document["row_counts"] = row_counts
    path = Path(dest_dir) / files.SOURCES
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, ensure_ascii=False)
            out.write("\n")
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return path


def build_directory(
    dest_dir: Path,
    sources: dict[str, str] | None = None,
    states: list[str] | None = None,
    district_names: dict[tuple[str, str, str], str] | None = None,
    fetch: Callable[[str, Path], dict[str, Any]] = fetch,
) -> Path:
    """Fetch every publication into ``dest_dir/upstream`` and convert it into ``dest_dir``.

    ``sources`` overrides entries of ``DEFAULT_SOURCES`` (``openstates_people`` must contain
    ``{state}``); ``states`` are the Open States jurisdictions to fetch (default: the 50
    states, DC and PR). Each output file is written whole or not at all, but a failure part
    way leaves the files converted so far: build into a fresh folder and import it only when
    this returns.
    """
    urls = {**DEFAULT_SOURCES, **(sources or {})}
    if "{state}" not in urls["openstates_people"]:
        raise SyncError("The openstates_people source must contain {state}")
    codes = [s.strip().lower() for s in (states or DEFAULT_STATES)]
    unknown = [s for s in codes if s.upper() not in _STATES]
    if unknown:
        raise SyncError(f"Unknown state(s) for Open States: {', '.join(unknown)}")
    dest_dir = Path(dest_dir)
    raw = dest_dir / "upstream"
    raw.mkdir(parents=True, exist_ok=True)

    congress_csv = raw / "legislators-current.csv"
    congress = fetch(urls["congress_legislators"], congress_csv)
    people_csvs, people = [], []
    for code in dict.fromkeys(codes):
        path = raw / "openstates" / f"{code}.csv"
        people.append(fetch(urls["openstates_people"].replace("{state}", code), path))
        people_csvs.append(path)
    cd_txt = raw / "cd_zcta.txt"
    sldu_txt, sldl_txt = raw / "sldu_zcta.txt", raw / "sldl_zcta.txt"
    zip_cd = fetch(urls["zip_cd"], cd_txt)
    zip_sld = [fetch(urls["zip_sldu"], sldu_txt), fetch(urls["zip_sldl"], sldl_txt)]

    counts = {
        files.FEDERAL: convert_congress(congress_csv, dest_dir),
        files.STATE: convert_openstates(people_csvs, dest_dir),
        files.ZIP_CD: convert_census_cd(cd_txt, dest_dir),
    }
    counts[files.ZIP_SLD], counts[files.SLD] = _convert_census_sld(
        sldu_txt, sldl_txt, dest_dir, district_names
    )
    write_sources(
        dest_dir,
        {
            "congress_legislators": _describe(urls["congress_legislators"], [congress]),
            "openstates_people": _describe(urls["openstates_people"], people),
            "zip_cd": _describe(urls["zip_cd"], [zip_cd]),
            "zip_sld": _describe(urls["zip_sldu"], zip_sld),
        },
        row_counts=counts,
    )
    return dest_dir

"""Legislators' positions on a campaign's ask: the list, by hand, from a CSV, from Congress.gov.

A position is kept per campaign and legislator external id (bioguide id for Congress, Open
States person id for the states), so it outlives directory refreshes. Nothing is ever
guessed: a legislator without a row is "unknown", the CSV import writes only what its rows
say, and the Congress.gov sync marks sponsors and cosponsors (not withdrawn) as "supports"
and never marks anyone "opposes".

The CSV import is checked whole before anything is written, and then written in one
transaction; every refusal names its line.
"""

from __future__ import annotations

import csv
import io
import json
import math
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from advocacy.core import inputs
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.legislators.models import Chamber, DirectorySnapshot, Legislator
from advocacy.letters.models import CampaignPosition, LetterCampaign, Position

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ERRORS = 20
NOTE_MAX = 300
PAGE_SIZE = 50
# What the CSV's position column may say (any case).
CSV_POSITIONS = {
    "supports": Position.SUPPORTS,
    "cosponsor": Position.SUPPORTS,
    "undecided": Position.UNDECIDED,
    "opposes": Position.OPPOSES,
    "unknown": Position.UNKNOWN,
}
SOURCE_MANUAL, SOURCE_CSV, SOURCE_CONGRESS = "manual", "csv", "congress.gov"


# --- the list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    external_id: str
    name: str
    title: str
    chamber: str
    state: str
    district: str | None
    party: str | None
    position: Position
    source: str | None
    note: str | None

    @property
    def chamber_label(self) -> str:
        return Chamber(self.chamber).label

    @property
    def seat(self) -> str:
        return "-".join(p for p in (self.state, self.district) if p)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _targeted(campaign: LetterCampaign) -> Any:
    """Legislators of the active directory in the campaign's chambers."""
    return and_(
        DirectorySnapshot.id == Legislator.snapshot_id,
        DirectorySnapshot.active,
        Legislator.chamber.in_(campaign.chambers or ["-"]),
    )


def _joined(campaign: LetterCampaign, *columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(Legislator)
        .join(DirectorySnapshot, _targeted(campaign))
        .outerjoin(
            CampaignPosition,
            and_(
                CampaignPosition.campaign_id == campaign.id,
                CampaignPosition.external_id == Legislator.external_id,
            ),
        )
    )


def _is(position: Position) -> Any:
    if position is Position.UNKNOWN:
        return or_(CampaignPosition.position.is_(None), CampaignPosition.position == position)
    return CampaignPosition.position == position


# Congress first (Senate, House), then the state legislature; districts in number order.
_CHAMBER_ORDER = case(
    {c.value: i for i, c in enumerate(Chamber)}, value=Legislator.chamber, else_=9
)
_district_number = case(
    (func.length(Legislator.district) < 4, func.length(Legislator.district)), else_=9
)


def legislators(
    campaign: LetterCampaign,
    state: str | None = None,
    position: Position | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Page:
    """One page of the legislators the campaign targets, with their positions, by chamber,
    state and district; filtered by state and by position."""
    where = []
    if state:
        where.append(Legislator.state == state)
    if position is not None:
        where.append(_is(position))
    total = db.session.scalar(_joined(campaign, func.count()).where(*where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    query = (
        _joined(campaign, Legislator, CampaignPosition)
        .where(*where)
        .order_by(
            _CHAMBER_ORDER, Legislator.state, _district_number, Legislator.district, Legislator.name
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        Row(
            external_id=leg.external_id,
            name=leg.name,
            title=leg.title,
            chamber=leg.chamber,
            state=leg.state,
            district=leg.district,
            party=leg.party,
            position=pos.position if pos else Position.UNKNOWN,
            source=pos.source if pos else None,
            note=pos.note if pos else None,
        )
        for leg, pos in db.session.execute(query)
    ]
    return Page(rows, page, pages, total)


def states(campaign: LetterCampaign) -> list[str]:
    query = _joined(campaign, Legislator.state).distinct().order_by(Legislator.state)
    return list(db.session.scalars(query))


def summary(campaign: LetterCampaign) -> dict[Position, int]:
    """How many of the targeted legislators hold each position (no row: unknown)."""
    query = _joined(campaign, CampaignPosition.position, func.count()).group_by(
        CampaignPosition.position
    )
    counts: Counter[Position] = Counter()
    for value, n in db.session.execute(query):
        counts[value or Position.UNKNOWN] += n
    return {p: counts[p] for p in Position}


def directory_ids(ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are legislators in the active directory."""
    wanted = list(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = (
            select(Legislator.external_id)
            .join(
                DirectorySnapshot,
                and_(DirectorySnapshot.id == Legislator.snapshot_id, DirectorySnapshot.active),
            )  # fmt: skip
            .where(Legislator.external_id.in_(chunk))
        )
        found.update(db.session.scalars(query))
    return found


# --- writing -----------------------------------------------------------------------------


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _upsert(
    campaign: LetterCampaign,
    entries: Mapping[str, tuple[Position, str | None]],
    source: str,
    user_id: int | None,
) -> Written:
    """Write ``entries`` (external id → position, note) in the caller's transaction."""
    result = Written()
    ids = list(entries)
    existing: dict[str, CampaignPosition] = {}
    for start in range(0, len(ids), 500):
        query = select(CampaignPosition).where(
            CampaignPosition.campaign_id == campaign.id,
            CampaignPosition.external_id.in_(ids[start : start + 500]),
        )
        existing.update({p.external_id: p for p in db.session.scalars(query)})
    for external_id, (position, note) in entries.items():
        row = existing.get(external_id)
        if row is None:
            db.session.add(
                CampaignPosition(
                    campaign_id=campaign.id,
                    external_id=external_id,
                    position=position,
                    source=source,
                    note=note,
                    updated_by_id=user_id,
                )
            )
            result.created += 1
        elif row.position is position and row.note == note:
            result.unchanged += 1
        else:
            row.position, row.note, row.source, row.updated_by_id = (
                position,
                note,
                source,
                user_id,
            )
            result.updated += 1
    return result


def set_positions(
    campaign: LetterCampaign, changes: dict[str, Position], user_id: int | None
) -> Written:
    """The organizer's choices on the positions page: only the legislators the campaign
    targets, only those whose position changes (a CSV's note stays until it changes)."""
    targeted = set(
        db.session.scalars(
            _joined(campaign, Legislator.external_id).where(
                Legislator.external_id.in_(list(changes))
            )
        )
    )
    current = {
        p.external_id: p
        for p in db.session.scalars(
            select(CampaignPosition).where(
                CampaignPosition.campaign_id == campaign.id,
                CampaignPosition.external_id.in_(list(changes)),
            )
        )
    }
    entries: dict[str, tuple[Position, str | None]] = {}
    for external_id, position in changes.items():
        if external_id not in targeted:
            continue
        old = current.get(external_id)
        old_position = old.position if old else Position.UNKNOWN
        if old_position is not position:
            entries[external_id] = (position, None)
    result = _upsert(campaign, entries, SOURCE_MANUAL, user_id)
    db.session.commit()
    return result


# --- CSV ---------------------------------------------------------------------------------


class CsvProblems(DomainError):
    """The file cannot be imported; ``problems`` names each line that is wrong."""

    def __init__(self, problems: list[str]):
        shown = problems[:MAX_ERRORS]
        more = len(problems) - len(shown)
        if more:
            shown.append(f"… and {more} more {'problem' if more == 1 else 'problems'}.")
        super().__init__(
            "Nothing was imported: " + (problems[0] if len(problems) == 1 else "see below."),
            "file",
        )
        self.problems = shown


@dataclass(frozen=True)
class CsvRow:
    line: int
    external_id: str
    position: Position
    note: str | None


@dataclass
class Imported:
    written: Written
    rows: int
    counts: dict[Position, int] = field(default_factory=dict)


def read_csv(data: bytes) -> list[CsvRow]:
    """The file's rows, checked for shape (header, positions, duplicates, notes), or
    ``CsvProblems``. Whether the ids are in the directory is ``check_csv``'s question."""
    if len(data) > MAX_CSV_BYTES:
        raise CsvProblems(
            [f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB. Split it in two."]
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CsvProblems([f"Line {line}: the file contains a NUL byte. Is it a CSV file?"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvProblems(
            [f"Line {line}: the file is not UTF-8 text. Save it as “CSV UTF-8” and try again."]
        ) from None
    if not text.strip():
        raise CsvProblems(["The file is empty. The first line is external_id,position,note."])
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    try:
        header = [h.strip().lower() for h in next(reader)]
        if header not in (["external_id", "position"], ["external_id", "position", "note"]):
            raise CsvProblems(
                [
                    "Line 1: the first line must be the header external_id,position "
                    f"(or external_id,position,note), not “{','.join(header)[:80]}”."
                ]
            )
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(f"Line {line}: {len(cells)} columns, the header has {len(header)}.")
                continue
            if len(cells) < 2:
                problems.append(f"Line {line}: give an id and a position.")
                continue
            external_id, word = cells[0].strip(), cells[1].strip().lower()
            note = cells[2].strip() if len(cells) > 2 and cells[2].strip() else None
            if not external_id:
                problems.append(f"Line {line}: the external_id is empty.")
                continue
            position = CSV_POSITIONS.get(word)
            if position is None:
                problems.append(
                    f"Line {line}: “{cells[1].strip()[:40]}” is not a position "
                    "(supports, cosponsor, undecided, opposes or unknown)."
                )
            if external_id in seen:
                problems.append(
                    f"Line {line}: {external_id[:100]} is already on line {seen[external_id]}."
                )
            seen.setdefault(external_id, line)
            if note and len(note) > NOTE_MAX:
                problems.append(f"Line {line}: keep the note to {NOTE_MAX} characters.")
            if inputs.has_control(external_id + (note or ""), multiline=False):
                problems.append(f"Line {line}: remove the invisible control characters.")
            if position is not None:
                rows.append(CsvRow(line, external_id, position, note))
    except csv.Error as exc:
        problems.append(f"Line {reader.line_num}: the file cannot be read as CSV ({exc}).")
    if problems:
        raise CsvProblems(problems)
    if not rows:
        raise CsvProblems(["The file has a header but no rows."])
    return rows


def check_csv(data: bytes) -> list[CsvRow]:
    """``read_csv``, and every id must be a legislator of the active directory."""
    rows = read_csv(data)
    known = directory_ids(r.external_id for r in rows)
    unknown = [
        f"Line {r.line}: {r.external_id[:100]} is not a legislator in the directory "
        "(use bioguide ids such as S000148 for Congress, Open States ids such as "
        "ocd-person/… for the states)."
        for r in rows
        if r.external_id not in known
    ]
    if unknown:
        raise CsvProblems(unknown)
    return rows


def import_csv(campaign: LetterCampaign, data: bytes, user_id: int | None) -> Imported:
    """Check the whole file, then write every row in one transaction (source "csv")."""
    rows = check_csv(data)
    entries = {r.external_id: (r.position, r.note) for r in rows}
    written = _upsert(campaign, entries, SOURCE_CSV, user_id)
    db.session.commit()
    counts = Counter(r.position for r in rows)
    return Imported(written, len(rows), {p: counts[p] for p in Position})


# --- Congress.gov ------------------------------------------------------------------------


class SyncError(Exception):
    """The Congress.gov API could not be read; ``str()`` says what to do."""


Fetch = Callable[[str], Any]
MAX_PAGES = 40


def fetch_json(url: str, timeout: float = 20.0) -> Any:
    """GET ``url`` and parse JSON. A ``file://`` URL (tests, an offline mirror) drops its
    query and reads ``<path>.json``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        path = parts.path if parts.path.endswith(".json") else f"{parts.path}.json"
        url = urllib.parse.urlunsplit(("file", parts.netloc, path, "", ""))
    elif parts.scheme not in ("http", "https"):
        raise SyncError(f"Not a web address: {url}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            return json.loads(response.read(20 * 1024 * 1024))
    except (OSError, ValueError) as exc:
        raise SyncError(f"Could not read {_redact(url)}: {exc}") from None


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = [(k, "…" if k == "api_key" else v) for k, v in urllib.parse.parse_qsl(parts.query)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _with_key(url: str, api_key: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.setdefault("api_key", api_key)
    query.setdefault("format", "json")
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


@dataclass
class BillSponsors:
    bill: str  # "hr3890-119"
    sponsors: set[str] = field(default_factory=set)
    cosponsors: set[str] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)


def bill_sponsors(
    bill_type: str, number: int, congress: int, *, base_url: str, api_key: str, fetch: Fetch
) -> BillSponsors:
    """The bill's sponsors and its cosponsors (all pages), withdrawn ones apart."""
    base = base_url.rstrip("/")
    found = BillSponsors(f"{bill_type}{number}-{congress}")
    bill = fetch(_with_key(f"{base}/bill/{congress}/{bill_type}/{number}", api_key))
    for sponsor in (bill.get("bill") or {}).get("sponsors") or []:
        if sponsor.get("bioguideId"):
            found.sponsors.add(sponsor["bioguideId"])
    url: str | None = _with_key(
        f"{base}/bill/{congress}/{bill_type}/{number}/cosponsors?limit=250", api_key
    )
    seen: set[str] = set()
    origin = urllib.parse.urlsplit(base)[:2]
    while url and url not in seen and len(seen) < MAX_PAGES:
        seen.add(url)
        page = fetch(url)
        for person in page.get("cosponsors") or []:
            bioguide = person.get("bioguideId")
            if not bioguide:
                continue
            if person.get("sponsorshipWithdrawnDate"):
                found.withdrawn.add(bioguide)
            else:
                found.cosponsors.add(bioguide)
        following = (page.get("pagination") or {}).get("next")
        # The key goes only where the base URL points, never to a host a reply names.
        if following and urllib.parse.urlsplit(following)[:2] == origin:
            url = _with_key(following, api_key)
        else:
            url = None
    found.withdrawn -= found.cosponsors | found.sponsors
    return found


@dataclass
class Synced:
    bills: list[BillSponsors]
    written: Written
    supporters: int  # sponsors and cosponsors in the directory
    not_in_directory: set[str]
    withdrawn: set[str]
    reset: int  # earlier congress.gov "supports" of someone who has since withdrawn


def sync_positions(
    campaign: LetterCampaign,
    bills: list[tuple[str, int, int]],
    *,
    base_url: str,
    api_key: str,
    fetch: Fetch = fetch_json,
) -> Synced:
    """Mark the bills' sponsors and cosponsors "supports" (source congress.gov, a note naming
    the bills), in one transaction after every bill was read. Nobody is marked "opposes"; a
    cosponsor who withdrew is not counted, and a "supports" this sync wrote earlier for them
    goes back to unknown."""
    from advocacy.letters.drafting import bill_labels

    results = [
        bill_sponsors(t, n, c, base_url=base_url, api_key=api_key, fetch=fetch) for t, n, c in bills
    ]
    roles: dict[str, list[str]] = {}
    for result in results:
        label = f"{bill_labels([result.bill])} ({_ordinal(int(result.bill.split('-')[1]))})"
        for bioguide in result.sponsors:
            roles.setdefault(bioguide, []).append(f"sponsor of {label}")
        for bioguide in result.cosponsors - result.sponsors:
            roles.setdefault(bioguide, []).append(f"cosponsor of {label}")
    known = directory_ids(roles)
    entries = {bioguide: (Position.SUPPORTS, _note(roles[bioguide])) for bioguide in sorted(known)}
    written = _upsert(campaign, entries, SOURCE_CONGRESS, None)
    withdrawn = set().union(*(r.withdrawn for r in results)) - set(roles) if results else set()
    reset = 0
    if withdrawn:
        earlier = select(CampaignPosition).where(
            CampaignPosition.campaign_id == campaign.id,
            CampaignPosition.external_id.in_(sorted(withdrawn)),
            CampaignPosition.source == SOURCE_CONGRESS,
            CampaignPosition.position == Position.SUPPORTS,
        )
        for row in db.session.scalars(earlier):
            row.position, row.note = Position.UNKNOWN, "Withdrew as cosponsor (Congress.gov)"
            reset += 1
    db.session.commit()
    return Synced(
        bills=results,
        written=written,
        supporters=len(known),
        not_in_directory=set(roles) - known,
        withdrawn=withdrawn,
        reset=reset,
    )


def _note(roles: list[str]) -> str:
    text = "; ".join(roles)
    text = text[0].upper() + text[1:]
    return (text[: NOTE_MAX - 1] + "…") if len(text) > NOTE_MAX else text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} Congress"

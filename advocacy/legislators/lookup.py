"""Who represents a ZIP code: the one lookup pages, letters and the API use.

One statement answers it, every step an index lookup: the ZIP's districts in the active
snapshot (primary key ``snapshot_id, zip, …``) with their members and offices
(``ix_legislators_seat``), and the senators of the ZIP's states (``_LOOKUP_QUERY``).
A ZIP that touches several districts of a chamber returns every candidate (with its
land share when the directory has one) and is marked ambiguous: the caller asks the
signer to choose, and passes the choice back in ``choices``. Nothing here guesses.

The one exception is a street address, when an address geocoder is configured
(``ADDRESS_GEOCODER_URL``, see ``geocode``): if the ZIP is ambiguous and the caller gave an
address, the Census Geocoder places it and its districts settle the chambers the caller did not
choose (``Seat.source == "address"``; an explicit choice has ``"choice"``). Without the setting,
or when the service fails or does not know the address, the answer is the ZIP's, as above.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Float,
    and_,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from advocacy.core.errors import DomainError
from advocacy.core.zipcodes import normalise_zip
from advocacy.extensions import db
from advocacy.legislators import geocode
from advocacy.legislators.models import (
    LOOKUP_CHAMBERS,
    Chamber,
    DirectorySnapshot,
    Legislator,
    LegislatorOffice,
    ZipDistrict,
)

CHOICE_KEYS = frozenset(c.value for c in LOOKUP_CHAMBERS)
HOUSE_LOOKUP_URL = "https://www.house.gov/representatives/find-your-representative"
STATE_LOOKUP_URL = "https://openstates.org/find_your_legislator/"


class LookupError(DomainError):  # noqa: A001 - the domain's own name for it
    """The ZIP is invalid or unknown, or no directory is loaded."""

    code = "invalid_zip"


class UnknownZip(LookupError):
    code = "unknown_zip"


class UnknownDistrict(LookupError):
    code = "unknown_district"


class DirectoryNotLoaded(LookupError):
    code = "directory_not_loaded"


@dataclass(frozen=True)
class Office:
    kind: str
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    chamber: Chamber
    state: str
    district: str | None
    title: str
    party: str | None
    email: str | None
    contact_form: str | None
    website: str | None
    offices: tuple[Office, ...]
    voting: bool = True
    rank: str | None = None
    seat: str | None = None

    @property
    def phone(self) -> str | None:
        return next((o.phone for o in self.offices if o.phone), None)

    @property
    def party_letter(self) -> str:
        return (self.party or "?")[:1]

    @property
    def seat_label(self) -> str:
        return seat_label(self.chamber, self.state, self.district)


@dataclass
class Seat:
    """One district of a chamber the ZIP falls in, and who holds it (nobody: vacant)."""

    chamber: Chamber
    state: str
    district: str | None
    share: float | None
    members: list[Member] = field(default_factory=list)
    chosen: bool = False
    # Why a seat of several candidates was kept: "choice" (the caller's ``choices``) or
    # "address" (the geocoded street address); None when the ZIP had only this one.
    source: str | None = None

    @property
    def key(self) -> str:
        return district_key(self.state, self.district)

    @property
    def label(self) -> str:
        return seat_label(self.chamber, self.state, self.district)

    @property
    def vacant(self) -> bool:
        return not self.members


@dataclass
class Race:
    """All the seats of one chamber for the ZIP: one, or several candidates to choose from."""

    chamber: Chamber
    seats: list[Seat]

    @property
    def ambiguous(self) -> bool:
        return len(self.seats) > 1

    @property
    def label(self) -> str:
        return self.chamber.label


@dataclass
class Lookup:
    zip: str
    states: list[str]
    as_of: date
    source: str
    has_shares: bool
    races: list[Race]

    @property
    def state(self) -> str | None:
        return self.states[0] if len(self.states) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return any(race.ambiguous for race in self.races)

    def race(self, chamber: Chamber) -> Race | None:
        return next((r for r in self.races if r.chamber is chamber), None)


def district_key(state: str, district: str | None) -> str:
    return f"{state}-{district}" if district is not None else state


def seat_label(chamber: Chamber, state: str, district: str | None) -> str:
    if chamber is Chamber.US_SENATE:
        return state
    if chamber is Chamber.US_HOUSE:
        return f"{state}-{district}" if district != "0" else f"{state} at-large"
    numbered = bool(district and _NUMBERED.match(district))
    return f"{state} District {district}" if numbered else f"{state} {district}"


_NUMBERED = re.compile(r"^(\d+[A-Z]?|[A-Z])$")


def parse_zip(value: str | None) -> str:
    normalised = normalise_zip(value or "")
    if normalised is None:
        raise LookupError("Enter a 5-digit ZIP code, like 13202.", field="zip")
    return normalised[:5]


_SNAPSHOT_QUERY = select(DirectorySnapshot).where(DirectorySnapshot.active)
_ACTIVE_ZIP_QUERY = (
    select(
        ZipDistrict.chamber,
        ZipDistrict.state,
        ZipDistrict.district,
        ZipDistrict.share,
        ZipDistrict.snapshot_id,
        DirectorySnapshot.imported_at,
    )
    .join(DirectorySnapshot, DirectorySnapshot.id == ZipDistrict.snapshot_id)
    .where(DirectorySnapshot.active, ZipDistrict.zip == bindparam("zip"))
)


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    as_of: date
    source: str
    has_shares: bool


# Snapshots never change once imported (an import makes a new one), so each worker keeps the
# few facts the lookup reports about them instead of reading them on every lookup. The key
# includes the import time because a database emptied and re-imported may reuse an id.
_SNAPSHOTS: dict[tuple[int, datetime], SnapshotInfo] = {}


def districts_for_zip(zip_code: str) -> Sequence[Any]:
    """The (chamber, state, district, share, …) rows of a ZIP in the loaded directory, in one
    indexed query; empty when the ZIP is unknown or no directory is loaded. Signing uses it
    to keep the signer's districts without loading any legislator."""
    return db.session.execute(_ACTIVE_ZIP_QUERY, {"zip": zip_code[:5]}).all()


def current_snapshot() -> DirectorySnapshot | None:
    return db.session.execute(_SNAPSHOT_QUERY).scalar_one_or_none()


def snapshot_info(snapshot_id: int, imported_at: datetime) -> SnapshotInfo:
    info = _SNAPSHOTS.get((snapshot_id, imported_at))
    if info is None:
        snapshot = db.session.get_one(DirectorySnapshot, snapshot_id)
        info = SnapshotInfo(
            snapshot.id,
            snapshot.as_of,
            snapshot.source,
            bool((snapshot.details or {}).get("has_shares")),
        )
        if len(_SNAPSHOTS) > 16:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[(snapshot_id, imported_at)] = info
    return info


def find_legislators(
    zip_code: str,
    address: str | None = None,
    choices: dict[str, str] | None = None,
    *,
    strict_choices: bool = False,
) -> Lookup:
    """The senators, House member and state legislators for a ZIP; see the module docstring.

    ``choices`` maps a chamber value to the district key the signer picked among the
    candidates (``{"us_house": "NY-12"}``); a choice that is not one of the ZIP's districts
    in that chamber is ignored, or with ``strict_choices`` (the API) refused.
    ``address`` (a street address in the ZIP) narrows the candidates only when an address
    geocoder is configured (``ADDRESS_GEOCODER_URL``) and the ZIP is ambiguous: its districts
    settle every still-ambiguous chamber the caller did not choose (``choices`` win), and the
    U.S. Senate too when the ZIP spans states. The geocoder is then called once, online; when
    it is not configured, fails or does not know the address, the answer is the ZIP's.
    """
    zip5 = parse_zip(zip_code)
    rows = db.session.execute(_LOOKUP_QUERY, {"zip": zip5}).all()
    if not rows and current_snapshot() is None:
        raise DirectoryNotLoaded(
            "The legislator directory has not been loaded yet. An administrator can load "
            "it with `flask legislators import`."
        )
    if not rows:
        raise UnknownZip(
            f"ZIP code {zip5} is not in our directory. PO-box-only and single-building ZIP "
            "codes have no district map; try the ZIP code of your home address.",
            field="zip",
        )
    snapshot = snapshot_info(rows[0].snapshot_id, rows[0].imported_at)
    seats = _seats(rows)
    states = sorted({seat.state for seat in seats[Chamber.US_HOUSE]} | {
        seat.state for c in (Chamber.STATE_UPPER, Chamber.STATE_LOWER) for seat in seats[c]
    })  # fmt: skip

    if strict_choices and choices:
        for name, chosen in choices.items():
            keys = {s.key for c, group in seats.items() if c.value == name for s in group}
            if chosen not in keys:
                raise UnknownDistrict(
                    f"{chosen} is not a {name} district of ZIP code {zip5} "
                    f"(its districts: {', '.join(sorted(keys)) or 'none'}).",
                    field=name,
                )
    explicit = {
        chamber.value: choices[chamber.value]
        for chamber, group in seats.items()
        if choices and choices.get(chamber.value) in {s.key for s in group}
    }
    geocoded: dict[str, str] = {}
    if address and any(
        len(group) > 1 and chamber.value not in explicit for chamber, group in seats.items()
    ):
        geocoded = _address_choices(geocode.resolve(address, zip5), explicit)

    races = []
    for chamber, group in seats.items():
        group.sort(key=lambda s: (-(s.share or 0), s.state, _natural(s.district)))
        if len(group) > 1:
            for source, picks in (("choice", explicit), ("address", geocoded)):
                picked = [s for s in group if s.key == picks.get(chamber.value)]
                if picked:
                    picked[0].chosen = True
                    picked[0].source = source
                    group = picked
                    break
        if group:
            races.append(Race(chamber, group))
    return Lookup(
        zip=zip5,
        states=states,
        as_of=snapshot.as_of,
        source=snapshot.source,
        has_shares=snapshot.has_shares,
        races=races,
    )


def _address_choices(found: dict[str, str], explicit: dict[str, str]) -> dict[str, str]:
    """The geocoder's districts as choices for the chambers not chosen explicitly, with the
    Senate (keyed by state) from the state of those districts."""
    picks = {k: v for k, v in found.items() if k in CHOICE_KEYS and k not in explicit}
    found_states = {key.split("-", 1)[0] for key in found.values()}
    if len(found_states) == 1 and Chamber.US_SENATE.value not in explicit:
        picks[Chamber.US_SENATE.value] = district_key(found_states.pop(), None)
    return picks


def _natural(district: str | None) -> tuple[int, str]:
    if district and district.isdigit():
        return int(district), ""
    return 10**6, district or ""


_L, _O, _Z, _S = Legislator, LegislatorOffice, ZipDistrict, DirectorySnapshot
_MEMBER_COLUMNS = (
    _L.id.label("member_id"), _L.external_id, _L.name, _L.title, _L.party, _L.email,
    _L.contact_form, _L.website, _L.voting, _L.rank, _L.seat, _L.last_name,
    _O.kind, _O.phone, _O.address, _O.position,
)  # fmt: skip
# The states the ZIP's districts are in (usually one), for their senators.
_ZIP_STATES = (
    select(_Z.snapshot_id, _Z.state, _S.imported_at)
    .join(_S, and_(_S.id == _Z.snapshot_id, _S.active))
    .where(_Z.zip == bindparam("zip"))
    .distinct()
    .subquery("zip_states")
)

# One statement, built once (so SQLAlchemy compiles it once): the ZIP's districts in the
# active snapshot (primary key ``snapshot_id, zip, …``) with their members and offices
# (``ix_legislators_seat``; a district nobody holds comes back with NULL members), and the
# U.S. senators of the states those districts are in.
_LOOKUP_QUERY: CompoundSelect[Any] = union_all(
    select(_Z.chamber, _Z.state, _Z.district, _Z.share, _Z.snapshot_id, _S.imported_at,
           *_MEMBER_COLUMNS)
    .select_from(_Z)
    .join(_S, and_(_S.id == _Z.snapshot_id, _S.active))
    .outerjoin(_L, and_(_L.snapshot_id == _Z.snapshot_id, _L.state == _Z.state,
                        _L.chamber == _Z.chamber, _L.district == _Z.district))
    .outerjoin(_O, _O.legislator_id == _L.id)
    .where(_Z.zip == bindparam("zip")),
    select(_L.chamber, _L.state, _L.district, cast(null(), Float), _L.snapshot_id,
           _ZIP_STATES.c.imported_at, *_MEMBER_COLUMNS)
    .select_from(_ZIP_STATES)
    .join(_L, and_(_L.snapshot_id == _ZIP_STATES.c.snapshot_id, _L.state == _ZIP_STATES.c.state,
                   _L.chamber == literal_column("'us_senate'")))
    .outerjoin(_O, _O.legislator_id == _L.id),
)  # fmt: skip


def _seats(rows: Sequence[Any]) -> dict[Chamber, list[Seat]]:
    """Seats per chamber from the lookup rows, each with its members and their offices."""
    seats: dict[Chamber, dict[tuple[str, str | None], Seat]] = {c: {} for c in LOOKUP_CHAMBERS}
    people: dict[int, tuple[Any, list[Any], Seat]] = {}
    for row in rows:
        chamber = Chamber(row.chamber)
        seat = seats[chamber].get((row.state, row.district))
        if seat is None:
            seat = seats[chamber][(row.state, row.district)] = Seat(
                chamber, row.state, row.district, row.share
            )
        if row.member_id is not None:
            offices = people.setdefault(row.member_id, (row, [], seat))[1]
            if row.kind is not None:
                offices.append(row)
    districted = (Chamber.US_HOUSE, Chamber.STATE_UPPER, Chamber.STATE_LOWER)
    for state in {st for c in districted for (st, _d) in seats[c]} - {"DC"}:
        seats[Chamber.US_SENATE].setdefault(
            (state, None), Seat(Chamber.US_SENATE, state, None, None)
        )
    ordered = sorted(
        people.values(),
        # The senior senator first, as the Senate lists them; then seat A/B, then name.
        key=lambda p: (p[0].rank != "senior", p[0].seat or "", p[0].last_name or "", p[0].name),
    )
    for row, offices, seat in ordered:
        seat.members.append(
            Member(
                id=row.external_id,
                name=row.name,
                chamber=seat.chamber,
                state=seat.state,
                district=seat.district,
                title=row.title,
                party=row.party,
                email=row.email,
                contact_form=row.contact_form,
                website=row.website,
                offices=tuple(
                    Office(o.kind, o.phone, o.address)
                    for o in sorted(offices, key=lambda o: o.position)
                ),
                voting=row.voting,
                rank=row.rank,
                seat=row.seat,
            )
        )
    return {chamber: list(group.values()) for chamber, group in seats.items()}


def as_json(lookup: Lookup) -> dict[str, Any]:
    """The API's shape: one flat list of legislators, each with its share."""
    return {
        "zip": lookup.zip,
        "state": lookup.state,
        "ambiguous": lookup.ambiguous,
        "as_of": lookup.as_of.isoformat(),
        "legislators": [
            {
                "id": m.id,
                "name": m.name,
                "chamber": m.chamber.value,
                "state": m.state,
                "district": m.district,
                "party": m.party,
                "title": m.title,
                "email": m.email,
                "phone": m.phone,
                "contact_form": m.contact_form,
                "website": m.website,
                "share": seat.share,
                "candidate": len(race.seats) > 1,
                "source": seat.source,
                "offices": [o.__dict__ for o in m.offices],
            }
            for race in lookup.races
            for seat in race.seats
            for m in seat.members
        ],
        "vacancies": [
            {"chamber": race.chamber.value, "state": seat.state, "district": seat.district}
            for race in lookup.races
            for seat in race.seats
            if seat.vacant
        ],
    }

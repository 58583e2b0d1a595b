"""Who represents a ZIP code: the one lookup pages, letters and the API use.

Two indexed queries answer it: the ZIP's districts (primary key ``snapshot, zip, …``), then
the legislators of those districts and the state's senators (``ix_legislators_seat``).
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
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, or_, select

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

    def members(self) -> list[tuple[Member, Seat]]:
        return [(m, seat) for race in self.races for seat in race.seats for m in seat.members]


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


_ZIP_QUERY = select(
    ZipDistrict.chamber, ZipDistrict.state, ZipDistrict.district, ZipDistrict.share
).where(ZipDistrict.snapshot_id == bindparam("snapshot_id"), ZipDistrict.zip == bindparam("zip"))
_SNAPSHOT_QUERY = select(DirectorySnapshot).where(DirectorySnapshot.active)
_ACTIVE_ZIP_QUERY = (
    select(ZipDistrict.chamber, ZipDistrict.state, ZipDistrict.district, ZipDistrict.share)
    .join(DirectorySnapshot, DirectorySnapshot.id == ZipDistrict.snapshot_id)
    .where(DirectorySnapshot.active, ZipDistrict.zip == bindparam("zip"))
)


def districts_for_zip(zip_code: str) -> list[Any]:
    """The (chamber, state, district, share) rows of a ZIP in the loaded directory, in one
    query; empty when the ZIP is unknown or no directory is loaded. Signing uses this."""
    return db.session.execute(_ACTIVE_ZIP_QUERY, {"zip": zip_code[:5]}).all()


def current_snapshot() -> DirectorySnapshot | None:
    return db.session.execute(_SNAPSHOT_QUERY).scalar_one_or_none()


def find_legislators(
    zip_code: str,
    address: str | None = None,
    choices: dict[str, str] | None = None,
) -> Lookup:
    """The senators, House member and state legislators for a ZIP; see the module docstring.

    ``choices`` maps a chamber value to the district key the signer picked among the
    candidates (``{"us_house": "NY-12"}``); a choice that is not a candidate is ignored.
    ``address`` (a street address in the ZIP) narrows the candidates only when an address
    geocoder is configured (``ADDRESS_GEOCODER_URL``) and the ZIP is ambiguous: its districts
    settle every still-ambiguous chamber the caller did not choose (``choices`` win), and the
    U.S. Senate too when the ZIP spans states. The geocoder is then called once, online; when
    it is not configured, fails or does not know the address, the answer is the ZIP's.
    """
    zip5 = parse_zip(zip_code)
    snapshot = current_snapshot()
    if snapshot is None:
        raise DirectoryNotLoaded(
            "The legislator directory has not been loaded yet. An administrator can load "
            "it with `flask legislators import`."
        )
    rows = db.session.execute(
        select(
            ZipDistrict.chamber, ZipDistrict.state, ZipDistrict.district, ZipDistrict.share
        ).where(ZipDistrict.snapshot_id == snapshot.id, ZipDistrict.zip == zip5)
    ).all()
    if not rows:
        raise UnknownZip(
            f"ZIP code {zip5} is not in our directory. PO-box-only and single-building ZIP "
            "codes have no district map; try the ZIP code of your home address.",
            field="zip",
        )
    states = sorted({row.state for row in rows})
    seats: dict[Chamber, list[Seat]] = {chamber: [] for chamber in LOOKUP_CHAMBERS}
    for state in states:
        if state != "DC":
            seats[Chamber.US_SENATE].append(Seat(Chamber.US_SENATE, state, None, None))
    for row in rows:
        seats[Chamber(row.chamber)].append(
            Seat(Chamber(row.chamber), row.state, row.district, row.share)
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

    members = _members(snapshot.id, states, seats)
    by_seat: dict[tuple[str, str, str | None], list[Member]] = {}
    for member in members:
        by_seat.setdefault((member.chamber.value, member.state, member.district), []).append(member)

    races = []
    for chamber, group in seats.items():
        for seat in group:
            seat.members = by_seat.get((chamber.value, seat.state, seat.district), [])
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
        has_shares=bool(snapshot.details.get("has_shares")),
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


_MEMBER_COLUMNS = (
    Legislator.id,
    Legislator.external_id,
    Legislator.name,
    Legislator.chamber,
    Legislator.state,
    Legislator.district,
    Legislator.title,
    Legislator.party,
    Legislator.email,
    Legislator.contact_form,
    Legislator.website,
    Legislator.voting,
    Legislator.rank,
    Legislator.seat,
    LegislatorOffice.kind,
    LegislatorOffice.phone,
    LegislatorOffice.address,
)


def _in(name: str):
    return bindparam(name, expanding=True)


# Built once: the statement's shape never changes, so SQLAlchemy compiles it once too.
_MEMBERS_QUERY = (
    select(*_MEMBER_COLUMNS)
    .outerjoin(LegislatorOffice, LegislatorOffice.legislator_id == Legislator.id)
    .where(
        Legislator.snapshot_id == bindparam("snapshot_id"),
        Legislator.state.in_(_in("states")),
        or_(
            Legislator.chamber == Chamber.US_SENATE.value,
            *(
                and_(Legislator.chamber == c.value, Legislator.district.in_(_in(c.value)))
                for c in (Chamber.US_HOUSE, Chamber.STATE_UPPER, Chamber.STATE_LOWER)
            ),
        ),
    )
    .order_by(
        Legislator.seat, Legislator.last_name, Legislator.name, Legislator.id,
        LegislatorOffice.position,
    )
)  # fmt: skip


def _members(snapshot_id: int, states: list[str], seats: dict[Chamber, list[Seat]]) -> list[Member]:
    """The members of the given seats and the states' senators, in one indexed query.

    In a ZIP that spans two states the district lists may also match a same-numbered
    district of the other state; the caller keeps only the members of its own seats.
    """
    params = {
        chamber.value: sorted({seat.district for seat in group if seat.district is not None})
        for chamber, group in seats.items()
        if chamber is not Chamber.US_SENATE
    }
    rows = db.session.execute(
        _MEMBERS_QUERY, {"snapshot_id": snapshot_id, "states": states, **params}
    ).all()
    members: dict[int, tuple[tuple, list[Office]]] = {}
    for row in rows:
        entry = members.setdefault(row[0], (row, []))
        if row.kind is not None:
            entry[1].append(Office(row.kind, row.phone, row.address))
    result = [
        Member(
            id=row.external_id,
            name=row.name,
            chamber=Chamber(row.chamber),
            state=row.state,
            district=row.district,
            title=row.title,
            party=row.party,
            email=row.email,
            contact_form=row.contact_form,
            website=row.website,
            offices=tuple(offices),
            voting=row.voting,
            rank=row.rank,
            seat=row.seat,
        )
        for row, offices in members.values()
    ]
    # The senior senator first, as the Senate lists them.
    return sorted(result, key=lambda member: member.rank != "senior")


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

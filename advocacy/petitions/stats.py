"""What the organizer's statistics read: plain queries over the rollup tables.

Nothing here scans signatures: every function reads the per-day, per-state, per-district,
per-source and per-domain counts kept with the counter, so a petition with a million signatures
costs the same few small queries as one with ten. Days are UTC dates.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.legislators.models import DirectorySnapshot, Legislator
from advocacy.petitions.models import (
    DailyCount,
    DistrictCount,
    DomainCount,
    Milestone,
    PetitionVersion,
    Signature,
    SourceCount,
    StateCount,
)

SPARK_DAYS = 30
PACE_DAYS = 7
TOP_DOMAINS = 15
# A domain is flagged when this many started and its confirmed share is this far below the
# petition's (in percentage points): enough to tell a provider's problem from chance.
FLAG_MIN_STARTED = 10
FLAG_GAP = 0.2


def today() -> date:
    return utcnow().date()


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- over time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    started: int
    confirmed: int
    total: int  # confirmed up to and including this day


def daily(petition_id: int, until: date | None = None) -> list[Day]:
    """Every day from the first with a signature to ``until`` (today), gaps filled with 0."""
    rows = db.session.execute(
        select(DailyCount.day, DailyCount.started, DailyCount.confirmed)
        .where(DailyCount.petition_id == petition_id)
        .order_by(DailyCount.day)
    ).all()
    if not rows:
        return []
    by_day = {r.day: (r.started, r.confirmed) for r in rows}
    last = max(until or today(), rows[-1].day)
    out: list[Day] = []
    total, day = 0, rows[0].day
    while day <= last:
        started, confirmed = by_day.get(day, (0, 0))
        total += confirmed
        out.append(Day(day, started, confirmed, total))
        day += timedelta(days=1)
    return out


@dataclass(frozen=True)
class Recent:
    """A petition's recent confirmations for the overview."""

    last_24_hours: int  # confirmed in the 24 hours up to now
    last_7_days: int  # today and the six days before (UTC)
    spark: list[int] = field(default_factory=list)  # the last SPARK_DAYS days, oldest first


def recent(
    petition_ids: Sequence[int], on: date | None = None, now: datetime | None = None
) -> dict[int, Recent]:
    """For each petition, confirmations in the last 24 hours and the last seven UTC days, and
    a daily series of the last 30: two queries for the whole overview. The days come from the
    daily rollup; the 24 hours are counted on the signatures themselves, a range of the index
    ``ix_signatures_petition_confirmed`` that holds one day of confirmations, however large
    the petition."""
    end = on or today()
    start = end - timedelta(days=SPARK_DAYS - 1)
    series: dict[int, list[int]] = {pid: [0] * SPARK_DAYS for pid in petition_ids}
    day_counts: dict[int, int] = {}
    if petition_ids:
        ids = list(petition_ids)
        rows = db.session.execute(
            select(DailyCount.petition_id, DailyCount.day, DailyCount.confirmed).where(
                DailyCount.petition_id.in_(ids), DailyCount.day >= start, DailyCount.day <= end
            )
        )
        for pid, day, confirmed in rows:
            series[pid][(day - start).days] = confirmed
        since = (now or utcnow()) - timedelta(hours=24)
        day_counts = dict(
            db.session.execute(
                select(Signature.petition_id, func.count())
                .where(Signature.petition_id.in_(ids), Signature.confirmed_at >= since)
                .group_by(Signature.petition_id)
            )
            .tuples()
            .all()  # a list: dict() would take a Result, which has keys(), for a mapping
        )
    return {
        pid: Recent(day_counts.get(pid, 0), sum(values[-PACE_DAYS:]), values)
        for pid, values in series.items()
    }


# --- pace -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    per_day: float  # confirmed per day over the last PACE_DAYS days
    last_days: int  # confirmed in those days
    remaining: int  # signatures still needed for the goal
    state: str  # reached | on_track | too_slow | no_pace | ended
    eta: date | None  # the day the goal is reached at this pace

    @property
    def reached(self) -> bool:
        return self.state == "reached"


def pace(
    count: int, goal: int, deadline: datetime | None, last_days: int, on: date | None = None
) -> Pace:
    """Signatures per day over the last seven UTC days (today included), and when the goal falls
    at that pace: ``reached`` already, ``on_track`` (a date, before any deadline), ``too_slow``
    (not at this pace before the deadline), ``no_pace`` (nobody signed in seven days) or
    ``ended`` (the deadline has passed short of the goal)."""
    on = on or today()
    per_day = last_days / PACE_DAYS
    remaining = max(goal - count, 0)
    if remaining == 0:
        return Pace(per_day, last_days, 0, "reached", None)
    if deadline is not None and deadline.date() < on:
        return Pace(per_day, last_days, remaining, "ended", None)
    if last_days <= 0:
        return Pace(0.0, 0, remaining, "no_pace", None)
    eta = on + timedelta(days=math.ceil(remaining / per_day))
    if deadline is not None and eta > deadline.date():
        return Pace(per_day, last_days, remaining, "too_slow", eta)
    return Pace(per_day, last_days, remaining, "on_track", eta)


def milestones(petition_id: int) -> list[Milestone]:
    return list(
        db.session.scalars(
            select(Milestone)
            .where(Milestone.petition_id == petition_id)
            .order_by(Milestone.reached_at)
        )
    )


# --- the funnel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    started: int
    confirmed: int

    @property
    def share(self) -> float | None:
        return share(self.confirmed, self.started)

    @property
    def unconfirmed(self) -> int:
        return max(self.started - self.confirmed, 0)

    @property
    def unconfirmed_share(self) -> float | None:
        return share(self.unconfirmed, self.started)


def funnel(petition_id: int) -> Funnel:
    started, confirmed = db.session.execute(
        select(
            func.coalesce(func.sum(DailyCount.started), 0),
            func.coalesce(func.sum(DailyCount.confirmed), 0),
        ).where(DailyCount.petition_id == petition_id)
    ).one()
    return Funnel(int(started), int(confirmed))


@dataclass(frozen=True)
class Row:
    """A count row: a label (domain, source, channel), started and confirmed."""

    label: str
    started: int
    confirmed: int
    flagged: bool = False

    @property
    def share(self) -> float | None:
        return share(self.confirmed, self.started)


def domains(petition_id: int, overall: float | None, top: int = TOP_DOMAINS) -> list[Row]:
    """The ``top`` domains by signatures started, then one "others" row; a domain whose
    confirmed share is far below the petition's is flagged."""
    rows = db.session.execute(
        select(DomainCount.domain, DomainCount.started, DomainCount.confirmed)
        .where(DomainCount.petition_id == petition_id)
        .order_by(DomainCount.started.desc(), DomainCount.domain)
        .limit(top)
    ).all()
    out = [
        Row(r.domain, r.started, r.confirmed, _flag(r.started, r.confirmed, overall)) for r in rows
    ]
    started, confirmed = db.session.execute(
        select(
            func.coalesce(func.sum(DomainCount.started), 0),
            func.coalesce(func.sum(DomainCount.confirmed), 0),
        ).where(DomainCount.petition_id == petition_id)
    ).one()
    rest_started = int(started) - sum(r.started for r in out)
    rest_confirmed = int(confirmed) - sum(r.confirmed for r in out)
    if rest_started > 0 or rest_confirmed > 0:
        out.append(Row("others", rest_started, rest_confirmed))
    return out


def _flag(started: int, confirmed: int, overall: float | None) -> bool:
    if overall is None or started < FLAG_MIN_STARTED:
        return False
    return confirmed / started <= overall - FLAG_GAP


@dataclass
class Sources:
    ref: list[Row]
    channels: list[Row]  # ref=<channel>.<sharer>, grouped by channel
    utm_source: list[Row]
    utm_campaign: list[Row]


def sources(petition_id: int, top: int = 20) -> Sources:
    rows = db.session.execute(
        select(SourceCount.kind, SourceCount.value, SourceCount.started, SourceCount.confirmed)
        .where(SourceCount.petition_id == petition_id)
        .order_by(SourceCount.started.desc(), SourceCount.value)
    ).all()
    by_kind: dict[str, list[Row]] = defaultdict(list)
    channels: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        label = r.value or "(none: direct)"
        by_kind[r.kind].append(Row(label, r.started, r.confirmed))
        if r.kind == "ref":
            channel = r.value.split(".", 1)[0] if r.value else "(none: direct)"
            channels[channel][0] += r.started
            channels[channel][1] += r.confirmed
    grouped = sorted(
        (Row(k, v[0], v[1]) for k, v in channels.items()), key=lambda r: (-r.started, r.label)
    )
    return Sources(
        ref=by_kind["ref"][:top],
        channels=grouped[:top],
        utm_source=by_kind["utm_source"][:top],
        utm_campaign=by_kind["utm_campaign"][:top],
    )


def versions(petition_id: int) -> list[PetitionVersion]:
    return list(
        db.session.scalars(
            select(PetitionVersion)
            .where(PetitionVersion.petition_id == petition_id)
            .order_by(PetitionVersion.number)
        )
    )


# --- where supporters are -----------------------------------------------------------------


def states(petition_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(StateCount.state, StateCount.confirmed).where(StateCount.petition_id == petition_id)
    )
    return {state: confirmed for state, confirmed in rows}  # noqa: C416 - Row tuples


@dataclass(frozen=True)
class Member:
    external_id: str
    name: str
    party: str | None

    @property
    def key(self) -> str:
        return f"legislator:{self.external_id}"


@dataclass
class DistrictRow:
    chamber: str
    state: str
    district: str | None  # None: a U.S. Senate row (the state)
    confirmed: int
    possible: int
    members: list[Member] = field(default_factory=list)


SORTS = ("district", "confirmed", "possible")
NO_SENATORS = frozenset({"DC", "PR", "GU", "VI", "AS", "MP"})


@dataclass
class DistrictPage:
    rows: list[DistrictRow]
    total: int  # rows in all pages


def _natural(district: str | None) -> tuple[int, str]:
    text = district or ""
    return (len(text), text)


def sort_rows(rows: list[DistrictRow], sort: str, descending: bool) -> list[DistrictRow]:
    """Rows by ``sort`` (one of SORTS; anything else: by place), ties by place. Place is state,
    then district in natural order ("2" before "10")."""

    def place(r: DistrictRow) -> tuple:
        return (r.state, *_natural(r.district), r.chamber)

    if sort in ("confirmed", "possible"):
        rows = sorted(rows, key=place)
        return sorted(rows, key=lambda r: getattr(r, sort), reverse=descending)
    return sorted(rows, key=place, reverse=descending)


def districts(
    petition_id: int,
    chambers: Sequence[str],
    sort: str = "confirmed",
    descending: bool = True,
    page: int = 1,
    per_page: int = 20,
) -> DistrictPage:
    """One page of confirmed (and possible) signers per district of ``chambers``, sorted in
    the database, each row with its legislators from the active directory snapshot. Only the
    page's rows are read (a petition over every district has about 7,000)."""
    where = (
        DistrictCount.petition_id == petition_id,
        DistrictCount.chamber.in_(list(chambers)),
        (DistrictCount.confirmed > 0) | (DistrictCount.possible > 0),
    )
    total = db.session.scalar(select(func.count()).select_from(DistrictCount).where(*where)) or 0
    place = [
        DistrictCount.state,
        func.length(DistrictCount.district),
        DistrictCount.district,
        DistrictCount.chamber,
    ]
    if sort in ("confirmed", "possible"):
        column = getattr(DistrictCount, sort)
        order = [column.desc() if descending else column.asc(), *place]
    else:
        order = [c.desc() for c in place] if descending else place
    found = db.session.execute(
        select(
            DistrictCount.chamber,
            DistrictCount.state,
            DistrictCount.district,
            DistrictCount.confirmed,
            DistrictCount.possible,
        )
        .where(*where)
        .order_by(*order)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    rows = [DistrictRow(r.chamber, r.state, r.district, r.confirmed, r.possible) for r in found]
    _attach_members(rows)
    return DistrictPage(rows, total)


def senate(
    petition_id: int,
    sort: str = "confirmed",
    descending: bool = True,
    page: int = 1,
    per_page: int = 20,
) -> DistrictPage:
    """U.S. Senate rows, one per state with signers, naming both senators (DC and the
    territories elect none, so they have no row)."""
    counts = {s: c for s, c in states(petition_id).items() if s and c and s not in NO_SENATORS}
    rows = sort_rows(
        [DistrictRow("us_senate", s, None, c, 0) for s, c in counts.items()], sort, descending
    )
    start = (max(page, 1) - 1) * per_page
    shown = rows[start : start + per_page]
    _attach_members(shown)
    return DistrictPage(shown, len(rows))


def _attach_members(rows: list[DistrictRow]) -> None:
    """Each row's legislators from the active snapshot: one query for the rows given."""
    if not rows:
        return
    by_seat = {(r.chamber, r.state, r.district or None): r for r in rows}
    active = select(DirectorySnapshot.id).where(DirectorySnapshot.active.is_(True))
    found = db.session.execute(
        select(
            Legislator.chamber,
            Legislator.state,
            Legislator.district,
            Legislator.external_id,
            Legislator.name,
            Legislator.party,
        )
        .where(
            Legislator.snapshot_id.in_(active.scalar_subquery()),
            Legislator.chamber.in_({r.chamber for r in rows}),
            Legislator.state.in_({r.state for r in rows}),
        )
        .where(
            (Legislator.district.is_(None))
            | Legislator.district.in_({r.district for r in rows if r.district})
        )
        .order_by(Legislator.rank.desc().nulls_last(), Legislator.name)
    )
    for m in found:
        row = by_seat.get((m.chamber, m.state, m.district))
        if row is not None:
            row.members.append(Member(m.external_id, m.name, m.party))

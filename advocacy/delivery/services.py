"""Delivery packets: the offices a petition's signers reach, and who belongs to each.

An office is a legislator of the active directory whose district holds confirmed signers
(read from the districts stored on each signature: ``SignatureDistrict``; U.S. senators by
the state of the signer's House district) or an organisation target of one of the petition's
letter campaigns (every confirmed signer). A ``matched`` or ``chosen`` district makes the
signer a constituent; a ``candidate`` one (a split ZIP the signer never settled) makes them
"possibly your constituent", counted and listed apart, never folded in or left out.

Counts cover every confirmed constituent; the lists name only signers who ticked "Show my
name and comment on this petition" (``Signature.public``). Members are read in keyset
batches ordered by signature id, so memory stays flat however large an office is.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, any_, bindparam, distinct, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from advocacy.extensions import db
from advocacy.legislators.models import Chamber, DirectorySnapshot, Legislator
from advocacy.letters import addressing
from advocacy.letters.addressing import Recipient
from advocacy.letters.models import CampaignTarget, Letter, LetterCampaign, LetterStatus
from advocacy.petitions.models import Petition, Signature, SignatureDistrict

BATCH = 2000
SETTLED = ("matched", "chosen")
CANDIDATE = "candidate"
CHAMBER_ORDER = {
    Chamber.US_SENATE.value: 0,
    Chamber.US_HOUSE.value: 1,
    Chamber.STATE_UPPER.value: 2,
    Chamber.STATE_LOWER.value: 3,
    Chamber.STATE_LEGISLATURE.value: 4,
}


@dataclass(frozen=True)
class Office:
    """One office a packet goes to, with its counts."""

    recipient: Recipient
    constituents: int  # confirmed signers who are the office's constituents
    possible: int  # confirmed signers whose split ZIP may put them there
    letters: int  # confirmed letters of the petition's campaigns to this office
    chamber: str | None = None
    state: str | None = None
    district: str | None = None
    target_id: int | None = None

    @property
    def key(self) -> str:
        return self.recipient.key

    @property
    def file_stem(self) -> str:
        """A file name for this office's packet: "us_senate-NY-Gillibrand-S000148"."""
        parts = [self.chamber or "target", self.state or "", self.district or ""]
        parts += [self.recipient.last_name, self.recipient.external_id or str(self.target_id)]
        stem = "-".join(_safe_name(p) for p in parts if p)
        return stem[:150] or "office"


@dataclass(frozen=True)
class Member:
    """One named signer in a packet's list."""

    signature_id: int
    name: str
    city: str
    zip: str
    signed_at: datetime | None
    comment: str


_UNSAFE = re.compile(r"[^\w.]")  # \w: what str.isalnum() accepts, and "_"


def _safe_name(text: str) -> str:
    return _UNSAFE.sub("_", str(text)).strip("_")


# --- offices ----------------------------------------------------------------------------------


def _confirmed(petition_id: int) -> Any:
    return (Signature.petition_id == petition_id) & Signature.confirmed_at.is_not(None)


def district_counts(petition_id: int) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(chamber, state, district) → (constituents, possibly) among confirmed signers."""
    sd = SignatureDistrict
    rows = db.session.execute(
        select(sd.chamber, sd.state, sd.district, sd.status, func.count())
        .join(Signature, Signature.id == sd.signature_id)
        .where(_confirmed(petition_id))
        .group_by(sd.chamber, sd.state, sd.district, sd.status)
    ).all()
    counts: dict[tuple[str, str, str], tuple[int, int]] = {}
    for chamber, state, district, status, n in rows:
        settled, possible = counts.get((chamber, state, district), (0, 0))
        counts[(chamber, state, district)] = (
            (settled, possible + n) if status == CANDIDATE else (settled + n, possible)
        )
    return counts


def _senate_filter(state: Any, possible: bool, after: Any = None) -> Any:
    """Signers of a state for its senators: a House district in the state; "possibly" when
    their split ZIP also has House candidates in another state. With ``after`` (PostgreSQL;
    a keyset batch), only signatures above it, and the state's House rows are read first from
    their index into an array whose ids are looked up by primary key: as a plain ``IN``, the
    planner scanned the petition's every signature for each batch of each state."""
    sd, other = SignatureDistrict, aliased(SignatureDistrict)
    house = select(sd.signature_id).where(sd.chamber == Chamber.US_HOUSE.value, sd.state == state)
    in_state: Any
    if after is None:
        in_state = Signature.id.in_(house)
    else:
        ids = house.where(sd.signature_id > after).scalar_subquery()
        in_state = Signature.id == any_(func.array(ids))
    elsewhere = exists().where(
        other.signature_id == Signature.id,
        other.chamber == Chamber.US_HOUSE.value,
        other.state != state,
    )
    return in_state & (elsewhere if possible else ~elsewhere)


def senate_counts(petition_id: int) -> dict[str, tuple[int, int]]:
    """state → (constituents, possibly) for its U.S. senators, in two grouped statements:
    signers whose House districts (or candidates) all lie in one state, and, per state, those
    whose split ZIP has House candidates in several (the same rule as ``_senate_filter``)."""
    sd = SignatureDistrict
    per_signer = (
        select(
            sd.signature_id,
            func.min(sd.state).label("state"),
            func.count(distinct(sd.state)).label("states"),
        )
        .join(Signature, Signature.id == sd.signature_id)
        .where(sd.chamber == Chamber.US_HOUSE.value, _confirmed(petition_id))
        .group_by(sd.signature_id)
        .subquery()
    )
    settled = db.session.execute(
        select(per_signer.c.state, func.count())
        .where(per_signer.c.states == 1)
        .group_by(per_signer.c.state)
    ).all()
    across = select(per_signer.c.signature_id).where(per_signer.c.states > 1)
    possible = db.session.execute(
        select(sd.state, func.count(distinct(sd.signature_id)))
        .where(sd.chamber == Chamber.US_HOUSE.value, sd.signature_id.in_(across))
        .group_by(sd.state)
    ).all()
    counts: dict[str, tuple[int, int]] = {str(state): (int(n), 0) for state, n in settled}
    for state, n in possible:
        counts[state] = (counts.get(state, (0, 0))[0], int(n))
    return counts


def letter_counts(petition_id: int) -> dict[str, int]:
    """recipient key → confirmed (not drafted) letters of the petition's campaigns."""
    rows = db.session.execute(
        select(Letter.recipient_key, func.count())
        .join(LetterCampaign, LetterCampaign.id == Letter.campaign_id)
        .where(LetterCampaign.petition_id == petition_id, Letter.status != LetterStatus.DRAFTED)
        .group_by(Letter.recipient_key)
    ).all()
    return {str(key): int(n) for key, n in rows}


def _active_legislators() -> Select[Any]:
    return (
        select(Legislator)
        .join(DirectorySnapshot, DirectorySnapshot.id == Legislator.snapshot_id)
        .where(DirectorySnapshot.active.is_(True))
        .options(selectinload(Legislator.offices))
    )


def campaign_targets(petition: Petition) -> list[CampaignTarget]:
    """The organisation targets of the petition's letter campaigns, in one query, campaign by
    campaign in their page order. Only campaigns of the petition's own organisation count: a
    campaign elsewhere that names this petition never puts its targets in its packets (or on
    its statistics page, which lists these)."""
    return list(
        db.session.scalars(
            select(CampaignTarget)
            .join(LetterCampaign, LetterCampaign.id == CampaignTarget.campaign_id)
            .where(
                LetterCampaign.petition_id == petition.id,
                LetterCampaign.organization_id == petition.organization_id,
            )
            .order_by(LetterCampaign.id, CampaignTarget.position, CampaignTarget.id)
        )
    )


def offices_for(petition: Petition) -> list[Office]:
    """Every office that gets a packet, senators first, then by chamber, state, district;
    organisation targets last. Memory grows with offices, not with signatures."""
    districts = district_counts(petition.id)
    senate = senate_counts(petition.id)
    letters = letter_counts(petition.id)
    offices: list[Office] = []
    for legislator in db.session.scalars(_active_legislators()):
        if legislator.chamber == Chamber.US_SENATE.value:
            settled, possible = senate.get(legislator.state, (0, 0))
        else:
            key = (legislator.chamber, legislator.state, legislator.district or "")
            settled, possible = districts.get(key, (0, 0))
        if not settled and not possible:
            continue
        recipient = addressing.from_legislator(legislator)
        offices.append(
            Office(
                recipient=recipient,
                constituents=settled,
                possible=possible,
                letters=letters.get(recipient.key, 0),
                chamber=legislator.chamber,
                state=legislator.state,
                district=legislator.district,
            )
        )
    offices.sort(key=_office_order)
    everyone = db.session.scalar(
        select(func.count()).select_from(Signature).where(_confirmed(petition.id))
    )
    for target in campaign_targets(petition):
        recipient = addressing.from_target(target)
        offices.append(
            Office(
                recipient=recipient,
                constituents=everyone or 0,
                possible=0,
                letters=letters.get(recipient.key, 0),
                target_id=target.id,
            )
        )
    return offices


def _office_order(office: Office) -> tuple[Any, ...]:
    district = office.district or ""
    return (
        CHAMBER_ORDER.get(office.chamber or "", 9),
        office.state or "",
        (0, int(district), "") if district.isdigit() else (1, 0, district),
        office.recipient.last_name,
        office.key,
    )


def office_for(petition: Petition, key: str) -> Office | None:
    """One office of the petition by recipient key, or None when it gets no packet."""
    kind, _, ident = key.partition(":")
    if kind == addressing.LEGISLATOR and ident:
        legislator = db.session.scalars(
            _active_legislators().where(Legislator.external_id == ident).limit(1)
        ).first()
        if legislator is None:
            return None
        if legislator.chamber == Chamber.US_SENATE.value:
            settled, possible = _senate_count(petition.id, legislator.state)
        else:
            settled, possible = _district_count(petition.id, legislator)
        if not settled and not possible:
            return None
        recipient = addressing.from_legislator(legislator)
        letters = letter_counts(petition.id).get(recipient.key, 0)
        return Office(recipient, settled, possible, letters, legislator.chamber,
                      legislator.state, legislator.district)  # fmt: skip
    if kind == "target" and ident.isdigit():
        target = next((t for t in campaign_targets(petition) if t.id == int(ident)), None)
        if target is None:
            return None
        recipient = addressing.from_target(target)
        everyone = db.session.scalar(
            select(func.count()).select_from(Signature).where(_confirmed(petition.id))
        )
        letters = letter_counts(petition.id).get(recipient.key, 0)
        return Office(recipient, everyone or 0, 0, letters, target_id=target.id)
    return None


def _senate_count(petition_id: int, state: str) -> tuple[int, int]:
    settled, possible = (
        db.session.scalar(
            select(func.count())
            .select_from(Signature)
            .where(_confirmed(petition_id), _senate_filter(state, flag))
        )
        or 0
        for flag in (False, True)
    )
    return settled, possible


def _district_count(petition_id: int, legislator: Legislator) -> tuple[int, int]:
    sd = SignatureDistrict
    rows = db.session.execute(
        select(sd.status, func.count())
        .join(Signature, Signature.id == sd.signature_id)
        .where(
            sd.chamber == legislator.chamber,
            sd.state == legislator.state,
            sd.district == (legislator.district or ""),
            _confirmed(petition_id),
        )
        .group_by(sd.status)
    ).all()
    possible = sum(n for status, n in rows if status == CANDIDATE)
    return sum(n for _, n in rows) - possible, possible


# --- members ----------------------------------------------------------------------------------

_MEMBER_COLUMNS = (
    Signature.id,
    Signature.first_name,
    Signature.last_name,
    Signature.city,
    Signature.zip,
    Signature.confirmed_at,
    Signature.comment,
)


def _member_queries(dialect: str) -> dict[str, Any]:
    """The members' statements, built once (per database kind): a build runs them thousands
    of times, and building and hashing a statement cost more than PostgreSQL takes to answer
    it. Every value is a bound parameter (``petition``, ``after``, ``batch``; the office's
    ``chamber``, ``state``, ``district``, ``statuses``)."""
    sd = SignatureDistrict
    base = select(*_MEMBER_COLUMNS).where(
        Signature.petition_id == bindparam("petition"),
        Signature.confirmed_at.is_not(None),
        Signature.public.is_(True),
    )
    page: Any = bindparam("batch")
    after: Any = bindparam("after")
    district = (
        base.join(sd, sd.signature_id == Signature.id)
        .where(
            sd.chamber == bindparam("chamber"),
            sd.state == bindparam("state"),
            sd.district == bindparam("district"),
            sd.status.in_(bindparam("statuses", expanding=True)),
            sd.signature_id > after,
        )
        .order_by(sd.signature_id)
        .limit(page)
    )
    queries: dict[str, Any] = {"district": district}
    for flag in (False, True):
        keyset = after if dialect == "postgresql" else None
        senate = base.where(_senate_filter(bindparam("state"), flag, keyset), Signature.id > after)
        queries[f"senate:{flag}"] = senate.order_by(Signature.id).limit(page)
    queries["target"] = base.where(Signature.id > after).order_by(Signature.id).limit(page)
    return queries


_QUERIES: dict[tuple[str, str], Any] = {}  # (database kind, name) → statement (Select)


# A state's two senators list the same signers, and theirs is the costliest statement (every
# House district of the state, less the signers with one elsewhere). Inside ``senate_shared``
# (a packet build) the last state's list is kept for the second senator, up to this many rows.
SENATE_KEPT = 5_000
_senate = threading.local()  # per thread: a build in a thread of the web server, requests beside


@contextmanager
def senate_shared() -> Iterator[None]:
    """Within the block, a state's second senator reuses the first one's list (when it has
    at most ``SENATE_KEPT`` rows): the two packets of a build then also list the same
    signers. Outside it, and in other threads, every call reads the database."""
    _senate.on, _senate.state, _senate.lists = True, None, {}
    try:
        yield
    finally:
        _senate.on, _senate.state, _senate.lists = False, None, {}


def members(
    petition_id: int, office: Office, *, possible: bool = False, batch: int = BATCH
) -> Iterator[list[Member]]:
    """The office's named signers (confirmed, shown), in batches ordered by signature id:
    its constituents, or with ``possible`` those whose split ZIP may put them there."""
    if office.target_id is not None and possible:
        return
    if office.chamber == Chamber.US_SENATE.value and getattr(_senate, "on", False):
        state, key = (petition_id, office.state, batch), possible
        if _senate.state != state:  # another state: the last one's lists go
            _senate.state, _senate.lists = state, {}
        lists: dict[bool, list[list[Member]]] = _senate.lists
        if key in lists:
            yield from lists[key]
            return
        kept: list[list[Member]] | None = []
        for rows in _read_members(petition_id, office, possible, batch):
            if kept is not None:
                kept.append(rows)
                if sum(len(b) for b in kept) > SENATE_KEPT:
                    kept = None
            yield rows
        if kept is not None:
            lists[key] = kept
        return
    yield from _read_members(petition_id, office, possible, batch)


def _read_members(
    petition_id: int, office: Office, possible: bool, batch: int
) -> Iterator[list[Member]]:
    # Core execution: the ORM adds nothing to plain column rows.
    connection = db.session.connection()
    dialect = connection.dialect.name
    if (dialect, "target") not in _QUERIES:
        _QUERIES.update(((dialect, k), q) for k, q in _member_queries(dialect).items())
    params: dict[str, Any] = {"petition": petition_id, "batch": batch, "after": 0}
    if office.target_id is not None:
        query = _QUERIES[dialect, "target"]
    elif office.chamber == Chamber.US_SENATE.value:
        query = _QUERIES[dialect, f"senate:{possible}"]
        params["state"] = office.state or ""
    else:
        query = _QUERIES[dialect, "district"]
        params.update(
            chamber=office.chamber,
            state=office.state,
            district=office.district or "",
            statuses=[CANDIDATE] if possible else list(SETTLED),
        )
    while True:
        rows = connection.execute(query, params).all()
        if not rows:
            return
        params["after"] = rows[-1][0]
        yield [
            Member(
                signature_id=r[0],
                name=" ".join(p for p in (r[1], r[2]) if p),
                city=r[3] or "",
                zip=r[4] or "",
                signed_at=r[5],
                comment=r[6] or "",
            )
            for r in rows
        ]
        if len(rows) < batch:
            return

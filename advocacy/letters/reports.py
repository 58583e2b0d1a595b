"""The organizer's view of a campaign's letters: per office and per chamber, counts by
status and channel; how much of the letters is the supporters' own words; the offices that
have no letter yet; the positions; progress toward the goal.

Statuses are ``campaigns.effective_status``: an email letter's status is its outbox
message's. "Letters" here are letters their writers confirmed (any status but drafted);
drafts are counted apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select, type_coerce
from sqlalchemy.types import String

from advocacy.extensions import db
from advocacy.legislators.models import Chamber, DirectorySnapshot, Legislator
from advocacy.letters import positions
from advocacy.letters.campaigns import effective_status, with_outbox
from advocacy.letters.models import (
    Letter,
    LetterCampaign,
    LetterStatus,
    Position,
    Writer,
    WriterDistrict,
)

# The statuses as columns, in the order a letter moves through them.
STATUS_ORDER = [s.value for s in (
    LetterStatus.QUEUED, LetterStatus.SENT, LetterStatus.HANDED_OVER, LetterStatus.REPORTED_SENT,
    LetterStatus.FAILED, LetterStatus.BOUNCED,
)]  # fmt: skip
STATUS_LABELS = {
    "drafted": "Drafted",
    "queued": "Queued",
    "sent": "Sent",
    "handed_over": "Handed to supporter",
    "reported_sent": "Supporter sent it",
    "failed": "Failed",
    "bounced": "Bounced",
}
CHANNEL_LABELS = {"email": "Email", "web_form": "Web form", "print": "Print", "cwc": "CWC"}


@dataclass
class Row:
    """One office or one chamber: its letters by status and by channel."""

    key: str
    label: str
    detail: str = ""
    statuses: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    drafted: int = 0

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Office:
    """An office that has no letter yet."""

    label: str
    detail: str


@dataclass
class Report:
    total: Row
    chambers: list[Row]
    offices: list[Row]
    average_share: float  # 0–1, over confirmed letters
    with_own_words: int  # confirmed letters with any words of the writer's own
    copied: int  # confirmed letters whose paragraph copies another writer's (flagged)
    missing: list[Office]
    positions: dict[Position, int]
    letter_count: int
    goal: int

    @property
    def own_words_percent(self) -> int:
        return round(self.with_own_words * 100 / self.total.total) if self.total.total else 0

    @property
    def percent(self) -> int:
        return min(100, int(self.letter_count * 100 / self.goal)) if self.goal else 0


def report(campaign: LetterCampaign) -> Report:
    status = effective_status.label("status")
    query = with_outbox(
        select(
            Letter.recipient_key,
            Letter.recipient_chamber,
            type_coerce(Letter.channel, String).label("channel"),
            status,
            func.max(Letter.recipient_name),
            func.max(Letter.recipient_title),
            func.max(Letter.recipient_state),
            func.max(Letter.recipient_district),
            func.count(),
        )
    )
    query = query.where(Letter.campaign_id == campaign.id).group_by(
        Letter.recipient_key, Letter.recipient_chamber, "channel", status
    )
    total = Row("all", "All letters")
    chambers: dict[str, Row] = {}
    offices: dict[str, Row] = {}
    for key, chamber, channel, state_of, name, title, st, district, n in db.session.execute(query):
        chamber_key = chamber or "organization"
        label = Chamber(chamber).label if chamber in Chamber._value2member_map_ else "Organisations"
        office_label = f"{title} {name}" if chamber else ", ".join(p for p in (name, title) if p)
        where = "-".join(p for p in (st, district) if p)
        for row in (
            total,
            chambers.setdefault(chamber_key, Row(chamber_key, label)),
            offices.setdefault(key, Row(key, office_label, where or label)),
        ):
            if state_of == LetterStatus.DRAFTED.value:
                row.drafted += n
                continue
            row.statuses[state_of] += n
            row.channels[channel] += n
    share, own, copied = db.session.execute(
        select(
            func.avg(Letter.personal_share),
            func.count().filter(Letter.personal_share > 0),
            func.count().filter(Letter.similar_to_id.is_not(None)),
        ).where(Letter.campaign_id == campaign.id, Letter.status != LetterStatus.DRAFTED)
    ).one()
    order = {c.value: i for i, c in enumerate(Chamber)}
    return Report(
        total=total,
        chambers=sorted(chambers.values(), key=lambda r: order.get(r.key, 99)),
        offices=sorted(offices.values(), key=lambda r: (-r.total, r.label)),
        average_share=float(share or 0.0),
        with_own_words=int(own or 0),
        copied=int(copied or 0),
        missing=offices_without_letters(campaign),
        positions=positions.summary(campaign),
        letter_count=campaign.letter_count,
        goal=campaign.goal,
    )


def offices_without_letters(campaign: LetterCampaign, limit: int = 200) -> list[Office]:
    """The targeted legislators of the districts (and, for senators, the states) the
    campaign's confirmed writers live in, and the organisation targets, that have no
    confirmed letter yet."""
    out: list[Office] = []
    writers = select(Writer.id).where(
        Writer.campaign_id == campaign.id, Writer.confirmed_at.is_not(None)
    )
    districts = select(WriterDistrict).where(
        WriterDistrict.writer_id.in_(writers), WriterDistrict.status.in_(("matched", "chosen"))
    )
    d = districts.subquery()
    states = (
        select(d.c.state)
        .union(
            select(Writer.state).where(
                Writer.campaign_id == campaign.id,
                Writer.confirmed_at.is_not(None),
                Writer.state.is_not(None),
            )
        )
        .subquery()
    )
    chambers = [c for c in campaign.chambers if c != Chamber.US_SENATE.value]
    conditions = [
        and_(
            Legislator.chamber.in_(chambers),
            exists().where(
                d.c.chamber == Legislator.chamber,
                d.c.state == Legislator.state,
                d.c.district == Legislator.district,
            ),
        )
    ]
    if Chamber.US_SENATE.value in campaign.chambers:
        conditions.append(
            and_(
                Legislator.chamber == Chamber.US_SENATE.value,
                Legislator.state.in_(select(states.c.state)),
            )
        )
    lived_in = or_(*conditions)
    has_letter = exists().where(
        Letter.campaign_id == campaign.id,
        Letter.recipient_kind == "legislator",
        Letter.recipient_external_id == Legislator.external_id,
        Letter.status != LetterStatus.DRAFTED,
    )
    query = (
        select(Legislator)
        .join(
            DirectorySnapshot,
            and_(DirectorySnapshot.id == Legislator.snapshot_id, DirectorySnapshot.active),
        )  # fmt: skip
        .where(lived_in, ~has_letter)
        .order_by(Legislator.chamber, Legislator.state, Legislator.district, Legislator.name)
        .limit(limit)
    )
    for legislator in db.session.scalars(query):
        where = "-".join(p for p in (legislator.state, legislator.district) if p)
        label = f"{legislator.title} {legislator.name}"
        out.append(Office(label, f"{Chamber(legislator.chamber).label}, {where}"))
    written = set(
        db.session.scalars(
            select(Letter.recipient_key).where(
                Letter.campaign_id == campaign.id,
                Letter.recipient_kind == "organization",
                Letter.status != LetterStatus.DRAFTED,
            )
        )
    )
    for target in campaign.targets:
        if f"target:{target.id}" in written:
            continue
        label = ", ".join(p for p in (target.name, target.title) if p)
        out.append(Office(label, target.organization or "Organisation target"))
    return out

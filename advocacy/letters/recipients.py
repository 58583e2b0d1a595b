"""Who a writer's letters go to: their own legislators in the campaign's chambers, and the
campaign's organisation targets. One letter per office.

Legislators come from the *active* directory snapshot, joined on the writer's districts by
``(chamber, state, district)`` (the U.S. Senate by state), so the stored districts outlive
any snapshot. A chamber whose district is still a candidate (a split ZIP) gets no letter
until the writer chooses: it is listed in ``open_choices``, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from advocacy.extensions import db
from advocacy.legislators.models import Chamber, DirectorySnapshot, Legislator
from advocacy.letters.addressing import (
    Recipient,
    from_legislator,
    from_target,
    recipients_sorted,
)
from advocacy.letters.models import CampaignPosition, LetterCampaign, Position, Writer
from advocacy.letters.writers import district_choices


@dataclass
class Recipients:
    recipients: list[Recipient]
    # Chambers of the campaign where the writer must still choose a district.
    open_choices: dict[str, list] = field(default_factory=dict)
    # Chambers of the campaign with a settled district but no member in the directory
    # (a vacancy, or no directory loaded).
    missing: list[str] = field(default_factory=list)
    # Who holds each candidate district, to help the writer choose: (chamber, "NY-129") →
    # ["Bill Magnarelli"].
    candidate_names: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _members_of(rows: list) -> dict[tuple[str, str], list[str]]:
    """The directory's members of these candidate districts, by (chamber, district key)."""
    if not rows:
        return {}
    conditions = [
        and_(Legislator.chamber == r.chamber, Legislator.state == r.state,
             Legislator.district == r.district)
        for r in rows
    ]  # fmt: skip
    names: dict[tuple[str, str], list[str]] = {}
    for chamber, state, district, name in db.session.execute(
        select(Legislator.chamber, Legislator.state, Legislator.district, Legislator.name)
        .join(
            DirectorySnapshot,
            and_(DirectorySnapshot.id == Legislator.snapshot_id, DirectorySnapshot.active),
        )
        .where(or_(*conditions))
        .order_by(Legislator.name)
    ):
        names.setdefault((chamber, f"{state}-{district}"), []).append(name)
    return names


def positions_of(campaign: LetterCampaign) -> dict[str, Position]:
    return dict(
        db.session.execute(
            select(CampaignPosition.external_id, CampaignPosition.position).where(
                CampaignPosition.campaign_id == campaign.id
            )
        ).all()
    )


def recipients_for(writer: Writer) -> Recipients:
    """The offices this writer's letters go to, in the order letters are shown."""
    campaign = writer.campaign
    chambers = [c for c in campaign.chambers or [] if c in {ch.value for ch in Chamber}]
    choices = {c: rows for c, rows in district_choices(writer).items() if c in chambers}
    settled = [
        d
        for d in writer.districts
        if d.status in ("matched", "chosen") and d.chamber in chambers and d.chamber not in choices
    ]
    conditions = [
        and_(
            Legislator.chamber == d.chamber,
            Legislator.state == d.state,
            Legislator.district == d.district,
        )
        for d in settled
    ]
    if Chamber.US_SENATE.value in chambers:
        states = {writer.state} if writer.state else set()
        if not states:
            states = {d.state for d in writer.districts}
        if len(states) == 1:  # a ZIP across a state line needs a settled House district
            conditions.append(
                and_(Legislator.chamber == Chamber.US_SENATE.value, Legislator.state.in_(states))
            )
    legislators: list[Legislator] = []
    if conditions:
        legislators = list(
            db.session.scalars(
                select(Legislator)
                .join(
                    DirectorySnapshot,
                    and_(DirectorySnapshot.id == Legislator.snapshot_id, DirectorySnapshot.active),
                )
                .where(or_(*conditions))
                .options(selectinload(Legislator.offices))
            )
        )
    positions = positions_of(campaign)
    found: dict[str, Recipient] = {}
    for legislator in legislators:
        recipient = from_legislator(
            legislator, positions.get(legislator.external_id, Position.UNKNOWN)
        )
        found.setdefault(recipient.key, recipient)  # one letter per office
    for target in campaign.targets:
        recipient = from_target(target)
        found.setdefault(recipient.key, recipient)
    present = {(r.chamber, r.state, r.district) for r in found.values()}
    missing = [
        d.chamber
        for d in settled
        if (d.chamber, d.state, d.district) not in present and d.chamber != Chamber.US_SENATE
    ]
    candidates = [row for rows in choices.values() for row in rows]
    return Recipients(
        recipients_sorted(list(found.values())), choices, missing, _members_of(candidates)
    )

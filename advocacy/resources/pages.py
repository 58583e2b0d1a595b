"""What the state pages show beside the entries: the state's members of Congress from the
directory, and the open petitions and letter campaigns that target the state.

"Targets the state" (docs/states.md): a petition or campaign whose addressee names the state
(its ``target``, or a campaign target's name, title or organisation, contains the state's full
name, e.g. "Texas Medical Board", "Governor of New York"), plus every open letter campaign
that writes to state legislatures: such a campaign reaches each state's own legislature.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from advocacy.extensions import db
from advocacy.legislators.lookup import Member, Office, current_snapshot
from advocacy.legislators.models import Chamber, Legislator
from advocacy.letters.models import CampaignStatus, CampaignTarget, LetterCampaign
from advocacy.petitions.models import Petition, PetitionStatus
from advocacy.resources.states import state_name

_STATE_CHAMBERS = {Chamber.STATE_UPPER.value, Chamber.STATE_LOWER.value, "state_legislature"}


def congress_members(state: str) -> list[Member]:
    """The state's U.S. senators and representatives in the active directory (empty when none
    is loaded), senators first, as the legislators' cards show them."""
    snapshot = current_snapshot()
    if snapshot is None:
        return []
    rows = db.session.scalars(
        select(Legislator).where(
            Legislator.snapshot_id == snapshot.id,
            Legislator.state == state,
            Legislator.chamber.in_([Chamber.US_SENATE.value, Chamber.US_HOUSE.value]),
        )
    ).all()

    def order(row: Legislator) -> tuple:
        district = row.district or ""
        return (row.chamber != Chamber.US_SENATE.value, row.rank != "senior",
                int(district) if district.isdigit() else 0, row.name)  # fmt: skip

    return [
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
            offices=tuple(Office(o.kind, o.phone, o.address) for o in row.offices),
            voting=row.voting,
            rank=row.rank,
            seat=row.seat,
        )
        for row in sorted(rows, key=order)
    ]


@dataclass(frozen=True)
class Actions:
    petitions: list[Petition]
    campaigns: list[LetterCampaign]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def open_actions(state: str) -> Actions:
    """The open petitions and letter campaigns that target the state (rule above)."""
    name = _like(state_name(state))
    petitions = db.session.scalars(
        select(Petition)
        .where(Petition.status == PetitionStatus.OPEN, Petition.target.ilike(name, escape="\\"))
        .order_by(Petition.published_at.desc(), Petition.id)
        .limit(20)
    ).all()
    named_ids = set(
        db.session.scalars(
            select(CampaignTarget.campaign_id).where(
                or_(
                    CampaignTarget.name.ilike(name, escape="\\"),
                    CampaignTarget.title.ilike(name, escape="\\"),
                    CampaignTarget.organization.ilike(name, escape="\\"),
                )
            )
        )
    )
    candidates = db.session.scalars(
        select(LetterCampaign)
        .where(LetterCampaign.status == CampaignStatus.OPEN)
        .order_by(LetterCampaign.published_at.desc(), LetterCampaign.id)
    ).all()
    campaigns = [
        c for c in candidates if c.id in named_ids or _STATE_CHAMBERS & set(c.chambers or [])
    ][:20]
    return Actions([p for p in petitions if p.is_open], campaigns)

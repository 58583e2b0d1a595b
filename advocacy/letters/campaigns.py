"""Organizer use cases on a letter campaign: create, edit, publish, close; organisation
targets; the live preview of its letters.

Each public use case ends in one commit. Rules live here, not in forms: the web address
(slug) is unique and fixed once the campaign is public; every template (the default one and
each position's own) passes ``templating.check`` when saved, so what saves renders, and a
refusal names the field and the line; a campaign is published only with somewhere to send
letters (a chamber or an organisation target) and a subject and body to send.

``effective_status`` is the one statement of a letter's status as the organizer sees it: an
email letter's status follows its outbox message. The organizer's view of the letters
(counts per office, chamber, status and channel) is in ``letters.reports``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, select, type_coerce
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.models import Organization, User
from advocacy.core import slugs
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.legislators.models import Chamber
from advocacy.letters import drafting, templating
from advocacy.letters.addressing import salutation
from advocacy.letters.models import (
    CampaignStatus,
    CampaignTarget,
    CampaignTemplate,
    Letter,
    LetterCampaign,
    LetterStatus,
    Position,
)
from advocacy.mail.models import MessageStatus, OutboxMessage
from advocacy.petitions.models import Petition

MAX_GOAL = 10_000_000
# The chambers an organizer may choose, in the order the form shows them.
CAMPAIGN_CHAMBERS = (Chamber.US_SENATE, Chamber.US_HOUSE, Chamber.STATE_UPPER, Chamber.STATE_LOWER)
CHAMBER_CHOICES = {
    Chamber.US_SENATE.value: "U.S. Senate",
    Chamber.US_HOUSE.value: "U.S. House",
    Chamber.STATE_UPPER.value: "State upper house (Senate)",
    Chamber.STATE_LOWER.value: "State lower house (House, Assembly, House of Delegates)",
}
# Congress.gov bill ids: type, number, hyphen, Congress ("hr3890-119", "s2439-119").
BILL_TYPES = ("hr", "s", "hres", "sres", "hjres", "sjres", "hconres", "sconres")
BILL_ID_RE = re.compile(rf"^({'|'.join(BILL_TYPES)})(\d{{1,5}})-(\d{{2,3}})$")
# Something that looks like an attempt at an id ("hr3890", "HR 3890-119") but is not one.
_ID_LIKE = re.compile(r"^[a-z]{1,7}\.?\s*\d+(?:\s*-\s*\d*)?$", re.IGNORECASE)
MAX_BILLS = 10
BILL_MAX = 100
# Per-position template fields, in the order the form shows them.
TEMPLATE_POSITIONS = (Position.SUPPORTS, Position.UNDECIDED, Position.OPPOSES, Position.UNKNOWN)


# A letter's status as the organizer (and the supporter's receipt) sees it. A letter that
# travels in an outbox message (email) takes that message's status: queued or sending →
# queued, sent → sent, failed or suppressed → failed, bounced → bounced; any other letter
# keeps its own. Use it with ``Letter`` outer-joined to ``OutboxMessage`` on
# ``Letter.outbox_message_id`` (``with_outbox``). Plain strings (LetterStatus values).
_OUTBOX = type_coerce(OutboxMessage.status, String)
effective_status = case(
    (OutboxMessage.id.is_(None), type_coerce(Letter.status, String)),
    (_OUTBOX.in_([MessageStatus.QUEUED.value, MessageStatus.SENDING.value]),
     LetterStatus.QUEUED.value),
    (_OUTBOX.in_([MessageStatus.SENT.value]), LetterStatus.SENT.value),
    (_OUTBOX.in_([MessageStatus.FAILED.value, MessageStatus.SUPPRESSED.value]),
     LetterStatus.FAILED.value),
    (_OUTBOX.in_([MessageStatus.BOUNCED.value]), LetterStatus.BOUNCED.value),
    else_=type_coerce(Letter.status, String),
)  # fmt: skip


def with_outbox(query: Any) -> Any:
    """``query`` (selecting from ``Letter``) joined to the outbox, for ``effective_status``."""
    return query.outerjoin(OutboxMessage, OutboxMessage.id == Letter.outbox_message_id)


class InvalidCampaign(DomainError):
    """Several refusals at once (every template that does not parse, each on its field)."""

    def __init__(self, problems: list[DomainError]):
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


@dataclass
class CampaignInput:
    """What an organizer writes; ``slug`` None or blank means "make one from the title".

    ``position_templates`` maps a position to its own (subject, body); a position left out
    (or with both empty) uses the default template."""

    title: str
    subject_template: str = ""
    body_template: str = ""
    slug: str | None = None
    petition_id: int | None = None
    intro: str = ""
    ask: str = ""
    prompt: str = ""
    goal: int = 100
    chambers: list[str] = field(default_factory=list)
    bills: list[str] = field(default_factory=list)
    position_templates: dict[Position, tuple[str, str]] = field(default_factory=dict)


@dataclass
class TargetInput:
    name: str
    address: str
    title: str = ""
    organization: str = ""
    salutation: str = ""
    email: str | None = None
    web_form: str | None = None
    stance: Position = Position.UNKNOWN


# --- bills -------------------------------------------------------------------------------


def parse_bills(text: str) -> list[str]:
    """The bills of the form's box (one a line, or separated by commas), checked: a
    Congress.gov id ("hr3890-119") is kept lowercase; free text ("NY S.1234") as written; an
    id that is almost one ("hr3890" without its Congress) is refused with the shape."""
    items = [p.strip() for p in re.split(r"[\n,]", text or "") if p.strip()]
    bills: list[str] = []
    for item in items:
        compact = item.lower().replace(" ", "")
        if BILL_ID_RE.match(compact):
            bill = compact
        elif _ID_LIKE.match(item):
            raise DomainError(
                f"“{item}” is not a bill id we can read. Write Congress.gov ids as type, "
                "number, hyphen, Congress: hr3890-119, s2439-119; or describe a state bill "
                "in words, such as “New York S.1234”.",
                "bills",
            )
        else:
            bill = item
        if len(bill) > BILL_MAX:
            raise DomainError(f"Keep each bill to {BILL_MAX} characters.", "bills")
        if bill not in bills:
            bills.append(bill)
    if len(bills) > MAX_BILLS:
        raise DomainError(f"Name at most {MAX_BILLS} bills.", "bills")
    return bills


def bill_ids(bills: list[str]) -> list[tuple[str, int, int]]:
    """(type, number, congress) of each Congress.gov id among ``bills``."""
    out = []
    for bill in bills:
        match = BILL_ID_RE.match(bill)
        if match:
            out.append((match[1], int(match[2]), int(match[3])))
    return out


# --- campaigns ---------------------------------------------------------------------------


def create_campaign(org: Organization, author: User | None, data: CampaignInput) -> LetterCampaign:
    """Save a new draft campaign for ``org``; nothing is public until it is published."""
    _check(org, data)
    slug = _chosen_slug(data.slug, None) if data.slug else unique_slug(data.title)
    campaign = LetterCampaign(
        organization=org,
        created_by_id=author.id if author is not None else None,
        status=CampaignStatus.DRAFT,
        slug=slug,
    )
    _assign(campaign, data)
    db.session.add(campaign)
    _commit()
    return campaign


def update_campaign(campaign: LetterCampaign, data: CampaignInput) -> LetterCampaign:
    """Apply an organizer's edits. A draft may change its slug; a public campaign may not."""
    _check(campaign.organization, data)
    campaign.slug = _new_slug(campaign, data)
    _assign(campaign, data)
    _commit()
    return campaign


def publish_problem(campaign: LetterCampaign) -> DomainError | None:
    """Why the campaign cannot be published yet, or None."""
    if campaign.status is not CampaignStatus.DRAFT:
        return DomainError("This campaign has already been published.")
    if not campaign.chambers and not campaign.targets:
        return DomainError(
            "Choose at least one chamber or add an organisation target before publishing.",
            "chambers",
        )
    if not campaign.subject_template.strip():
        return DomainError("Write the letter’s subject before publishing.", "subject_template")
    if not campaign.body_template.strip():
        return DomainError("Write the letter before publishing.", "body_template")
    try:
        templating.check(campaign.subject_template, field="subject_template")
        templating.check(campaign.body_template, field="body_template")
        for template in campaign.templates:
            templating.check(template.subject, field=f"subject_{template.position.value}")
            templating.check(template.body, field=f"body_{template.position.value}")
    except templating.TemplateProblem as exc:
        return exc
    return None


def publish_campaign(campaign: LetterCampaign) -> LetterCampaign:
    """Open a draft: supporters can write from now on; its web address never changes."""
    problem = publish_problem(campaign)
    if problem is not None:
        raise problem
    campaign.status = CampaignStatus.OPEN
    campaign.published_at = utcnow()
    _commit()
    return campaign


def close_campaign(campaign: LetterCampaign) -> LetterCampaign:
    """Stop taking letters; the letters already written keep their delivery."""
    if campaign.status is CampaignStatus.DRAFT:
        raise DomainError("A draft cannot be closed. Publish it first, or leave it as a draft.")
    if campaign.status is CampaignStatus.CLOSED:
        raise DomainError("This campaign is already closed.")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = utcnow()
    _commit()
    return campaign


def campaigns_managed_by(user: User) -> list[LetterCampaign]:
    """The campaigns ``user`` may manage (an admin's: all), drafts first, newest first."""
    query = select(LetterCampaign)
    if not user.is_admin:
        query = query.where(LetterCampaign.organization_id.in_(user.organization_ids))
    order = (
        LetterCampaign.status != CampaignStatus.DRAFT,
        LetterCampaign.created_at.desc(),
        LetterCampaign.id,
    )
    return list(db.session.scalars(query.order_by(*order)))


def petitions_of(org_ids: list[int]) -> list[Petition]:
    """The petitions a campaign of these organisations may follow."""
    query = select(Petition).where(Petition.organization_id.in_(org_ids))
    return list(db.session.scalars(query.order_by(Petition.created_at.desc(), Petition.id)))


def position_templates(campaign: LetterCampaign) -> dict[Position, tuple[str, str]]:
    return {t.position: (t.subject, t.body) for t in campaign.templates}


# --- targets -----------------------------------------------------------------------------


def suggested_salutation(name: str, title: str = "") -> str:
    """ "Dear <title> <last name>:", the organizer's starting point."""
    words = name.split()
    last = words[-1] if words else ""
    return salutation(title.strip(), last) if title.strip() else f"Dear {name.strip()}:"


def add_target(campaign: LetterCampaign, data: TargetInput) -> CampaignTarget:
    _check_target(data)
    order = max((t.position for t in campaign.targets), default=-1) + 1
    target = CampaignTarget(campaign_id=campaign.id, position=order)
    _assign_target(target, data)
    campaign.targets.append(target)
    _commit()
    return target


def update_target(target: CampaignTarget, data: TargetInput) -> CampaignTarget:
    _check_target(data)
    _assign_target(target, data)
    _commit()
    return target


def remove_target(target: CampaignTarget) -> None:
    """Remove an organisation target. Letters already written to it keep their copy."""
    campaign = target.campaign
    if campaign is not None and target in campaign.targets:
        campaign.targets.remove(target)
    db.session.delete(target)
    _commit()


def _check_target(data: TargetInput) -> None:
    if not data.name.strip():
        raise DomainError("Enter the name of the person or office.", "name")
    if not data.address.strip():
        raise DomainError("Enter the postal address: every letter is also a PDF.", "address")
    text = (data.salutation or "").strip()
    if text and not text.endswith((":", ",")):
        raise DomainError(
            "End the salutation with a colon, as business letters do (“Dear Dr. Skorton:”), "
            "or with a comma for a personal letter.",
            "salutation",
        )


def _assign_target(target: CampaignTarget, data: TargetInput) -> None:
    target.name = data.name.strip()
    target.title = data.title.strip()
    target.organization = data.organization.strip()
    target.salutation = (data.salutation or "").strip() or suggested_salutation(
        data.name, data.title
    )
    target.address = "\n".join(
        line.strip() for line in data.address.strip().splitlines() if line.strip()
    )
    target.email = data.email or None
    target.web_form = data.web_form or None
    target.stance = data.stance


# --- preview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLetter:
    label: str  # "Any position", "Supports or cosponsors" …
    subject: str
    salutation: str
    body: str
    problem: str | None = None


@dataclass(frozen=True)
class PreviewRecipient:
    heading: str  # "U.S. Senate: Senator Charles E. Schumer (sample)"
    letters: list[PreviewLetter]


def preview(
    data: CampaignInput, targets: list[CampaignTarget], petition: Petition | None = None
) -> list[PreviewRecipient]:
    """The letters of an (unsaved) campaign for the sample supporter: one per chosen chamber
    (its sample legislator) and per position that has its own template, one per target."""
    out: list[PreviewRecipient] = []
    own = {p: t for p, t in data.position_templates.items() if any(s.strip() for s in t)}
    for chamber in data.chambers:
        sample = drafting.SAMPLE_RECIPIENTS.get(chamber)
        if sample is None:
            continue
        greeting = salutation(sample["title"], sample["last_name"])
        letters = []
        for position in [p for p in TEMPLATE_POSITIONS if p in own]:
            subject, body = own[position]
            letters.append(_preview_one(data, sample, petition, subject, body, greeting,
                                        position.label))  # fmt: skip
        if len(own) < len(TEMPLATE_POSITIONS):
            label = "Any other position" if own else "Every position"
            letters.append(_preview_one(data, sample, petition, data.subject_template,
                                        data.body_template, greeting, label))  # fmt: skip
        heading = f"{CHAMBER_CHOICES[chamber].split(' (')[0]}: {sample['title']} "
        out.append(PreviewRecipient(f"{heading}{sample['full_name']} (sample)", letters))
    for target in targets:
        subject, body = own.get(target.stance, (data.subject_template, data.body_template))
        values = {
            "title": target.title,
            "first_name": target.name.split()[0] if target.name.split() else "",
            "last_name": target.name.split()[-1] if target.name.split() else "",
            "full_name": target.name,
            "chamber": target.organization,
            "district": "",
            "state": "",
        }
        letter = _preview_one(data, values, petition, subject, body, target.salutation,
                              target.stance.label)  # fmt: skip
        name = ", ".join(p for p in (target.name, target.title, target.organization) if p)
        out.append(PreviewRecipient(name, [letter]))
    return out


def _preview_one(
    data: CampaignInput,
    recipient: dict[str, str],
    petition: Petition | None,
    subject_source: str,
    body_source: str,
    greeting: str,
    label: str,
) -> PreviewLetter:
    values: dict[str, Any] = templating.sample_values(recipient)
    values["campaign"] = {"title": data.title, "bills": drafting.bill_labels(data.bills)}
    if petition is not None:
        values["petition"] = {
            "title": petition.title,
            "url": f"/petitions/{petition.slug}",
            "signature_count": petition.signature_count,
            "goal": petition.goal,
        }
    try:
        subject = " ".join(templating.render(subject_source, values, field="subject").split())
        body = templating.render(body_source, values, field="body")
    except templating.TemplateProblem as exc:
        return PreviewLetter(label, "", greeting, "", problem=exc.message)
    note = values["personal_note"]
    if not drafting.uses_personal_note(body_source):
        body = f"{body}\n\n{note}" if body else note
    return PreviewLetter(label, subject, greeting, body)


# --- slugs -------------------------------------------------------------------------------


def unique_slug(title: str, exclude_id: int | None = None) -> str:
    return slugs.unique_slug(LetterCampaign, title, exclude_id, fallback="letters")


def _chosen_slug(slug: str, exclude_id: int | None) -> str:
    return slugs.chosen_slug(
        LetterCampaign, slug, exclude_id,
        example="write-for-residencies",
        taken="Another letter campaign already uses this web address.",
    )  # fmt: skip


def _new_slug(campaign: LetterCampaign, data: CampaignInput) -> str:
    if campaign.status is not CampaignStatus.DRAFT:
        if data.slug and data.slug != campaign.slug:
            raise DomainError("The web address cannot change once a campaign is published.", "slug")
        return campaign.slug
    if not data.slug:
        return campaign.slug or unique_slug(data.title, exclude_id=campaign.id)
    if data.slug == campaign.slug:
        return campaign.slug
    return _chosen_slug(data.slug, campaign.id)


# --- helpers -----------------------------------------------------------------------------


def _check(org: Organization, data: CampaignInput) -> None:
    """Every refusal at once: the organizer fixes them all in one go."""
    problems: list[DomainError] = []
    if not data.title.strip():
        problems.append(DomainError("Enter a title.", "title"))
    if not 1 <= data.goal <= MAX_GOAL:
        problems.append(DomainError(f"The goal must be between 1 and {MAX_GOAL:,}.", "goal"))
    unknown = [c for c in data.chambers if c not in CHAMBER_CHOICES]
    if unknown:
        problems.append(DomainError("Choose chambers from the list.", "chambers"))
    if data.petition_id is not None:
        petition = db.session.get(Petition, data.petition_id)
        if petition is None or petition.organization_id != org.id:
            problems.append(
                DomainError("Choose one of this organisation’s petitions.", "petition_id")
            )
    try:
        data.bills = parse_bills("\n".join(data.bills))
    except DomainError as exc:
        problems.append(exc)
    for source, name in (
        (data.subject_template, "subject_template"),
        (data.body_template, "body_template"),
    ):
        _check_template(source, name, problems)
    for position, (subject, body) in data.position_templates.items():
        if not subject.strip() and not body.strip():
            continue
        for source, name in ((subject, f"subject_{position.value}"),
                             (body, f"body_{position.value}")):  # fmt: skip
            if not source.strip():
                problems.append(
                    DomainError(
                        "Write both a subject and a letter for this position, "
                        "or leave both empty to use the main template.",
                        name,
                    )
                )
            else:
                _check_template(source, name, problems)
    if problems:
        raise InvalidCampaign(problems)


def _check_template(source: str, name: str, problems: list[DomainError]) -> None:
    if not source.strip():
        return
    try:
        templating.check(source, field=name)
    except templating.TemplateProblem as exc:
        problems.append(exc)


def _assign(campaign: LetterCampaign, data: CampaignInput) -> None:
    campaign.title = data.title.strip()
    campaign.petition_id = data.petition_id
    campaign.intro = data.intro
    campaign.ask = data.ask.strip()
    campaign.prompt = data.prompt.strip()
    campaign.goal = data.goal
    campaign.chambers = [c.value for c in CAMPAIGN_CHAMBERS if c.value in data.chambers]
    campaign.bills = list(data.bills)
    campaign.subject_template = data.subject_template.strip()
    campaign.body_template = data.body_template.strip()
    wanted = {
        p: (s.strip(), b.strip())
        for p, (s, b) in data.position_templates.items()
        if s.strip() and b.strip()
    }
    for template in list(campaign.templates):
        if template.position not in wanted:
            campaign.templates.remove(template)
    existing = {t.position: t for t in campaign.templates}
    for position, (subject, body) in wanted.items():
        own = existing.get(position)
        if own is None:
            campaign.templates.append(
                CampaignTemplate(position=position, subject=subject, body=body)
            )
        else:
            own.subject, own.body = subject, body


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(
            "Another letter campaign took this web address a moment ago. Try another.", "slug"
        ) from None

"""Who a letter goes to and how it is addressed: recipients, inside addresses, salutations.

A ``Recipient`` is an office as a letter sees it: a legislator of the directory (by external
id: bioguide or Open States) or an organisation target the organizer entered. Letters copy
it (``Letter.recipient_*``) when they are written; ``from_letter`` rebuilds it from that copy,
so a directory refresh never changes a letter already written.

Titles come from ``legislators.titles`` (a table per state and chamber); "The Honorable"
goes in the inside address, never in the salutation ("Dear Senator Schumer:").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from advocacy.legislators import titles
from advocacy.legislators.models import Chamber, Legislator
from advocacy.letters.models import CampaignTarget, Letter, Position

LEGISLATOR = "legislator"
ORGANIZATION = "organization"
# "… Washington DC 20510" (the federal data has no comma) or "…, Washington, DC 20510".
_WASHINGTON = re.compile(r"^(?P<street>.*?),?\s+Washington,?\s+DC\s+(?P<zip>\d{5}(?:-\d{4})?)$")


@dataclass(frozen=True)
class Recipient:
    key: str  # "legislator:<external id>" | "target:<id>": one office
    kind: str  # LEGISLATOR | ORGANIZATION
    name: str  # full name as addressed: "Charles E. Schumer"
    first_name: str
    last_name: str
    title: str  # "Senator", "Assembly Member", or the target's own ("President and CEO")
    salutation: str  # "Dear Senator Schumer:"
    address_lines: tuple[str, ...]  # the inside address, first line "The Honorable …"
    external_id: str | None = None
    chamber: str | None = None  # a legislators.models.Chamber value, None for targets
    state: str | None = None
    district: str | None = None
    email: str | None = None
    web_form: str | None = None  # the office's official contact form
    website: str | None = None
    organization: str = ""
    party: str | None = None
    position: Position = Position.UNKNOWN
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def chamber_label(self) -> str:
        return Chamber(self.chamber).label if self.chamber else self.organization

    @property
    def display_name(self) -> str:
        """ "Senator Charles E. Schumer", "David Skorton, President and CEO, AAMC"."""
        if self.kind == LEGISLATOR:
            return f"{self.title} {self.name}"
        return ", ".join(p for p in (self.name, self.title, self.organization) if p)

    def merge_values(self) -> dict[str, str]:
        """The ``recipient`` merge fields of a letter template."""
        return {
            "title": self.title,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "full_name": self.name,
            "chamber": self.chamber_label,
            "district": self.district or "",
            "state": self.state or "",
        }

    def with_position(self, position: Position) -> Recipient:
        return _replace(self, position=position)


def _replace(recipient: Recipient, **changes: Any) -> Recipient:
    from dataclasses import replace

    return replace(recipient, **changes)


def legislator_key(external_id: str) -> str:
    return f"{LEGISLATOR}:{external_id}"


def target_key(target_id: int) -> str:
    return f"target:{target_id}"


def salutation(title: str, last_name: str) -> str:
    """ "Dear Senator Schumer:" — a business letter's salutation ends with a colon."""
    return f"Dear {title} {last_name}:".replace("  ", " ")


def postal_lines(address: str | None) -> list[str]:
    """A one-line postal address from the directory as the lines of an envelope.

    "322 Hart Senate Office Building Washington DC 20510" → ["322 Hart Senate Office
    Building", "Washington, DC 20510"]; "State Capitol Room 400, 120 4th St., Juneau, AK
    99801" → ["State Capitol Room 400", "120 4th St.", "Juneau, AK 99801"]. An address it
    cannot split stays one line rather than being guessed at.
    """
    text = " ".join((address or "").split())
    if not text:
        return []
    federal = _WASHINGTON.match(text)
    if federal:
        return [*_street_lines(federal["street"]), f"Washington, DC {federal['zip']}"]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) >= 3 and re.fullmatch(r"[A-Z]{2}\s+\d{5}(?:-\d{4})?", parts[-1]):
        return [*parts[:-2], f"{parts[-2]}, {parts[-1]}"]
    return [text]


def _street_lines(street: str) -> list[str]:
    return [p.strip() for p in street.split(",") if p.strip()]


def _office_address(legislator: Legislator) -> str | None:
    """The office letters go to: Washington for Congress, the capitol for states, else the
    first office with an address."""
    preferred = ("washington", "capitol", "district")
    offices = sorted(
        (o for o in legislator.offices if o.address),
        key=lambda o: (preferred.index(o.kind) if o.kind in preferred else 9, o.position),
    )
    return offices[0].address if offices else None


def _last_name(legislator: Legislator) -> str:
    if legislator.last_name:
        return legislator.last_name
    return legislator.name.split()[-1] if legislator.name.split() else legislator.name


def from_legislator(legislator: Legislator, position: Position = Position.UNKNOWN) -> Recipient:
    chamber = Chamber(legislator.chamber)
    title = titles.member_title(chamber, legislator.state, legislator.voting)
    last = _last_name(legislator)
    body = titles.chamber_name(chamber, legislator.state)
    lines = [f"The Honorable {legislator.name}", body, *postal_lines(_office_address(legislator))]
    return Recipient(
        key=legislator_key(legislator.external_id),
        kind=LEGISLATOR,
        external_id=legislator.external_id,
        name=legislator.name,
        first_name=legislator.first_name or legislator.name.split()[0],
        last_name=last,
        title=title,
        salutation=salutation(title, last),
        address_lines=tuple(lines),
        chamber=chamber.value,
        state=legislator.state,
        district=legislator.district,
        email=legislator.email,
        web_form=legislator.contact_form,
        website=legislator.website,
        party=legislator.party,
        position=position,
        details={
            k: v
            for k, v in (("senate_class", legislator.senate_class), ("rank", legislator.rank))
            if v
        },
    )


def from_target(target: CampaignTarget) -> Recipient:
    lines = [target.name]
    if target.title:
        lines.append(target.title)
    if target.organization:
        lines.append(target.organization)
    lines.extend(line.strip() for line in target.address.splitlines() if line.strip())
    words = target.name.split()
    return Recipient(
        key=target_key(target.id),
        kind=ORGANIZATION,
        name=target.name,
        first_name=words[0] if words else "",
        last_name=words[-1] if words else "",
        title=target.title,
        salutation=target.salutation,
        address_lines=tuple(lines),
        email=target.email,
        web_form=target.web_form,
        organization=target.organization,
        position=target.stance,
    )


def copy_fields(recipient: Recipient) -> dict[str, Any]:
    """The ``Letter.recipient_*`` columns for this recipient."""
    return {
        "recipient_key": recipient.key,
        "recipient_kind": recipient.kind,
        "recipient_external_id": recipient.external_id,
        "recipient_name": recipient.name,
        "recipient_title": recipient.title,
        "recipient_salutation": recipient.salutation,
        "recipient_chamber": recipient.chamber,
        "recipient_state": recipient.state,
        "recipient_district": recipient.district,
        "recipient_address": "\n".join(recipient.address_lines),
        "recipient_email": recipient.email,
        "recipient_web_form": recipient.web_form,
        "recipient_details": {
            "first_name": recipient.first_name,
            "last_name": recipient.last_name,
            "website": recipient.website,
            "organization": recipient.organization,
            "party": recipient.party,
            **recipient.details,
        },
        "position": recipient.position,
    }


def from_letter(letter: Letter) -> Recipient:
    """The recipient as the letter was written to them (its copy, not the directory)."""
    details = letter.recipient_details or {}
    return Recipient(
        key=letter.recipient_key,
        kind=letter.recipient_kind,
        name=letter.recipient_name,
        first_name=details.get("first_name") or "",
        last_name=details.get("last_name") or "",
        title=letter.recipient_title,
        salutation=letter.recipient_salutation,
        address_lines=tuple(letter.recipient_address.splitlines()),
        external_id=letter.recipient_external_id,
        chamber=letter.recipient_chamber,
        state=letter.recipient_state,
        district=letter.recipient_district,
        email=letter.recipient_email,
        web_form=letter.recipient_web_form,
        website=details.get("website"),
        organization=details.get("organization") or "",
        party=details.get("party"),
        position=letter.position,
        details={k: v for k, v in details.items() if k in ("senate_class", "rank")},
    )


def supporter_lines(
    first_name: str,
    last_name: str,
    address: str | None,
    city: str | None,
    state: str | None,
    zip_code: str,
) -> list[str]:
    """The writer's name and address block, one line each (what ``address_block`` merges)."""
    place = ", ".join(p for p in (city, state) if p)
    last = f"{place} {zip_code}".strip() if place else zip_code
    lines = [f"{first_name} {last_name}".strip()]
    if address:
        lines.extend(line.strip() for line in address.splitlines() if line.strip())
    lines.append(last)
    return lines


def recipients_sorted(recipients: Sequence[Recipient]) -> list[Recipient]:
    """Congress first (Senate, senior senator first; House), then the state legislature,
    then organisations."""
    order = {c.value: i for i, c in enumerate(
        (Chamber.US_SENATE, Chamber.US_HOUSE, Chamber.STATE_UPPER, Chamber.STATE_LOWER,
         Chamber.STATE_LEGISLATURE)
    )}  # fmt: skip
    return sorted(
        recipients,
        key=lambda r: (
            order.get(r.chamber or "", 9),
            r.kind != LEGISLATOR,
            r.details.get("rank") != "senior",
            r.last_name,
        ),
    )

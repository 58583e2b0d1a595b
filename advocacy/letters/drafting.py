"""Drafting: one campaign's template, for one writer and one recipient, as a letter's text.

The template is the recipient's position's own (``CampaignTemplate``) when the campaign has
one, else the campaign's. The writer's own paragraph goes where the template puts
``{{ personal_note }}``; a template without it gets the paragraph before the closing, so a
supporter's words are never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from flask import url_for

from advocacy.legislators.models import Chamber
from advocacy.letters import originality, templating
from advocacy.letters.addressing import Recipient, supporter_lines
from advocacy.letters.models import LetterCampaign, Position


class WriterLike(Protocol):
    first_name: str
    last_name: str
    address: str | None
    city: str | None
    state: str | None
    zip: str


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    personal_note: str
    personal_share: float  # how much of the body is the writer's own words, 0–1
    template_position: Position | None  # the position whose template was used, if any


def template_for(campaign: LetterCampaign, position: Position) -> tuple[str, str, Position | None]:
    """(subject, body, position used) for a recipient with ``position``."""
    for template in campaign.templates:
        if template.position is position:
            return template.subject, template.body, template.position
    return campaign.subject_template, campaign.body_template, None


def bill_labels(bills: list[str]) -> str:
    """ "hr3890-119", "s2439-119" → "H.R. 3890, S. 2439"; free text stays as written."""
    labels = []
    for bill in bills or []:
        labels.append(_bill_label(bill))
    return ", ".join(labels)


_BILL_TYPES = {
    "hr": "H.R.",
    "s": "S.",
    "hres": "H.Res.",
    "sres": "S.Res.",
    "hjres": "H.J.Res.",
    "sjres": "S.J.Res.",
    "hconres": "H.Con.Res.",
    "sconres": "S.Con.Res.",
}


def _bill_label(bill: str) -> str:
    import re

    match = re.fullmatch(r"([a-z]+)(\d+)(?:-(\d+))?", bill.strip().lower())
    if not match or match[1] not in _BILL_TYPES:
        return bill
    return f"{_BILL_TYPES[match[1]]} {int(match[2])}"


def campaign_url(campaign: LetterCampaign) -> str:
    if campaign.petition is not None:
        return url_for("petitions.show", slug=campaign.petition.slug, _external=True)
    return url_for("letters.action", slug=campaign.slug, _external=True)


def merge_values(
    campaign: LetterCampaign,
    writer: WriterLike,
    recipient: Recipient,
    personal_note: str = "",
) -> dict[str, Any]:
    """Every merge field's value for this letter (see ``templating.FIELDS``)."""
    petition = campaign.petition
    lines = supporter_lines(
        writer.first_name, writer.last_name, writer.address, writer.city, writer.state, writer.zip
    )
    return {
        "supporter": {
            "first_name": writer.first_name,
            "last_name": writer.last_name,
            "full_name": f"{writer.first_name} {writer.last_name}".strip(),
            "city": writer.city or "",
            "state": writer.state or "",
            "zip": writer.zip,
            "address_block": "\n".join(lines),
        },
        "recipient": recipient.merge_values(),
        "petition": {
            "title": petition.title if petition else campaign.title,
            "url": campaign_url(campaign),
            "signature_count": petition.signature_count if petition else campaign.letter_count,
            "goal": petition.goal if petition else campaign.goal,
        },
        "campaign": {"title": campaign.title, "bills": bill_labels(campaign.bills)},
        "personal_note": personal_note,
    }


def uses_personal_note(source: str) -> bool:
    return "personal_note" in source


def draft(
    campaign: LetterCampaign,
    writer: WriterLike,
    recipient: Recipient,
    personal_note: str = "",
) -> Draft:
    """The letter's subject and body; ``templating.TemplateProblem`` if the template fails."""
    note = "\n".join(line.rstrip() for line in (personal_note or "").strip().splitlines())
    subject_source, body_source, used = template_for(campaign, recipient.position)
    values = merge_values(campaign, writer, recipient, note)
    subject = " ".join(templating.render(subject_source, values, field="subject").split())
    body = templating.render(body_source, values, field="body")
    if note and not uses_personal_note(body_source):
        body = f"{body}\n\n{note}" if body else note
    return Draft(
        subject=subject[:500],
        body=body,
        personal_note=note,
        personal_share=originality.personal_share(body, note),
        template_position=used,
    )


# Sample recipients for the organizer's live preview, one per chamber.
SAMPLE_RECIPIENTS: dict[str, dict[str, str]] = {
    Chamber.US_SENATE.value: {
        "title": "Senator", "first_name": "Charles", "last_name": "Schumer",
        "full_name": "Charles E. Schumer", "chamber": "U.S. Senate", "district": "",
        "state": "NY",
    },
    Chamber.US_HOUSE.value: {
        "title": "Representative", "first_name": "John", "last_name": "Mannion",
        "full_name": "John W. Mannion", "chamber": "U.S. House", "district": "22",
        "state": "NY",
    },
    Chamber.STATE_UPPER.value: {
        "title": "Senator", "first_name": "Rachel", "last_name": "May",
        "full_name": "Rachel May", "chamber": "State Senate", "district": "48", "state": "NY",
    },
    Chamber.STATE_LOWER.value: {
        "title": "Assembly Member", "first_name": "Pamela", "last_name": "Hunter",
        "full_name": "Pamela Hunter", "chamber": "State House", "district": "128",
        "state": "NY",
    },
}  # fmt: skip

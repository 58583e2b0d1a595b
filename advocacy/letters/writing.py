"""Writing: a confirmed writer's letters drafted (``drafted`` rows), previewed and redrafted.

``draft_letters`` keeps one ``Letter`` per office (the unique constraint ``(campaign_id,
writer_id, recipient_key)``): drafting again updates the drafted rows, never adds a second,
and never touches a letter already confirmed. Each letter keeps a copy of its recipient,
how much of it is the writer's own words (``personal_share``), and, when the writer's
paragraph copies another writer's of the same campaign word for word or nearly, that
letter's id (``similar_to_id``: a flag for the organizer, never a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.letters import channels, originality, templating
from advocacy.letters.addressing import Recipient, copy_fields, from_letter, supporter_lines
from advocacy.letters.drafting import Draft, draft
from advocacy.letters.models import Channel, Letter, LetterStatus, Writer
from advocacy.letters.recipients import Recipients, recipients_for

NOTE_MAX = 2000
# How many of the campaign's other paragraphs a new one is compared with for near-copies.
COMPARE_LIMIT = 2000


def channel_reason(recipient: Recipient, channel: Channel) -> str:
    """Why a letter to this office goes by this channel, in the writer's terms."""
    if channel is Channel.EMAIL:
        return (
            "This office publishes an email address: we email your letter from you, "
            "with a copy to you, and replies go to you."
        )
    if channel is Channel.WEB_FORM:
        return (
            "This office only takes messages through the contact form on its website: "
            "we give you the finished letter to paste into it."
        )
    if channel is Channel.CWC:
        return "Delivered through Congress's official system for constituent messages."
    return "This office publishes no email or web form: print the PDF and post it."


def letter_text(salutation: str, body: str, writer: Writer) -> str:
    """The whole letter as it is sent, pasted or read: salutation, body, closing, the
    writer's name and address (what an office needs to see a constituent)."""
    sender = supporter_lines(
        writer.first_name, writer.last_name, writer.address, writer.city, writer.state, writer.zip
    )
    return "\n".join([salutation, "", body.strip(), "", "Sincerely,", "", *sender])


@dataclass
class Preview:
    recipient: Recipient
    channel: Channel
    reason: str
    draft: Draft | None
    problem: str | None = None

    def text(self, writer: Writer) -> str:
        return letter_text(self.recipient.salutation, self.draft.body if self.draft else "", writer)


def clean_note(note: str | None) -> str:
    text = (note or "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX:
        raise DomainError(
            f"Keep your paragraph to {NOTE_MAX} characters (it has {len(text)}).",
            field="personal_note",
        )
    return text


def previews(writer: Writer, found: Recipients, personal_note: str | None = None) -> list[Preview]:
    """Each recipient's letter as it would be written now, for the writing page."""
    note = writer.personal_note if personal_note is None else personal_note
    out = []
    for recipient in found.recipients:
        channel = channels.choose(recipient, writer)
        try:
            drafted: Draft | None = draft(writer.campaign, writer, recipient, note or "")
            problem = None
        except templating.TemplateProblem as exc:
            drafted, problem = None, exc.message
        out.append(
            Preview(recipient, channel, channel_reason(recipient, channel), drafted, problem)
        )
    return out


def letters_of(writer: Writer) -> list[Letter]:
    """The writer's letters, in the order they are shown (by the recipient copy)."""
    from advocacy.letters.addressing import recipients_sorted

    letters = list(db.session.scalars(select(Letter).where(Letter.writer_id == writer.id)))
    order = {r.key: i for i, r in enumerate(recipients_sorted([from_letter(x) for x in letters]))}
    return sorted(letters, key=lambda letter: order.get(letter.recipient_key, 0))


def draft_letters(
    writer: Writer,
    personal_note: str | None,
    *,
    prefix: str | None = None,
    address: str | None = None,
    city: str | None = None,
) -> list[Letter]:
    """Write (or rewrite) the drafted letters of a confirmed writer; one commit.

    ``prefix``, ``address`` and ``city``, when given, are what the writer signs with (kept on
    the writer, printed in every letter's address block; empty clears them).

    DomainError when the writer is unconfirmed, a district is still to be chosen, the
    paragraph is too long, or the campaign's template cannot be rendered.
    """
    if not writer.is_confirmed:
        raise DomainError("Confirm your email address first: the email we sent has the link.")
    if not writer.campaign.is_open:
        raise DomainError("This campaign is closed and no longer takes letters.")
    note = clean_note(personal_note)
    for name, value in (("prefix", prefix), ("address", address), ("city", city)):
        if value is not None:
            setattr(writer, name, value.strip() or None)
    found = recipients_for(writer)
    if found.open_choices:
        raise DomainError("Choose your district first.", field=next(iter(found.open_choices)))
    if not found.recipients:
        raise DomainError("We found no office for your letters.")
    fingerprint = originality.fingerprint(note)
    similar_to = _similar_letter(writer, note, fingerprint)
    existing = {letter.recipient_key: letter for letter in letters_of(writer)}
    keys = set()
    for recipient in found.recipients:
        keys.add(recipient.key)
        try:
            drafted = draft(writer.campaign, writer, recipient, note)
        except templating.TemplateProblem as exc:
            db.session.rollback()
            raise DomainError(
                f"This campaign's letter cannot be written right now ({exc.message}). "
                "The organizers have been told; please try again later."
            ) from exc
        values = {
            **copy_fields(recipient),
            "channel": channels.choose(recipient, writer),
            "subject": drafted.subject,
            "body": drafted.body,
            "personal_note": drafted.personal_note or None,
            "personal_share": drafted.personal_share,
            "note_fingerprint": fingerprint,
            "similar_to_id": similar_to,
        }
        letter = existing.get(recipient.key) or _insert(writer, values)
        if letter.status is LetterStatus.DRAFTED:
            for name, value in values.items():
                setattr(letter, name, value)
    stale = [
        letter.id
        for key, letter in existing.items()
        if key not in keys and letter.status is LetterStatus.DRAFTED
    ]
    if stale:  # an office no longer among the writer's (a district chosen differently)
        db.session.execute(delete(Letter).where(Letter.id.in_(stale)))
    writer.personal_note = note or None
    db.session.commit()
    return letters_of(writer)


def _insert(writer: Writer, values: dict) -> Letter:
    """A new drafted letter; a parallel request that inserted it first wins (its row is
    returned and updated instead), so a double submit never fails or duplicates."""
    letter = Letter(campaign_id=writer.campaign_id, writer_id=writer.id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(letter)
    except IntegrityError:
        found = db.session.scalar(
            select(Letter).where(
                Letter.campaign_id == writer.campaign_id,
                Letter.writer_id == writer.id,
                Letter.recipient_key == values["recipient_key"],
            )
        )
        if found is None:  # pragma: no cover - deleted in between
            raise
        return found
    return letter


def _similar_letter(writer: Writer, note: str, fingerprint: str | None) -> int | None:
    """Another writer's letter in this campaign whose paragraph this one copies, if any."""
    if fingerprint is None:
        return None
    others = Letter.campaign_id == writer.campaign_id, Letter.writer_id != writer.id
    exact = db.session.scalar(
        select(Letter.id)
        .where(*others, Letter.note_fingerprint == fingerprint)
        .order_by(Letter.id)
        .limit(1)
    )
    if exact is not None:
        return exact
    candidates = db.session.execute(
        select(Letter.id, Letter.personal_note)
        .where(*others, Letter.note_fingerprint.is_not(None))
        .order_by(Letter.id.desc())
        .limit(COMPARE_LIMIT)
    ).all()
    seen: set[str] = set()
    unique = []
    for letter_id, other in reversed(candidates):  # oldest first: the one copied from
        if other and other not in seen:
            seen.add(other)
            unique.append((letter_id, other))
    return originality.near_duplicate(note, unique)


def full_text(letter: Letter) -> str:
    """A written letter's whole text (see ``letter_text``)."""
    return letter_text(letter.recipient_salutation, letter.body, letter.writer)

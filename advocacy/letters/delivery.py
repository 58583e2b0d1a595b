"""Delivery: what happens when a writer has read their letters and presses Send.

Per letter, by its channel (``channels.choose``, fixed when it was drafted):

- email: queued in the mail outbox (never sent in the request) to the office, from the
  platform's address as "<writer> via <organisation>", Reply-To and Cc the writer; the
  letter is ``queued`` and its shown status follows the outbox row from then on;
- web form: ``handed_over`` to the writer (the text to paste, the form's link); the writer
  may say "I sent it" (``reported_sent``). Nothing claims the office received it;
- print: ``handed_over`` with its PDF;
- an adapter (CWC): ``adapter.deliver(letter)`` queues it in the same transaction.

Each letter is confirmed by one conditional ``UPDATE … WHERE confirmed_at IS NULL``, so a
second press (or a parallel one) sends nothing twice, and the campaign's ``letter_count``
moves once per confirmed letter in one atomic ``UPDATE``. One receipt email follows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from sqlalchemy import case, func, select, update

from advocacy.core.db import rowcount, utcnow
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.letters import channels
from advocacy.letters.addressing import from_letter
from advocacy.letters.models import Channel, Letter, LetterCampaign, LetterStatus, Writer
from advocacy.letters.writers import access_token
from advocacy.letters.writing import letter_text, letters_of
from advocacy.mail import MessageStatus, OutboxMessage, enqueue

# What the writer is told for each shown status.
STATUS_LABELS = {
    LetterStatus.DRAFTED: "Not sent yet",
    LetterStatus.QUEUED: "Queued to send",
    LetterStatus.SENT: "Sent by email",
    LetterStatus.FAILED: "Could not be sent",
    LetterStatus.BOUNCED: "Bounced back",
    LetterStatus.HANDED_OVER: "Ready for you to send",
    LetterStatus.REPORTED_SENT: "You sent it",
}
# The outbox's statuses as a letter's: a letter is never shown as more than its message.
_FROM_OUTBOX = {
    MessageStatus.QUEUED: LetterStatus.QUEUED,
    MessageStatus.SENDING: LetterStatus.QUEUED,
    MessageStatus.SENT: LetterStatus.SENT,
    MessageStatus.FAILED: LetterStatus.FAILED,
    MessageStatus.BOUNCED: LetterStatus.BOUNCED,
    MessageStatus.SUPPRESSED: LetterStatus.FAILED,
}
# The form fields office contact forms ask for (so the writer has them at hand).
WEB_FORM_FIELDS = (
    "your name",
    "your postal address",
    "your email",
    "a phone number (some offices require one)",
    "a topic or subject",
    "your message",
)


def shown_status(letter: Letter, message_status: MessageStatus | None) -> LetterStatus:
    """A letter's status as pages and counts report it: an email letter's is its outbox
    message's (queued/sending → queued, sent, failed, bounced, suppressed → failed)."""
    if letter.outbox_message_id is not None and message_status is not None:
        return _FROM_OUTBOX[message_status]
    return letter.status


def shown_status_column() -> Any:
    """``shown_status`` as a SQL expression over ``letters`` outer-joined to the outbox, for
    counts (``select(shown_status_column(), func.count())…outerjoin(OutboxMessage, …)``)."""
    whens = [(OutboxMessage.status == m, s.value) for m, s in _FROM_OUTBOX.items()]
    return case(*whens, else_=Letter.status)


@dataclass
class LetterView:
    letter: Letter
    status: LetterStatus
    form_link: str | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def letter_views(writer: Writer) -> list[LetterView]:
    """The writer's letters with their shown status (one query for the outbox rows)."""
    letters = letters_of(writer)
    ids = [x.outbox_message_id for x in letters if x.outbox_message_id]
    outbox: dict[int, MessageStatus] = {}
    if ids:
        outbox = dict(
            db.session.execute(
                select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(ids))
            ).all()
        )
    return [
        LetterView(
            letter,
            shown_status(letter, outbox.get(letter.outbox_message_id or 0)),
            channels.form_link(from_letter(letter)),
        )
        for letter in letters
    ]


def status_counts(campaign: LetterCampaign) -> dict[str, int]:
    """How many of the campaign's letters are in each shown status."""
    column = shown_status_column()
    rows = db.session.execute(
        select(column, func.count())
        .select_from(Letter)
        .outerjoin(OutboxMessage, OutboxMessage.id == Letter.outbox_message_id)
        .where(Letter.campaign_id == campaign.id)
        .group_by(column)
    ).all()
    counts = Counter({status.value: 0 for status in LetterStatus})
    for status, count in rows:
        counts[str(status.value if hasattr(status, "value") else status)] += count
    return dict(counts)


@dataclass
class SendResult:
    sent: list[Letter]  # confirmed now
    already: int  # confirmed before (nothing sent again)


def send_letters(writer: Writer) -> SendResult:
    """Confirm and deliver every drafted letter of a confirmed writer; one commit.

    Nothing for an unconfirmed writer (DomainError). A letter another request confirmed
    first is skipped, so nothing is sent twice.
    """
    if not writer.is_confirmed:
        raise DomainError("Confirm your email address first: the email we sent has the link.")
    campaign = writer.campaign
    if not campaign.is_open:
        raise DomainError("This campaign is closed and no longer takes letters.")
    letters = letters_of(writer)
    if not letters:
        raise DomainError("Write your letters first.")
    now = utcnow()
    confirmed: list[Letter] = []
    for letter in letters:
        if letter.status is not LetterStatus.DRAFTED:
            continue
        won = db.session.execute(
            update(Letter)
            .where(Letter.id == letter.id, Letter.confirmed_at.is_(None))
            .values(confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(won) != 1:
            continue
        letter.confirmed_at = now
        _deliver(letter, writer, campaign)
        confirmed.append(letter)
    if confirmed:
        db.session.execute(
            update(LetterCampaign)
            .where(LetterCampaign.id == campaign.id)
            .values(letter_count=LetterCampaign.letter_count + len(confirmed))
            .execution_options(synchronize_session=False)
        )
        db.session.flush()
        _send_receipt(writer, campaign, letters)
        writer.receipt_sent_at = now
    db.session.commit()
    db.session.refresh(campaign)
    return SendResult(confirmed, len(letters) - len(confirmed))


def _deliver(letter: Letter, writer: Writer, campaign: LetterCampaign) -> None:
    now = utcnow()
    adapter = next((a for a in channels.adapters() if a.channel is letter.channel), None)
    if letter.channel is Channel.EMAIL and letter.recipient_email:
        redirect = current_app.config.get("LETTER_EMAIL_REDIRECT")
        letter.outbox_message_id = enqueue(
            "letter",
            redirect or letter.recipient_email,
            "letter",
            meant_for=letter.recipient_email if redirect else None,
            organization_id=campaign.organization_id,
            from_name=f"{writer.full_name} via {campaign.organization.name}",
            reply_to=writer.email,
            cc=writer.email,
            letter=letter,
            writer=writer,
            text=letter_text(letter.recipient_salutation, letter.body, writer),
            organization=campaign.organization,
        )
        letter.status = LetterStatus.QUEUED
    elif adapter is not None and letter.channel not in (Channel.WEB_FORM, Channel.PRINT):
        adapter.deliver(letter)  # sets queued; the adapter's job moves it on
    else:  # web form and print: the writer takes it from here
        letter.status = LetterStatus.HANDED_OVER
        letter.handed_over_at = now


def report_sent(writer: Writer, letter_id: int) -> Letter:
    """The writer says they sent a handed-over letter (through the form, or by post)."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or letter.writer_id != writer.id:
        raise DomainError("That letter is not one of yours.")
    if letter.status is LetterStatus.REPORTED_SENT:
        return letter
    if letter.status is not LetterStatus.HANDED_OVER:
        raise DomainError("Only a letter handed to you to send can be marked as sent.")
    letter.status = LetterStatus.REPORTED_SENT
    letter.reported_sent_at = utcnow()
    db.session.commit()
    return letter


def next_step(letter: Letter) -> str:
    """What happens next, for the receipt and the sent page."""
    if letter.channel is Channel.EMAIL:
        return "We are emailing it to the office, with a copy to you; replies come to you."
    if letter.channel is Channel.WEB_FORM:
        where = "contact form" if letter.recipient_web_form else "contact form (on its website)"
        return f"Paste it into the office's {where}, linked below, then tell us you sent it."
    if letter.channel is Channel.PRINT:
        return "Print the PDF, sign it and post it to the address on it."
    return "It is queued for the office's official delivery system."


def _send_receipt(writer: Writer, campaign: LetterCampaign, letters: list[Letter]) -> None:
    token = access_token(writer)
    items = [
        {
            "letter": letter,
            "recipient": from_letter(letter),
            "next_step": next_step(letter),
            "form_link": channels.form_link(from_letter(letter))
            if letter.channel is Channel.WEB_FORM
            else None,
            "pdf_url": url_for("letters.pdf", token=token, letter_id=letter.id, _external=True),
        }
        for letter in letters
        if letter.confirmed_at is not None
    ]
    enqueue(
        "letter_receipt",
        writer.email,
        "letter_receipt",
        campaign=campaign,
        writer=writer,
        items=items,
        letters_url=url_for("letters.sent", token=token, _external=True),
    )

"""Retention: what ``flask privacy purge`` deletes and anonymises, and when (docs/privacy.md).

1. Signatures nobody confirmed within ``PRIVACY_UNCONFIRMED_DAYS`` are deleted (their
   ``started`` rollups taken back, as ``petitions purge-unconfirmed`` does: the funnel counts
   the signatures still on record, and ``flask petitions recount`` agrees).
2. Once a petition has been closed or won for ``PRIVACY_CLOSED_PETITION_DAYS`` (an open one
   past its deadline counts from the deadline), its signatures are anonymised: the person is
   gone, the row stays, so the counter, every rollup, the versions' counts and the packets'
   numbers are exactly what they were. Letter writers made from those signatures lose their
   personal fields too, and their letters their text, once their campaign is no longer open.
3. Writers of standalone action pages (not made from a signature) follow the same two rules
   by their own campaign: unconfirmed after ``PRIVACY_UNCONFIRMED_DAYS``, deleted (their
   letters were never sent); confirmed, anonymised once the campaign has been closed for
   ``PRIVACY_CLOSED_PETITION_DAYS``.
4. Sent (or finished) outbox messages older than ``PRIVACY_OUTBOX_DAYS`` lose their
   recipient, subject, bodies and the sender's name and addresses; the row and its status
   stay, so the outbox's and every broadcast's counts do not move.

Everything runs in keyset batches of ``BATCH`` rows, one transaction each, so memory stays
flat and a crash loses at most one batch; every step only picks rows not yet done, so a second
run (or two at once from cron) finds nothing more to do. ``dry_run`` only counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import String, bindparam, cast, delete, func, literal, or_, select, update

from advocacy.core.db import rowcount, utcnow
from advocacy.extensions import db
from advocacy.letters.models import CampaignStatus, Letter, LetterCampaign, Writer
from advocacy.mail.models import MessageStatus, OutboxMessage
from advocacy.petitions import services
from advocacy.petitions.models import Petition, PetitionStatus, Signature
from advocacy.petitions.rollups import email_domain

BATCH = 1000
# The local part of an anonymised address. A signature keeps its email's domain after it,
# because the domain rollup (and recount's rebuild of it) reads the domain from the row.
MARK = "anonymised."
# Writers' domains are counted nowhere: theirs is a domain that can never receive mail.
WRITER_DOMAIN = "anonymised.invalid"
EMAIL_LENGTH = 254


@dataclass
class PurgeReport:
    """What one purge did (or, with ``dry_run``, would do)."""

    deleted: int = 0  # unconfirmed signatures deleted
    anonymised: int = 0  # signatures anonymised
    writers: int = 0  # letter writers anonymised
    letters: int = 0  # their letters' text removed
    writers_deleted: int = 0  # standalone writers never confirmed, deleted with their drafts
    messages: int = 0  # outbox messages emptied
    dry_run: bool = False


def retention_days() -> tuple[int, int, int]:
    """``(PRIVACY_UNCONFIRMED_DAYS, PRIVACY_CLOSED_PETITION_DAYS, PRIVACY_OUTBOX_DAYS)``,
    refused unless each is whole days of at least one: 0 would delete signatures whose link
    was just sent, or empty a message before its delivery could be looked into."""
    days = []
    for name in (
        "PRIVACY_UNCONFIRMED_DAYS",
        "PRIVACY_CLOSED_PETITION_DAYS",
        "PRIVACY_OUTBOX_DAYS",
    ):
        value = current_app.config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of days, at least 1 (is {value!r}).")
        days.append(value)
    return days[0], days[1], days[2]


def purge(now: datetime | None = None, *, dry_run: bool = False, batch: int = BATCH) -> PurgeReport:
    """Delete stale unconfirmed signatures, anonymise what long-closed petitions and action
    pages hold, delete stale unconfirmed letter writers, and empty old emails."""
    unconfirmed_days, closed_days, outbox_days = retention_days()
    now = now or utcnow()
    unconfirmed_cutoff = now - timedelta(days=unconfirmed_days)
    closed_cutoff = now - timedelta(days=closed_days)
    outbox_cutoff = now - timedelta(days=outbox_days)
    report = PurgeReport(dry_run=dry_run)
    if dry_run:
        report.deleted = _count(Signature, services.unconfirmed_before(unconfirmed_cutoff))
        report.anonymised = _count(Signature, _signature_pending(closed_cutoff))
        report.writers = _count(Writer, _writer_pending(closed_cutoff))
        report.letters = _count(
            Letter, Letter.writer_id.in_(select(Writer.id).where(_writer_pending(closed_cutoff)))
        )
        report.writers_deleted = _count(Writer, _writer_unconfirmed(unconfirmed_cutoff))
        report.messages = _count(OutboxMessage, _message_pending(outbox_cutoff))
        db.session.rollback()
        return report
    report.deleted = sum(services.purge_unconfirmed_before(unconfirmed_cutoff, batch))
    report.anonymised = _anonymise_signatures(closed_cutoff, batch)
    report.writers, report.letters = _anonymise_writers(closed_cutoff, batch)
    report.writers_deleted = _delete_unconfirmed_writers(unconfirmed_cutoff, batch)
    report.messages = _empty_old_messages(outbox_cutoff, batch)
    return report


def _count(model: Any, condition: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0


def _closed_before(cutoff: datetime) -> Any:
    """Ids of petitions closed (or won) before ``cutoff``, or open with a deadline before it
    (closed in all but name: ``petitions close-expired`` has not run)."""
    p = Petition
    ended = p.status.in_((PetitionStatus.CLOSED, PetitionStatus.WON)) & (p.closed_at < cutoff)
    expired = (p.status == PetitionStatus.OPEN) & (p.deadline < cutoff)
    return select(p.id).where(or_(ended, expired))


def _not_anonymised(model: Any) -> Any:
    """Rows still holding a person: anonymising blanks the name and marks the address."""
    return or_(model.first_name != "", ~model.email.startswith(MARK, autoescape=True))


def _signature_pending(cutoff: datetime) -> Any:
    return Signature.petition_id.in_(_closed_before(cutoff)) & _not_anonymised(Signature)


def _writer_pending(cutoff: datetime) -> Any:
    """Writers not yet anonymised who are either made from a signature of a long-closed
    petition, with their campaign closed or never opened (an open campaign's writer may
    still be writing), or not made from a signature (an action page's) with their campaign
    closed before ``cutoff``: such a writer has no petition to go by."""
    c = LetterCampaign
    from_closed_petition = Writer.signature_id.in_(
        select(Signature.id).where(Signature.petition_id.in_(_closed_before(cutoff)))
    )
    campaign_not_open = Writer.campaign_id.in_(select(c.id).where(c.status != CampaignStatus.OPEN))
    standalone_closed = Writer.signature_id.is_(None) & Writer.campaign_id.in_(
        select(c.id).where(c.status == CampaignStatus.CLOSED, c.closed_at < cutoff)
    )
    return or_(from_closed_petition & campaign_not_open, standalone_closed) & _not_anonymised(
        Writer
    )


def _writer_unconfirmed(cutoff: datetime) -> Any:
    """Writers nobody confirmed, made before ``cutoff``, none of whose letters was ever
    confirmed (nothing is sent for an unconfirmed writer: this only makes sure)."""
    confirmed_letter = (
        select(Letter.id)
        .where(Letter.writer_id == Writer.id, Letter.confirmed_at.is_not(None))
        .exists()
    )
    return Writer.confirmed_at.is_(None) & (Writer.created_at < cutoff) & ~confirmed_letter


# Statuses after which an outbox message is never tried again.
FINISHED = (
    MessageStatus.SENT,
    MessageStatus.FAILED,
    MessageStatus.SUPPRESSED,
    MessageStatus.BOUNCED,
)


def _message_pending(cutoff: datetime) -> Any:
    m = OutboxMessage
    return (
        m.status.in_(FINISHED)
        & (m.created_at < cutoff)
        & ~m.recipient.startswith(MARK, autoescape=True)
    )


def anonymised_email(row_id: int, domain: str) -> str:
    """``anonymised.<id>@<domain>``: unique per row (the ``(petition, email)`` constraint),
    never a person's, and the same domain for the rollups."""
    return f"{MARK}{row_id}@{domain}"[:EMAIL_LENGTH]


def _pending_batches(model: Any, condition: Any, batch: int):
    """Keyset batches of ``(id, email, zip)`` of rows matching ``condition``, by id."""
    yield from _batches(model, condition, batch, model.email, model.zip)


def _batches(model: Any, condition: Any, batch: int, *columns: Any):
    """Keyset batches of ``(id, *columns)`` of rows matching ``condition``, by id."""
    last = 0
    while True:
        rows = db.session.execute(
            select(model.id, *columns)
            .where(condition, model.id > last)
            .order_by(model.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        yield rows
        if len(rows) < batch:
            return


def blank_people(model: Any, rows: Sequence[Any], domain_of: Callable[[str], str], **more: Any):
    """Anonymise ``rows`` (``id, email, zip``) of signatures or writers in one executemany:
    names, street address and city blanked, the email made up (``anonymised_email``, with the
    domain ``domain_of`` gives), the ZIP cut to five digits (a ZIP+4 can be one building), no
    more mail (``opt_in``), and no member account (``user_id``: it would name the person
    again); ``more`` are the model's own fields."""
    table = model.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            first_name="",
            last_name="",
            email=bindparam("new_email"),
            zip=bindparam("new_zip"),
            address=None,
            city=None,
            opt_in=False,
            user_id=None,
            **more,
        )
    )
    params = [
        {
            "row_id": r.id,
            "new_email": anonymised_email(r.id, domain_of(r.email)),
            "new_zip": (r.zip or "")[:5],
        }
        for r in rows
    ]
    db.session.execute(statement, params)


def blank_letters(writer_ids: Sequence[int]) -> int:
    """The letters of these writers lose their text: subject and body (rendered from
    templates that may print the name, address block and own paragraph), the personal
    paragraph and its fingerprint. Returns how many letters."""
    return rowcount(
        db.session.execute(
            update(Letter)
            .where(Letter.writer_id.in_(writer_ids))
            .values(subject="", body="", personal_note=None, note_fingerprint=None)
            .execution_options(synchronize_session=False)
        )
    )


def _anonymise_signatures(cutoff: datetime, batch: int) -> int:
    """Signatures of long-closed petitions lose the person, keep what is counted.

    Blanked as ``blank_people`` says, with the comment; the email keeps its domain (the
    domain rollup); ``public`` becomes false, so no page or packet names them again.
    Kept: petition, state, districts, dates, signer number, version, ref and UTM values,
    consent text and time (what the person agreed to, and when).
    """
    done = 0
    for rows in _pending_batches(Signature, _signature_pending(cutoff), batch):
        blank_people(Signature, rows, email_domain, comment=None, public=False)
        db.session.commit()
        done += len(rows)
    return done


def _anonymise_writers(cutoff: datetime, batch: int) -> tuple[int, int]:
    """Writers lose the same fields as their signature, and their prefix and personal note;
    the email becomes ``anonymised.<id>@anonymised.invalid``. Their letters lose the subject,
    the body and the personal paragraph (the body carries the name and address block) and
    its fingerprint. Kept: the recipient as written, channel, status, position, dates, the
    share of own words and the copy flag, so the campaign's report does not move."""
    writers = letters = 0
    for rows in _pending_batches(Writer, _writer_pending(cutoff), batch):
        blank_people(Writer, rows, lambda _email: WRITER_DOMAIN, prefix=None, personal_note=None)
        letters += blank_letters([r.id for r in rows])
        db.session.commit()
        writers += len(rows)
    return writers, letters


def _delete_unconfirmed_writers(cutoff: datetime, batch: int) -> int:
    """Writers nobody confirmed go, with their districts and draft letters (the database's
    cascades); no count moves: the campaign counts confirmed letters, its report skips
    drafts. Checked again in the ``DELETE``: one may have confirmed since the read."""
    done = 0
    for rows in _batches(Writer, _writer_unconfirmed(cutoff), batch):
        done += rowcount(
            db.session.execute(
                delete(Writer)
                .where(Writer.id.in_([r.id for r in rows]), _writer_unconfirmed(cutoff))
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
    return done


# What a cancelled message says: it was waiting when the person deleted their account.
CANCELLED = "Not sent: the person it was for, or from, deleted their account."


def empty_messages(ids: Sequence[int], *, cancel: bool = False) -> int:
    """These outbox messages lose whom and what: the recipient becomes
    ``anonymised.<id>@anonymised.invalid``; subject, bodies, From name, Reply-To, Cc, the
    unsubscribe link (its token holds the address) and the last error (it may quote the
    address) are blanked. Kept: kind, status, dates, attempts, Message-ID and the
    organisation, petition and broadcast, so every count by status stays. With ``cancel``,
    those still queued are failed with ``CANCELLED`` rather than sent. Rows emptied before
    are left as they are. Returns how many were emptied now."""
    m = OutboxMessage
    made_up = literal(MARK) + cast(m.id, String) + literal(f"@{WRITER_DOMAIN}")
    emptied = rowcount(
        db.session.execute(
            update(m)
            .where(m.id.in_(ids), ~m.recipient.startswith(MARK, autoescape=True))
            .values(
                recipient=made_up,
                subject="",
                text_body="",
                html_body=None,
                from_name=None,
                reply_to=None,
                cc=None,
                unsubscribe_url=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if cancel:
        db.session.execute(
            update(m)
            .where(m.id.in_(ids), m.status == MessageStatus.QUEUED)
            .values(status=MessageStatus.FAILED, last_error=CANCELLED, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
    return emptied


def _empty_old_messages(cutoff: datetime, batch: int) -> int:
    """Finished outbox messages older than ``PRIVACY_OUTBOX_DAYS`` are emptied
    (``empty_messages``); queued or sending ones are left to finish."""
    done = 0
    for rows in _batches(OutboxMessage, _message_pending(cutoff), batch):
        done += empty_messages([r.id for r in rows])
        db.session.commit()
    return done

"""Retention: what ``flask privacy purge`` deletes and anonymises, and when (docs/privacy.md).

1. Signatures nobody confirmed within ``PRIVACY_UNCONFIRMED_DAYS`` are deleted (their
   ``started`` rollups taken back, as ``petitions purge-unconfirmed`` does: the funnel counts
   the signatures still on record, and ``flask petitions recount`` agrees).
2. Once a petition has been closed or won for ``PRIVACY_CLOSED_PETITION_DAYS`` (an open one
   past its deadline counts from the deadline), its signatures are anonymised: the person is
   gone, the row stays, so the counter, every rollup, the versions' counts and the packets'
   numbers are exactly what they were. Letter writers made from those signatures lose their
   personal fields too, and their letters their text, once their campaign is no longer open.

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
from sqlalchemy import bindparam, func, or_, select, update

from advocacy.core.db import rowcount, utcnow
from advocacy.extensions import db
from advocacy.letters.models import CampaignStatus, Letter, LetterCampaign, Writer
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
    dry_run: bool = False


def retention_days() -> tuple[int, int]:
    """``(PRIVACY_UNCONFIRMED_DAYS, PRIVACY_CLOSED_PETITION_DAYS)``, refused unless both are
    whole days of at least one: 0 would delete signatures whose link was just sent."""
    days = []
    for name in ("PRIVACY_UNCONFIRMED_DAYS", "PRIVACY_CLOSED_PETITION_DAYS"):
        value = current_app.config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of days, at least 1 (is {value!r}).")
        days.append(value)
    return days[0], days[1]


def purge(now: datetime | None = None, *, dry_run: bool = False, batch: int = BATCH) -> PurgeReport:
    """Delete stale unconfirmed signatures, then anonymise what long-closed petitions hold."""
    unconfirmed_days, closed_days = retention_days()
    now = now or utcnow()
    unconfirmed_cutoff = now - timedelta(days=unconfirmed_days)
    closed_cutoff = now - timedelta(days=closed_days)
    report = PurgeReport(dry_run=dry_run)
    if dry_run:
        report.deleted = _count(Signature, services.unconfirmed_before(unconfirmed_cutoff))
        report.anonymised = _count(Signature, _signature_pending(closed_cutoff))
        report.writers = _count(Writer, _writer_pending(closed_cutoff))
        report.letters = _count(
            Letter, Letter.writer_id.in_(select(Writer.id).where(_writer_pending(closed_cutoff)))
        )
        db.session.rollback()
        return report
    report.deleted = sum(services.purge_unconfirmed_before(unconfirmed_cutoff, batch))
    report.anonymised = _anonymise_signatures(closed_cutoff, batch)
    report.writers, report.letters = _anonymise_writers(closed_cutoff, batch)
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
    """Writers made from a signature of a long-closed petition, whose campaign is closed or
    never opened (an open campaign's writer may still be writing), not yet anonymised."""
    from_closed_petition = Writer.signature_id.in_(
        select(Signature.id).where(Signature.petition_id.in_(_closed_before(cutoff)))
    )
    campaign_not_open = Writer.campaign_id.in_(
        select(LetterCampaign.id).where(LetterCampaign.status != CampaignStatus.OPEN)
    )
    return from_closed_petition & campaign_not_open & _not_anonymised(Writer)


def anonymised_email(row_id: int, domain: str) -> str:
    """``anonymised.<id>@<domain>``: unique per row (the ``(petition, email)`` constraint),
    never a person's, and the same domain for the rollups."""
    return f"{MARK}{row_id}@{domain}"[:EMAIL_LENGTH]


def _pending_batches(model: Any, condition: Any, batch: int):
    """Keyset batches of ``(id, email, zip)`` of rows matching ``condition``, by id."""
    last = 0
    while True:
        rows = db.session.execute(
            select(model.id, model.email, model.zip)
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


def _blank_people(model: Any, rows: Sequence[Any], domain_of: Callable[[str], str], **more: Any):
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


def _anonymise_signatures(cutoff: datetime, batch: int) -> int:
    """Signatures of long-closed petitions lose the person, keep what is counted.

    Blanked as ``_blank_people`` says, with the comment; the email keeps its domain (the
    domain rollup); ``public`` becomes false, so no page or packet names them again.
    Kept: petition, state, districts, dates, signer number, version, ref and UTM values,
    consent text and time (what the person agreed to, and when).
    """
    done = 0
    for rows in _pending_batches(Signature, _signature_pending(cutoff), batch):
        _blank_people(Signature, rows, email_domain, comment=None, public=False)
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
        _blank_people(Writer, rows, lambda _email: WRITER_DOMAIN, prefix=None, personal_note=None)
        letters += rowcount(
            db.session.execute(
                update(Letter)
                .where(Letter.writer_id.in_([r.id for r in rows]))
                .values(subject="", body="", personal_note=None, note_fingerprint=None)
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
        writers += len(rows)
    return writers, letters

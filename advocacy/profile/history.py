"""A member's history: the confirmed signatures and letters made with their email.

**How a row joins a member.** ``signatures.user_id`` and ``letter_writers.user_id`` name the
account; a letter belongs to its writer's account. The columns are set at the moments the
email is known to be the member's, and never by a read-time match on the address:

- when the member confirms their email (sign-up link, a password reset that confirms, an
  email change): ``link_history`` takes every confirmed signature and writer with that email
  that no account holds yet;
- when a signature or writer is confirmed with the email of a confirmed account: the
  confirming ``UPDATE`` itself sets ``user_id`` (``accounts.services.confirmed_member_id``),
  as does a writer made from a confirmed signature or from the profile.

So a member who changes their email keeps what they did with the old one, and whoever gets
that old address later does not receive it; an address never proven by its owner links
nothing. Reads go by the indexed ``user_id`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from advocacy.accounts.models import User
from advocacy.core.db import rowcount
from advocacy.extensions import db
from advocacy.letters.delivery import STATUS_LABELS, shown_status_column
from advocacy.letters.models import Letter, LetterCampaign, LetterStatus, Writer
from advocacy.mail import OutboxMessage
from advocacy.petitions.models import Petition, Signature

# The history page shows this many of each, the most recent first.
HISTORY_LIMIT = 200


def link_history(user: User) -> int:
    """Give a member with a confirmed email the confirmed signatures and letter writers made
    with it that no account holds yet; flushes, the caller commits. Returns how many rows.

    The lookups go through the ``(petition_id, email)`` and ``(campaign_id, email)`` unique
    indexes, one probe per petition or campaign, so no index on email alone is needed."""
    if user.email_confirmed_at is None:
        return 0
    linked = 0
    for model, parent, parent_id in (
        (Signature, Petition, Signature.petition_id),
        (Writer, LetterCampaign, Writer.campaign_id),
    ):
        result = db.session.execute(
            update(model)
            .where(
                parent_id.in_(select(parent.id)),
                model.email == user.email,
                model.confirmed_at.is_not(None),
                model.user_id.is_(None),
            )
            .values(user_id=user.id)
            .execution_options(synchronize_session=False)
        )
        linked += rowcount(result)
    return linked


def signatures_of(user: User) -> list[Signature]:
    """The member's confirmed signatures, the most recent first."""
    return list(
        db.session.scalars(
            select(Signature)
            .where(Signature.user_id == user.id, Signature.confirmed_at.is_not(None))
            .options(joinedload(Signature.petition))
            .order_by(Signature.confirmed_at.desc(), Signature.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )


@dataclass
class LetterEntry:
    letter: Letter
    status: LetterStatus

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def date(self) -> datetime:
        return self.letter.confirmed_at or self.letter.created_at


def letters_of(user: User) -> list[LetterEntry]:
    """The member's letters (drafts too) with their shown status, the most recent first."""
    status = shown_status_column()
    rows = db.session.execute(
        select(Letter, status)
        .join(Writer, Writer.id == Letter.writer_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Letter.outbox_message_id)
        .where(Writer.user_id == user.id)
        .options(joinedload(Letter.campaign), joinedload(Letter.writer))
        .order_by(Letter.created_at.desc(), Letter.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [LetterEntry(letter, LetterStatus(str(getattr(s, "value", s)))) for letter, s in rows]


def letter_of(user: User, letter_id: int) -> Letter | None:
    """One of the member's letters, or None (another's letter is not found, not forbidden)."""
    return db.session.scalar(
        select(Letter)
        .join(Writer, Writer.id == Letter.writer_id)
        .where(Letter.id == letter_id, Writer.user_id == user.id)
    )

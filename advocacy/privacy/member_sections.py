"""The sections of a member's data that exist today, each a ``member_data(user)`` to export
and a ``forget_member(user)`` to erase (docs/privacy.md, "Download my data" and "Delete my
account"). ``member_data.py`` assembles them; the erasers only flush, it commits once.

What a section finds: signatures and letter writers by the account's email (a confirmed
address: the member proved they own it) or by their ``user_id`` (linked to the member's
history, docs/accounts.md, even under an earlier address); the profile by its user; outbox
messages to, from or copied to the address; the address's unsubscribes and suppression.
Anonymising reuses the retention purge's pieces (``privacy.services``), so a deleted
member's rows look exactly like those of a long-closed petition and every count stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.orm import selectinload

from advocacy.accounts.models import Membership, Organization, Role, User
from advocacy.extensions import db
from advocacy.letters.delivery import shown_status
from advocacy.letters.models import Channel, Letter, LetterCampaign, LetterStatus, Writer
from advocacy.mail.models import OutboxMessage, Suppression, Unsubscribe
from advocacy.petitions import cache
from advocacy.petitions.models import Petition, Signature
from advocacy.petitions.rollups import email_domain
from advocacy.privacy.services import (
    CANCELLED,
    WRITER_DOMAIN,
    blank_letters,
    blank_people,
    empty_messages,
)
from advocacy.profile.models import MemberProfile


def when(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC, for the JSON file."""
    return moment.isoformat() if moment is not None else None


def _with_districts(model: Any, condition: Any) -> Any:
    """Signatures or writers matching ``condition``, by id, their districts loaded."""
    return db.session.scalars(
        select(model).where(condition).options(selectinload(model.districts)).order_by(model.id)
    ).all()


def _by_id(model: Any, ids: set[int]) -> dict[int, Any]:
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _person(row: Any) -> dict[str, Any]:
    """What a signature and a letter writer both hold about the person."""
    return {
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "address": row.address,
        "city": row.city,
        "state": row.state,
        "zip": row.zip,
        "updates_by_email": row.opt_in,
        "consent_text": row.consent_text,
        "consent_at": when(row.consent_at),
        "confirmed_at": when(row.confirmed_at),
        "districts": [
            {"chamber": d.chamber, "state": d.state, "district": d.district, "status": d.status}
            for d in row.districts
        ],
    }


# --- the account -----------------------------------------------------------------------------


def account_data(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "email": user.email,
        "email_confirmed_at": when(user.email_confirmed_at),
        "created_at": when(user.created_at),
        "updated_at": when(user.updated_at),
        "administrator": user.is_admin,
        "password": "kept only as a one-way hash, which this file leaves out",
    }


def forget_account(user: User) -> None:
    """The user row goes: every session and remember cookie ends with it (the loader finds
    no user). Petitions, versions, updates, packet jobs and positions an organizer made keep
    their row and lose the link (``ondelete=SET NULL``)."""
    db.session.delete(user)
    db.session.flush()


# --- the profile (address and district picks) ------------------------------------------------


def profile_data(user: User) -> dict[str, Any] | None:
    profile = db.session.get(MemberProfile, user.id)
    if profile is None:
        return None
    return {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "address": profile.address,
        "city": profile.city,
        "state": profile.state,
        "zip": profile.zip,
        "district_picks": profile.picks,
        "districts_from_address": profile.address_chambers,
        "created_at": when(profile.created_at),
        "updated_at": when(profile.updated_at),
    }


def forget_profile(user: User) -> None:
    db.session.execute(delete(MemberProfile).where(MemberProfile.user_id == user.id))
    db.session.flush()


# --- organizer memberships -------------------------------------------------------------------


def memberships_data(user: User) -> list[dict[str, Any]]:
    return [
        {
            "organization": m.organization.name,
            "organization_slug": m.organization.slug,
            "role": m.role.value,
            "since": when(m.created_at),
        }
        for m in sorted(user.memberships, key=lambda m: m.id)
    ]


def last_in_charge(user: User) -> list[Organization]:
    """Organisations the member is the last owner of, or the only member of: deleting the
    account would leave no one to answer for their petitions and their signers' data."""
    stranded = []
    for membership in user.memberships:
        others = db.session.scalars(
            select(Membership.role).where(
                Membership.organization_id == membership.organization_id,
                Membership.user_id != user.id,
            )
        ).all()
        if not others or (membership.role is Role.OWNER and Role.OWNER not in others):
            stranded.append(membership.organization)
    return sorted(stranded, key=lambda o: o.name)


def forget_memberships(user: User) -> None:
    user.memberships.clear()  # delete-orphan: the rows go at the flush
    db.session.flush()


# --- signatures ------------------------------------------------------------------------------


def _signatures_of(user: User) -> Any:
    return or_(Signature.email == user.email, Signature.user_id == user.id)


def signatures_data(user: User) -> list[dict[str, Any]]:
    rows = _with_districts(Signature, _signatures_of(user))
    petitions = _by_id(Petition, {s.petition_id for s in rows})
    return [
        {
            "petition": petitions[s.petition_id].title,
            "petition_slug": petitions[s.petition_id].slug,
            **_person(s),
            "comment": s.comment,
            "show_name_publicly": s.public,
            "signed_at": when(s.created_at),
            "signer_number": s.signer_number,
            "came_from": {
                k: v
                for k, v in (
                    ("ref", s.ref),
                    ("utm_source", s.utm_source),
                    ("utm_medium", s.utm_medium),
                    ("utm_campaign", s.utm_campaign),
                    ("utm_term", s.utm_term),
                    ("utm_content", s.utm_content),
                )
                if v
            },
        }
        for s in rows
    ]


def forget_signatures(user: User) -> None:
    """Anonymised as the purge does a long-closed petition's (``blank_people``): the row,
    its state, districts, dates and signer number stay, so the petition's count, every
    rollup, the versions' counts and the packets' numbers are what they were; ``public``
    goes false, so no page or packet names the member again. The petitions' cached pages
    are dropped after the commit (the signer list may have shown the name)."""
    rows = db.session.execute(
        select(Signature.id, Signature.email, Signature.zip, Petition.slug)
        .join(Petition, Petition.id == Signature.petition_id)
        .where(_signatures_of(user))
        .order_by(Signature.id)
    ).all()
    if not rows:
        return
    blank_people(Signature, rows, email_domain, comment=None, public=False)
    slugs = sorted({r.slug for r in rows})

    def drop_pages(_session: Any) -> None:
        for slug in slugs:
            cache.invalidate(slug)

    event.listen(db.session(), "after_commit", drop_pages, once=True)


# --- letter writers and their letters --------------------------------------------------------


def _writers_of(user: User) -> Any:
    return or_(Writer.email == user.email, Writer.user_id == user.id)


def letters_data(user: User) -> list[dict[str, Any]]:
    writers = _with_districts(Writer, _writers_of(user))
    campaigns = _by_id(LetterCampaign, {w.campaign_id for w in writers})
    letters: dict[int, list[dict[str, Any]]] = {}
    for letter, message_status in db.session.execute(
        select(Letter, OutboxMessage.status)
        .outerjoin(OutboxMessage, OutboxMessage.id == Letter.outbox_message_id)
        .where(Letter.writer_id.in_([w.id for w in writers]))
        .order_by(Letter.id)
    ).all():
        letters.setdefault(letter.writer_id, []).append(
            {
                "to": letter.recipient_name,
                "to_title": letter.recipient_title,
                "channel": letter.channel.value,
                "status": shown_status(letter, message_status).value,
                "subject": letter.subject,
                "body": letter.body,
                "personal_note": letter.personal_note,
                "written_at": when(letter.created_at),
                "confirmed_at": when(letter.confirmed_at),
                "sent_at": when(letter.sent_at),
            }
        )
    return [
        {
            "campaign": campaigns[w.campaign_id].title,
            "campaign_slug": campaigns[w.campaign_id].slug,
            "prefix": w.prefix,
            **_person(w),
            "personal_note": w.personal_note,
            "started_at": when(w.created_at),
            "letters": letters.get(w.id, []),
        }
        for w in writers
    ]


def forget_letters(user: User) -> None:
    """Writers anonymised as the purge does (``blank_people``), unlinked from the account;
    their letters lose their text (``blank_letters``) and keep the office, channel, status
    and dates, so a letter already sent stays recorded, without the person. What has not
    left yet does not leave: an email letter's outbox message is emptied and, if still
    queued, failed (``empty_messages``); a letter queued for CWC is failed the same way."""
    rows = db.session.execute(
        select(Writer.id, Writer.email, Writer.zip).where(_writers_of(user)).order_by(Writer.id)
    ).all()
    if not rows:
        return
    ids = [r.id for r in rows]
    messages = db.session.scalars(
        select(Letter.outbox_message_id).where(
            Letter.writer_id.in_(ids), Letter.outbox_message_id.is_not(None)
        )
    ).all()
    blank_people(Writer, rows, lambda _email: WRITER_DOMAIN, prefix=None, personal_note=None)
    blank_letters(ids)
    db.session.execute(
        update(Letter)
        .where(
            Letter.writer_id.in_(ids),
            Letter.channel == Channel.CWC,
            Letter.status == LetterStatus.QUEUED,
        )
        .values(status=LetterStatus.FAILED, delivery_error=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    if messages:
        empty_messages([m for m in messages if m is not None], cancel=True)


# --- mail: the outbox, unsubscribes, suppression ---------------------------------------------


def _addresses(user: User) -> list[str]:
    """The account's address and those its letter writers gave (``Writer.user_id``): mail
    to either is mail to the member. Read before the writers are anonymised (the mail
    section is erased first)."""
    linked = db.session.scalars(
        select(Writer.email).where(Writer.user_id == user.id).distinct()
    ).all()
    return sorted({user.email, *linked})


def _mail_to(user: User) -> Any:
    m, addresses = OutboxMessage, _addresses(user)
    return or_(m.recipient.in_(addresses), m.reply_to.in_(addresses), m.cc.in_(addresses))


def mail_data(user: User) -> dict[str, Any]:
    """What was emailed to the address, without the bodies: they hold links (a password
    reset, a confirmation) that may still work, and what they said is in the other
    sections. Unsubscribes and a suppression, which deletion keeps."""
    messages = db.session.scalars(
        select(OutboxMessage).where(_mail_to(user)).order_by(OutboxMessage.id)
    ).all()
    unsubscribes = db.session.execute(
        select(Unsubscribe.created_at, Organization.name, Petition.title)
        .join(Organization, Organization.id == Unsubscribe.organization_id)
        .outerjoin(Petition, Petition.id == Unsubscribe.petition_id)
        .where(Unsubscribe.email == user.email)
        .order_by(Unsubscribe.id)
    ).all()
    suppression = db.session.scalar(select(Suppression).where(Suppression.email == user.email))
    return {
        "emails": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "status": m.status.value,
                "queued_at": when(m.created_at),
                "sent_at": when(m.sent_at),
            }
            for m in messages
        ],
        "unsubscribed_from": [
            {"organization": org, "petition": title, "at": when(at)}
            for at, org, title in unsubscribes
        ],
        "suppressed": (
            {"reason": suppression.reason, "at": when(suppression.created_at)}
            if suppression is not None
            else None
        ),
    }


def forget_mail(user: User) -> None:
    """Every message to, from (Reply-To) or copied to the member's addresses is emptied,
    and failed if still queued (``empty_messages``). Unsubscribes and a suppression are
    kept: they are
    what stops mail to the address if it turns up again (a signature, an organizer's
    import), and a bounce or complaint must keep protecting the sender's reputation. They
    hold the address, the organisation or reason, and a date."""
    ids = db.session.scalars(select(OutboxMessage.id).where(_mail_to(user))).all()
    if ids:
        empty_messages(ids, cancel=True)

"""Updates to signers: an organizer's news to the people who signed and asked to hear more.

Use cases, each ending in one commit: write or edit a draft, send a test to the author, send
it to every confirmed signer who opted in. Sending turns the update into one mail broadcast
(``mail.create_broadcast``): the copies are queued by one statement in the same
transaction that marks the update sent, so a double click or two organizers at once can never
send it twice, and a crash can never leave it half queued.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup
from sqlalchemy import func, select, update

from advocacy import mail
from advocacy.accounts.models import User
from advocacy.core.db import rowcount, utcnow
from advocacy.core.errors import DomainError
from advocacy.core.text import render_markdown
from advocacy.extensions import db
from advocacy.petitions.models import (
    Petition,
    PetitionStatus,
    PetitionUpdate,
    Signature,
    UpdateStatus,
)

SUBJECT_MAX = 150
BODY_MAX = 20_000


@dataclass
class UpdateInput:
    subject: str
    body: str


def recipients(petition: Petition):
    """SELECT (email, signature id) of the signers an update goes to: confirmed, opted in."""
    return select(Signature.email, Signature.id).where(
        Signature.petition_id == petition.id,
        Signature.opt_in.is_(True),
        Signature.confirmed_at.is_not(None),
    )


@dataclass
class Audience:
    """Who an update would reach now: ``reachable`` of the ``opted_in`` confirmed signers (the
    others unsubscribed, or their address bounced or complained)."""

    opted_in: int
    reachable: int

    @property
    def left(self) -> int:
        return self.opted_in - self.reachable


def audience(petition: Petition) -> Audience:
    opted_in = recipients(petition)
    reachable = mail.reachable(opted_in, petition.organization_id, petition.id)
    return Audience(
        opted_in=db.session.scalar(select(func.count()).select_from(opted_in.subquery())) or 0,
        reachable=db.session.scalar(select(func.count()).select_from(reachable.subquery())) or 0,
    )


def updates_for(petition: Petition) -> list[PetitionUpdate]:
    return list(
        db.session.scalars(
            select(PetitionUpdate)
            .where(PetitionUpdate.petition_id == petition.id)
            .order_by(PetitionUpdate.id.desc())
        )
    )


def _check(data: UpdateInput) -> UpdateInput:
    subject = " ".join(data.subject.split())  # no line breaks: it becomes a mail header
    body = data.body.replace("\r\n", "\n").strip()
    if not subject:
        raise DomainError("Write a subject line.", "subject")
    if len(subject) > SUBJECT_MAX:
        raise DomainError(f"Keep the subject under {SUBJECT_MAX} characters.", "subject")
    if not body:
        raise DomainError("Write the update.", "body")
    if len(body) > BODY_MAX:
        raise DomainError(f"Keep the update under {BODY_MAX:,} characters.", "body")
    return UpdateInput(subject=subject, body=body)


def create_update(petition: Petition, author: User | None, data: UpdateInput) -> PetitionUpdate:
    data = _check(data)
    item = PetitionUpdate(
        petition=petition,
        author_id=author.id if author is not None else None,
        subject=data.subject,
        body=data.body,
    )
    db.session.add(item)
    db.session.commit()
    return item


def edit_update(item: PetitionUpdate, data: UpdateInput) -> None:
    """Change a draft. Conditional on the row still being a draft, so an edit that arrives
    just after another organizer pressed Send cannot rewrite what was sent."""
    data = _check(data)
    result = db.session.execute(
        update(PetitionUpdate)
        .where(PetitionUpdate.id == item.id, PetitionUpdate.status == UpdateStatus.DRAFT)
        .values(subject=data.subject, body=data.body, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    changed = rowcount(result)
    if not changed:
        db.session.rollback()
        raise DomainError("This update has been sent; it can no longer be changed.")
    db.session.commit()
    db.session.refresh(item)


def delete_update(item: PetitionUpdate) -> None:
    """Throw a draft away; a sent update stays, with its delivery report."""
    result = db.session.execute(
        PetitionUpdate.__table__.delete().where(
            PetitionUpdate.id == item.id, PetitionUpdate.status == UpdateStatus.DRAFT.value
        )
    )
    deleted = rowcount(result)
    if not deleted:
        db.session.rollback()
        raise DomainError("This update has been sent; it stays on record.")
    db.session.commit()


def email_context(item: PetitionUpdate) -> dict:
    """What the ``email/update`` templates need, for the preview, the test and the send."""
    petition = item.petition
    return {
        "subject": item.subject,
        "body_text": item.body,
        # nh3-sanitised by render_markdown, so it may be inserted as HTML
        "body_html": Markup(render_markdown(item.body)),  # noqa: S704
        "organization": petition.organization,
        "petition": petition,
        "petition_url": url_for("petitions.show", slug=petition.slug, _external=True),
    }


def send_test(item: PetitionUpdate, user: User) -> None:
    """Send the update, as signers will get it, to its author only (marked as a test).

    A test is mail the organizer asked for, so it goes even if they once unsubscribed from
    their own organisation's updates; its unsubscribe links lead back to the draft instead of
    unsubscribing them. An address on the suppression list gets nothing, and says so.
    """
    if not item.is_draft:
        raise DomainError("This update has been sent already.")
    if mail.is_suppressed(user.email):
        raise DomainError(
            f"{user.email} is on the suppression list (a hard bounce or a complaint), so a "
            "test cannot reach it. An administrator can lift that with "
            "`flask mail suppress --remove`."
        )
    draft_url = url_for(
        "organize.update", petition_id=item.petition_id, update_id=item.id, _external=True
    )
    context = email_context(item)
    context.update(
        subject=f"[Test] {item.subject}",
        unsubscribe_url=draft_url,
        unsubscribe_all_url=draft_url,
        preferences_url=draft_url,
    )
    mail.enqueue("update_test", user.email, "update", **context)
    item.test_sent_at = utcnow()
    db.session.commit()


def send_update(item: PetitionUpdate) -> int:
    """Queue the update to every opted-in signer; returns how many copies were queued.

    The draft → sent change is a conditional UPDATE: of two sends at once, one queues the
    copies and the other is told it has been sent already.
    """
    petition = item.petition
    if petition.status is PetitionStatus.DRAFT:
        raise DomainError("Publish the petition first: a draft has no signers.")
    won = db.session.execute(
        update(PetitionUpdate)
        .where(PetitionUpdate.id == item.id, PetitionUpdate.status == UpdateStatus.DRAFT)
        .values(status=UpdateStatus.SENT, sent_at=utcnow())
        .returning(PetitionUpdate.subject, PetitionUpdate.body)
        .execution_options(synchronize_session=False)
    ).first()
    if won is None:
        db.session.rollback()
        raise DomainError("This update has been sent already.")
    # What goes out is the row as this UPDATE found it, not the copy loaded before it.
    item.subject, item.body = won.subject, won.body
    broadcast = mail.create_broadcast(
        "update",
        "update",
        recipients(petition),
        organization_id=petition.organization_id,
        petition_id=petition.id,
        **email_context(item),
    )
    db.session.execute(
        update(PetitionUpdate)
        .where(PetitionUpdate.id == item.id)
        .values(broadcast_id=broadcast.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(item)
    return broadcast.recipient_count


def sent_email_html(item: PetitionUpdate) -> str | None:
    """The email as it was sent (rendered once, when sent), for the report page."""
    if item.broadcast_id is None:
        return None
    return mail.broadcast_html(item.broadcast_id, unsubscribe_url="#unsubscribe")


def report(item: PetitionUpdate) -> dict[str, int] | None:
    """queued / sent / failed / bounced / not_sent for a sent update, and its total."""
    return reports([item])[item.id]


def reports(items: list[PetitionUpdate]) -> dict[int, dict[str, int] | None]:
    """``report`` for each update (None for a draft), in one query."""
    sent = {item.broadcast_id: item.id for item in items if item.broadcast_id is not None}
    found: dict[int, dict[str, int] | None] = {item.id: None for item in items}
    for broadcast_id, counts in mail.counts_of_broadcasts(sent).items():
        found[sent[broadcast_id]] = {**counts, "total": sum(counts.values())}
    return found

"""Newsletter subscriptions: ask (double opt-in), confirm, leave; a member's one click.

Each use case ends in one commit; helpers only flush. An address typed into a form gets the
same answer whatever we hold about it: a confirmation link when it is not receiving the
newsletter, a note saying it already is otherwise, and nothing at all past
``SIGN_NOTICES_PER_DAY`` such emails a day (``core.notices``), so the form mails no one.

Mail's rules hold: a newsletter is non-transactional mail of its organisation (no petition),
so an address that left everything the organisation sends gets no newsletter either, and a
suppressed address gets nothing (``recipients`` goes through ``mail.reachable``). Confirming a
subscription is a fresh, proven consent to that organisation's newsletter, so it lifts the
address's organisation-wide unsubscribe, replacing it with one unsubscribe per petition whose
updates the address gets: everything else it left stays left.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Select, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from advocacy import mail
from advocacy.accounts.links import INVALID, LinkError
from advocacy.accounts.models import Organization, User
from advocacy.accounts.services import check_email
from advocacy.core import row_tokens
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.notices import may_notify
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.mail.models import Unsubscribe
from advocacy.mail.suppression import preferences_link, unsubscribed
from advocacy.petitions.models import Petition, Signature
from advocacy.petitions.updates import Audience
from advocacy.subscriptions.models import (
    NewsletterSubscription,
    SubscriptionStatus,
    subscriptions_table,
)

LEFT_AFTER_LINK = (
    "You left this newsletter after this link was sent. To come back, subscribe again: "
    "we will send a new link."
)


def consent_text(organization: Organization) -> str:
    """What every subscribe form and button shows, stored word for word as the consent."""
    return (
        f"Send me the newsletter of {organization.name} by email. "
        "I can leave at any time, from any newsletter or from my email preferences."
    )


# --- the rows ------------------------------------------------------------------------------


def _row(email: str, organization_id: int) -> NewsletterSubscription | None:
    return db.session.scalar(
        select(NewsletterSubscription).where(
            NewsletterSubscription.email == email,
            NewsletterSubscription.organization_id == organization_id,
        )
    )


def _row_for(email: str, organization: Organization) -> NewsletterSubscription:
    """The pair's row, made (pending, with today's consent) if there is none.

    ``INSERT … ON CONFLICT DO NOTHING``: two requests for one pair at once make one row."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    db.session.execute(
        insert(NewsletterSubscription)
        .values(
            email=email,
            organization_id=organization.id,
            status=SubscriptionStatus.PENDING,
            consent_text=consent_text(organization),
            requested_at=now,
            created_at=now,
            notices_sent=0,
        )
        .on_conflict_do_nothing(index_elements=["email", "organization_id"])
    )
    row = _row(email, organization.id)
    assert row is not None  # inserted just now, or there already
    return row


def _left_organization(email: str, organization_id: int) -> bool:
    return bool(db.session.scalar(select(unsubscribed(email, organization_id, None))))


def is_receiving(row: NewsletterSubscription) -> bool:
    """Confirmed, and the address has not left everything the organisation sends."""
    return row.status is SubscriptionStatus.CONFIRMED and not _left_organization(
        row.email, row.organization_id
    )


def _receive(row: NewsletterSubscription, consent: str) -> None:
    """Confirm ``row`` with this consent (flush only)."""
    now = utcnow()
    row.status = SubscriptionStatus.CONFIRMED
    row.consent_text = consent
    row.confirmed_at = now
    row.left_at = None
    _lift_organization_unsubscribe(row.email, row.organization_id)
    db.session.flush()


def _lift_organization_unsubscribe(email: str, organization_id: int) -> None:
    """Remove the address's organisation-wide unsubscribe, keeping every petition's updates
    it covered left: one petition-level unsubscribe each (flush only)."""
    if not _left_organization(email, organization_id):
        return
    petition_ids = set(
        db.session.scalars(
            select(Signature.petition_id)
            .join(Petition, Petition.id == Signature.petition_id)
            .where(Signature.email == email, Petition.organization_id == organization_id)
        )
    )
    already = set(
        db.session.scalars(
            select(Unsubscribe.petition_id).where(
                Unsubscribe.email == email,
                Unsubscribe.organization_id == organization_id,
                Unsubscribe.petition_id.is_not(None),
            )
        )
    )
    for petition_id in sorted(petition_ids - already):
        db.session.add(
            Unsubscribe(email=email, organization_id=organization_id, petition_id=petition_id)
        )
    db.session.execute(
        delete(Unsubscribe).where(
            Unsubscribe.email == email,
            Unsubscribe.organization_id == organization_id,
            Unsubscribe.petition_id.is_(None),
        )
    )


# --- the confirmation link -----------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="newsletter-confirm")


def _link_state(row: NewsletterSubscription) -> str:
    # Bound to the request it answers: asking again (a new requested_at) voids older links.
    return f"{row.email}|{row.requested_at.timestamp():.6f}"


def confirm_token(row: NewsletterSubscription) -> str:
    return row_tokens.encode(_serializer(), row.id, _link_state(row))


def subscription_to_confirm(token: str) -> NewsletterSubscription:
    """The subscription a confirmation link is for (pending, or confirmed by it already);
    ``LinkError`` for a forged, expired or replaced link, or one whose subscription was left
    since (leaving sticks: coming back takes a new request and a new link)."""
    max_age = int(timedelta(days=current_app.config["ACCOUNT_CONFIRM_DAYS"]).total_seconds())
    try:
        row_id, digest = row_tokens.decode(_serializer(), token, max_age)
    except row_tokens.Expired as exc:
        raise LinkError("This link has expired. Subscribe again for a new one.") from exc
    except row_tokens.Invalid as exc:
        raise LinkError(INVALID) from exc
    row = db.session.get(NewsletterSubscription, row_id)
    if row is None or row_tokens.email_digest(_link_state(row)) != digest:
        raise LinkError(INVALID)
    if row.status is SubscriptionStatus.LEFT or (
        # confirmed by this link, then left through mail's one-click "everything"
        row.status is SubscriptionStatus.CONFIRMED and not is_receiving(row)
    ):
        raise LinkError(LEFT_AFTER_LINK)
    return row


# --- use cases -----------------------------------------------------------------------------


def request_subscription(email: str, organization: Organization) -> str:
    """Email ``email`` a link to confirm ``organization``'s newsletter; an address already
    receiving it gets a note saying so instead. Returns the normalised address.

    The caller shows the same page either way; past the day's notices nothing is sent (and
    the pending request, with its link, stays as it was)."""
    email = check_email(email)
    row = _row_for(email, organization)
    if not may_notify(subscriptions_table, row.id, current_app.config["SIGN_NOTICES_PER_DAY"]):
        db.session.commit()
        return email
    if is_receiving(row):
        mail.enqueue(
            "newsletter_already",
            email,
            "newsletter_already",
            organization=organization,
            preferences_url=preferences_link(email),
        )
    else:
        row.status = SubscriptionStatus.PENDING
        row.requested_at = utcnow()
        row.consent_text = consent_text(organization)
        db.session.flush()
        mail.enqueue(
            "newsletter_confirm",
            email,
            "newsletter_confirm",
            organization=organization,
            consent=row.consent_text,
            confirm_url=url_for("subscriptions.confirm", token=confirm_token(row), _external=True),
            expires_days=current_app.config["ACCOUNT_CONFIRM_DAYS"],
        )
    db.session.commit()
    return email


def confirm_subscription(token: str) -> NewsletterSubscription:
    """Follow a confirmation link: the newsletter goes to the address from now on (again:
    no change). ``LinkError`` as ``subscription_to_confirm``."""
    row = subscription_to_confirm(token)
    if row.status is SubscriptionStatus.PENDING:
        _receive(row, row.consent_text)
    db.session.commit()
    return row


def subscribe_member(user: User, organization: Organization) -> None:
    """A signed-in member subscribes their own confirmed address in one click: the login and
    the confirmed address are the proof a confirmation email would give."""
    if user.email_confirmed_at is None:
        raise DomainError("Confirm your email address first: we only send to confirmed ones.")
    row = _row_for(normalise_email(user.email), organization)
    _receive(row, consent_text(organization))
    db.session.commit()


def leave_newsletter(email: str, organization_id: int) -> bool:
    """Stop the newsletter (a pending request is withdrawn too); False if there was none."""
    row = _row(normalise_email(email), organization_id)
    if row is None or row.status is SubscriptionStatus.LEFT:
        return False
    row.status = SubscriptionStatus.LEFT
    row.left_at = utcnow()
    db.session.commit()
    return True


def leave_organization(email: str, organization_id: int) -> None:
    """No more non-transactional mail from the organisation: its newsletter and every
    petition's updates (mail's organisation-wide unsubscribe)."""
    email = normalise_email(email)
    row = _row(email, organization_id)
    if row is not None and row.status is not SubscriptionStatus.LEFT:
        row.status = SubscriptionStatus.LEFT
        row.left_at = utcnow()
    if not _left_organization(email, organization_id):
        db.session.add(Unsubscribe(email=email, organization_id=organization_id))
    db.session.commit()


def leave_petition(email: str, petition: Petition) -> None:
    """No more updates about this petition (mail's petition unsubscribe)."""
    email = normalise_email(email)
    if not db.session.scalar(select(unsubscribed(email, petition.organization_id, petition.id))):
        db.session.add(
            Unsubscribe(
                email=email, organization_id=petition.organization_id, petition_id=petition.id
            )
        )
    db.session.commit()


# --- what organizers see, and a future newsletter's recipients -----------------------------


def recipients(organization_id: int) -> Select[Any]:
    """SELECT (email, subscription id) of the confirmed subscribers: what a newsletter
    broadcast would be given (``mail.create_broadcast`` leaves out the unreachable)."""
    query: Any = select(NewsletterSubscription.email, NewsletterSubscription.id).where(
        NewsletterSubscription.organization_id == organization_id,
        NewsletterSubscription.status == SubscriptionStatus.CONFIRMED,
    )
    return query  # typed as mail.reachable takes it


def audience(organization_id: int) -> Audience:
    """Confirmed subscribers, and how many of them a newsletter would reach now (the others
    left everything the organisation sends, or bounced or complained)."""
    confirmed = recipients(organization_id)
    reachable = mail.reachable(confirmed, organization_id)
    return Audience(
        opted_in=db.session.scalar(select(func.count()).select_from(confirmed.subquery())) or 0,
        reachable=db.session.scalar(select(func.count()).select_from(reachable.subquery())) or 0,
    )


# --- the lead's "download my data" / "delete my account" -----------------------------------


def member_data(email: str) -> dict[str, Any]:
    """Everything this domain holds about ``email``, JSON-serialisable."""
    rows = db.session.scalars(
        select(NewsletterSubscription)
        .where(NewsletterSubscription.email == normalise_email(email))
        .order_by(NewsletterSubscription.id)
    )

    def when(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "newsletter_subscriptions": [
            {
                "organization": row.organization.name,
                "organization_slug": row.organization.slug,
                "status": row.status.value,
                "consent_text": row.consent_text,
                "requested_at": when(row.requested_at),
                "confirmed_at": when(row.confirmed_at),
                "left_at": when(row.left_at),
                "created_at": when(row.created_at),
            }
            for row in rows
        ]
    }


def forget_member(email: str) -> None:
    """Delete this domain's rows about ``email`` in the caller's transaction (flush only)."""
    db.session.execute(
        delete(NewsletterSubscription).where(NewsletterSubscription.email == normalise_email(email))
    )
    db.session.flush()

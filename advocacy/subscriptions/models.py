"""A newsletter subscription: one address, one organisation, pending until confirmed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import Organization
from advocacy.core.db import utcnow
from advocacy.extensions import Model, db


class SubscriptionStatus(enum.StrEnum):
    PENDING = "pending"  # asked for; the confirmation link has not been followed yet
    CONFIRMED = "confirmed"  # double opt-in done: the newsletter goes here
    LEFT = "left"  # the person left; asking again starts a new double opt-in


class NewsletterSubscription(Model):
    """``email`` asked for ``organization``'s newsletter. One row per pair: leaving and coming
    back reuse it, so the consent recorded is always the latest one given."""

    __tablename__ = "newsletter_subscriptions"
    __table_args__ = (
        UniqueConstraint("email", "organization_id"),
        # The organisation's subscriber count and a newsletter's recipients.
        Index("ix_newsletter_subscriptions_audience", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    status: Mapped[SubscriptionStatus] = mapped_column(
        db.Enum(
            SubscriptionStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=SubscriptionStatus.PENDING,
    )
    # What the person was shown when they asked, word for word, and when they asked: the
    # confirmation link is bound to ``requested_at``, so asking again voids the older links.
    consent_text: Mapped[str] = mapped_column(String(500))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Confirmation / "already subscribed" emails in a rolling day (core.notices).
    notices_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    notices_since: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined")


subscriptions_table = NewsletterSubscription.__table__


class NewsletterIssue(Model):
    """One newsletter sent to an organisation's subscribers (one mail broadcast).

    ``request_key`` is a random key the form carries from the page that wrote the issue to
    the confirmation's "Yes, send": unique, so a double click or a resubmitted page sends once.
    """

    __tablename__ = "newsletter_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    request_key: Mapped[str] = mapped_column(String(32), unique=True)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_broadcasts.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

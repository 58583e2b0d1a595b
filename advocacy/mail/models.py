"""OutboxMessage: every email, written in the transaction that caused it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.core.db import utcnow
from advocacy.extensions import Model, db


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its first attempt, or for a retry at next_attempt_at
    SENDING = "sending"  # claimed by a worker: an attempt is in progress
    SENT = "sent"
    FAILED = "failed"  # permanent error, attempts exhausted, or interrupted mid-send
    SUPPRESSED = "suppressed"  # not sent: the address is suppressed or unsubscribed
    BOUNCED = "bounced"  # sent, then the provider reported a hard bounce for it


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    # The sweep's question: which queued messages are due?
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # A broadcast's sender takes its due messages; its report counts them by status.
        Index("ix_outbox_messages_broadcast", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        db.Enum(
            MessageStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=MessageStatus.QUEUED,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    # The RFC 5322 Message-ID, fixed when the message is queued: every attempt sends the same.
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # When a queued message may be tried (again); None: at once.
    next_attempt_at: Mapped[datetime | None]
    # When the current attempt started (status "sending").
    claimed_at: Mapped[datetime | None]
    # Mail sent on someone's behalf (a supporter's letter to an office): the From display
    # name ("Maria Okonkwo via Org", the address stays the platform's), where replies go, and
    # who gets a copy.
    from_name: Mapped[str | None] = mapped_column(String(200))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    cc: Mapped[str | None] = mapped_column(String(254))
    # Non-transactional mail (updates, newsletters) carries a one-click unsubscribe link and
    # is not sent to addresses that unsubscribed from its petition or organisation.
    transactional: Mapped[bool] = mapped_column(default=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id", ondelete="SET NULL"))
    # The List-Unsubscribe (one-click) target: every non-transactional mail of the organisation.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # One recipient's copy of a broadcast: the bodies live once in the broadcast and are filled
    # in (with this recipient's unsubscribe links) when the message is sent.
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_broadcasts.id", ondelete="CASCADE")
    )


# The Core table, for the statements that skip the ORM (signing's INSERT, claims, INSERT …
# SELECT); typed as a Table through the Model base (advocacy/core/db.py).
outbox_table = OutboxMessage.__table__


class Broadcast(Model):
    """One message to many recipients (an organizer's update to a petition's signers).

    Rendered once, with placeholders where each recipient's unsubscribe links go; queued as one
    outbox row per recipient by a single ``INSERT … SELECT``; delivered at ``MAIL_BULK_RATE``
    messages per second by one sender at a time (``sender_token`` holds the lease until
    ``sender_until``).
    """

    __tablename__ = "mail_broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # https://host/unsubscribe/ : workers need no SERVER_NAME to build the links.
    unsubscribe_base: Mapped[str] = mapped_column(String(300))
    # https://host/preferences/ : the same for each recipient's preference-centre link (None
    # for broadcasts queued before there was one).
    preferences_base: Mapped[str | None] = mapped_column(String(300))
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The sender's lease: who (a random token per sender) and until when.
    sender_token: Mapped[str | None] = mapped_column(String(32))
    sender_until: Mapped[datetime | None]


class Suppression(Model):
    """An address no mail goes to: it hard-bounced, complained, or an admin said so."""

    __tablename__ = "mail_suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[str] = mapped_column(String(20))  # bounce | complaint | manual
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


suppressions_table = Suppression.__table__


class Unsubscribe(Model):
    """No more non-transactional mail to this address from this organisation (every petition
    of it when ``petition_id`` is None, else that petition's). Transactional mail (a
    confirmation the person asked for) still goes."""

    __tablename__ = "mail_unsubscribes"
    __table_args__ = (Index("ix_mail_unsubscribes_lookup", "email", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookReceipt(Model):
    """A mail-event webhook request already applied, by the digest of its signature header:
    a replay inside the signature's window is answered without applying it again."""

    __tablename__ = "mail_webhook_receipts"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

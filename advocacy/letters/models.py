"""Letter campaigns, their targets, templates and positions; writers and their letters.

A ``LetterCampaign`` belongs to an organisation and either follows a petition (offered on
its thank-you page after a confirmed signature) or stands alone as an action page
(``/act/<slug>``). A ``Writer`` is one supporter of one campaign (made from a confirmed
signature, or from the action page's own form, confirmed by email); a ``Letter`` is one
writer's letter to one office. A letter keeps a copy of its recipient as it was written, so
a directory refresh after an election never rewrites or breaks it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import Organization
from advocacy.core.db import TimestampMixin, utcnow
from advocacy.extensions import Model, db
from advocacy.petitions.models import Petition


def _enum(cls: type[enum.Enum]):
    return db.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Position(enum.StrEnum):
    """A legislator's (or organisation's) position on the campaign's ask."""

    SUPPORTS = "supports"  # supports or cosponsors
    UNDECIDED = "undecided"
    OPPOSES = "opposes"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return POSITION_LABELS[self]


POSITION_LABELS = {
    Position.SUPPORTS: "Supports or cosponsors",
    Position.UNDECIDED: "Undecided",
    Position.OPPOSES: "Opposes",
    Position.UNKNOWN: "Unknown",
}


class Channel(enum.StrEnum):
    """How a letter reaches its office."""

    EMAIL = "email"  # through the outbox, from the platform on the writer's behalf
    WEB_FORM = "web_form"  # handed to the writer to paste into the office's form
    PRINT = "print"  # the PDF, to post or hand in
    CWC = "cwc"  # Communicating with Congress, for approved vendors only


class LetterStatus(enum.StrEnum):
    DRAFTED = "drafted"  # written, not yet confirmed by the writer
    QUEUED = "queued"  # confirmed, in the outbox (email) or the CWC queue
    SENT = "sent"  # the outbox handed it to the mail server / CWC accepted it
    FAILED = "failed"
    BOUNCED = "bounced"
    HANDED_OVER = "handed_over"  # given to the writer for the office's web form or print
    REPORTED_SENT = "reported_sent"  # the writer says they sent it ("I sent it")


class LetterCampaign(TimestampMixin, Model):
    __tablename__ = "letter_campaigns"
    __table_args__ = (
        CheckConstraint("goal > 0", name="goal_positive"),
        CheckConstraint("letter_count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    # Set: offered after a confirmed signature of this petition. None: a standalone action.
    petition_id: Mapped[int | None] = mapped_column(
        ForeignKey("petitions.id", ondelete="SET NULL"), index=True
    )
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # The action page's introduction (Markdown, sanitised when rendered) and the ask itself.
    intro: Mapped[str] = mapped_column(Text, default="")
    ask: Mapped[str] = mapped_column(String(300), default="")
    # The organizer's prompt for the writer's own paragraph.
    prompt: Mapped[str] = mapped_column(String(500), default="")
    goal: Mapped[int] = mapped_column(default=100)
    # Letters confirmed by their writers (any channel); moved with an atomic UPDATE.
    letter_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[CampaignStatus] = mapped_column(
        _enum(CampaignStatus), default=CampaignStatus.DRAFT, index=True
    )
    # Which legislatures' chambers receive letters: values of legislators.models.Chamber.
    chambers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Bills the ask is about, as Congress.gov ids ("hr3890-119", "s2439-119") or free text.
    bills: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The default template; CampaignTemplate rows override it per position.
    subject_template: Mapped[str] = mapped_column(String(500), default="")
    body_template: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    petition: Mapped[Petition | None] = relationship()
    targets: Mapped[list[CampaignTarget]] = relationship(
        order_by="CampaignTarget.position, CampaignTarget.id",
        passive_deletes=True,
        cascade="all, delete-orphan",
        back_populates="campaign",
    )
    templates: Mapped[list[CampaignTemplate]] = relationship(
        passive_deletes=True, cascade="all, delete-orphan", back_populates="campaign"
    )

    @property
    def is_open(self) -> bool:
        return self.status is CampaignStatus.OPEN

    @property
    def is_public(self) -> bool:
        return self.status is not CampaignStatus.DRAFT

    @property
    def percent(self) -> int:
        return min(100, int(self.letter_count * 100 / self.goal)) if self.goal else 0

    # What petitions/_macros' progress bar reads.
    @property
    def signature_count(self) -> int:
        return self.letter_count

    def __repr__(self) -> str:
        return f"<LetterCampaign {self.slug}>"


class CampaignTemplate(Model):
    """A position's own subject and body ("thank you for cosponsoring" vs "please cosponsor")."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("letter_campaigns.id", ondelete="CASCADE"))
    position: Mapped[Position] = mapped_column(_enum(Position))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)

    campaign: Mapped[LetterCampaign] = relationship(back_populates="templates")


class CampaignTarget(Model):
    """An organisation target the organizer enters (the AAMC, ECFMG, a governor's office)."""

    __tablename__ = "letter_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("letter_campaigns.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # "David J. Skorton, MD"
    title: Mapped[str] = mapped_column(String(200), default="")  # "President and CEO"
    organization: Mapped[str] = mapped_column(String(200), default="")  # "AAMC"
    salutation: Mapped[str] = mapped_column(String(200))  # "Dear Dr. Skorton:"
    # Postal address, one line per line.
    address: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    web_form: Mapped[str | None] = mapped_column(String(500))
    stance: Mapped[Position] = mapped_column(_enum(Position), default=Position.UNKNOWN)
    position: Mapped[int] = mapped_column(default=0)  # order on the page

    campaign: Mapped[LetterCampaign] = relationship(back_populates="targets")


class CampaignPosition(Model):
    """A legislator's position on the campaign's ask, by external id (bioguide / Open States)."""

    __tablename__ = "letter_positions"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("letter_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[Position] = mapped_column(_enum(Position))
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual|csv|congress.gov
    note: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Writer(Model):
    """One supporter writing one campaign's letters.

    From a confirmed signature (``signature_id``; confirmed with it) or from the action page's
    form (confirmed by email like a signature). Nothing is sent for an unconfirmed writer.
    """

    __tablename__ = "letter_writers"
    __table_args__ = (UniqueConstraint("campaign_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("letter_campaigns.id", ondelete="CASCADE"))
    signature_id: Mapped[int | None] = mapped_column(
        ForeignKey("signatures.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    # "Ms.", "Dr." …: optional; Communicating with Congress requires one.
    prefix: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    opt_in: Mapped[bool] = mapped_column(default=False)
    consent_text: Mapped[str | None] = mapped_column(String(500))
    consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmation_sent_at: Mapped[datetime | None]
    notices_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    notices_since: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    # The personal paragraph the writer gave, kept to prefill the next letter.
    personal_note: Mapped[str | None] = mapped_column(Text)
    receipt_sent_at: Mapped[datetime | None]

    campaign: Mapped[LetterCampaign] = relationship()
    districts: Mapped[list[WriterDistrict]] = relationship(
        order_by="WriterDistrict.chamber", passive_deletes=True, cascade="all, delete-orphan"
    )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class WriterDistrict(Model):
    """A district of the writer's ZIP: ``matched``, ``candidate`` (not yet chosen) or
    ``chosen`` — the same rules as petitions.models.SignatureDistrict."""

    __tablename__ = "letter_writer_districts"

    writer_id: Mapped[int] = mapped_column(
        ForeignKey("letter_writers.id", ondelete="CASCADE"), primary_key=True
    )
    chamber: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    district: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    share: Mapped[float | None]

    @property
    def key(self) -> str:
        return f"{self.state}-{self.district}"


class Letter(Model):
    """One writer's letter to one office, with a copy of the recipient as written."""

    __tablename__ = "letters"
    __table_args__ = (
        # The same supporter never sends the same campaign's letter to the same office twice.
        UniqueConstraint("campaign_id", "writer_id", "recipient_key"),
        Index("ix_letters_campaign_status", "campaign_id", "status"),
        Index("ix_letters_campaign_recipient", "campaign_id", "recipient_key"),
        CheckConstraint(
            "personal_share >= 0 AND personal_share <= 1", name="personal_share_fraction"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("letter_campaigns.id", ondelete="CASCADE"))
    writer_id: Mapped[int] = mapped_column(
        ForeignKey("letter_writers.id", ondelete="CASCADE"), index=True
    )
    # "legislator:<external id>" or "target:<CampaignTarget id>": the office.
    recipient_key: Mapped[str] = mapped_column(String(120))
    # The recipient as written (never rewritten by a directory refresh).
    recipient_kind: Mapped[str] = mapped_column(String(20))  # legislator | organization
    recipient_external_id: Mapped[str | None] = mapped_column(String(100))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_title: Mapped[str] = mapped_column(String(200), default="")
    recipient_salutation: Mapped[str] = mapped_column(String(200))
    recipient_chamber: Mapped[str | None] = mapped_column(String(20))
    recipient_state: Mapped[str | None] = mapped_column(String(2))
    recipient_district: Mapped[str | None] = mapped_column(String(100))
    recipient_address: Mapped[str] = mapped_column(Text, default="")  # inside address lines
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    recipient_web_form: Mapped[str | None] = mapped_column(String(500))
    recipient_details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[Position] = mapped_column(_enum(Position), default=Position.UNKNOWN)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    status: Mapped[LetterStatus] = mapped_column(_enum(LetterStatus), default=LetterStatus.DRAFTED)
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    personal_note: Mapped[str | None] = mapped_column(Text)
    # How much of the body is the writer's own words (0–1).
    personal_share: Mapped[float] = mapped_column(default=0.0)
    # Normalised fingerprint of the personal paragraph, and the letter it copies, if any.
    note_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    similar_to_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    handed_over_at: Mapped[datetime | None]
    reported_sent_at: Mapped[datetime | None]
    # The email (outbox) or CWC message that carries it; its status is the letter's.
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    delivery_error: Mapped[str | None] = mapped_column(String(500))

    campaign: Mapped[LetterCampaign] = relationship()
    writer: Mapped[Writer] = relationship()

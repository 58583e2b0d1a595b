"""Petition, Signature and Milestone."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from advocacy.accounts.models import Organization
from advocacy.core.db import TimestampMixin, utcnow
from advocacy.extensions import Model, db

MILESTONE_PERCENTS = (25, 50, 75, 100)


class PetitionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    WON = "won"


def _enum(cls: type[enum.Enum]):
    return db.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class Petition(TimestampMixin, Model):
    __tablename__ = "petitions"
    __table_args__ = (
        CheckConstraint("goal > 0", name="goal_positive"),
        CheckConstraint("signature_count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(String(500))
    image_alt: Mapped[str | None] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(200))
    goal: Mapped[int]
    # When set, reaching the goal raises it by this many signatures.
    goal_step: Mapped[int | None]
    previous_goal: Mapped[int | None]
    deadline: Mapped[datetime | None]
    status: Mapped[PetitionStatus] = mapped_column(
        _enum(PetitionStatus), default=PetitionStatus.DRAFT, index=True
    )
    require_confirmation: Mapped[bool] = mapped_column(default=True)
    # Maintained by confirm_signature with an atomic UPDATE; `flask petitions recount` audits it.
    signature_count: Mapped[int] = mapped_column(default=0)
    # The current PetitionVersion's number (0: no version yet, before publication).
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    signatures: WriteOnlyMapped[Signature] = relationship(
        back_populates="petition", passive_deletes=True
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="petition", order_by="Milestone.reached_at", passive_deletes=True
    )

    def deadline_passed(self, now: datetime | None = None) -> bool:
        return self.deadline is not None and self.deadline <= (now or utcnow())

    @property
    def effective_status(self) -> PetitionStatus:
        """The status as the public sees it: an open petition past its deadline is closed."""
        if self.status is PetitionStatus.OPEN and self.deadline_passed():
            return PetitionStatus.CLOSED
        return self.status

    @property
    def is_open(self) -> bool:
        return self.effective_status is PetitionStatus.OPEN

    @property
    def is_public(self) -> bool:
        return self.status is not PetitionStatus.DRAFT

    @property
    def percent(self) -> int:
        """Whole percent of the goal, capped at 100 for the bar."""
        return min(100, int(self.signature_count * 100 / self.goal)) if self.goal else 0

    def __repr__(self) -> str:
        return f"<Petition {self.slug}>"


class Signature(Model):
    __tablename__ = "signatures"
    __table_args__ = (
        # One signature per email per petition: a repeat can never be counted twice.
        UniqueConstraint("petition_id", "email"),
        Index("ix_signatures_petition_confirmed", "petition_id", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    email: Mapped[str] = mapped_column(String(254))
    zip: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    comment: Mapped[str | None] = mapped_column(String(500))
    public: Mapped[bool] = mapped_column(default=True)
    opt_in: Mapped[bool] = mapped_column(default=False)
    consent_text: Mapped[str | None] = mapped_column(String(500))
    consent_at: Mapped[datetime | None]
    ref: Mapped[str | None] = mapped_column(String(100))
    utm_source: Mapped[str | None] = mapped_column(String(100))
    utm_medium: Mapped[str | None] = mapped_column(String(100))
    utm_campaign: Mapped[str | None] = mapped_column(String(100))
    utm_term: Mapped[str | None] = mapped_column(String(100))
    utm_content: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmation_sent_at: Mapped[datetime | None]
    # Confirmation and "already signed" emails sent to this address for this petition since
    # notices_since (a rolling day): at most SIGN_NOTICES_PER_DAY, so the form mails no one.
    notices_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    notices_since: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    # The counter value this signature's confirmation produced ("you are signer number …").
    signer_number: Mapped[int | None]
    # The text the signer saw (PetitionVersion); None for signatures made before versions.
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("petition_versions.id", ondelete="SET NULL"), index=True
    )
    # The member account whose history this confirmed signature belongs to: set when the
    # signature is confirmed with a confirmed member's email, or when the member confirms
    # that email (advocacy/profile/history.py). A later change of either email keeps it.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    petition: Mapped[Petition] = relationship(back_populates="signatures")
    districts: Mapped[list[SignatureDistrict]] = relationship(
        order_by="SignatureDistrict.chamber", passive_deletes=True, cascade="all, delete-orphan"
    )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def display_name(self) -> str:
        """First name and last initial: the only part of a name shown in public."""
        initial = self.last_name[:1].upper()
        return f"{self.first_name} {initial}." if initial else self.first_name

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.state) if p)


class Milestone(Model):
    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("petition_id", "goal", "percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    goal: Mapped[int]
    percent: Mapped[int]
    signature_count: Mapped[int]
    reached_at: Mapped[datetime] = mapped_column(default=utcnow)

    petition: Mapped[Petition] = relationship(back_populates="milestones")


class SignatureDistrict(Model):
    """A district the signer's ZIP falls in, kept with the signature when it was made.

    One row per district found: ``matched`` when the ZIP lies in one district of that
    chamber, ``candidate`` for each of several (the signer has not said which), ``chosen``
    for the one the signer picked (the other candidates are then deleted). Statistics,
    letters and packets read these rows and never run the lookup again.
    """

    __tablename__ = "signature_districts"
    # Delivery packets read one district's signers at a time, in signature order.
    __table_args__ = (
        Index("ix_signature_districts_district", "chamber", "state", "district", "signature_id"),
    )

    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True
    )
    chamber: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    district: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # matched | candidate | chosen
    share: Mapped[float | None]

    @property
    def key(self) -> str:
        """``"NY-12"``: the district key the lookup and its ``choices`` use."""
        return f"{self.state}-{self.district}"


class UpdateStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"  # handed to the outbox: one message per opted-in signer


class PetitionUpdate(TimestampMixin, Model):
    """An organizer's news to the petition's signers who asked for updates.

    Written in Markdown (sanitised when rendered), previewed, tested on the author, then sent
    once: sending turns it into a mail ``Broadcast`` whose outbox rows say how it went.
    """

    __tablename__ = "petition_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[UpdateStatus] = mapped_column(_enum(UpdateStatus), default=UpdateStatus.DRAFT)
    test_sent_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_broadcasts.id", ondelete="SET NULL")
    )

    petition: Mapped[Petition] = relationship()

    @property
    def is_draft(self) -> bool:
        return self.status is UpdateStatus.DRAFT


class PetitionVersion(Model):
    """The title, summary and body of a petition as people signed it.

    Version 1 is the text at publication; editing any of the three after someone signed
    makes the next version. Each signature remembers the version it signed
    (``Signature.version_id``); ``confirmed_count`` is kept in the counter's transaction.
    """

    __tablename__ = "petition_versions"
    __table_args__ = (UniqueConstraint("petition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_count: Mapped[int] = mapped_column(default=0, server_default="0")


# --- rollups ----------------------------------------------------------------------------------
# Counts kept as signatures are made, confirmed, removed or their district chosen, in the same
# transaction as the petition's counter, so the organizer's statistics never scan signatures.
# `flask petitions recount` rebuilds them from the signatures and reports any drift. Days are
# UTC dates.


class DailyCount(Model):
    __tablename__ = "petition_daily_counts"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    started: Mapped[int] = mapped_column(default=0, server_default="0")  # signatures made
    confirmed: Mapped[int] = mapped_column(default=0, server_default="0")  # confirmed that day


class StateCount(Model):
    __tablename__ = "petition_state_counts"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(2), primary_key=True)  # "" when unknown
    confirmed: Mapped[int] = mapped_column(default=0, server_default="0")


class DistrictCount(Model):
    """Confirmed signers per district: ``confirmed`` where the district is the signer's
    (matched or chosen), ``possible`` where it is one of a split ZIP's candidates."""

    __tablename__ = "petition_district_counts"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    chamber: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    district: Mapped[str] = mapped_column(String(100), primary_key=True)
    confirmed: Mapped[int] = mapped_column(default=0, server_default="0")
    possible: Mapped[int] = mapped_column(default=0, server_default="0")


class SourceCount(Model):
    """Signatures by where they came from: ``kind`` is ref, utm_source or utm_campaign;
    ``value`` "" for none (direct)."""

    __tablename__ = "petition_source_counts"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    started: Mapped[int] = mapped_column(default=0, server_default="0")
    confirmed: Mapped[int] = mapped_column(default=0, server_default="0")


class DomainCount(Model):
    """Signatures by the domain of their email: a provider that delays or drops the
    confirmation email shows as a low confirmed share."""

    __tablename__ = "petition_domain_counts"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str] = mapped_column(String(254), primary_key=True)
    started: Mapped[int] = mapped_column(default=0, server_default="0")
    confirmed: Mapped[int] = mapped_column(default=0, server_default="0")

"""A volunteer: one address with one organisation, pending until confirmed by email."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import Organization
from advocacy.core.db import utcnow
from advocacy.extensions import Model, db


class VolunteerRole(enum.StrEnum):
    IMG = "img"
    MEDICAL_STUDENT = "medical_student"
    RESIDENT = "resident"
    LICENSED_PHYSICIAN = "licensed_physician"
    RETIRED_PHYSICIAN = "retired_physician"
    NURSE = "nurse"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    VolunteerRole.IMG: "International medical graduate",
    VolunteerRole.MEDICAL_STUDENT: "Medical student",
    VolunteerRole.RESIDENT: "Resident",
    VolunteerRole.LICENSED_PHYSICIAN: "Licensed physician",
    VolunteerRole.RETIRED_PHYSICIAN: "Retired physician",
    VolunteerRole.NURSE: "Nurse",
    VolunteerRole.OTHER: "Other",
}


class Volunteer(Model):
    """``email`` offered to help ``organization``. One row per pair: signing up again updates
    it. Until the emailed link is followed the row is pending and no organizer export holds
    it; a confirmed row's new details wait in ``proposed`` until their own link is followed,
    so typing someone's address cannot change what they gave. Withdrawing deletes the row."""

    __tablename__ = "volunteers"
    __table_args__ = (
        UniqueConstraint("email", "organization_id"),
        Index("ix_volunteers_organization_role", "organization_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[VolunteerRole] = mapped_column(
        db.Enum(
            VolunteerRole,
            native_enum=False,
            length=30,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    credentials: Mapped[str] = mapped_column(String(500), default="")
    availability: Mapped[str] = mapped_column(String(30))
    availability_note: Mapped[str] = mapped_column(String(300), default="")
    telehealth: Mapped[bool] = mapped_column(default=False)
    # What the form showed beside the consent box, word for word.
    consent_text: Mapped[str] = mapped_column(String(500))
    # The details of a later sign-up of a confirmed volunteer (JSON), applied by its link.
    proposed: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    notices_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    notices_since: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    states: Mapped[list[VolunteerState]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="VolunteerState.state",
        lazy="selectin",
    )

    @property
    def state_codes(self) -> list[str]:
        return [s.state for s in self.states]


class VolunteerState(Model):
    """A state (or DC, or a territory) where a volunteer could serve."""

    __tablename__ = "volunteer_states"

    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


volunteers_table = Volunteer.__table__

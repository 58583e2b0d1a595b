"""An organisation's member intake (open or closed, an intro, the fields it asks) and the
applications people make to it, with the answers as they were shown when they applied."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.accounts.models import Organization, User
from advocacy.core.db import TimestampMixin
from advocacy.extensions import Model, db


def _enum(cls: type[enum.Enum], length: int = 20) -> Any:
    return db.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class FieldKind(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    YES_NO = "yes_no"
    DATE = "date"


FIELD_KIND_LABELS = {
    FieldKind.TEXT: "Text",
    FieldKind.NUMBER: "Number (whole)",
    FieldKind.CHOICE: "Choice (one of a list)",
    FieldKind.YES_NO: "Yes / no",
    FieldKind.DATE: "Date",
}


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # the applicant is a member of the organisation
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class MemberIntake(TimestampMixin, Model):
    """How an organisation takes members in: one per organisation, made on first use."""

    __tablename__ = "member_intakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    is_open: Mapped[bool] = mapped_column(default=False)
    intro: Mapped[str] = mapped_column(Text, default="")  # organizer Markdown, sanitised on show

    organization: Mapped[Organization] = relationship()
    fields: Mapped[list[IntakeField]] = relationship(
        back_populates="intake",
        cascade="all, delete-orphan",
        order_by="IntakeField.position, IntakeField.id",
    )


class IntakeField(Model):
    """One question of an intake. Answers keep their own copy of the label, so editing or
    removing a field never rewrites what applicants answered."""

    __tablename__ = "member_intake_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    intake_id: Mapped[int] = mapped_column(
        ForeignKey("member_intakes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[FieldKind] = mapped_column(_enum(FieldKind))
    required: Mapped[bool] = mapped_column(default=False)
    help_text: Mapped[str] = mapped_column(String(300), default="")
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)  # for CHOICE only
    min_value: Mapped[int | None] = mapped_column()  # for NUMBER only
    max_value: Mapped[int | None] = mapped_column()

    intake: Mapped[MemberIntake] = relationship(back_populates="fields")

    @property
    def input_name(self) -> str:
        return f"answer-{self.id}"


class MemberApplication(TimestampMixin, Model):
    """A person's application to be a member of an organisation: one per person and
    organisation, reused when they apply again after withdrawing or being declined."""

    __tablename__ = "member_applications"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus), default=ApplicationStatus.PENDING, index=True
    )
    # [{"field_id": 3, "label": "Graduation year", "kind": "number", "value": 2019}, …]
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column()
    # Counts the submissions: a decision names the one the organizer read.
    revision: Mapped[int] = mapped_column(default=1)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decision_note: Mapped[str] = mapped_column(String(1000), default="")

    organization: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_member(self) -> bool:
        return self.status is ApplicationStatus.APPROVED

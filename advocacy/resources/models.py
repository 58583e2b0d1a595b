"""A state's curated entries and their change history.

One table holds every kind of entry (a pathway, a registration site, a board, a waiver, a
note): they share the sourcing columns that matter most (source URL, who reviewed it and
when, the dated period it was in force), and a kind's own fields are a few nullable columns.
A published entry must carry a source: the service refuses one without, and a CHECK
constraint makes sure nothing else (an import, a hand-edited row) slips one in.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.core.db import TimestampMixin, utcnow
from advocacy.extensions import Model, db


def _enum(cls: type[enum.Enum]):
    return db.Enum(
        cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class Kind(enum.StrEnum):
    PATHWAY = "pathway"
    VOLUNTEER = "volunteer"
    BOARD = "board"
    WAIVER = "waiver"
    NOTE = "note"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def short_label(self) -> str:
        return {"pathway": "Pathway", "volunteer": "Volunteering", "board": "Board",
                "waiver": "Waivers", "note": "Notes"}[self.value]  # fmt: skip


KIND_LABELS = {
    Kind.PATHWAY: "IMG licensure pathway",
    Kind.VOLUNTEER: "Emergency and volunteer registration",
    Kind.BOARD: "State medical board",
    Kind.WAIVER: "Licensure waivers",
    Kind.NOTE: "Notes",
}


class PathwayStatus(enum.StrEnum):
    ENACTED = "enacted"
    PENDING = "pending"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"enacted": "Enacted", "pending": "Bill pending", "none": "None known"}[self.value]


class WaiverType(enum.StrEnum):
    OUT_OF_STATE = "out_of_state"
    RETIRED = "retired"
    TELEHEALTH = "telehealth"

    @property
    def label(self) -> str:
        return {
            "out_of_state": "Out-of-state physicians",
            "retired": "Retired or inactive physicians",
            "telehealth": "Telehealth across state lines",
        }[self.value]


class StateResource(TimestampMixin, Model):
    __tablename__ = "state_resources"
    __table_args__ = (
        CheckConstraint(
            "NOT published OR (source_url IS NOT NULL AND source_url <> '')",
            name="published_has_source",
        ),
        CheckConstraint(
            "ended_on IS NULL OR effective_on IS NULL OR ended_on >= effective_on",
            name="ends_after_start",
        ),
        Index("ix_state_resources_state_kind", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(2))
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    title: Mapped[str] = mapped_column(String(200))
    # Markdown, rendered through core.text.render_markdown (nh3) on the way out.
    body: Mapped[str] = mapped_column(Text, default="")
    # A pathway's status and its statute or bill ("HB 1234 (2023)").
    status: Mapped[PathwayStatus | None] = mapped_column(_enum(PathwayStatus))
    reference: Mapped[str | None] = mapped_column(String(200))
    # A board's or a registration site's own name, website and phone.
    name: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(40))
    waiver: Mapped[WaiverType | None] = mapped_column(_enum(WaiverType))
    source_url: Mapped[str | None] = mapped_column(String(500))
    source_title: Mapped[str | None] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_on: Mapped[date | None]
    # The period the entry describes (an executive order in force from … to …); both optional.
    effective_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    # No longer in force though its end date is not known (an emergency order "for the
    # duration of the emergency"): shown as history, like an entry whose ended_on has passed.
    historical: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=False)
    # For the organizer's editing to come: who created it (kept when the user goes).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    changes: Mapped[list[StateResourceChange]] = relationship(
        order_by="StateResourceChange.changed_at",
        passive_deletes=True,
        cascade="all, delete-orphan",
        back_populates="resource",
    )

    @property
    def kind_label(self) -> str:
        return self.kind.label

    @property
    def is_history(self) -> bool:
        """Ended: shown as history, never as what the state allows today."""
        return self.historical or (self.ended_on is not None and self.ended_on <= utcnow().date())

    def __repr__(self) -> str:
        return f"<StateResource {self.state} {self.kind.value} {self.title!r}>"


class StateResourceChange(Model):
    """One change to an entry: who, when, and the fields' values before and after (JSON)."""

    __tablename__ = "state_resource_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("state_resources.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The name as it was, so history still reads after the account is gone.
    changed_by: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))  # created / updated / published / …
    # {"field": [before, after], …}, dates as ISO strings.
    diff: Mapped[dict] = mapped_column(db.JSON, default=dict)

    resource: Mapped[StateResource] = relationship(back_populates="changes")

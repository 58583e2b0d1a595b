"""The member's profile: the name and address they write letters with, and their districts
where the ZIP is split (asked once, remembered)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.core.db import utcnow
from advocacy.extensions import Model


class MemberProfile(Model):
    """One member's address. Their districts are not stored: they come from the directory
    for the ZIP each time (so a refresh after redistricting is followed), narrowed by
    ``district_choices`` where the ZIP is split."""

    __tablename__ = "member_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    # The district the member picked in each chamber where the ZIP touches several
    # ({"state_lower": "NY-129"}); cleared when the address changes.
    district_choices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

"""The member's profile: the name and address they write letters with, and their districts
where the ZIP is split (asked once, remembered)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.core.db import utcnow
from advocacy.extensions import Model

FROM_ADDRESS = "from_address"


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
    # ({"state_lower": "NY-129"}), and under FROM_ADDRESS the chambers a configured geocoder
    # settled from the street address instead; cleared when the address changes.
    district_choices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def picks(self) -> dict[str, str]:
        """The district picked per chamber: ``{"state_lower": "NY-129"}``."""
        return {
            k: v
            for k, v in (self.district_choices or {}).items()
            if k != FROM_ADDRESS and isinstance(v, str)
        }

    @property
    def address_chambers(self) -> list[str]:
        """The chambers whose pick came from the geocoded street address."""
        return list((self.district_choices or {}).get(FROM_ADDRESS) or [])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

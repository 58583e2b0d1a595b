"""The directory: snapshots, legislators with their offices, districts, ZIP → district.

Every row belongs to a snapshot. An import writes a whole new snapshot and flips
``DirectorySnapshot.active`` in the same transaction, so readers see either the old
directory or the new one, never a mix. Signatures keep district *keys* (state, chamber,
district), not row ids, so they outlive the snapshot they were looked up in.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advocacy.core.db import utcnow
from advocacy.extensions import Model


class Chamber(enum.StrEnum):
    US_SENATE = "us_senate"
    US_HOUSE = "us_house"
    STATE_UPPER = "state_upper"
    STATE_LOWER = "state_lower"
    # DC Council and other unicameral bodies the ZIP tables do not map.
    STATE_LEGISLATURE = "state_legislature"

    @property
    def label(self) -> str:
        return CHAMBER_LABELS[self]


CHAMBER_LABELS = {
    Chamber.US_SENATE: "U.S. Senate",
    Chamber.US_HOUSE: "U.S. House",
    Chamber.STATE_UPPER: "State Senate",
    Chamber.STATE_LOWER: "State House",
    Chamber.STATE_LEGISLATURE: "Legislature",
}
LOOKUP_CHAMBERS = (Chamber.US_SENATE, Chamber.US_HOUSE, Chamber.STATE_UPPER, Chamber.STATE_LOWER)


class DirectorySnapshot(Model):
    __tablename__ = "directory_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the imported files: importing the same snapshot again changes nothing.
    fingerprint: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(500))
    # The date the directory describes: the oldest of its legislator sources' dates.
    as_of: Mapped[date]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=False, index=True)
    # Sources, per-source dates, counts and anomalies, as the import reported them.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Legislator(Model):
    __tablename__ = "legislators"
    __table_args__ = (Index("ix_legislators_seat", "snapshot_id", "state", "chamber", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("directory_snapshots.id", ondelete="CASCADE")
    )
    # bioguide id (Congress) or Open States person id: stable across snapshots.
    external_id: Mapped[str] = mapped_column(String(100))
    chamber: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(2))
    district: Mapped[str | None] = mapped_column(String(100))  # None for U.S. senators
    seat: Mapped[str | None] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(50))
    party: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    contact_form: Mapped[str | None] = mapped_column(String(500))
    website: Mapped[str | None] = mapped_column(String(500))
    voting: Mapped[bool] = mapped_column(default=True)
    rank: Mapped[str | None] = mapped_column(String(10))  # senior / junior senator
    # A senator's class (1, 2 or 3: which election year), from congress-legislators.
    senate_class: Mapped[int | None]

    offices: Mapped[list[LegislatorOffice]] = relationship(
        order_by="LegislatorOffice.position", passive_deletes=True, lazy="selectin"
    )


class LegislatorOffice(Model):
    __tablename__ = "legislator_offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    legislator_id: Mapped[int] = mapped_column(
        ForeignKey("legislators.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # washington | capitol | district
    position: Mapped[int] = mapped_column(default=0)
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(300))


class District(Model):
    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("snapshot_id", "state", "chamber", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("directory_snapshots.id", ondelete="CASCADE")
    )
    chamber: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(2))
    district: Mapped[str] = mapped_column(String(100))
    census_code: Mapped[str | None] = mapped_column(String(20))
    census_name: Mapped[str | None] = mapped_column(String(200))
    zip_count: Mapped[int] = mapped_column(default=0)
    legislator_count: Mapped[int] = mapped_column(default=0)


class ZipDistrict(Model):
    __tablename__ = "zip_districts"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("directory_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    zip: Mapped[str] = mapped_column(String(5), primary_key=True)
    chamber: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    district: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Part of the ZIP's land area in this district (0–1), when the source says.
    share: Mapped[float | None]

"""The organizer's CSV export of a petition's signatures: filters, the permitted columns, and
rows fetched in keyset batches so memory stays flat however many signatures there are.

Only what the organizer may use leaves: the email address only of signers who agreed to hear
from the organisation (``opt_in``; the export is for mailing), and the comment only of signers
who chose to show their name and comment (``public``). Every cell goes through
``core.csvsafe`` (formula injection). See docs/dashboard.md, "Exports".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, exists, func, select

from advocacy.core.csvsafe import stream_rows
from advocacy.extensions import db
from advocacy.petitions.models import Petition, PetitionVersion, Signature, SignatureDistrict

BATCH = 2000  # signatures per query; also the size of the district query's IN list
COUNTED = ("matched", "chosen")  # a district the signer is in, not one of several candidates

HEADER = (
    "signer number",
    "first name",
    "last name",
    "email",
    "city",
    "state",
    "ZIP",
    "districts",
    "comment",
    "opted in",
    "confirmed at",
    "signed at",
    "version",
    "ref",
    "utm_source",
    "utm_medium",
    "utm_campaign",
)


@dataclass(frozen=True)
class DistrictFilter:
    chamber: str  # us_house, state_upper, state_lower
    state: str  # "NY"
    district: str  # "22"

    @property
    def key(self) -> str:
        return f"{self.state}-{self.district}"


@dataclass(frozen=True)
class ExportFilters:
    """Which signatures to export. Dates are UTC days, both ends included, on when the
    signature was made."""

    start: date | None = None
    end: date | None = None
    state: str | None = None
    district: DistrictFilter | None = None
    confirmed_only: bool = True
    opted_in_only: bool = False


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _where(petition_id: int, filters: ExportFilters) -> list:
    conditions = [Signature.petition_id == petition_id]
    if filters.start is not None:
        conditions.append(Signature.created_at >= _day_start(filters.start))
    if filters.end is not None:
        conditions.append(Signature.created_at < _day_start(filters.end + timedelta(days=1)))
    if filters.state:
        conditions.append(Signature.state == filters.state)
    if filters.confirmed_only:
        conditions.append(Signature.confirmed_at.is_not(None))
    if filters.opted_in_only:
        conditions.append(Signature.opt_in.is_(True))
    if filters.district is not None:
        d = filters.district
        conditions.append(
            exists().where(
                and_(
                    SignatureDistrict.signature_id == Signature.id,
                    SignatureDistrict.chamber == d.chamber,
                    SignatureDistrict.state == d.state,
                    SignatureDistrict.district == d.district,
                    SignatureDistrict.status.in_(COUNTED),
                )
            )
        )
    return conditions


def count_rows(petition: Petition, filters: ExportFilters) -> int:
    """How many signatures the export with these filters holds."""
    stmt = select(func.count(Signature.id)).where(*_where(petition.id, filters))
    return db.session.scalar(stmt) or 0


def _batch_query(petition_id: int, filters: ExportFilters) -> Select:
    return (
        select(
            Signature.id,
            Signature.signer_number,
            Signature.first_name,
            Signature.last_name,
            Signature.email,
            Signature.opt_in,
            Signature.city,
            Signature.state,
            Signature.zip,
            Signature.comment,
            Signature.public,
            Signature.confirmed_at,
            Signature.created_at,
            PetitionVersion.number,
            Signature.ref,
            Signature.utm_source,
            Signature.utm_medium,
            Signature.utm_campaign,
        )
        .outerjoin(PetitionVersion, PetitionVersion.id == Signature.version_id)
        .where(*_where(petition_id, filters))
        .order_by(Signature.id)
        .limit(BATCH)
    )


def _districts(ids: list[int]) -> dict[int, str]:
    """``{signature id: "us_house:NY-22 state_upper:NY-53"}`` for one batch, in one query."""
    rows = db.session.execute(
        select(
            SignatureDistrict.signature_id,
            SignatureDistrict.chamber,
            SignatureDistrict.state,
            SignatureDistrict.district,
        )
        .where(SignatureDistrict.signature_id.in_(ids), SignatureDistrict.status.in_(COUNTED))
        .order_by(SignatureDistrict.signature_id, SignatureDistrict.chamber)
    )
    keys: dict[int, list[str]] = {}
    for signature_id, chamber, state, district in rows:
        keys.setdefault(signature_id, []).append(f"{chamber}:{state}-{district}")
    return {signature_id: " ".join(parts) for signature_id, parts in keys.items()}


def export_rows(petition: Petition, filters: ExportFilters) -> Iterator[tuple]:
    """The export's rows in signature order, ``BATCH`` at a time: each batch is one query
    keyed on the last id seen (``id > last``, an index range, not an ``OFFSET`` that rereads
    everything before it) and one query for its districts. Only one batch is held at once."""
    base = _batch_query(petition.id, filters)
    last = 0
    while True:
        batch = db.session.execute(base.where(Signature.id > last)).all()
        if not batch:
            return
        districts = _districts([row[0] for row in batch])
        for (
            sid,
            number,
            first,
            last_name,
            email,
            opt_in,
            city,
            state,
            zip_code,
            comment,
            public,
            confirmed_at,
            created_at,
            version,
            ref,
            utm_source,
            utm_medium,
            utm_campaign,
        ) in batch:
            yield (
                number,
                first,
                last_name,
                email if opt_in else None,
                city,
                state,
                zip_code,
                districts.get(sid),
                comment if public else None,
                opt_in,
                confirmed_at,
                created_at,
                version,
                ref,
                utm_source,
                utm_medium,
                utm_campaign,
            )
        if len(batch) < BATCH:
            return
        last = batch[-1][0]


def export_csv(petition: Petition, filters: ExportFilters) -> Iterator[str]:
    """The CSV text in chunks: header, then one row per signature, formula cells
    neutralised, starting with a byte order mark so Excel reads the names as UTF-8."""
    return stream_rows(HEADER, export_rows(petition, filters), bom=True)


def export_filename(petition: Petition, today: date) -> str:
    """``<slug>-signatures-<YYYY-MM-DD>.csv``: slugs are ASCII letters, digits and hyphens."""
    return f"{petition.slug}-signatures-{today.isoformat()}.csv"

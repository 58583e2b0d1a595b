"""The organizer's CSV export of a petition's signatures: filters, the permitted columns, and
rows fetched in keyset batches so memory stays flat however many signatures there are.

Only what the organizer may use leaves: the email address only of signers who agreed to hear
from the organisation (``opt_in``; the export is for mailing), and the comment only of signers
who chose to show their name and comment (``public``). Every cell goes through
``core.csvsafe`` (formula injection). See docs/dashboard.md, "Exports".
"""

from __future__ import annotations

import codecs
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, String, and_, case, cast, exists, func, literal_column, select
from sqlalchemy.orm import aliased

from advocacy.core.csvsafe import FORMULA_STARTS, stream_rows
from advocacy.extensions import db
from advocacy.petitions.models import Petition, PetitionVersion, Signature, SignatureDistrict

if typing.TYPE_CHECKING:
    import psycopg

BATCH = 2000  # signatures per query
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
        held = aliased(SignatureDistrict)  # apart from the districts query's own table
        conditions.append(
            exists().where(
                and_(
                    held.signature_id == Signature.id,
                    held.chamber == d.chamber,
                    held.state == d.state,
                    held.district == d.district,
                    held.status.in_(COUNTED),
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


def _districts(petition_id: int, filters: ExportFilters, first: int, last: int) -> dict[int, str]:
    """``{signature id: "state_upper:NY-48 us_house:NY-22"}`` for one batch (the ids from
    ``first`` to ``last``), in one query on the batch's id range with the export's own
    filters: a handful of parameters, not an ``IN`` list of every id."""
    rows = (
        db.session.connection()
        .execute(
            select(
                SignatureDistrict.signature_id,
                SignatureDistrict.chamber,
                SignatureDistrict.state,
                SignatureDistrict.district,
            )
            .join(Signature, Signature.id == SignatureDistrict.signature_id)
            .where(
                Signature.id.between(first, last),
                *_where(petition_id, filters),
                SignatureDistrict.status.in_(COUNTED),
            )
            .order_by(
                SignatureDistrict.signature_id,
                SignatureDistrict.chamber,
                SignatureDistrict.state,
                SignatureDistrict.district,
            )
        )
        .all()
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
        # Core rows through the session's connection: no ORM loading step per row.
        batch = db.session.connection().execute(base.where(Signature.id > last)).all()
        if not batch:
            return
        districts = _districts(petition.id, filters, batch[0][0], batch[-1][0])
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
    """The CSV text in chunks: a byte order mark (so Excel reads the names as UTF-8), the
    header, then one row per signature with formula cells neutralised.

    On PostgreSQL the database writes the rows (``COPY (SELECT …) TO STDOUT``, with
    ``core.csvsafe``'s rule as SQL); elsewhere ``export_rows`` feeds ``core.csvsafe``.
    Both give the same cells (tests compare them)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _copied_csv(petition, filters)
    return stream_rows(HEADER, export_rows(petition, filters), bom=True)


# --- PostgreSQL: the database writes the CSV ---------------------------------------------
# A million rows through Python cost ~10 µs each (fetch, convert, quote); COPY does the same
# in the server at a fraction of that and the client only passes the text on. The rows
# arrive one message each and are handed on in chunks of about COPY_CHUNK characters, so
# memory stays flat as with the batches.

COPY_CHUNK = 64 * 1024
ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'  # = datetime.isoformat(timespec="seconds") in UTC
QUOTE = literal_column("''''", String)  # the SQL text '


def _safe_sql(column):
    """``core.csvsafe.safe_cell`` for a text column, in SQL: a leading ``'`` on a text that
    starts like a formula."""
    # ascii() is the first character's code, an integer compared in place: a third of the
    # cost of substr() and a text IN list over twelve columns of a million rows.
    starts = func.ascii(column).in_([literal_column(str(ord(c))) for c in sorted(FORMULA_STARTS)])
    return case((starts, QUOTE + column), else_=column)


def _iso_sql(column):
    return func.to_char(func.timezone("UTC", column), ISO_UTC)


def _copy_query(petition_id: int, filters: ExportFilters) -> Select:
    # The districts of the exported signatures, aggregated once and joined: a correlated
    # subquery per row costs PostgreSQL about twice as much on a million rows. The keys are
    # aggregated from a subquery in key order (the primary key's, so no sort) rather than
    # with string_agg(… ORDER BY …), which sorts each signature's two or three keys apart
    # and doubled the time; PostgreSQL documents that ordered input orders the result, and
    # the order within the cell is only cosmetic (a test compares it with the Python path).
    held = aliased(SignatureDistrict)
    ordered = (
        select(
            held.signature_id,
            (held.chamber + ":" + held.state + "-" + held.district).label("key"),
        )
        .join(Signature, Signature.id == held.signature_id)
        .where(*_where(petition_id, filters), held.status.in_(COUNTED))
        .order_by(held.signature_id, held.chamber, held.state, held.district)
        .subquery()
    )
    keys = (
        select(ordered.c.signature_id, func.string_agg(ordered.c.key, " ").label("keys"))
        .group_by(ordered.c.signature_id)
        .subquery()
    )
    districts = keys.c["keys"]
    return (
        select(
            cast(Signature.signer_number, String),
            _safe_sql(Signature.first_name),
            _safe_sql(Signature.last_name),
            case((Signature.opt_in, _safe_sql(Signature.email))),
            _safe_sql(Signature.city),
            _safe_sql(Signature.state),
            _safe_sql(Signature.zip),
            districts,
            case((Signature.public, _safe_sql(Signature.comment))),
            case((Signature.opt_in, literal_column("'yes'")), else_=literal_column("'no'")),
            _iso_sql(Signature.confirmed_at),
            _iso_sql(Signature.created_at),
            cast(PetitionVersion.number, String),
            _safe_sql(Signature.ref),
            _safe_sql(Signature.utm_source),
            _safe_sql(Signature.utm_medium),
            _safe_sql(Signature.utm_campaign),
        )
        .outerjoin(PetitionVersion, PetitionVersion.id == Signature.version_id)
        .outerjoin(keys, keys.c.signature_id == Signature.id)
        .where(*_where(petition_id, filters))
        .order_by(Signature.id)
    )


def _copied_csv(petition: Petition, filters: ExportFilters) -> Iterator[str]:
    yield from stream_rows(HEADER, (), bom=True)
    compiled = _copy_query(petition.id, filters).compile(
        dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    # COPY takes no server-side parameters: psycopg binds these on the client, quoted.
    statement = f"COPY ({compiled.string}) TO STDOUT (FORMAT csv)"
    raw = typing.cast("psycopg.Connection", db.session.connection().connection.dbapi_connection)
    with raw.cursor() as cursor:
        # JIT compiling the row expressions costs half a second before the first row, more
        # than it saves on a million (docs/BENCHMARKS.md); for this transaction only.
        cursor.execute("SET LOCAL jit = off")
        yield from _copy_out(cursor, statement, compiled.params)


def _copy_out(cursor, statement: str, params: dict) -> Iterator[str]:
    # Bytes gathered per message, decoded per chunk (a chunk may end inside a character).
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = bytearray()
    with cursor.copy(statement, params) as copy:
        for data in copy:
            pending += data
            if len(pending) >= COPY_CHUNK:
                yield decoder.decode(pending)
                pending.clear()
    tail = decoder.decode(pending, final=True)
    if tail:
        yield tail


def export_filename(petition: Petition, today: date) -> str:
    """``<slug>-signatures-<YYYY-MM-DD>.csv``: slugs are ASCII letters, digits and hyphens."""
    return f"{petition.slug}-signatures-{today.isoformat()}.csv"

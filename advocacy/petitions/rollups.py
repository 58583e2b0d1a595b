"""The petition statistics kept as signatures change: per day, state, district, source, domain.

Every change is an ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` (``add``) run in
the caller's transaction, next to the write it follows, so the dashboards read a few hundred
rows instead of scanning signatures. ``rebuild`` recomputes a petition's rollups from its
signatures with ``GROUP BY`` queries and reports what had drifted (``flask petitions recount``).

Lock order: every transaction that touches a petition's rollups takes its ``DailyCount`` row of
the day first (signing: the day it signs; confirming: the day it confirms), then the others,
so two transactions of one day never wait on each other in a circle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, bindparam, case, cast, delete, func, literal, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from advocacy.extensions import db
from advocacy.petitions.models import (
    DailyCount,
    DistrictCount,
    DomainCount,
    PetitionVersion,
    Signature,
    SignatureDistrict,
    SourceCount,
    StateCount,
)

SOURCE_KINDS = ("ref", "utm_source", "utm_campaign")
# The rollup tables, and for each the columns counted (the rest of the key is the primary key).
COUNTED: dict[Any, tuple[str, ...]] = {
    DailyCount: ("started", "confirmed"),
    StateCount: ("confirmed",),
    DistrictCount: ("confirmed", "possible"),
    SourceCount: ("started", "confirmed"),
    DomainCount: ("started", "confirmed"),
}


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def insert_for(table: Any, dialect: str | None = None) -> Any:
    """The dialect's ``INSERT`` that knows ``ON CONFLICT`` (SQLite ≥ 3.24 and PostgreSQL)."""
    insert = postgresql_insert if (dialect or _dialect()) == "postgresql" else sqlite_insert
    return insert(table)


def _key_columns(model: Any) -> list[str]:
    return [c.name for c in model.__table__.primary_key.columns]


def upsert(statement: Any, model: Any, counted: Sequence[str]) -> Any:
    """``statement`` (an ``INSERT`` into ``model``'s table), adding ``counted`` to a row
    that is there already."""
    return statement.on_conflict_do_update(
        index_elements=_key_columns(model),
        set_={c: getattr(model.__table__.c, c) + statement.excluded[c] for c in counted},
    )


def add(model: Any, rows: Iterable[dict[str, Any]]) -> None:
    """Add each row's counts to ``model``'s row with the same key (made if missing).

    Rows with one key are summed first (PostgreSQL refuses to touch a row twice in one
    statement), and sorted by key so every writer locks rows in the same order.
    """
    keys = _key_columns(model)
    counted = COUNTED[model]
    totals: dict[tuple, Counter[str]] = {}
    for row in rows:
        total = totals.setdefault(tuple(row[k] for k in keys), Counter())
        for c in counted:
            total[c] += row.get(c, 0)
    values = [
        {**dict(zip(keys, key, strict=True)), **{c: total[c] for c in counted}}
        for key, total in sorted(totals.items())
        if any(total.values())
    ]
    if values:
        db.session.execute(upsert(insert_for(model.__table__).values(values), model, counted))


def lock_day(petition_id: int, day: date) -> None:
    """Take the petition's daily row of ``day`` (made, with zeros, if missing) until the
    commit: the first lock every writer of the petition's rollups takes."""
    statement = insert_for(DailyCount.__table__).values(
        petition_id=petition_id, day=day, started=0, confirmed=0
    )
    db.session.execute(upsert(statement, DailyCount, ["started"]))


# --- the events ---------------------------------------------------------------------------


def utc_day(moment: datetime) -> date:
    return moment.date()  # UTCDateTime: every stored moment is aware UTC


def email_domain(email: str) -> str:
    return email.partition("@")[2].lower()[:254]


def sources_of(values: dict[str, Any]) -> dict[str, str]:
    """``{"ref": "x.ana", "utm_source": "", "utm_campaign": ""}``: "" is none (direct)."""
    return {kind: values.get(kind) or "" for kind in SOURCE_KINDS}


def started_params(values: dict[str, Any]) -> dict[str, Any]:
    """Bind values of the rollup part of the signing statement (``started_ctes``)."""
    sources = sources_of(values)
    return {
        "rollup_day": utc_day(values["created_at"]),
        "rollup_domain": email_domain(values["email"]),
        **{f"rollup_{kind}": sources[kind] for kind in SOURCE_KINDS},
    }


def started_ctes(new_signature: Any) -> list[Any]:
    """PostgreSQL: the upserts of ``started`` as CTEs of the signing statement, one row per
    row of ``new_signature`` (none for a repeat). Each reads the daily one's ``RETURNING``, so
    the daily row is locked first (see the module's lock order)."""
    daily_insert = insert_for(DailyCount.__table__, "postgresql").from_select(
        ["petition_id", "day", "started"],
        select(
            new_signature.c.petition_id, bindparam("rollup_day", type_=Date()), literal(1)
        ).select_from(new_signature),
        include_defaults=False,
    )
    daily = (
        upsert(daily_insert, DailyCount, ["started"])
        .returning(DailyCount.__table__.c.petition_id)
        .cte("daily_started")
    )
    sources = union_all(
        *[
            select(daily.c.petition_id, literal(kind), bindparam(f"rollup_{kind}"), literal(1))
            for kind in SOURCE_KINDS
        ]
    )
    source_insert = insert_for(SourceCount.__table__, "postgresql").from_select(
        ["petition_id", "kind", "value", "started"], sources, include_defaults=False
    )
    domain_insert = insert_for(DomainCount.__table__, "postgresql").from_select(
        ["petition_id", "domain", "started"],
        select(daily.c.petition_id, bindparam("rollup_domain"), literal(1)),
        include_defaults=False,
    )
    return [
        daily,
        upsert(source_insert, SourceCount, ["started"]).cte("sources_started"),
        upsert(domain_insert, DomainCount, ["started"]).cte("domain_started"),
    ]


def record_started(petition_id: int, params: dict[str, Any], delta: int = 1) -> None:
    """SQLite (no data-modifying CTE): a new signature's ``started`` counts, in three upserts."""
    add(DailyCount, [{"petition_id": petition_id, "day": params["rollup_day"], "started": delta}])
    add(
        SourceCount,
        [
            {"petition_id": petition_id, "kind": k, "value": v, "started": delta}
            for k, v in ((k, params[f"rollup_{k}"]) for k in SOURCE_KINDS)
        ],
    )
    add(
        DomainCount,
        [{"petition_id": petition_id, "domain": params["rollup_domain"], "started": delta}],
    )


def moved_start(signature: Signature, old: datetime, new: datetime) -> None:
    """A repeat restarted an unconfirmed signature's clock (``created_at``): its ``started``
    moves to the new day, if that is another."""
    if utc_day(old) != utc_day(new):
        add(
            DailyCount,
            [
                {"petition_id": signature.petition_id, "day": utc_day(new), "started": 1},
                {"petition_id": signature.petition_id, "day": utc_day(old), "started": -1},
            ],
        )


def record_confirmed(signature: Signature, moment: datetime) -> None:
    """A signature was confirmed at ``moment``: one more on its day, state, districts (the
    signer's, or possibly theirs for a split ZIP's candidates), sources, domain and version."""
    pid = signature.petition_id
    add(DailyCount, [{"petition_id": pid, "day": utc_day(moment), "confirmed": 1}])
    add(StateCount, [{"petition_id": pid, "state": signature.state or "", "confirmed": 1}])
    sd = SignatureDistrict
    candidate = sd.status == "candidate"
    districts = insert_for(DistrictCount.__table__).from_select(
        ["petition_id", "chamber", "state", "district", "confirmed", "possible"],
        select(
            literal(pid),
            sd.chamber,
            sd.state,
            sd.district,
            case((candidate, 0), else_=1),
            case((candidate, 1), else_=0),
        )
        .where(sd.signature_id == signature.id)
        .order_by(sd.chamber, sd.state, sd.district),
        include_defaults=False,
    )
    db.session.execute(upsert(districts, DistrictCount, ["confirmed", "possible"]))
    sources = sources_of({k: getattr(signature, k) for k in SOURCE_KINDS})
    add(
        SourceCount,
        [{"petition_id": pid, "kind": k, "value": v, "confirmed": 1} for k, v in sources.items()],
    )
    domain = email_domain(signature.email)
    add(DomainCount, [{"petition_id": pid, "domain": domain, "confirmed": 1}])
    if signature.version_id is not None:
        db.session.execute(
            update(PetitionVersion)
            .where(PetitionVersion.id == signature.version_id)
            .values(confirmed_count=PetitionVersion.confirmed_count + 1)
            .execution_options(synchronize_session=False)
        )


def record_settled(
    signature: Signature, chosen: Sequence[SignatureDistrict], dropped: Sequence[SignatureDistrict]
) -> None:
    """A confirmed signer picked among a split ZIP's candidates: the chosen districts move from
    possible to confirmed, the dropped ones lose their possible signer."""
    if signature.confirmed_at is None:
        return
    pid = signature.petition_id

    def row(d: SignatureDistrict, confirmed: int) -> dict[str, Any]:
        key = {"chamber": d.chamber, "state": d.state, "district": d.district}
        return {"petition_id": pid, **key, "confirmed": confirmed, "possible": -1}

    add(DistrictCount, [*(row(d, 1) for d in chosen), *(row(d, 0) for d in dropped)])


def record_districts_added(rows: Iterable[tuple[int, str, str, str, str]]) -> None:
    """Districts were recorded late (``fill_districts``) for confirmed signatures: rows of
    ``(petition_id, chamber, state, district, status)``."""
    add(
        DistrictCount,
        [
            {
                "petition_id": pid,
                "chamber": chamber,
                "state": state,
                "district": district,
                "confirmed": 0 if status == "candidate" else 1,
                "possible": 1 if status == "candidate" else 0,
            }
            for pid, chamber, state, district, status in rows
        ],
    )


def record_removed(rows: Iterable[Any]) -> None:
    """Unconfirmed signatures were deleted: rows with ``petition_id``, ``created_at``,
    ``email`` and the source columns (a ``DELETE … RETURNING``'s)."""
    daily, sources, domains = [], [], []
    for r in rows:
        pid = r.petition_id
        daily.append({"petition_id": pid, "day": utc_day(r.created_at), "started": -1})
        for kind in SOURCE_KINDS:
            value = getattr(r, kind) or ""
            sources.append({"petition_id": pid, "kind": kind, "value": value, "started": -1})
        domains.append({"petition_id": pid, "domain": email_domain(r.email), "started": -1})
    add(DailyCount, daily)
    add(SourceCount, sources)
    add(DomainCount, domains)


# --- rebuilding -----------------------------------------------------------------------------


def day_of(column: Any, dialect: str | None = None) -> Any:
    """The UTC date of a stored moment, in SQL."""
    if (dialect or _dialect()) == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


@dataclass
class RollupDrift:
    """One rollup of a petition whose stored rows differed from the signatures."""

    rollup: str
    rows_differing: int
    stored_total: int
    actual_total: int


def actual(petition_id: int) -> dict[Any, dict[tuple, dict[str, int]]]:
    """Every rollup of a petition computed from its signatures: model → key → counts."""
    s, sd = Signature, SignatureDistrict
    mine = s.petition_id == petition_id
    confirmed = case((s.confirmed_at.is_not(None), 1), else_=0)
    found: dict[Any, dict[tuple, dict[str, int]]] = {m: {} for m in COUNTED}

    def put(model: Any, key: tuple, **counts: int) -> None:
        row = found[model].setdefault(key, dict.fromkeys(COUNTED[model], 0))
        for c, n in counts.items():
            row[c] += int(n)

    created_day = day_of(s.created_at)
    for day, n in db.session.execute(
        select(created_day, func.count()).where(mine).group_by(created_day)
    ):
        put(DailyCount, (petition_id, _as_date(day)), started=n)
    confirmed_day = day_of(s.confirmed_at)
    for day, n in db.session.execute(
        select(confirmed_day, func.count())
        .where(mine, s.confirmed_at.is_not(None))
        .group_by(confirmed_day)
    ):
        put(DailyCount, (petition_id, _as_date(day)), confirmed=n)
    state = func.coalesce(s.state, "")
    for st, n in db.session.execute(
        select(state, func.count()).where(mine, s.confirmed_at.is_not(None)).group_by(state)
    ):
        put(StateCount, (petition_id, st), confirmed=n)
    candidate = sd.status == "candidate"
    for chamber, st, district, sure, maybe in db.session.execute(
        select(
            sd.chamber,
            sd.state,
            sd.district,
            func.sum(case((candidate, 0), else_=1)),
            func.sum(case((candidate, 1), else_=0)),
        )
        .join(s, s.id == sd.signature_id)
        .where(mine, s.confirmed_at.is_not(None))
        .group_by(sd.chamber, sd.state, sd.district)
    ):
        put(DistrictCount, (petition_id, chamber, st, district), confirmed=sure, possible=maybe)
    for kind in SOURCE_KINDS:
        value = func.coalesce(getattr(s, kind), "")
        for v, started, conf in db.session.execute(
            select(value, func.count(), func.sum(confirmed)).where(mine).group_by(value)
        ):
            put(SourceCount, (petition_id, kind, v), started=started, confirmed=conf)
    # The domain as email_domain() cuts it: lower-cased, after the first "@".
    at = (func.strpos if _dialect() == "postgresql" else func.instr)(s.email, "@")
    domain = func.lower(func.substr(s.email, at + 1))
    for d, started, conf in db.session.execute(
        select(domain, func.count(), func.sum(confirmed)).where(mine).group_by(domain)
    ):
        put(DomainCount, (petition_id, d[:254]), started=started, confirmed=conf)
    return found


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _key(model: Any, key: tuple) -> tuple:
    return (key[0], _as_date(key[1]), *key[2:]) if model is DailyCount else key


def stored(petition_id: int) -> dict[Any, dict[tuple, dict[str, int]]]:
    """A petition's rollups as stored: model → key → counts."""
    found: dict[Any, dict[tuple, dict[str, int]]] = {}
    for model, counted in COUNTED.items():
        table = model.__table__
        keys = [table.c[k] for k in _key_columns(model)]
        rows = db.session.execute(
            select(*keys, *[table.c[c] for c in counted]).where(table.c.petition_id == petition_id)
        )
        found[model] = {
            _key(model, tuple(r[: len(keys)])): dict(zip(counted, r[len(keys) :], strict=True))
            for r in rows
        }
    return found


def compare(
    have: dict[Any, dict[tuple, dict[str, int]]], want: dict[Any, dict[tuple, dict[str, int]]]
) -> list[RollupDrift]:
    """The rollups whose rows differ (a missing row counts as zeros; an all-zero row as none)."""
    drifts = []
    for model, counted in COUNTED.items():
        zero = dict.fromkeys(counted, 0)
        h, w = have.get(model, {}), want.get(model, {})
        differing = sum(1 for k in set(h) | set(w) if h.get(k, zero) != w.get(k, zero))
        if differing:
            drifts.append(
                RollupDrift(
                    model.__tablename__,
                    differing,
                    sum(sum(v.values()) for v in h.values()),
                    sum(sum(v.values()) for v in w.values()),
                )
            )
    return drifts


def versions_actual(petition_id: int) -> dict[int, int]:
    s = Signature
    rows = db.session.execute(
        select(s.version_id, func.count())
        .where(s.petition_id == petition_id, s.confirmed_at.is_not(None))
        .where(s.version_id.is_not(None))
        .group_by(s.version_id)
    )
    return {vid: n for vid, n in rows if vid is not None}


def rebuild(petition_id: int, fix: bool = True) -> list[RollupDrift]:
    """Compare a petition's rollups (and its versions' counts) with its signatures; with
    ``fix``, replace them with what the signatures say. The caller commits: one transaction
    per petition, so a reader sees the old rollups or the new ones."""
    want = actual(petition_id)
    drifts = compare(stored(petition_id), want)
    pv = PetitionVersion
    counts = versions_actual(petition_id)
    versions = db.session.execute(
        select(pv.id, pv.confirmed_count).where(pv.petition_id == petition_id)
    ).all()
    version_drift = [(vid, n) for vid, n in versions if counts.get(vid, 0) != n]
    if version_drift:
        drifts.append(
            RollupDrift(
                pv.__tablename__,
                len(version_drift),
                sum(n for _vid, n in versions),
                sum(counts.get(vid, 0) for vid, _n in versions),
            )
        )
    if fix and drifts:
        for model, rows in want.items():
            if model.__tablename__ not in {d.rollup for d in drifts}:
                continue
            db.session.execute(delete(model).where(model.petition_id == petition_id))
            keys = _key_columns(model)
            values = [
                {**dict(zip(keys, key, strict=True)), **counts_}
                for key, counts_ in sorted(rows.items())
                if any(counts_.values())
            ]
            for start in range(0, len(values), 2000):
                db.session.execute(insert_for(model.__table__).values(values[start : start + 2000]))
        for vid, _n in version_drift:
            db.session.execute(
                update(pv)
                .where(pv.id == vid)
                .values(confirmed_count=counts.get(vid, 0))
                .execution_options(synchronize_session=False)
            )
    return drifts

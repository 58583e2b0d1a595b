"""Petition use cases: signing, confirming, counting, milestones, closing and clean-up.

Each public function is one use case and ends in one commit. The signature counter is
moved only by ``_count_confirmation``'s atomic ``UPDATE … RETURNING``, so it stays exact
under any number of concurrent confirmations; ``recount`` audits it against the rows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql.dml import ReturningInsert

from advocacy.accounts.models import Membership, User
from advocacy.accounts.services import confirmed_member_id
from advocacy.core import row_tokens
from advocacy.core.db import rowcount, utcnow
from advocacy.core.errors import DomainError
from advocacy.core.notices import may_notify
from advocacy.core.text import normalise_email
from advocacy.core.zipcodes import city_from_address, state_for_zip
from advocacy.extensions import db
from advocacy.legislators import choices, lookup
from advocacy.legislators.models import DirectorySnapshot, ZipDistrict
from advocacy.mail import enqueue
from advocacy.petitions import cache, rollups
from advocacy.petitions.errors import InvalidToken, PetitionClosed
from advocacy.petitions.models import (
    MILESTONE_PERCENTS,
    Milestone,
    Petition,
    PetitionStatus,
    PetitionVersion,
    Signature,
    SignatureDistrict,
)

# The opt-in checkbox's label, rendered by the sign form and stored with each opt-in as
# ``consent_text``: what is recorded must be word for word what the signer ticked.
CONSENT_TEXT = "Keep me updated about this campaign by email"
TRACKING_FIELDS = ("ref", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass
class SignatureInput:
    first_name: str
    last_name: str
    email: str
    zip: str
    address: str | None = None
    comment: str | None = None
    public: bool = True
    opt_in: bool = False
    tracking: dict[str, str] = field(default_factory=dict)


@dataclass
class SignResult:
    """What the signer may be told. It never says whether the email had already signed."""

    petition: Petition
    needs_confirmation: bool
    # The new or existing row; only ever put into a masked token (core/embed_token.py).
    signature_id: int | None = None


@dataclass
class ConfirmResult:
    signature: Signature
    newly_confirmed: bool


# --- signing -----------------------------------------------------------------------------


def sign_petition(petition: Petition, data: SignatureInput) -> SignResult:
    """Record a signature, or answer a repeat, and queue the email that goes with it.

    A new email creates one signature (counted at once when the petition does not ask for
    confirmation). A repeat creates nothing: an unconfirmed one gets a fresh link, a
    confirmed one an "you have already signed" note, at most SIGN_NOTICES_PER_DAY emails
    per address and petition a day. The signer sees the same page in every case, so the
    form can be used neither to learn who signed nor to mail-bomb an address.

    On SQLite a write that still finds the database locked after the busy timeout is retried
    once, from the start: the transaction holds nothing then, so nothing is doubled.
    """
    try:
        return _sign(petition, data)
    except OperationalError as exc:
        if not _sqlite_locked(exc):
            raise
        db.session.rollback()
        return _sign(petition, data)


def _sqlite_locked(exc: OperationalError) -> bool:
    return db.session.get_bind().dialect.name == "sqlite" and "locked" in str(exc.orig)


def _sign(petition: Petition, data: SignatureInput) -> SignResult:
    close_if_expired(petition)
    if not petition.is_open:
        raise PetitionClosed("This petition is closed and no longer takes signatures.")

    email = normalise_email(data.email)
    values = _signature_values(petition, data, email)
    existing: Signature | None = None
    for _attempt in range(3):
        new_id = _insert_if_new(values)
        if new_id is not None:
            break
        # Taken (this email signed before, or is signing in parallel right now), or closed.
        existing = _find_signature(petition.id, email)
        if existing is not None:
            break
        if not _still_open(petition.id):
            raise PetitionClosed("This petition is closed and no longer takes signatures.")
    else:  # pragma: no cover - the row was purged between our insert and look-up, thrice
        raise RuntimeError("Could not record the signature; please try again.")
    if new_id is not None and db.session.get_bind().dialect.name != "postgresql":
        # PostgreSQL did both in the signing statement itself (_guarded_insert).
        _record_districts(new_id, data.zip[:5])
        rollups.record_started(petition.id, rollups.started_params(values))
    if new_id is not None:
        if petition.require_confirmation:
            # A transient copy of the new row, only for rendering the email and its token.
            _send_confirmation(Signature(id=new_id, **values), petition)
        else:
            signature = db.session.get_one(Signature, new_id)
            _count_confirmation(signature)
    elif existing is not None:
        _answer_repeat(petition, existing)
    signature_id = new_id if new_id is not None else existing.id if existing else None
    result = SignResult(petition, petition.require_confirmation, signature_id)  # before commit
    db.session.commit()
    return result


def _insert_if_new(values: dict) -> int | None:
    """Insert the signature if the email is new here and the petition is open.

    One statement, ``INSERT … SELECT … WHERE <petition open> ON CONFLICT DO NOTHING``: the
    unique constraint decides between parallel requests with one email, and the database,
    not a possibly stale copy of the petition, decides that it still takes signatures.
    Returns the new id, or None (already signed, or closed). The row is stamped with the
    petition's current version; on PostgreSQL the same statement records the districts and
    the rollups' ``started`` counts (``rollups.started_ctes``).
    """
    dialect = db.session.get_bind().dialect.name
    params = {**values, "now": utcnow(), "zip5": values["zip"][:5]}
    if dialect == "postgresql":
        params.update(rollups.started_params(values))
    return db.session.execute(_guarded_insert(dialect, tuple(values)), params).scalar()


_INSERTS: dict[tuple[str, tuple[str, ...]], Any] = {}


def _guarded_insert(dialect: str, columns: tuple[str, ...]) -> Any:
    key = (dialect, columns)
    if key not in _INSERTS:
        table = Signature.__table__
        petition_open = (
            select(Petition.id)
            .where(
                Petition.id == bindparam("petition_id"),
                Petition.status == PetitionStatus.OPEN,
                or_(Petition.deadline.is_(None), Petition.deadline > bindparam("now")),
            )
            .exists()
        )
        source = select(
            *[
                _directory_state() if c == "state" else bindparam(c, type_=table.c[c].type)
                for c in columns
            ],
            _current_version_id(),
        ).where(petition_open)
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement: ReturningInsert[Any] | Select[Any] = (
            insert(table)
            .from_select([*columns, "version_id"], source)
            .on_conflict_do_nothing(index_elements=["petition_id", "email"])
            .returning(table.c.id, table.c.petition_id)
        )
        if dialect == "postgresql":
            # The districts and the rollups go in with the signature, in the same statement
            # (data-modifying CTEs; SQLite has none, so there _record_districts and
            # rollups.record_started run after it, in-process).
            new = statement.cte("new_signature")
            districts = _districts_insert(new).cte("districts")
            statement = select(new.c.id).add_cte(districts, *rollups.started_ctes(new))
        _INSERTS[key] = statement
    return _INSERTS[key]


def _current_version_id() -> Any:
    """The id of the petition's current text (None before versions: the unique
    ``(petition_id, number)`` index finds it)."""
    pv = PetitionVersion
    return (
        select(pv.id)
        .join(Petition, and_(Petition.id == pv.petition_id, Petition.version == pv.number))
        .where(pv.petition_id == bindparam("petition_id"))
        .scalar_subquery()
    )


def _directory_state() -> Any:
    """The signature's state: the directory's, when the ZIP lies in one state (it knows ZIPs
    that cross a state line better than the USPS prefix), else the prefix's (``:state``)."""
    zd, snap = ZipDistrict, DirectorySnapshot
    only_state = (
        select(case((func.count(func.distinct(zd.state)) == 1, func.min(zd.state))))
        .join(snap, and_(snap.id == zd.snapshot_id, snap.active))
        .where(zd.zip == bindparam("zip5"))
        .scalar_subquery()
    )
    return func.coalesce(only_state, bindparam("state", type_=Signature.__table__.c.state.type))


def _districts_insert(new_signature: Any = None) -> Any:
    """``INSERT INTO signature_districts SELECT <id>, … FROM <the ZIP's districts>``; the id
    is ``:signature_id``, or each row of ``new_signature`` (a CTE of inserted ids)."""
    zd, snap = ZipDistrict, DirectorySnapshot
    per_chamber = func.count().over(partition_by=zd.chamber)
    columns = (
        zd.chamber,
        zd.state,
        zd.district,
        case((per_chamber == 1, "matched"), else_="candidate"),
        zd.share,
    )
    if new_signature is None:
        source = select(bindparam("signature_id"), *columns).select_from(zd)
    else:
        source = select(new_signature.c.id, *columns).join_from(new_signature, zd, true())
    source = source.join(snap, and_(snap.id == zd.snapshot_id, snap.active)).where(
        zd.zip == bindparam("zip5")
    )
    return insert(SignatureDistrict.__table__).from_select(
        ["signature_id", "chamber", "state", "district", "status", "share"], source
    )


_DISTRICTS_INSERT = _districts_insert()


def _record_districts(signature_id: int, zip5: str) -> None:
    """Keep the districts the signer's ZIP lies in with the signature (see SignatureDistrict):
    ``matched`` when the ZIP is in one district of a chamber, ``candidate`` for each of several.

    One ``INSERT … SELECT`` from the directory (its primary key index); a ZIP it does not know
    records nothing, and the signature stands regardless.
    """
    db.session.execute(_DISTRICTS_INSERT, {"signature_id": signature_id, "zip5": zip5})


def _still_open(petition_id: int) -> bool:
    status, deadline = db.session.execute(
        select(Petition.status, Petition.deadline).where(Petition.id == petition_id)
    ).one()
    return status is PetitionStatus.OPEN and (deadline is None or deadline > utcnow())


def _find_signature(petition_id: int, email: str) -> Signature | None:
    return db.session.scalar(
        select(Signature).where(Signature.petition_id == petition_id, Signature.email == email)
    )


def _signature_values(petition: Petition, data: SignatureInput, email: str) -> dict:
    state = state_for_zip(data.zip)  # the INSERT prefers the directory's (_directory_state)
    now = utcnow()
    tracking = {k: v[:100] for k, v in data.tracking.items() if k in TRACKING_FIELDS and v}
    return dict(
        petition_id=petition.id,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=email,
        zip=data.zip,
        address=(data.address or "").strip() or None,
        city=city_from_address(data.address, state),
        state=state,
        comment=(data.comment or "").strip() or None,
        public=data.public,
        opt_in=data.opt_in,
        consent_text=CONSENT_TEXT if data.opt_in else None,
        consent_at=now if data.opt_in else None,
        created_at=now,
        confirmation_sent_at=now if petition.require_confirmation else None,
        # The confirmation email is the first notice of the day to this address.
        notices_sent=1 if petition.require_confirmation else 0,
        notices_since=now if petition.require_confirmation else None,
        **tracking,
    )


def _may_notify(signature_id: int) -> bool:
    """Count one more notice email to this signature's address, if its day allows one
    (``core.notices``: one conditional UPDATE, so parallel repeats cannot both slip under)."""
    return may_notify(Signature.__table__, signature_id, current_app.config["SIGN_NOTICES_PER_DAY"])


def _answer_repeat(petition: Petition, signature: Signature) -> None:
    if not _may_notify(signature.id):
        return  # the same "check your inbox" page; nothing is sent
    if signature.is_confirmed:
        enqueue(
            "already_signed",
            signature.email,
            "already_signed",
            petition=petition,
            signature=signature,
            petition_url=_external("petitions.show", slug=petition.slug),
        )
    elif petition.require_confirmation:
        # Restart the expiry clock: the signer is still trying.
        restarted = utcnow()
        rollups.moved_start(signature, signature.created_at, restarted)
        signature.created_at = signature.confirmation_sent_at = restarted
        _send_confirmation(signature, petition)
    else:  # confirmation was switched off after this signature was made
        _count_confirmation(signature)


def _send_confirmation(signature: Signature, petition: Petition) -> None:
    enqueue(
        "confirm_signature",
        signature.email,
        "confirm_signature",
        petition=petition,
        signature=signature,
        confirm_url=_external("petitions.confirm", token=make_token(signature)),
        expires_days=current_app.config["SIGNATURE_CONFIRM_DAYS"],
    )


# --- districts --------------------------------------------------------------------------


def district_choices(signature: Signature) -> dict[str, list[SignatureDistrict]]:
    """The chambers where the signer's ZIP left several candidate districts, and those."""
    return choices.open_choices(signature.districts)


def fill_districts(petition_id: int | None = None, batch: int = 5000) -> int:
    """Record districts for signatures that have none yet (made before a directory was
    loaded, or bulk-loaded); returns the rows added.

    Each distinct ZIP is looked up once (one indexed query) and the rows go in with bulk
    inserts, committed per batch of signatures, so a million signatures take minutes, not
    hours, and an interrupted run resumes where it stopped.
    """
    sig, sd = Signature, SignatureDistrict
    pending = select(sig.id, sig.zip, sig.petition_id, sig.confirmed_at).where(
        ~select(sd.signature_id).where(sd.signature_id == sig.id).exists()
    )
    if petition_id is not None:
        pending = pending.where(sig.petition_id == petition_id)
    by_zip: dict[str, Sequence[Any]] = {}
    added = 0
    last_id = 0
    while True:
        signatures = db.session.execute(
            pending.where(sig.id > last_id).order_by(sig.id).limit(batch)
        ).all()
        if not signatures:
            return added
        last_id = signatures[-1].id
        rows: list[dict[str, Any]] = []
        counted: list[tuple[int, str, str, str, str]] = []
        for signature_id, zip_code, petition_of, confirmed_at in signatures:
            zip5 = zip_code[:5]
            if zip5 not in by_zip:
                by_zip[zip5] = lookup.districts_for_zip(zip5)
            districts = by_zip[zip5]
            per_chamber = Counter(d.chamber for d in districts)
            new = [
                {
                    "signature_id": signature_id,
                    "chamber": d.chamber,
                    "state": d.state,
                    "district": d.district,
                    "share": d.share,
                    "status": "matched" if per_chamber[d.chamber] == 1 else "candidate",
                }
                for d in districts
            ]
            rows.extend(new)
            if confirmed_at is not None:  # counted already: its districts join the rollup
                counted.extend(
                    (petition_of, r["chamber"], r["state"], r["district"], r["status"]) for r in new
                )
        if rows:
            db.session.execute(insert(sd.__table__), rows)
            rollups.record_districts_added(counted)
        db.session.commit()
        added += len(rows)


def choose_districts(signature: Signature, picks: dict[str, str]) -> int:
    """Keep the candidate district the signer picked in each chamber; drop the others.

    ``picks`` maps a chamber to a district key (``"NY-12"``) among its candidates. A
    key that is not a candidate raises DomainError and nothing changes. Returns how many
    chambers were settled.
    """
    settled = settle_districts(signature, picks)
    db.session.commit()
    return settled


def settle_districts(signature: Signature, picks: dict[str, str]) -> int:
    """``choose_districts`` without the commit, for a caller's own use case (a letter writer's
    choice settles the signature's too): the district rollup follows in the transaction."""
    dropped: list[SignatureDistrict] = []

    def drop(row: SignatureDistrict) -> None:
        dropped.append(row)
        db.session.delete(row)

    before = {id(row) for row in signature.districts if row.status == "candidate"}
    settled = choices.settle(signature.districts, picks, drop)
    chosen = [r for r in signature.districts if r.status == "chosen" and id(r) in before]
    rollups.record_settled(signature, chosen, dropped)
    return settled


# --- confirmation tokens -----------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="signature-confirm")


_email_digest = row_tokens.email_digest


def make_token(signature: Signature) -> str:
    """A signed link token bound to this signature's id and email."""
    return _serializer().dumps([signature.id, _email_digest(signature.email)])


def signature_for_token(token: str) -> Signature:
    """The signature a confirmation token names, or InvalidToken."""
    max_age = int(timedelta(days=current_app.config["SIGNATURE_CONFIRM_DAYS"]).total_seconds())
    try:
        signature_id, digest = row_tokens.decode(_serializer(), token, max_age)
    except row_tokens.Expired as exc:
        raise InvalidToken("This confirmation link has expired. Please sign again.") from exc
    except row_tokens.Invalid as exc:
        raise InvalidToken("This confirmation link is not valid.") from exc
    signature = db.session.get(Signature, signature_id)
    if signature is None or _email_digest(signature.email) != digest:
        raise InvalidToken("This confirmation link is not valid. Please sign again.")
    return signature


def confirm_signature(token: str) -> ConfirmResult:
    """Confirm the signature a link names; confirming twice changes nothing."""
    signature = signature_for_token(token)
    if signature.is_confirmed:
        return ConfirmResult(signature, newly_confirmed=False)
    petition = signature.petition
    close_if_expired(petition)
    if not petition.is_open:
        raise PetitionClosed("This petition closed before your signature was confirmed.")
    counted = _count_confirmation(signature)
    db.session.commit()
    return ConfirmResult(signature, newly_confirmed=counted)


def _count_confirmation(signature: Signature) -> bool:
    """Mark confirmed and move the counter and the rollups, atomically; False if another
    request beat us. The rollups go first: signing locks its day's rollup row before the
    counter too (a petition that does not ask for confirmation), so the order is the same."""
    now = utcnow()
    marked = db.session.execute(
        update(Signature)
        .where(Signature.id == signature.id, Signature.confirmed_at.is_(None))
        # A confirmed member's email: the signature joins their history (profile.history).
        .values(confirmed_at=now, user_id=confirmed_member_id(Signature.email))
        .execution_options(synchronize_session=False)
    )
    if rowcount(marked) != 1:
        db.session.refresh(signature)
        return False
    rollups.record_confirmed(signature, now)
    count, goal = db.session.execute(
        update(Petition)
        .where(Petition.id == signature.petition_id)
        .values(signature_count=Petition.signature_count + 1, updated_at=now)
        .returning(Petition.signature_count, Petition.goal)
        .execution_options(synchronize_session=False)
    ).one()
    db.session.execute(
        update(Signature)
        .where(Signature.id == signature.id)
        .values(signer_number=count)
        .execution_options(synchronize_session=False)
    )
    petition = signature.petition
    _record_milestones(petition, goal, count - 1, count)
    db.session.refresh(signature)
    db.session.refresh(petition)
    cache.invalidate(petition.slug)
    return True


# --- milestones --------------------------------------------------------------------------


def _record_milestones(petition: Petition, goal: int, before: int, after: int) -> None:
    """Record each 25/50/75/100 % of ``goal`` that this step crossed, once, and tell organizers.

    ``before``/``after`` come from the atomic counter update, so exactly one confirmation
    crosses each threshold; the unique constraint guards against any replay.
    """
    for percent in MILESTONE_PERCENTS:
        threshold = math.ceil(goal * percent / 100)
        if not before < threshold <= after:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    Milestone(
                        petition_id=petition.id, goal=goal, percent=percent, signature_count=after
                    )
                )
        except IntegrityError:
            continue
        new_goal = None
        if percent == 100 and petition.goal_step:
            new_goal = goal + petition.goal_step
            db.session.execute(
                update(Petition)
                .where(Petition.id == petition.id, Petition.goal == goal)
                .values(goal=new_goal, previous_goal=goal)
                .execution_options(synchronize_session=False)
            )
        for organizer in organizers_of(petition):
            enqueue(
                "milestone",
                organizer.email,
                "milestone",
                petition=petition,
                organizer=organizer,
                percent=percent,
                goal=goal,
                count=after,
                new_goal=new_goal,
                petition_url=_external("petitions.show", slug=petition.slug),
            )


def organizers_of(petition: Petition) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == petition.organization_id, User.active)
            .order_by(User.id)
        )
    )


# --- counting, closing, clean-up ---------------------------------------------------------


@dataclass
class Drift:
    """A petition whose counter or rollups differed from its signatures."""

    slug: str
    stored: int
    actual: int
    rollups: list[rollups.RollupDrift] = field(default_factory=list)

    @property
    def counter_drifted(self) -> bool:
        return self.stored != self.actual


def recount(slug: str | None = None, fix: bool = True) -> list[Drift]:
    """Recompute each petition's counter and rollups from its signatures; return what had
    drifted, fixed unless ``fix`` is False. One transaction per petition."""
    confirmed = (
        select(func.count(Signature.id))
        .where(Signature.petition_id == Petition.id, Signature.confirmed_at.is_not(None))
        .scalar_subquery()
    )
    query = select(Petition.id)
    if slug:
        query = query.where(Petition.slug == slug)
    drifts = []
    for petition_id in db.session.scalars(query.order_by(Petition.id)).all():
        # Take today's daily row, then the petition row: confirmations and signing lock that
        # day row first, so none runs alongside the rebuild and none deadlocks with it.
        rollups.lock_day(petition_id, rollups.utc_day(utcnow()))
        pslug, stored, actual = db.session.execute(
            select(Petition.slug, Petition.signature_count, confirmed)
            .where(Petition.id == petition_id)
            .with_for_update(of=Petition.__table__)
        ).one()
        found = rollups.rebuild(petition_id, fix=fix)
        if stored != actual and fix:
            db.session.execute(
                update(Petition)
                .where(Petition.id == petition_id)
                .values(signature_count=confirmed, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        if fix:
            db.session.commit()
        else:
            db.session.rollback()
        if stored != actual or found:
            drifts.append(Drift(pslug, stored, actual, found))
            cache.invalidate(pslug)
    return drifts


def close_if_expired(petition: Petition) -> None:
    """Persist the closure of an open petition whose deadline has passed."""
    if petition.status is PetitionStatus.OPEN and petition.deadline_passed():
        close_expired(now=utcnow())
        if petition in db.session:
            db.session.refresh(petition)


def close_expired(now: datetime | None = None) -> int:
    """Close every open petition whose deadline has passed; returns how many."""
    now = now or utcnow()
    closed = (
        db.session.execute(
            update(Petition)
            .where(Petition.status == PetitionStatus.OPEN, Petition.deadline <= now)
            .values(status=PetitionStatus.CLOSED, closed_at=now, updated_at=now)
            .returning(Petition.slug)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    db.session.commit()
    for slug in closed:
        cache.invalidate(slug)
    return len(closed)


def purge_unconfirmed(now: datetime | None = None) -> int:
    """Delete signatures left unconfirmed past ``SIGNATURE_CONFIRM_DAYS``; returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SIGNATURE_CONFIRM_DAYS"])
    return sum(purge_unconfirmed_before(cutoff))


def unconfirmed_before(cutoff: datetime) -> Any:
    """The condition of a signature nobody confirmed, made before ``cutoff``."""
    return Signature.confirmed_at.is_(None) & (Signature.created_at < cutoff)


def purge_unconfirmed_before(cutoff: datetime, batch: int = 1000) -> Iterator[int]:
    """Delete unconfirmed signatures made before ``cutoff``, ``batch`` at a time, one
    transaction each; yields each batch's count after its commit.

    Each batch takes its petitions' daily rows of today first, as signing and confirming do,
    so it never deadlocks with them on the source or domain rollups it takes ``started``
    back from. Confirmed counts never move: only unconfirmed rows go. Safe to run twice.
    """
    s = Signature
    today = rollups.utc_day(utcnow())
    last = 0
    while True:
        ids = db.session.scalars(
            select(s.id).where(unconfirmed_before(cutoff), s.id > last).order_by(s.id).limit(batch)
        ).all()
        if not ids:
            return
        last = ids[-1]
        for petition_id in db.session.scalars(
            select(s.petition_id).where(s.id.in_(ids)).distinct().order_by(s.petition_id)
        ).all():
            rollups.lock_day(petition_id, today)
        gone = db.session.execute(
            delete(s)
            # Checked again: a repeat may have confirmed or restarted one since the read.
            .where(s.id.in_(ids), unconfirmed_before(cutoff))
            .returning(s.petition_id, s.created_at, s.email, s.ref, s.utm_source, s.utm_campaign)
            .execution_options(synchronize_session=False)
        ).all()
        rollups.record_removed(gone)  # in the same transaction: started −1 where they were
        db.session.commit()
        yield len(gone)
        if len(ids) < batch:
            return


# --- reading -----------------------------------------------------------------------------


def get_public_petition(slug: str) -> Petition | None:
    """A petition the public may see (anything but a draft), or None."""
    petition = db.session.scalar(select(Petition).where(Petition.slug == slug))
    if petition is None or not petition.is_public:
        return None
    return petition


def recent_signers(petition: Petition, limit: int) -> list[Signature]:
    return list(
        db.session.scalars(
            select(Signature)
            .where(
                Signature.petition_id == petition.id,
                Signature.confirmed_at.is_not(None),
                Signature.public,
            )
            .order_by(Signature.confirmed_at.desc())
            .limit(limit)
        )
    )


def open_petitions() -> list[Petition]:
    return list(
        db.session.scalars(
            select(Petition)
            .where(
                Petition.status == PetitionStatus.OPEN,
                (Petition.deadline.is_(None)) | (Petition.deadline > utcnow()),
            )
            .order_by(Petition.published_at.desc().nulls_last(), Petition.id.desc())
        )
    )


# --- listing and search -------------------------------------------------------------------

LISTED = ("open", "won", "closed")
SEARCH_MAX = 200
PAGE_SIZE = 12
MAX_PAGE = 10_000  # a page number from the query string stays a sane OFFSET


def _paginate(query: Any, page: int, per_page: int):
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)


def _expired() -> Any:
    return and_(Petition.deadline.is_not(None), Petition.deadline <= utcnow())


def _effectively(status: str) -> Any:
    """Rows whose status the public sees as ``status``: past its deadline, open is closed."""
    if status == "open":
        return and_(Petition.status == PetitionStatus.OPEN, ~_expired())
    if status == "closed":
        return or_(
            Petition.status == PetitionStatus.CLOSED,
            and_(Petition.status == PetitionStatus.OPEN, _expired()),
        )
    return Petition.status == PetitionStatus.WON


def _listing_order(status: str) -> tuple[Any, ...]:
    if status == "open":
        return (Petition.published_at.desc().nulls_last(), Petition.id.desc())
    ended = func.coalesce(Petition.closed_at, Petition.deadline, Petition.published_at)
    return (ended.desc().nulls_last(), Petition.id.desc())


def petitions_with_status(status: str, page: int = 1, per_page: int = PAGE_SIZE):
    """One page of the public petitions the public sees as ``status`` (open, won, closed),
    most recently ended (or published, for open ones) first. A Flask-SQLAlchemy Pagination."""
    if status not in LISTED:
        raise ValueError(status)
    query = select(Petition).where(_effectively(status)).order_by(*_listing_order(status))
    return _paginate(query, page, per_page)


def recently_ended(status: str, limit: int) -> tuple[list[Petition], int]:
    """The home page's short lists of victories and closed petitions, and how many there are."""
    page = petitions_with_status(status, 1, limit)
    return list(page.items), page.total or 0


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_CONTROL = dict.fromkeys([*range(32), 127], " ")  # str.translate: control → space


def search_words(q: str) -> list[str]:
    """The distinct words of a query, in order, ignoring case. Control characters separate
    words: no title holds one, and PostgreSQL refuses a NUL in a parameter."""
    seen: dict[str, str] = {}
    for word in q.translate(_CONTROL).split():
        seen.setdefault(word.casefold(), word)
    return list(seen.values())


def search_petitions(q: str, page: int = 1, per_page: int = PAGE_SIZE):
    """Public petitions whose title holds every word of ``q``, case-insensitively; ``%`` and
    ``_`` are letters here, not wildcards. Open petitions first, then the newest.

    A sequential scan of titles, which is fine for the hundreds of petitions a site has.
    """
    if len(q) > SEARCH_MAX:
        raise DomainError(
            f"Search with at most {SEARCH_MAX} characters: a few words from the title are enough.",
            field="q",
        )
    words = search_words(q)
    if not words:
        raise DomainError("Type a few words from a petition’s title to search.", field="q")
    query = (
        select(Petition)
        .where(
            Petition.status != PetitionStatus.DRAFT,
            *(Petition.title.ilike(f"%{_like_escape(w)}%", escape="\\") for w in words),
        )
        .order_by(
            case((_effectively("open"), 0), else_=1),
            Petition.published_at.desc().nulls_last(),
            Petition.id.desc(),
        )
    )
    return _paginate(query, page, per_page)


def _external(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)

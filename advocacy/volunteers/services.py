"""Volunteers: sign up (confirmed by email), confirm, withdraw; what organizers see.

Each use case ends in one commit; helpers only flush. The sign-up form answers "check your
inbox" whatever we hold about the address, and the email it sends depends only on the
request: a link confirming these details. A pending row takes the new details at once; a
confirmed row keeps its details and holds the new ones in ``proposed`` until that link is
followed, so someone typing another person's address can change nothing. Past
``SIGN_NOTICES_PER_DAY`` emails per row a day nothing is sent (``core.notices``).

Withdrawing deletes the row (and its states): an organisation has no reason to keep a
volunteer who withdrew, and nothing else points at the row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from advocacy import mail
from advocacy.accounts.links import INVALID, LinkError
from advocacy.accounts.models import Organization
from advocacy.accounts.services import check_email
from advocacy.core import row_tokens
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.notices import may_notify
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.legislators.importer import STATES
from advocacy.volunteers.models import Volunteer, VolunteerRole, VolunteerState, volunteers_table

AVAILABILITY = {
    "few_hours": "A few hours a week",
    "part_time": "Part time",
    "full_time": "Full time",
    "emergencies": "In emergencies only",
}
WITHDRAW_YEARS = 10  # a withdrawal link keeps working as long as anyone keeps the email


def consent_text(organization: Organization) -> str:
    """What the form shows beside the consent box, stored word for word."""
    return (
        f"{organization.name} may contact me by email about volunteering in the states I "
        "chose, and may share my details with the programmes it matches me to. I can withdraw "
        "at any time from a link in any email."
    )


@dataclass(frozen=True)
class VolunteerInput:
    """What a sign-up form gave, checked for shape."""

    name: str
    email: str
    states: Sequence[str]
    role: str
    credentials: str = ""
    availability: str = "few_hours"
    availability_note: str = ""
    telehealth: bool = False


def _checked(data: VolunteerInput) -> VolunteerInput:
    """The rules the form's shape does not already guarantee (services may be called alone)."""
    name = data.name.strip()
    if not name or len(name) > 200:
        raise DomainError("Enter a name of up to 200 characters.", "name")
    states = sorted(set(data.states))
    if not states:
        raise DomainError("Choose at least one state.", "states")
    if any(state not in STATES for state in states):
        raise DomainError("Choose states from the list.", "states")
    if data.role not in {r.value for r in VolunteerRole}:
        raise DomainError("Choose a role from the list.", "role")
    if data.availability not in AVAILABILITY:
        raise DomainError("Choose your availability from the list.", "availability")
    if len(data.credentials) > 500:
        raise DomainError("Keep this to 500 characters.", "credentials")
    if len(data.availability_note) > 300:
        raise DomainError("Keep this to 300 characters.", "availability_note")
    return VolunteerInput(
        name=name,
        email=check_email(data.email),
        states=states,
        role=data.role,
        credentials=data.credentials.strip(),
        availability=data.availability,
        availability_note=data.availability_note.strip(),
        telehealth=bool(data.telehealth),
    )


def _apply(row: Volunteer, data: VolunteerInput) -> None:
    row.name = data.name
    row.role = VolunteerRole(data.role)
    row.credentials = data.credentials
    row.availability = data.availability
    row.availability_note = data.availability_note
    row.telehealth = data.telehealth
    # Core statements, not the collection: the caller holds the row's lock, so these see
    # the states as they are now, not as this session loaded them before it waited.
    db.session.execute(delete(VolunteerState).where(VolunteerState.volunteer_id == row.id))
    db.session.execute(
        insert(VolunteerState), [{"volunteer_id": row.id, "state": s} for s in data.states]
    )
    db.session.expire(row, ["states"])


def _row(email: str, organization_id: int) -> Volunteer | None:
    return db.session.scalar(
        select(Volunteer).where(
            Volunteer.email == email, Volunteer.organization_id == organization_id
        )
    )


def _row_for(data: VolunteerInput, organization: Organization) -> Volunteer:
    """The pair's row, made pending with these details (its states come with ``_apply``) if
    there is none (``ON CONFLICT DO NOTHING``: two sign-ups at once make one row)."""
    upsert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    db.session.execute(
        upsert(Volunteer)
        .values(
            email=data.email,
            organization_id=organization.id,
            name=data.name,
            role=VolunteerRole(data.role),
            credentials=data.credentials,
            availability=data.availability,
            availability_note=data.availability_note,
            telehealth=data.telehealth,
            consent_text=consent_text(organization),
            requested_at=now,
            created_at=now,
            notices_sent=0,
        )
        .on_conflict_do_nothing(index_elements=["email", "organization_id"])
    )
    row = _row(data.email, organization.id)
    assert row is not None  # inserted just now, or there already
    return row


# --- signed links ----------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"volunteer-{purpose}")


def _confirm_state(row: Volunteer) -> str:
    # Bound to the request it answers: signing up again voids the older links.
    return f"{row.email}|{row.requested_at.timestamp():.6f}"


def confirm_token(row: Volunteer) -> str:
    return row_tokens.encode(_serializer("confirm"), row.id, _confirm_state(row))


def withdraw_token(row: Volunteer) -> str:
    return row_tokens.encode(_serializer("withdraw"), row.id, row.email)


def _from_token(purpose: str, token: str, max_age: int, state: Any) -> Volunteer:
    try:
        row_id, digest = row_tokens.decode(_serializer(purpose), token, max_age)
    except row_tokens.Expired as exc:
        raise LinkError("This link has expired. Sign up again for a new one.") from exc
    except row_tokens.Invalid as exc:
        raise LinkError(INVALID) from exc
    # Locked (PostgreSQL) and read fresh: a link clicked twice at once applies once.
    row = db.session.get(Volunteer, row_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise LinkError("There is no sign-up behind this link: it was withdrawn, or replaced.")
    if row_tokens.email_digest(state(row)) != digest:
        raise LinkError(INVALID)
    return row


def volunteer_to_confirm(token: str) -> Volunteer:
    """The volunteer a confirmation link is for; ``LinkError`` for a forged, expired or
    replaced link, or one whose sign-up was withdrawn."""
    days = current_app.config["ACCOUNT_CONFIRM_DAYS"]
    return _from_token("confirm", token, int(timedelta(days=days).total_seconds()), _confirm_state)


def volunteer_to_withdraw(token: str) -> Volunteer:
    """The volunteer a withdrawal link is for; ``LinkError`` once withdrawn, or forged."""
    max_age = int(timedelta(days=365 * WITHDRAW_YEARS).total_seconds())
    return _from_token("withdraw", token, max_age, lambda row: row.email)


# --- use cases -------------------------------------------------------------------------------


def sign_up(data: VolunteerInput, organization: Organization) -> str:
    """Offer to help ``organization``: email a link confirming these details. Returns the
    normalised address; the caller shows the same page whatever the address had before."""
    data = _checked(data)
    row = _row_for(data, organization)
    if not may_notify(volunteers_table, row.id, current_app.config["SIGN_NOTICES_PER_DAY"]):
        db.session.rollback()  # nothing is sent, so nothing changes (a new row stays unmade)
        return data.email
    # may_notify's UPDATE locks the row until this commits: read it again, as it is now.
    db.session.refresh(row)
    if row.confirmed_at is None:
        _apply(row, data)
        row.proposed = None
        row.consent_text = consent_text(organization)
    else:
        row.proposed = json.dumps(asdict(data) | {"states": list(data.states)})
    row.requested_at = utcnow()
    db.session.flush()
    mail.enqueue(
        "volunteer_confirm",
        row.email,
        "volunteer_confirm",
        organization=organization,
        details=summary(data),
        consent=row.consent_text,
        update=row.confirmed_at is not None,
        confirm_url=url_for("volunteers.confirm", token=confirm_token(row), _external=True),
        withdraw_url=withdraw_url(row),
        expires_days=current_app.config["ACCOUNT_CONFIRM_DAYS"],
    )
    db.session.commit()
    return data.email


def confirm_volunteer(token: str) -> Volunteer:
    """Follow a confirmation link: the details it was sent for are the volunteer's, and the
    organisation's organizers see them (again: no change). ``LinkError`` as
    ``volunteer_to_confirm``."""
    row = volunteer_to_confirm(token)
    changed = row.proposed is not None
    if row.proposed is not None:
        _apply(row, VolunteerInput(**json.loads(row.proposed)))
        row.proposed = None
        row.consent_text = consent_text(row.organization)  # agreed to again, as now worded
    if changed or row.confirmed_at is None:
        row.confirmed_at = utcnow()
    db.session.commit()
    return row


def pending_details(row: Volunteer) -> VolunteerInput | Volunteer:
    """What following the row's confirmation link would make its details."""
    return VolunteerInput(**json.loads(row.proposed)) if row.proposed else row


def withdraw(token: str) -> Organization:
    """Delete the volunteer a withdrawal link is for; the organisation they left."""
    row = volunteer_to_withdraw(token)
    organization = row.organization
    db.session.delete(row)
    db.session.commit()
    return organization


def withdraw_url(row: Volunteer) -> str:
    return url_for("volunteers.withdraw", token=withdraw_token(row), _external=True)


def summary(data: VolunteerInput | Volunteer) -> list[tuple[str, str]]:
    """The details as (label, text) pairs, for the emails and pages."""
    states = data.state_codes if isinstance(data, Volunteer) else list(data.states)
    return [
        ("Name", data.name),
        ("States", ", ".join(states)),
        ("Role", VolunteerRole(data.role).label),
        ("Licence or certification", data.credentials or "—"),
        ("Availability", AVAILABILITY.get(data.availability, data.availability)),
        ("Availability notes", data.availability_note or "—"),
        ("Telehealth", "Yes" if data.telehealth else "No"),
    ]


# --- what organizers see ---------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    role: str | None = None
    telehealth: bool | None = None
    confirmed: bool | None = None


def _filtered(organization_id: int, filters: Filters) -> Select[Any]:
    query = select(Volunteer).where(Volunteer.organization_id == organization_id)
    if filters.state:
        query = query.where(
            Volunteer.id.in_(
                select(VolunteerState.volunteer_id).where(VolunteerState.state == filters.state)
            )
        )
    if filters.role:
        query = query.where(Volunteer.role == VolunteerRole(filters.role))
    if filters.telehealth is not None:
        query = query.where(Volunteer.telehealth.is_(filters.telehealth))
    if filters.confirmed is True:
        query = query.where(Volunteer.confirmed_at.is_not(None))
    elif filters.confirmed is False:
        query = query.where(Volunteer.confirmed_at.is_(None))
    return query


def volunteers(organization_id: int, filters: Filters, limit: int = 500) -> list[Volunteer]:
    query = _filtered(organization_id, filters).order_by(Volunteer.name, Volunteer.id)
    return list(db.session.scalars(query.limit(limit)))


def count(organization_id: int, filters: Filters) -> int:
    query = _filtered(organization_id, filters).with_only_columns(func.count())
    return db.session.scalar(query.order_by(None)) or 0


def by_state(organization_id: int) -> list[tuple[str, int]]:
    """Confirmed volunteers per state, most first."""
    rows = db.session.execute(
        select(VolunteerState.state, func.count())
        .join(Volunteer, Volunteer.id == VolunteerState.volunteer_id)
        .where(Volunteer.organization_id == organization_id, Volunteer.confirmed_at.is_not(None))
        .group_by(VolunteerState.state)
        .order_by(func.count().desc(), VolunteerState.state)
    )
    return [(state, n) for state, n in rows]


def by_role(organization_id: int) -> list[tuple[VolunteerRole, int]]:
    """Confirmed volunteers per role, most first."""
    rows = db.session.execute(
        select(Volunteer.role, func.count())
        .where(Volunteer.organization_id == organization_id, Volunteer.confirmed_at.is_not(None))
        .group_by(Volunteer.role)
        .order_by(func.count().desc())
    )
    return [(role, n) for role, n in rows]


CSV_HEADER = (
    "name", "email", "states", "role", "licence_or_certification", "availability",
    "availability_notes", "telehealth", "consent_text", "signed_up_at", "confirmed_at",
)  # fmt: skip


def export_rows(organization_id: int, filters: Filters) -> Iterator[Sequence[object]]:
    """The CSV rows: only confirmed volunteers (each consented on the form), whatever the
    ``confirmed`` filter says; read in batches so memory stays flat."""
    query = _filtered(organization_id, Filters(filters.state, filters.role, filters.telehealth))
    query = query.where(Volunteer.confirmed_at.is_not(None)).order_by(Volunteer.id)
    for row in db.session.scalars(query.execution_options(yield_per=500)):
        yield (
            row.name, row.email, " ".join(row.state_codes), row.role.label, row.credentials,
            AVAILABILITY.get(row.availability, row.availability), row.availability_note,
            row.telehealth, row.consent_text, row.created_at, row.confirmed_at,
        )  # fmt: skip


# --- the lead's "download my data" / "delete my account" -------------------------------------


def member_data(email: str) -> dict[str, Any]:
    """Everything this domain holds about ``email``, JSON-serialisable."""
    rows = db.session.scalars(
        select(Volunteer).where(Volunteer.email == normalise_email(email)).order_by(Volunteer.id)
    )

    def when(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "volunteer_signups": [
            {
                "organization": row.organization.name,
                "organization_slug": row.organization.slug,
                "name": row.name,
                "states": row.state_codes,
                "role": row.role.value,
                "licence_or_certification": row.credentials,
                "availability": row.availability,
                "availability_notes": row.availability_note,
                "telehealth": row.telehealth,
                "consent_text": row.consent_text,
                "unconfirmed_changes": json.loads(row.proposed) if row.proposed else None,
                "requested_at": when(row.requested_at),
                "confirmed_at": when(row.confirmed_at),
                "created_at": when(row.created_at),
            }
            for row in rows
        ]
    }


def forget_member(email: str) -> None:
    """Delete this domain's rows about ``email`` in the caller's transaction (flush only)."""
    ids = select(Volunteer.id).where(Volunteer.email == normalise_email(email))
    db.session.execute(delete(VolunteerState).where(VolunteerState.volunteer_id.in_(ids)))
    db.session.execute(delete(Volunteer).where(Volunteer.email == normalise_email(email)))
    db.session.flush()

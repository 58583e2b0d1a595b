"""Who must not be mailed: the suppression list, unsubscribes, and the links that record them.

``Suppression`` stops all mail to an address (a hard bounce, a complaint, an admin's word);
``Unsubscribe`` stops non-transactional mail from one organisation, or about one of its
petitions. ``unsubscribed`` is the one statement of what an unsubscribe covers: recording one,
leaving addresses out of a broadcast and holding back a message at delivery are all built
from it, so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, Exists, Select, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from advocacy.core.db import rowcount, utcnow
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.mail.models import OutboxMessage, Suppression, Unsubscribe, suppressions_table

SUPPRESSED_ERROR = (
    "Suppressed: the address is on the suppression list (a hard bounce, a complaint or an "
    "admin's decision) or unsubscribed from this sender; not sent."
)
# The largest id a database row can have (a signed 64-bit integer): a token naming a bigger
# one was not issued by us, and must not reach the database (SQLite raises OverflowError).
_MAX_ID = 2**63 - 1
_MAX_EMAIL = 254  # the length of every email column


def unsubscribed(email: Any, organization_id: Any, petition_id: Any) -> Exists:
    """SQL: ``email`` left everything the organisation sends, or mail about this petition.

    Each argument is a value or a column (delivery correlates it with the outbox row). Mail
    that is about no petition (``petition_id`` None) is left only by leaving the organisation.
    """
    scope: ColumnElement[bool] = Unsubscribe.petition_id.is_(None)
    if petition_id is not None:
        scope = or_(scope, Unsubscribe.petition_id == petition_id)
    return (
        select(Unsubscribe.id)
        .where(
            Unsubscribe.email == email,
            Unsubscribe.organization_id == organization_id,
            scope,
        )
        .exists()
    )


def blocked_message() -> ColumnElement[bool]:
    """SQL, for an outbox row: its address must get nothing (suppressed), or no more of this
    non-transactional mail (unsubscribed from its petition or organisation)."""
    recipient = func.lower(OutboxMessage.recipient)
    return or_(
        recipient.in_(select(Suppression.email)),
        and_(
            OutboxMessage.transactional.is_(False),
            unsubscribed(recipient, OutboxMessage.organization_id, OutboxMessage.petition_id),
        ),
    )


def reachable(
    recipients: Select[Any], organization_id: int, petition_id: int | None = None
) -> Select[Any]:
    """``recipients`` (a SELECT whose first column is the address) without the addresses a
    broadcast from this organisation (about this petition) would leave out."""
    found = recipients.subquery()
    email = list(found.c)[0]
    blocked = or_(
        email.in_(select(Suppression.email)), unsubscribed(email, organization_id, petition_id)
    )
    return select(*found.c).where(~blocked)


def unsubscribe(email: str, organization_id: int, petition_id: int | None) -> bool:
    """Record the unsubscribe (idempotent); False if it was already recorded."""
    if db.session.scalar(select(unsubscribed(email, organization_id, petition_id))):
        return False
    db.session.add(
        Unsubscribe(email=email, organization_id=organization_id, petition_id=petition_id)
    )
    db.session.commit()
    return True


def is_suppressed(email: str) -> bool:
    address = normalise_email(email)
    return db.session.scalar(select(Suppression.id).where(Suppression.email == address)) is not None


def suppress(email: str, reason: str, detail: str | None = None, *, commit: bool = True) -> bool:
    """Add an address to the suppression list; False if it was already there.

    ``INSERT … ON CONFLICT DO NOTHING``: two requests naming one address at the same moment
    cannot fail each other. ``commit=False`` leaves the transaction to the caller (the
    webhook applies a whole batch in one)."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Suppression)
        .values(
            email=normalise_email(email),
            reason=reason,
            detail=(detail or "")[:500] or None,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(Suppression.id)  # rowcount is not reliable here on every driver
    )
    added = db.session.execute(statement).scalar() is not None
    if commit:
        db.session.commit()
    return added


def unsuppress(email: str) -> bool:
    removed = rowcount(
        db.session.execute(
            suppressions_table.delete().where(Suppression.email == normalise_email(email))
        )
    )
    db.session.commit()
    return bool(removed)


# --- the links: signed, never expiring (RFC 8058 asks for that) -----------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(email: str, organization_id: int, petition_id: int | None) -> str:
    """The signed ``[address, organisation id, petition id or null]`` a link carries."""
    return _serializer().dumps([normalise_email(email), organization_id, petition_id])


def unsubscribe_link(email: str, organization_id: int, petition_id: int | None) -> str:
    """A link that never expires naming who and what to leave."""
    return url_for(
        "mail_unsubscribe.unsubscribe",
        token=unsubscribe_token(email, organization_id, petition_id),
        _external=True,
    )


def read_unsubscribe_token(token: str) -> tuple[str, int, int | None] | None:
    """(address, organisation id, petition id) of a token we issued; None for anything else:
    a bad signature, or a validly signed payload of another shape (an id out of range, a
    string for an id), which could only have been signed with a leaked or reused key."""
    try:
        payload = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, list) or len(payload) != 3:
        return None
    email, organization_id, petition_id = payload
    if not _an_address(email) or not _an_id(organization_id):
        return None
    if petition_id is not None and not _an_id(petition_id):
        return None
    return email, organization_id, petition_id


# --- the preference centre's link: one address, signed, never expiring -----------------------

# The page lives in a domain (it lists petitions and newsletters); mail knows only its name.
PREFERENCES_ENDPOINT = "subscriptions.preferences"


def _preferences_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="preferences")


def preferences_token(email: str) -> str:
    """The signed ``[address]`` of a preference-centre link (its own salt: an unsubscribe
    token is not a preference token, nor the other way round)."""
    return _preferences_serializer().dumps([normalise_email(email)])


def preferences_link(email: str) -> str:
    """The preference centre of ``email``: every sender it gets mail from, no login."""
    return url_for(PREFERENCES_ENDPOINT, token=preferences_token(email), _external=True)


def read_preferences_token(token: str) -> str | None:
    """The address of a preference token we issued; None for anything else."""
    try:
        payload = _preferences_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, list) or len(payload) != 1 or not _an_address(payload[0]):
        return None
    return str(payload[0])


def _an_address(value: object) -> bool:
    # Exactly as we issue them: normalised, and no longer than the email columns.
    return (
        isinstance(value, str) and 0 < len(value) <= _MAX_EMAIL and value == normalise_email(value)
    )


def _an_id(value: object) -> bool:
    # type() rather than isinstance(): JSON's true and false are not ids.
    return type(value) is int and 0 < value <= _MAX_ID

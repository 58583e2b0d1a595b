"""Account use cases: creating users and organisations, authenticating, ending sessions."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import ScalarSelect, select
from werkzeug.security import check_password_hash, generate_password_hash

from advocacy.accounts.models import Membership, Organization, Role, User, password_hash_method
from advocacy.accounts.passwords import password_problem
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.ids import is_row_id
from advocacy.core.text import normalise_email, slugify
from advocacy.extensions import db

# Shape only: one @, something either side, a dot in the domain, no spaces.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def get_or_create_organization(name: str, website: str | None = None) -> Organization:
    """The organisation called ``name`` (matched by slug), created and flushed if new."""
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainError("Enter an organisation name of up to 200 characters.", "organization")
    slug = slugify(name, 100)
    org = db.session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        org = Organization(name=name, slug=slug, website=website)
        db.session.add(org)
        db.session.flush()
    return org


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    is_admin: bool = False,
    organization: Organization | None = None,
    role: Role = Role.ORGANIZER,
) -> User:
    """Create a user (admin, or organizer of ``organization``) and commit. Accounts made
    on the command line start confirmed: the admin vouches for the address."""
    user = new_user(email, name, password, is_admin=is_admin, confirmed=True)
    if organization is not None:
        db.session.add(Membership(user=user, organization=organization, role=role))
    db.session.commit()
    return user


def new_user(
    email: str, name: str, password: str, *, is_admin: bool = False, confirmed: bool
) -> User:
    """Check and add a user to the session (flushed, not committed): a sign-up queues its
    confirmation email in the same transaction."""
    email = check_email(email)
    name = check_name(name)
    check_new_password(password)
    if email_taken(email):
        raise DomainError("A user with that email already exists.", "email")
    user = User(email=email, name=name, is_admin=is_admin)
    user.email_confirmed_at = utcnow() if confirmed else None
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def check_email(email: str) -> str:
    """The normalised address, or a DomainError on the ``email`` field."""
    email = normalise_email(email)
    if not _EMAIL_RE.match(email) or len(email) > 254:
        raise DomainError("Enter a valid email address, such as name@example.org.", "email")
    return email


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainError("Enter a name of up to 200 characters.", "name")
    return name


def email_taken(email: str) -> bool:
    return (
        db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None
    )


def check_new_password(password: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem:
        raise DomainError(problem, field)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def confirmed_member_id(email: Any) -> ScalarSelect[int]:
    """The id of the account with this (confirmed) email, as a scalar subquery: signatures
    and letter writers take it in the statement that confirms them, so a confirmation made
    with a member's email joins that member's history (``advocacy/profile/history.py``)."""
    return (
        select(User.id)
        .where(User.email == email, User.email_confirmed_at.is_not(None))
        .scalar_subquery()
    )


# One throwaway hash per configured method, made on first use: an unknown email is checked
# against it so that it costs the same hashing work as a known one.
_dummy_hashes: dict[str, str] = {}


def dummy_hash() -> str:
    method = password_hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _dummy_hashes[method]


def authenticate(email: str, password: str) -> User | None:
    """The active, confirmed user with this email and password, or None.

    Unknown emails and inactive users are checked against a dummy hash of the configured
    method, so the answer takes as long either way and its timing does not tell which
    emails have accounts. An unconfirmed account is refused after its own check, with the
    same answer as a wrong password: the login page must not tell that it exists.
    """
    user = find_user(email)
    if user is None or not user.active:
        check_password_hash(dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user if user.email_confirmed_at is not None else None


def user_for_session(alternative_id: str) -> User | None:
    """The user a session or remember cookie names (``"<id>:<version>"``, ``User.get_id``),
    if it is still active and the version is current; anything else is no user."""
    user_id, _, version = alternative_id.partition(":")
    if not (_ascii_number(user_id) and _ascii_number(version)) or not is_row_id(int(user_id)):
        return None  # includes bare ids from before session versions: log in again
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _ascii_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 20


def end_all_sessions(user: User) -> None:
    """Log the user out everywhere: every session and remember cookie issued so far stops
    working on its next request. Incremented in SQL, so two at once both count; commits."""
    user.session_version = User.session_version + 1
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: needs the current password. Ends every session; commits."""
    if not check_password_hash(user.password_hash, current):
        raise DomainError("That is not your current password.", "current_password")
    check_new_password(new, "new_password")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    """Set a password without the current one (an admin's reset from the command line).
    Ends every session of the user; commits."""
    check_new_password(new)
    user.set_password(new)
    end_all_sessions(user)

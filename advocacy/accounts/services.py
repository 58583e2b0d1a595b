"""Account use cases: creating users and organisations, authenticating."""

from __future__ import annotations

import re

from sqlalchemy import select

from advocacy.accounts.models import Membership, Organization, Role, User
from advocacy.core.errors import DomainError
from advocacy.core.text import normalise_email, slugify
from advocacy.extensions import db

MIN_PASSWORD = 10
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
    """Create a user (admin, or organizer of ``organization``) and commit."""
    email = normalise_email(email)
    if not _EMAIL_RE.match(email) or len(email) > 254:
        raise DomainError("Enter a valid email address, such as name@example.org.", "email")
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainError("Enter a name of up to 200 characters.", "name")
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"Passwords need at least {MIN_PASSWORD} characters.", "password")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError("A user with that email already exists.", "email")
    user = User(email=email, name=name, is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    if organization is not None:
        db.session.add(Membership(user=user, organization=organization, role=role))
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user

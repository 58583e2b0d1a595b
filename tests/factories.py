"""Test factories: organisations, organizers, petitions and signatures with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import datetime

from advocacy.accounts import services as accounts
from advocacy.accounts.models import Organization, User
from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.petitions.models import Petition, PetitionStatus, Signature

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def organization(name: str | None = None) -> Organization:
    org = accounts.get_or_create_organization(name or f"Organisation {next(_seq)}")
    db.session.commit()
    return org


def organizer(org: Organization | None = None, email: str | None = None, **kw) -> User:
    org = org or organization()
    return accounts.create_user(
        email or f"organizer{next(_seq)}@example.org",
        kw.pop("name", "Olive Organizer"),
        kw.pop("password", PASSWORD),
        organization=org,
        **kw,
    )


def petition(org: Organization | None = None, **kw) -> Petition:
    n = next(_seq)
    values = {
        "slug": f"petition-{n}",
        "title": f"Petition number {n}",
        "summary": "Let qualified doctors help.",
        "body": "We ask **Congress** to act.",
        "target": "U.S. Congress",
        "goal": 100,
        "status": PetitionStatus.OPEN,
        "published_at": utcnow(),
    }
    values.update(kw)
    p = Petition(organization=org or organization(), **values)
    db.session.add(p)
    db.session.commit()
    return p


def signature(p: Petition, email: str | None = None, confirmed: bool = True, **kw) -> Signature:
    n = next(_seq)
    confirmed_at: datetime | None = kw.pop("confirmed_at", utcnow() if confirmed else None)
    s = Signature(
        petition_id=p.id,
        first_name=kw.pop("first_name", "Sam"),
        last_name=kw.pop("last_name", f"Signer{n}"),
        email=email or f"signer{n}@example.com",
        zip=kw.pop("zip", "13202"),
        state=kw.pop("state", "NY"),
        confirmed_at=confirmed_at,
        **kw,
    )
    db.session.add(s)
    if confirmed:
        p.signature_count += 1
        s.signer_number = p.signature_count
    db.session.commit()
    return s


def sign_form(**overrides) -> dict:
    """A valid sign-form submission."""
    data = {
        "first_name": "Maria",
        "last_name": "Lopez",
        "email": "maria@example.com",
        "zip": "13202",
        "address": "",
        "comment": "",
        "public": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}

"""The versions of a petition's text (title, summary, body), and which one each signer saw.

Publishing makes version 1. Editing the text of a public petition makes the next version once
someone has signed the current one; before that the current version is corrected in place,
since nobody signed it as it was. Signing stamps ``Signature.version_id`` with the current
version inside the signing statement (``services._current_version_id``); confirming adds one
to that version's ``confirmed_count`` (``rollups.record_confirmed``). These helpers flush;
the caller's use case commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from advocacy.accounts.models import User
from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.petitions.models import Petition, PetitionStatus, PetitionVersion, Signature

Text = tuple[str, str, str]  # title, summary, body


def text_of(petition: Petition) -> Text:
    return (petition.title, petition.summary or "", petition.body or "")


def current(petition: Petition) -> PetitionVersion | None:
    if not petition.version:
        return None
    return db.session.scalar(
        select(PetitionVersion).where(
            PetitionVersion.petition_id == petition.id,
            PetitionVersion.number == petition.version,
        )
    )


def _new_version(petition: Petition, author: User | None) -> PetitionVersion:
    title, summary, body = text_of(petition)
    number = (
        db.session.scalar(
            select(func.max(PetitionVersion.number)).where(
                PetitionVersion.petition_id == petition.id
            )
        )
        or 0
    ) + 1
    version = PetitionVersion(
        petition_id=petition.id,
        number=number,
        title=title,
        summary=summary,
        body=body,
        created_at=utcnow(),
        created_by_id=author.id if author is not None else None,
    )
    db.session.add(version)
    petition.version = number
    db.session.flush()
    return version


def published(petition: Petition, author: User | None = None) -> PetitionVersion:
    """The petition was published: its text becomes version 1 (kept, if it has one)."""
    return current(petition) or _new_version(petition, author)


def edited(petition: Petition, before: Text, author: User | None = None) -> PetitionVersion | None:
    """The organizer saved the petition, whose text was ``before``: a public petition gets a
    new version when the text changed and someone signed the current one, else its current
    version is brought up to date. A draft has no version."""
    if petition.status is PetitionStatus.DRAFT:
        return None  # versions start at publication
    version = current(petition)
    if version is None:
        return _new_version(petition, author)
    if text_of(petition) == before and text_of(petition) == (
        version.title,
        version.summary,
        version.body,
    ):
        return version
    signed = db.session.scalar(
        select(Signature.id).where(Signature.version_id == version.id).limit(1)
    )
    if signed is not None:
        return _new_version(petition, author)
    version.title, version.summary, version.body = text_of(petition)
    version.created_at = utcnow()
    if author is not None:
        version.created_by_id = author.id
    return version


class VersionSummary(NamedTuple):
    number: int
    created_at: datetime
    title: str
    confirmed_count: int


def summary(petition: Petition) -> list[VersionSummary]:
    """The petition's versions, oldest first, with how many confirmed signers signed each
    (for the organizer's page)."""
    pv = PetitionVersion
    rows = db.session.execute(
        select(pv.number, pv.created_at, pv.title, pv.confirmed_count)
        .where(pv.petition_id == petition.id)
        .order_by(pv.number)
    )
    return [VersionSummary(*row) for row in rows]

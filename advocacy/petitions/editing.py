"""Organizer use cases on a petition: create, edit, publish, close and reopen.

Each public function is one use case ending in one commit, and drops the cached public
page so visitors see the change at once. Rules live here, not in forms: the web address
(slug) is unique and stays fixed once a petition is public, because it has been shared;
the goal stays ahead of the signatures already collected; a deadline lies in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advocacy.accounts.models import Organization, User
from advocacy.core import slugs
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.petitions import cache, versions
from advocacy.petitions.models import Petition, PetitionStatus

MAX_GOAL = 10_000_000


@dataclass
class PetitionInput:
    """What an organizer writes; ``slug`` None or blank means "make one from the title"."""

    title: str
    target: str
    goal: int
    summary: str = ""
    body: str = ""
    slug: str | None = None
    goal_step: int | None = None
    deadline: datetime | None = None
    image_url: str | None = None
    image_alt: str | None = None
    require_confirmation: bool = True


# --- use cases ---------------------------------------------------------------------------


def create_petition(org: Organization, author: User | None, data: PetitionInput) -> Petition:
    """Save a new draft petition for ``org``; nothing is public until it is published."""
    _check(data, current_count=None, old_deadline=None)
    slug = _chosen_slug(data.slug, None) if data.slug else unique_slug(data.title)
    petition = Petition(
        organization=org,
        created_by_id=author.id if author is not None else None,
        status=PetitionStatus.DRAFT,
        slug=slug,
    )
    _assign(petition, data)
    db.session.add(petition)
    _commit(petition.slug)
    return petition


def update_petition(
    petition: Petition, data: PetitionInput, editor: User | None = None
) -> Petition:
    """Apply an organizer's edits. A draft may change its slug; a public petition may not.
    A public petition's new text becomes a new version once someone signed the current one
    (``versions.edited``)."""
    goal_changed = data.goal != petition.goal
    _check(
        data,
        current_count=petition.signature_count if goal_changed else None,
        old_deadline=petition.deadline,
    )
    old_slug = petition.slug
    slug = _new_slug(petition, data)
    before = versions.text_of(petition)
    _assign(petition, data)
    petition.slug = slug
    versions.edited(petition, before, editor)
    _commit(old_slug, slug)
    return petition


def publish_petition(petition: Petition, publisher: User | None = None) -> Petition:
    """Open a draft to the public; from now on its web address never changes. Its text
    becomes version 1, the one its first signers sign."""
    if petition.status is not PetitionStatus.DRAFT:
        raise DomainError("This petition has already been published.")
    if not petition.body.strip():
        raise DomainError("Write the petition text before publishing.", "body")
    if petition.deadline is not None and petition.deadline <= utcnow():
        raise DomainError("The deadline has passed. Choose a date in the future.", "deadline")
    petition.status = PetitionStatus.OPEN
    petition.published_at = utcnow()
    versions.published(petition, publisher)
    _commit(petition.slug)
    return petition


def close_petition(petition: Petition, won: bool = False) -> Petition:
    """Stop taking signatures; ``won`` also tells supporters the campaign succeeded.

    A closed petition may still be marked as won later, keeping its original closing time.
    """
    if petition.status is PetitionStatus.DRAFT:
        raise DomainError("A draft cannot be closed. Publish it first, or leave it as a draft.")
    if petition.status is PetitionStatus.WON:
        raise DomainError("This petition is already marked as won.")
    if petition.status is PetitionStatus.CLOSED and not won:
        raise DomainError("This petition is already closed.")
    petition.status = PetitionStatus.WON if won else PetitionStatus.CLOSED
    petition.closed_at = petition.closed_at or utcnow()
    _commit(petition.slug)
    return petition


def reopen_petition(petition: Petition) -> Petition:
    """Take signatures again on a closed or won petition whose deadline is still ahead."""
    if petition.status not in (PetitionStatus.CLOSED, PetitionStatus.WON):
        raise DomainError("Only a closed petition can be reopened.")
    if petition.deadline_passed():
        raise DomainError(
            "The deadline has passed. Move it into the future before reopening.", "deadline"
        )
    petition.status = PetitionStatus.OPEN
    petition.closed_at = None
    _commit(petition.slug)
    return petition


# --- reading -----------------------------------------------------------------------------


def petitions_managed_by(user: User) -> list[Petition]:
    """The petitions ``user`` may manage (an admin's: all), drafts first, newest first."""
    query = select(Petition)
    if not user.is_admin:
        query = query.where(Petition.organization_id.in_(user.organization_ids))
    order = (Petition.status != PetitionStatus.DRAFT, Petition.created_at.desc(), Petition.id)
    return list(db.session.scalars(query.order_by(*order)))


def organizations_for(user: User) -> list[Organization]:
    """The organisations ``user`` may start petitions for (an admin: every one)."""
    query = select(Organization).order_by(Organization.name)
    if not user.is_admin:
        query = query.where(Organization.id.in_(user.organization_ids))
    return list(db.session.scalars(query))


# --- slugs -------------------------------------------------------------------------------


def unique_slug(title: str, exclude_id: int | None = None) -> str:
    """A slug from ``title`` no other petition uses: ``fund-slots``, then ``fund-slots-2``…"""
    return slugs.unique_slug(Petition, title, exclude_id)


def _chosen_slug(slug: str, exclude_id: int | None) -> str:
    """The organizer's own slug, checked for shape and for being free."""
    return slugs.chosen_slug(
        Petition, slug, exclude_id,
        example="fund-residency-slots", taken="Another petition already uses this web address.",
    )  # fmt: skip


def _new_slug(petition: Petition, data: PetitionInput) -> str:
    if petition.status is not PetitionStatus.DRAFT:
        # Shared links must keep working: a public petition's address never changes.
        if data.slug and data.slug != petition.slug:
            raise DomainError("The web address cannot change once a petition is published.", "slug")
        return petition.slug
    if not data.slug:
        return unique_slug(data.title, exclude_id=petition.id)
    if data.slug == petition.slug:
        return petition.slug
    return _chosen_slug(data.slug, petition.id)


# --- helpers -----------------------------------------------------------------------------


def _check(data: PetitionInput, current_count: int | None, old_deadline: datetime | None) -> None:
    """Refuse input that breaks a rule; ``current_count`` is given when the goal changes."""
    if not data.title.strip():
        raise DomainError("Enter a title.", "title")
    if not data.target.strip():
        raise DomainError("Say who the petition is addressed to.", "target")
    if not 1 <= data.goal <= MAX_GOAL:
        raise DomainError(f"The goal must be between 1 and {MAX_GOAL:,} signatures.", "goal")
    if current_count is not None and current_count and data.goal <= current_count:
        raise DomainError(
            f"The goal must be more than the {current_count:,} signatures already collected.",
            "goal",
        )
    if data.goal_step is not None and not 1 <= data.goal_step <= MAX_GOAL:
        raise DomainError(f"The step must be between 1 and {MAX_GOAL:,}.", "goal_step")
    if data.deadline is not None and data.deadline != old_deadline and data.deadline <= utcnow():
        raise DomainError("Choose a deadline in the future.", "deadline")
    if data.image_url:
        parts = urlsplit(data.image_url)
        if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in data.image_url):
            raise DomainError("The image address must start with https://.", "image_url")
        if not (data.image_alt or "").strip():
            raise DomainError("Describe the image for people who cannot see it.", "image_alt")


def _assign(petition: Petition, data: PetitionInput) -> None:
    petition.title = data.title.strip()
    petition.target = data.target.strip()
    petition.summary = data.summary.strip()
    petition.body = data.body
    petition.goal = data.goal
    petition.goal_step = data.goal_step
    petition.deadline = data.deadline
    petition.image_url = data.image_url or None
    alt = (data.image_alt or "").strip()
    petition.image_alt = alt if data.image_url and alt else None
    petition.require_confirmation = data.require_confirmation


def _commit(*slugs: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        # Two organizers chose the same address at the same moment: the unique index decides.
        db.session.rollback()
        raise DomainError("Another petition already uses this web address.", "slug") from exc
    for slug in dict.fromkeys(slugs):
        cache.invalidate(slug)

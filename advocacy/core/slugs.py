"""Web addresses (slugs) of public pages: petitions, letter campaigns.

A slug is lowercase letters, numbers and single hyphens, at most ``SLUG_MAX`` characters,
unique in its table; ``unique_slug`` makes one from a title, ``chosen_slug`` checks the
organizer's own.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select

from advocacy.core.errors import DomainError
from advocacy.core.text import slugify
from advocacy.extensions import db

SLUG_MAX = 100
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def unique_slug(model: Any, title: str, exclude_id: int | None = None, fallback: str = "") -> str:
    """A slug from ``title`` no other row of ``model`` uses: ``fund-slots``, then
    ``fund-slots-2``…; ``fallback`` when the title has no letters or digits."""
    base = slugify(title, SLUG_MAX - 8) or fallback
    query = select(model.slug).where(or_(model.slug == base, model.slug.like(f"{base}-%")))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    taken = set(db.session.scalars(query))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def chosen_slug(model: Any, slug: str, exclude_id: int | None, *, example: str, taken: str) -> str:
    """The organizer's own slug, checked for shape (``example`` shows one) and for being
    free in ``model`` (``taken`` says it is not)."""
    if len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
        raise DomainError(
            f"Use lowercase letters, numbers and single hyphens, such as {example}.", "slug"
        )
    query = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DomainError(taken, "slug")
    return slug

"""A short-lived, per-process cache of rendered public petition pages.

The petition page is the hottest page: shared links send bursts of visitors to it. Each
worker keeps the rendered page for ``PETITION_PAGE_CACHE_SECONDS`` and drops it at once
when this process changes the petition, so a page is never older than that bound. The
CSRF token is the one per-visitor part; it is put into the cached HTML on every request.
Nothing here is state another instance needs: losing it only costs a re-render.

A hit costs no database query at all (``get``), which is what lets the page keep up with
the bare framework under load (see docs/BENCHMARKS.md). An entry never outlives the
petition's deadline, so a page cannot offer the form after the petition has closed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

_lock = threading.Lock()
_pages: dict[str, tuple[float, str]] = {}
_petitions: dict[str, tuple[float, Any]] = {}
_generation = 0
MAX_ENTRIES = 500


def _fresh(store: dict[str, tuple[float, Any]], slug: str) -> Any | None:
    entry = store.get(slug)
    if entry is not None and entry[0] > time.monotonic():
        return entry[1]
    return None


def _keep(
    store: dict[str, tuple[float, Any]],
    slug: str,
    value: Any,
    ttl: float,
    until: datetime | None,
    generation: int,
) -> None:
    """Store ``value`` for ``ttl`` seconds, never past ``until``, unless an invalidation
    happened since ``generation`` was read (the value may then be stale already)."""
    if until is not None:
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        ttl = min(ttl, (until - datetime.now(UTC)).total_seconds())
    if ttl <= 0:
        return
    with _lock:
        if generation == _generation:
            if len(store) >= MAX_ENTRIES:
                store.clear()
            store[slug] = (time.monotonic() + ttl, value)


def generation() -> int:
    """Read before loading what will be cached; pass it back to the ``put``."""
    return _generation


def get(slug: str) -> str | None:
    """The cached page for ``slug`` if it is still fresh, else None."""
    return _fresh(_pages, slug)


def get_or_render(
    slug: str, ttl: float, render: Callable[[], str], until: datetime | None = None
) -> str:
    """The cached page, or ``render()`` kept for ``ttl`` seconds but never past ``until``."""
    if ttl <= 0:
        return render()
    html = get(slug)
    if html is None:
        seen = _generation
        html = render()
        _keep(_pages, slug, html, ttl, until, seen)
    return html


def get_petition(slug: str) -> Any | None:
    """A detached copy of an open petition, for signing without a look-up, if still fresh."""
    return _fresh(_petitions, slug)


def put_petition(
    slug: str, petition: Any, ttl: float, until: datetime | None, seen_generation: int
) -> None:
    """Keep a detached petition for ``ttl`` seconds, never past ``until`` (its deadline)."""
    _keep(_petitions, slug, petition, ttl, until, seen_generation)


def invalidate(slug: str | None = None) -> None:
    global _generation
    with _lock:
        _generation += 1
        if slug is None:
            _pages.clear()
            _petitions.clear()
        else:
            _pages.pop(slug, None)
            _petitions.pop(slug, None)

"""The per-worker cache: TTL, deadline bound, and invalidation racing a load."""

from __future__ import annotations

from datetime import timedelta

from advocacy.core.db import utcnow
from advocacy.petitions import cache


def test_copy_loaded_before_an_invalidation_is_not_kept():
    cache.invalidate()
    seen = cache.generation()
    cache.invalidate("p")  # another request changed the petition meanwhile
    cache.put_petition("p", object(), 60, until=None, seen_generation=seen)
    assert cache.get_petition("p") is None
    fresh = object()
    cache.put_petition("p", fresh, 60, until=None, seen_generation=cache.generation())
    assert cache.get_petition("p") is fresh


def test_entries_never_outlive_the_deadline():
    cache.invalidate()
    past = utcnow() - timedelta(seconds=1)
    assert cache.get_or_render("p", 60, lambda: "a", until=past) == "a"
    assert cache.get("p") is None
    assert cache.get_or_render("p", 60, lambda: "b", until=utcnow() + timedelta(hours=1)) == "b"
    assert cache.get_or_render("p", 60, lambda: "c") == "b"  # served from the cache
    cache.invalidate("p")
    assert cache.get("p") is None

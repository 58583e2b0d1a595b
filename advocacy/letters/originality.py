"""How much of a letter is the writer's own words, and whether it copies another's.

Offices discount identical form letters. ``personal_share`` is the part of a letter's words
that come from the writer's own paragraph; ``fingerprint`` is a digest of the paragraph
normalised (case, punctuation, spacing) so the same words count as the same paragraph;
``near_duplicate`` finds a paragraph that is nearly another's (word 3-gram shingles,
Jaccard similarity >= 0.8). A copy is flagged on the letter, never refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def words(text: str | None) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text or "")]


def personal_share(body: str, personal_note: str | None) -> float:
    """The writer's words as a part of the letter's (0 when they gave none)."""
    own = len(words(personal_note))
    total = len(words(body))
    if not own or not total:
        return 0.0
    return round(min(1.0, own / total), 3)


def fingerprint(personal_note: str | None) -> str | None:
    """A digest of the paragraph's words, or None for an empty paragraph."""
    found = words(personal_note)
    if not found:
        return None
    return hashlib.sha256(" ".join(found).encode()).hexdigest()


SHINGLE_WORDS = 3
NEAR_DUPLICATE = 0.8  # Jaccard similarity of word 3-grams at or above which a note "copies"


def shingles(text: str | None, size: int = SHINGLE_WORDS) -> frozenset[tuple[str, ...]]:
    """The paragraph's word ``size``-grams (a paragraph shorter than that is one shingle)."""
    found = words(text)
    if not found:
        return frozenset()
    if len(found) < size:
        return frozenset({tuple(found)})
    return frozenset(tuple(found[i : i + size]) for i in range(len(found) - size + 1))


def similarity(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicate(
    note: str | None, others: Iterable[tuple[int, str | None]], threshold: float = NEAR_DUPLICATE
) -> int | None:
    """The id of the first of ``others`` (id, paragraph) whose paragraph is word for word or
    nearly the same as ``note``, or None. Exact copies are found by ``fingerprint`` first."""
    mine = shingles(note)
    if not mine:
        return None
    for other_id, other_note in others:
        if similarity(mine, shingles(other_note)) >= threshold:
            return other_id
    return None

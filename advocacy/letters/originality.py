"""How much of a letter is the writer's own words, and whether it copies another's.

Offices discount identical form letters. ``personal_share`` is the part of a letter's words
that come from the writer's own paragraph; ``fingerprint`` is a digest of the paragraph
normalised (case, punctuation, spacing) so the same words count as the same paragraph.
"""

from __future__ import annotations

import hashlib
import re

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

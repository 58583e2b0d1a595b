"""A supporter's districts where their ZIP is split: the candidates, and the one they pick.

Signatures (``SignatureDistrict``) and letter writers (``WriterDistrict``) keep the same rows:
``matched`` (the ZIP lies in one district of that chamber), ``candidate`` (one of several,
not yet chosen) or ``chosen``. These functions work on either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from advocacy.core.errors import DomainError

Row = TypeVar("Row", bound=Any)


def open_choices(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """The chambers still to choose in, with their candidate rows."""
    choices: dict[str, list[Row]] = {}
    for row in rows:
        if row.status == "candidate":
            choices.setdefault(row.chamber, []).append(row)
    return choices


def settle(rows: Iterable[Row], choices: dict[str, str], drop: Callable[[Row], None]) -> int:
    """Keep the candidate picked in each chamber (``{"state_lower": "NY-128"}``) as
    ``chosen`` and ``drop`` the others; a key that is not a candidate raises DomainError
    before anything changes. Returns how many chambers were settled."""
    candidates = open_choices(rows)
    picked: list[tuple[str, Row]] = []
    for chamber, key in choices.items():
        row = next((r for r in candidates.get(chamber, []) if r.key == key), None)
        if row is None:
            raise DomainError("Choose one of the districts listed.", field=chamber)
        picked.append((chamber, row))
    for chamber, row in picked:
        for other in candidates[chamber]:
            if other is not row:
                drop(other)
        row.status = "chosen"
    return len(picked)

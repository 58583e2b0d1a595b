"""What a row id taken from outside (a token, a URL) may be before it reaches the database."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

# Primary keys are INTEGER (PostgreSQL int4): a larger number fails in the database
# ("integer out of range") or in the driver (SQLite's OverflowError), a 500 either way.
MAX_ID = 2**31 - 1


def is_row_id(value: Any) -> bool:
    """Whether ``value`` can be a primary key: an int (not a bool) in 1 … 2**31 − 1."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: only a number that can be a row id matches, so
    ``/organize/petitions/99999999999/edit`` is the 404 of a row that does not exist."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID) -> None:  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)

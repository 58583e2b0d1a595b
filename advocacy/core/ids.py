"""What a row id taken from outside (a token, a URL) may be before it reaches the database."""

from __future__ import annotations

from typing import Any

# Ids are BIGINT at most: a larger integer overflows the driver (an OverflowError, a 500).
MAX_ID = 2**63 - 1


def is_row_id(value: Any) -> bool:
    """Whether ``value`` can be a primary key: an int (not a bool) in 1 … 2**63 − 1."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID

"""How many notice emails an address may get from one form in a rolling day.

A confirmation or "already signed" email goes out only while the row's count allows: one
conditional UPDATE of its ``notices_sent`` / ``notices_since`` columns, so parallel repeats
cannot both slip under the limit. A day after the window opened it starts again at one.
Signatures and letter writers both carry the two columns.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, or_, update

from advocacy.core.db import rowcount, utcnow
from advocacy.extensions import db


def may_notify(table: Any, row_id: int, per_day: int) -> bool:
    """Count one more notice for row ``row_id`` of ``table``; False when its day is full."""
    now = utcnow()
    c = table.c
    fresh = or_(c.notices_since.is_(None), c.notices_since <= now - timedelta(days=1))
    statement = (
        update(table)
        .where(c.id == row_id, or_(fresh, c.notices_sent < per_day))
        .values(
            notices_sent=case((fresh, 1), else_=c.notices_sent + 1),
            notices_since=case((fresh, now), else_=c.notices_since),
        )
    )
    return rowcount(db.session.execute(statement)) == 1

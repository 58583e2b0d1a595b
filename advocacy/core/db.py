"""The declarative base with a constraint naming convention, and the timestamp mixin."""

from __future__ import annotations

import os
import weakref
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from sqlalchemy import CursorResult, DateTime, MetaData, Result, Table, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    # One registry carries both the naming convention and the UTC datetime mapping.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )
    if TYPE_CHECKING:
        # Every model maps one table; DeclarativeBase types it as any FromClause, which has
        # neither ``insert()`` nor ``delete()``.
        __table__: ClassVar[Table]


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def rowcount(result: Result[Any]) -> int:
    """The rows an ``UPDATE`` or ``DELETE`` matched.

    ``Session.execute`` is typed to return a ``Result``; for a DML statement without
    ``RETURNING`` it is a ``CursorResult``, the class that has ``rowcount``.
    """
    return cast(CursorResult[Any], result).rowcount


def fresh_pools_after_fork(app: Any) -> None:
    """Give a forked child its own connection pools.

    A child that used the parent's pooled connections would share their sockets with the
    parent: two processes reading each other's replies (an RQ worker forks a work horse per
    job while its sweeper thread keeps using the pool; gunicorn with ``--preload`` forks too).
    ``dispose(close=False)`` drops the inherited pool without touching the parent's
    connections; the child opens its own on first use.
    """
    app_ref = weakref.ref(app)

    def after_fork_in_child() -> None:
        forked = app_ref()
        if forked is None:
            return
        with forked.app_context():
            for engine in forked.extensions["sqlalchemy"].engines.values():
                engine.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork_in_child)

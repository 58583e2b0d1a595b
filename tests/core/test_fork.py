"""A forked child (an RQ work horse, a preloaded gunicorn worker) gets its own pool."""

from __future__ import annotations

import os

from sqlalchemy import text

from advocacy.extensions import db


def test_a_forked_child_does_not_reuse_the_parents_connections(app):
    with db.engine.connect() as conn:  # the parent has a pooled connection
        conn.execute(text("SELECT 1"))
    parent_pool = id(db.engine.pool)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether its pool is new, and that it works
        try:
            fresh = id(db.engine.pool) != parent_pool and db.engine.pool.checkedin() == 0
            with db.engine.connect() as conn:
                works = conn.execute(text("SELECT 1")).scalar() == 1
            os.write(write, b"ok" if fresh and works else b"shared")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 10)
    os.waitpid(pid, 0)
    assert answer == b"ok"
    with db.engine.connect() as conn:  # and the parent's connection still answers
        assert conn.execute(text("SELECT 1")).scalar() == 1

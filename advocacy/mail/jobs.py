"""RQ jobs for mail.

``flask mail worker`` runs them with the app context pushed (and sweeps the outbox every
minute). A plain ``rq worker mail`` works too: each job then builds the app from the
environment (``ADVOCACY_CONFIG``, ``DATABASE_URL``…) once per worker process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from advocacy.mail import services

_app: Flask | None = None


@contextmanager
def _app_context() -> Iterator[None]:
    global _app
    if has_app_context():
        yield
        return
    if _app is None:
        from advocacy import create_app

        _app = create_app()
    with _app.app_context():
        yield


def deliver_messages(ids: list[int]) -> None:
    with _app_context():
        services.deliver(ids)


def send_broadcast(broadcast_id: int) -> None:
    """Send for ``MAIL_BULK_JOB_SECONDS`` at the broadcast's pace, then go to the back of the
    queue, so confirmations queued meanwhile are not stuck behind a long broadcast."""
    with _app_context():
        run = services.send_broadcast(
            broadcast_id, budget=current_app.config["MAIL_BULK_JOB_SECONDS"]
        )
        stalled = run.retrying and not run.sent  # the server is down: the sweep resumes it
        if not (run.done or run.busy or stalled):
            services.queue_broadcast_job(broadcast_id)

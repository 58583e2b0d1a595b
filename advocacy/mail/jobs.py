"""RQ jobs for mail.

``flask mail worker`` runs them with the app context pushed (and sweeps the outbox every
minute). A plain ``rq worker mail`` works too: a job then builds the app from the environment
(``ADVOCACY_CONFIG``, ``DATABASE_URL``…) itself, in each forked work horse, which costs a few
tenths of a second per job; ``rq worker -w rq.worker.SimpleWorker mail`` builds it once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from advocacy.mail import delivery, dispatch, sender

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
        delivery.deliver(ids)


def send_broadcast(broadcast_id: int, token: str | None = None) -> None:
    """Send for ``MAIL_BULK_JOB_SECONDS`` at the broadcast's pace, then go to the back of the
    queue holding the same lease, so confirmations queued meanwhile are not stuck behind a
    long broadcast, and no sweep starts a second sender in between."""
    with _app_context():
        run = sender.send_broadcast(
            broadcast_id,
            budget=current_app.config["MAIL_BULK_JOB_SECONDS"],
            token=token,
            hand_on=True,
        )
        if not (run.done or run.busy or run.stalled):
            # If Redis fails here the lease runs out and the sweep starts a new sender.
            dispatch.queue_broadcast_job(broadcast_id, run.token)

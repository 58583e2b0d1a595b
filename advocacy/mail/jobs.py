"""RQ jobs for mail; they run in ``flask mail worker`` with the app context pushed."""

from __future__ import annotations

from flask import current_app

from advocacy.mail import services


def deliver_messages(ids: list[int]) -> None:
    services.deliver(ids)


def send_broadcast(broadcast_id: int) -> None:
    """Send for ``MAIL_BULK_JOB_SECONDS`` at the broadcast's pace, then go to the back of the
    queue, so confirmations queued meanwhile are not stuck behind a long broadcast."""
    run = services.send_broadcast(broadcast_id, budget=current_app.config["MAIL_BULK_JOB_SECONDS"])
    stalled = run.retrying and not run.sent  # the server is down: the sweep resumes it
    if not (run.done or run.busy or stalled):
        services.queue_broadcast_job(broadcast_id)

"""The email that tells an organizer their packet build has ended: ready, or failed.

A build takes up to minutes and runs in the background, so whoever pressed "Build the
packets" may have left the page. When the job ends and it names who asked
(``PacketJob.requested_by_id``), that user gets one transactional message through the
outbox with the petition, the number of offices, the archive's size and an absolute link to
the packets page (to download, or to build again after a failure).

The job may run outside any request (an RQ worker, a thread), so the link is built from
``SERVER_NAME`` and ``PREFERRED_URL_SCHEME``, as every background link is; production
requires ``SERVER_NAME``. A development server without it still sends the message, without
the link. Nothing here can fail the job: the job's outcome is committed before this runs,
and any error sending the notice is logged and rolled back.
"""

from __future__ import annotations

import logging

from flask import url_for

from advocacy.accounts.models import User
from advocacy.delivery import retention
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db
from advocacy.mail import enqueue
from advocacy.petitions.models import Petition

log = logging.getLogger(__name__)
KIND_READY = "packets_ready"
KIND_FAILED = "packets_failed"


def notify_requester(job: PacketJob) -> int | None:
    """Email the user who asked for ``job`` that it ended; returns the message id, if any.

    Nobody is mailed for a job that names nobody (or a user deleted since), a job still
    open, or a requester who is inactive or may no longer manage the petition (they could not
    open the page the message links to).
    """
    job_id, requested_by = job.id, job.requested_by_id
    if requested_by is None or job.status not in (JobStatus.DONE, JobStatus.FAILED):
        return None
    try:
        petition = db.session.get_one(Petition, job.petition_id)
        user = db.session.get(User, requested_by)
        if user is None or not user.active or not user.can_manage(petition.organization_id):
            return None
        kind = KIND_READY if job.status == JobStatus.DONE else KIND_FAILED
        message_id = enqueue(
            kind,
            user.email,
            kind,
            petition=petition,
            user=user,
            offices=job.total,
            megabytes=round((job.size or 0) / 1048576, 1),
            keep_days=_keep_days(),
            packets_url=packets_url(petition.id),
        )
        db.session.commit()
        return message_id
    except Exception:  # the build's outcome stands whatever happens to its notice
        log.exception("Could not send the notice of packet job %s", job_id)
        db.session.rollback()
        return None


def packets_url(petition_id: int) -> str | None:
    """The packets page as an absolute link, or None without ``SERVER_NAME`` outside a
    request (a development server's build thread): Flask cannot know the host then."""
    try:
        return url_for("organize.packets_page", petition_id=petition_id, _external=True)
    except RuntimeError:
        log.warning("SERVER_NAME is not set: the packets notice is sent without its link")
        return None


def _keep_days() -> int | None:
    """How long the archive stays, for the message; None when unlimited or misconfigured
    (``flask packets prune`` reports the setting's error)."""
    try:
        return retention.keep_days() or None
    except ValueError:
        return None

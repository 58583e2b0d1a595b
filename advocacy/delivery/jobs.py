"""Building a petition's packets in the background: a ``PacketJob`` row, the ZIP archive on
disk in ``PACKETS_DIR``, progress as it goes.

The organizer's "Build the packets" commits a queued job, then hands its id to RQ (queue
``mail``, which ``flask mail worker`` runs) when ``REDIS_URL`` is set, else to a thread; with
``MAIL_SYNC`` (tests) the job runs before the request returns. The job writes the archive one
office at a time (PDF stored, CSV deflated) to ``<name>.part`` and renames it when complete,
so a download never sees half an archive; ``done`` is committed every few offices. Each
build first prunes old archives (``retention``) and ends by emailing whoever asked for it
(``notices``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

from flask import Flask, current_app, has_app_context

from advocacy.core.db import utcnow
from advocacy.delivery import notices, packets, retention, services
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db
from advocacy.petitions.models import Petition

log = logging.getLogger(__name__)
PROGRESS_EVERY = 25  # offices between progress commits
PROGRESS_SECONDS = 1.0  # …or at least this often
JOB_TIMEOUT = 3600
SPOOL_BYTES = 4 * 1024 * 1024


def packets_dir() -> Path:
    """Where archives are kept (``PACKETS_DIR``; default ``instance/packets``)."""
    folder = current_app.config.get("PACKETS_DIR") or os.path.join(
        current_app.instance_path, "packets"
    )
    return Path(folder)


def archive_path(job: PacketJob) -> Path | None:
    """The finished archive of a job, if it is done and the file is still there."""
    if job.status != JobStatus.DONE or not job.file_name:
        return None
    path = packets_dir() / job.file_name
    return path if path.is_file() else None


def latest_job(petition_id: int) -> PacketJob | None:
    return db.session.scalars(
        db.select(PacketJob)
        .where(PacketJob.petition_id == petition_id)
        .order_by(PacketJob.id.desc())
        .limit(1)
    ).first()


def request_packets(petition: Petition, user_id: int | None) -> PacketJob:
    """Queue a build of all the petition's packets and start it after the commit. A build
    already queued or running is returned instead of starting a second one."""
    current = latest_job(petition.id)
    if current is not None and current.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        if not _stale(current):
            return current
        # A worker that died (or a restart that lost the thread) leaves the job open forever.
        current.status, current.finished_at = JobStatus.FAILED, utcnow()
        current.error = "Interrupted: the build stopped before it finished."
    job = PacketJob(petition_id=petition.id, requested_by_id=user_id)
    db.session.add(job)
    db.session.commit()
    dispatch(current_app._get_current_object(), job.id)  # type: ignore[attr-defined]  # a LocalProxy
    return job


def _stale(job: PacketJob) -> bool:
    """Open longer than any build may take (RQ's job timeout)."""
    since = job.started_at or job.created_at
    return (utcnow() - since).total_seconds() > JOB_TIMEOUT


def dispatch(app: Flask, job_id: int) -> None:
    if app.config.get("MAIL_SYNC"):
        build_archive(job_id)
        return
    if app.config.get("REDIS_URL"):
        try:
            from advocacy.core.queue import get_queue

            with app.app_context():
                get_queue("mail").enqueue(
                    "advocacy.delivery.jobs.build_archive_job", job_id, job_timeout=JOB_TIMEOUT
                )
            return
        except Exception:  # Redis down: build here rather than leave the job queued
            log.exception("Could not queue packet job %s on Redis; building in-process", job_id)

    def run() -> None:
        with app.app_context():
            try:
                build_archive(job_id)
            finally:
                db.session.remove()

    threading.Thread(target=run, name=f"advocacy-packets-{job_id}", daemon=True).start()


_job_app: Flask | None = None


def build_archive_job(job_id: int) -> None:
    """The RQ job (``flask mail worker`` pushes an app context; a plain worker builds one)."""
    global _job_app
    if has_app_context():
        build_archive(job_id)
        return
    if _job_app is None:
        from advocacy import create_app

        _job_app = create_app()
    with _job_app.app_context():
        build_archive(job_id)


def build_archive(job_id: int, today: date | None = None) -> PacketJob:
    """Write every office's PDF and CSV into one ZIP; the job ends done or failed."""
    job = db.session.get_one(PacketJob, job_id)
    if job.status != JobStatus.QUEUED:
        return job
    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    db.session.commit()
    retention.prune_quietly(packets_dir())  # old archives out first (never fails the build)
    folder = packets_dir()
    part: Path | None = None
    try:
        petition = db.session.get_one(Petition, job.petition_id)
        offices = services.offices_for(petition)
        job.total = len(offices)
        db.session.commit()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"packets-{petition.id}-{job.id}.zip"
        part = folder / f"{name}.part"
        day = today or utcnow().date()
        stamp = time.localtime()[:6]
        last_commit = time.monotonic()
        with zipfile.ZipFile(part, "w", allowZip64=True) as archive:
            for done, office in enumerate(offices, 1):
                write_office(archive, petition, office, day, stamp)
                if done % PROGRESS_EVERY == 0 or time.monotonic() - last_commit > PROGRESS_SECONDS:
                    job.done = done
                    db.session.commit()
                    last_commit = time.monotonic()
        os.replace(part, folder / name)
        job.status, job.done = JobStatus.DONE, len(offices)
        job.file_name, job.size = name, (folder / name).stat().st_size
    except Exception as exc:
        log.exception("Packet job %s failed", job_id)
        db.session.rollback()
        if part is not None:
            part.unlink(missing_ok=True)
        job = db.session.get_one(PacketJob, job_id)
        job.status = JobStatus.FAILED
        job.error = (f"{type(exc).__name__}: {exc}")[:500]
    job.finished_at = utcnow()
    db.session.commit()
    notices.notify_requester(job)  # after the commit: a mail problem never fails the job
    return job


def write_office(
    archive: zipfile.ZipFile,
    petition: Petition,
    office: services.Office,
    day: date,
    stamp: tuple[int, ...],
) -> None:
    """One office's PDF (stored: it is compressed already) and CSV (deflated)."""
    pdf = zipfile.ZipInfo(f"{office.file_stem}.pdf", date_time=stamp)  # type: ignore[arg-type]
    pdf.compress_type = zipfile.ZIP_STORED
    # The CSV is written in the same pass over the members, to a spool (in memory up to a
    # few MB, then a temporary file), and copied in after the PDF.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        with archive.open(pdf, "w") as out:
            packets.write_pdf(out, petition, office, day, csv_out=spool)
        spool.seek(0)
        table = zipfile.ZipInfo(f"{office.file_stem}.csv", date_time=stamp)  # type: ignore[arg-type]
        table.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(table, "w") as out:
            shutil.copyfileobj(spool, out)

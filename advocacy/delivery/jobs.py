"""Building a petition's packets in the background: a ``PacketJob`` row, the ZIP archive on
disk in ``PACKETS_DIR``, progress as it goes.

The organizer's "Build the packets" commits a queued job, then hands its id to RQ (queue
``mail``, which ``flask mail worker`` runs) when ``REDIS_URL`` is set, else to a thread; with
``MAIL_SYNC`` (tests) the job runs before the request returns. The job writes the archive one
office at a time (PDF stored, CSV deflated) to ``<name>.part`` and renames it when complete,
so a download never sees half an archive; ``done`` is committed every few offices.

A large build is spread over ``PACKET_WORKERS`` processes (default: one a core, at most four):
each sets whole packets into files of a scratch folder beside the archive, and the job copies
them into the ZIP in the offices' order as they come, so the archive and its progress read the
same as a build in one process. Workers are started fresh (``spawn``: safe from a thread of the
web server or from RQ's work horse) with the job's own configuration.

Each build first prunes old archives (``retention``) and ends by emailing whoever asked for it
(``notices``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context

from advocacy.core.db import utcnow
from advocacy.delivery import notices, packets, retention, services
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db
from advocacy.legislators.models import Chamber, Legislator, LegislatorOffice
from advocacy.petitions.models import Petition

log = logging.getLogger(__name__)
PROGRESS_EVERY = 25  # offices between progress commits
PROGRESS_SECONDS = 1.0  # …or at least this often
JOB_TIMEOUT = 3600
SPOOL_BYTES = 4 * 1024 * 1024
PARALLEL_FROM = 200  # confirmed signatures: below this, workers cost more than they save


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
        folder.mkdir(parents=True, exist_ok=True)
        # The workers start while the offices are counted (a couple of seconds each).
        with _workers_for(petition, folder) as workers_:
            offices = services.offices_for(petition)
            _forget_directory()
            job.total = len(offices)
            db.session.commit()
            name = f"packets-{petition.id}-{job.id}.zip"
            part = folder / f"{name}.part"
            day = today or utcnow().date()
            stamp = time.localtime()[:6]
            last_commit = time.monotonic()
            with zipfile.ZipFile(part, "w", allowZip64=True) as archive:
                written = _write_all(archive, petition, offices, day, stamp, workers_)
                for done, _ in enumerate(written, 1):
                    if (done % PROGRESS_EVERY == 0
                            or time.monotonic() - last_commit > PROGRESS_SECONDS):  # fmt: skip
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


def _forget_directory() -> None:
    """The directory's rows read to count the offices (thousands of legislators and their
    addresses) leave the session: they are done with, and each progress commit would expire
    every one of them (about a second of a large build)."""
    for row in list(db.session.identity_map.values()):
        if isinstance(row, Legislator | LegislatorOffice):
            db.session.expunge(row)


def workers() -> int:
    """Processes a large build uses (``PACKET_WORKERS``; 0 or unset: one a core, at most 4)."""
    configured = int(current_app.config.get("PACKET_WORKERS") or 0)
    if configured > 0:
        return configured
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))  # fmt: skip


@dataclass(frozen=True)
class _Workers:
    """The worker processes of one large build, and the folder they write packets into."""

    pool: ProcessPoolExecutor
    scratch: str


@contextmanager
def _workers_for(petition: Petition, folder: Path) -> Iterator[_Workers | None]:
    """Worker processes for a large build (a petition of ``PARALLEL_FROM`` confirmed
    signatures or more), started at once; None for a build in this process. On the way out
    the workers are stopped (an office being set is finished) before their folder goes."""
    count = workers()
    if count < 2 or petition.signature_count < PARALLEL_FROM or _in_memory_database():
        yield None
        return
    with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as scratch:
        pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(_worker_config(),),
        )
        try:
            for _ in range(count):
                pool.submit(_ready)  # each submit starts a process while none is idle
            yield _Workers(pool, scratch)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> None:
    """A first task, so that the workers start (and import the app) straight away."""


def _write_all(
    archive: zipfile.ZipFile,
    petition: Petition,
    offices: list[services.Office],
    day: date,
    stamp: tuple[int, ...],
    workers_: _Workers | None,
) -> Iterator[services.Office]:
    """Write every office into the archive, in order; yields each office once it is in. On
    a failure, ``_workers_for`` cancels the offices not handed out yet."""
    if workers_ is None:
        with services.senate_shared():
            for office in offices:
                write_office(archive, petition, office, day, stamp)
                yield office
        return
    # A task is one office, a state's two senators (they list the same signers: the worker
    # reads them once), or a run of small offices (a state legislature's are thousands of
    # packets of a few dozen rows: each task costs the job a submission and a result). The
    # largest are handed out first (an organisation target lists every named signer; left
    # to the end, one worker would set it while the other waits); the archive still takes
    # them in the offices' order, as each is ready.
    groups: list[list[int]] = []
    for index, office in enumerate(offices):
        last = offices[groups[-1][0]] if groups else None
        if last is not None and (
            (office.chamber == Chamber.US_SENATE.value and last.chamber == office.chamber
             and last.state == office.state)
            or (_small(office) and all(_small(offices[i]) for i in groups[-1])
                and len(groups[-1]) < SMALL_GROUP)
        ):  # fmt: skip
            groups[-1].append(index)
        else:
            groups.append([index])
    groups.sort(key=lambda g: -sum(offices[i].constituents + offices[i].possible for i in g))
    futures = {
        group[0]: workers_.pool.submit(
            _set_offices,
            (petition.id, [(i, offices[i]) for i in group], day, workers_.scratch),
        )
        for group in groups
    }
    ready: dict[int, tuple[str, str]] = {}
    for index, office in enumerate(offices):
        if index in futures:
            ready.update(futures.pop(index).result())
        pdf_path, csv_path = ready.pop(index)
        _add_files(archive, office, stamp, pdf_path, csv_path)
        yield office


SMALL_GROUP = 16  # small offices set in one task
SMALL = 100  # signers (constituents and "possibly") of a small office


def _small(office: services.Office) -> bool:
    return office.target_id is None and office.constituents + office.possible <= SMALL


def _in_memory_database() -> bool:
    # Another process cannot see an in-memory SQLite database.
    return db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database in (
        None, "", ":memory:",
    )  # fmt: skip


def _worker_config() -> dict[str, Any]:
    """The job's configuration, for workers to build the same app (every value pickles:
    settings are strings, numbers and such; one that does not stays behind)."""
    config = {}
    for key, value in current_app.config.items():
        try:
            pickle.dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError):
            log.debug("Setting %s stays out of the packet workers: it does not pickle", key)
        else:
            config[key] = value
    return config


_worker: dict[str, Any] = {}


def _start_worker(config: dict[str, Any]) -> None:
    """In a worker: the app, with the job's configuration, and its context for good."""
    from advocacy import create_app

    app = create_app(config)  # the job's config (its CONFIG_NAME), every setting the job's
    context = app.app_context()
    context.push()
    _worker["context"] = context


def _set_offices(
    task: tuple[int, list[tuple[int, services.Office]], date, str],
) -> dict[int, tuple[str, str]]:
    """In a worker: offices' PDFs and CSVs, as files in the scratch folder, by index."""
    petition_id, offices, day, scratch = task
    petition = _worker.get("petition")
    if petition is None or petition.id != petition_id:
        # Read once and kept apart from the session, which ends its transaction each task.
        petition = db.session.get_one(Petition, petition_id)
        organization = petition.organization
        db.session.expunge(petition)
        db.session.expunge(organization)
        _worker["petition"] = petition
    written: dict[int, tuple[str, str]] = {}
    try:
        with services.senate_shared():
            for index, office in offices:
                pdf_path = os.path.join(scratch, f"{index}.pdf")
                csv_path = os.path.join(scratch, f"{index}.csv")
                with open(pdf_path, "wb") as pdf, open(csv_path, "wb") as table:
                    packets.write_pdf(pdf, petition, office, day, csv_out=table)
                written[index] = (pdf_path, csv_path)
    finally:
        db.session.rollback()  # end the read transaction: nothing is held between tasks
    return written


def _add_files(
    archive: zipfile.ZipFile,
    office: services.Office,
    stamp: tuple[int, ...],
    pdf_path: str,
    csv_path: str,
) -> None:
    for path, suffix, compression in (
        (pdf_path, "pdf", zipfile.ZIP_STORED),
        (csv_path, "csv", zipfile.ZIP_DEFLATED),
    ):
        info = zipfile.ZipInfo(f"{office.file_stem}.{suffix}", date_time=stamp)  # type: ignore[arg-type]
        info.compress_type = compression
        with open(path, "rb") as source, archive.open(info, "w") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        os.unlink(path)


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

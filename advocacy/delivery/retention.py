"""How long packet archives stay on disk: each is hundreds of MB, and a build makes a new one.

What ``prune`` deletes from ``PACKETS_DIR``:

- **expired**: the archive of a petition's newest finished build, once that build finished
  more than ``PACKETS_KEEP_DAYS`` ago (0: never). The organizer builds it again from the page.
- **superseded**: the archive of every older build of a petition that has a newer one on disk.
  The page only ever links to the newest build, so nobody can reach these, at any age.
- **orphans**: a ``packets-*.zip.part`` (a build that died mid-way) or a ``packets-*.zip`` that
  no job names (its petition was deleted; a prune that stopped between its two steps), once
  untouched for a day: a build in progress writes its ``.part`` continuously and names its
  ``.zip`` within a moment of the rename, so neither is ever taken from under it. The same
  goes for a ``.build-*`` scratch folder of the build's worker processes (``jobs``) that a
  killed build left behind: a running build adds and removes files in it all the time.

An expired or superseded job keeps its row (``done``, with its counts and size) and loses its
``file_name``: the page then says the archive expired, and the download is a 404. Rows are
cleared and committed before the files go, so the page never links to a file being deleted;
a crash in between leaves a file no row names, which the next prune removes as an orphan.
Every step is idempotent, so ``flask packets prune`` is safe from cron and twice at once, and
each build runs it first (``prune_quietly``): one query over the jobs that still have a file
and one listing of the folder.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from advocacy.core.db import utcnow
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db

log = logging.getLogger(__name__)
DEFAULT_KEEP_DAYS = 14
ORPHAN_AGE = timedelta(days=1)
PATTERNS = ("packets-*.zip", "packets-*.zip.part")
SCRATCH = ".build-*"  # jobs._write_all's scratch folders


@dataclass(frozen=True)
class Removed:
    """One file ``prune`` deleted (or, in a dry run, would delete)."""

    reason: str  # "expired", "superseded" or "orphan"
    name: str
    size: int  # bytes on disk; 0 when the file was already gone
    job_id: int | None = None


@dataclass
class Pruned:
    keep_days: int
    removed: list[Removed] = field(default_factory=list)
    kept: int = 0  # archives left on disk

    @property
    def freed(self) -> int:
        return sum(r.size for r in self.removed)


def keep_days() -> int:
    """``PACKETS_KEEP_DAYS``, checked: a whole number of days, 0 meaning "never expire"."""
    value = current_app.config.get("PACKETS_KEEP_DAYS", DEFAULT_KEEP_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"PACKETS_KEEP_DAYS must be a whole number of days, 0 or more: {value!r}")
    return value


def prune(folder: Path, now: datetime | None = None, *, dry_run: bool = False) -> Pruned:
    """Delete expired, superseded and orphaned archives in ``folder`` (``PACKETS_DIR``, see
    the module) and report each one; a dry run only reports."""
    now = now or utcnow()
    result = Pruned(keep_days=keep_days())
    gone = _archives_to_drop(now, result)
    if not dry_run and gone:
        for item in gone:
            db.session.execute(
                update(PacketJob)
                .where(PacketJob.id == item.job_id, PacketJob.file_name == item.name)
                .values(file_name=None)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    for item in gone:
        result.removed.append(_delete(folder / item.name, item, dry_run))
    # Named by a job, or just listed (a dry run leaves them in place): not orphans.
    named = {item.name for item in gone} | {
        name
        for name in db.session.scalars(
            select(PacketJob.file_name).where(PacketJob.file_name.is_not(None))
        )
        if name is not None
    }
    for path in _orphans(folder, named, now):
        result.removed.append(_delete(path, Removed("orphan", path.name, 0), dry_run))
    return result


def prune_quietly(folder: Path) -> None:
    """``prune`` before a build: a problem is logged and never stops the build."""
    try:
        result = prune(folder)
    except Exception:
        log.exception("Could not prune old packet archives")
        db.session.rollback()
        return
    if result.removed:
        log.info("Pruned %d packet file(s), %d bytes", len(result.removed), result.freed)


def _archives_to_drop(now: datetime, result: Pruned) -> list[Removed]:
    """The jobs whose archive goes: every petition's older builds, and its newest one once
    it is older than the retention."""
    rows = db.session.execute(
        select(PacketJob.id, PacketJob.petition_id, PacketJob.file_name, PacketJob.finished_at)
        .where(PacketJob.file_name.is_not(None), PacketJob.status == JobStatus.DONE)
        .order_by(PacketJob.petition_id, PacketJob.id.desc())
    ).all()
    days = result.keep_days
    cutoff = now - timedelta(days=days) if days else None
    drop: list[Removed] = []
    newest_seen: set[int] = set()
    for job_id, petition_id, name, finished_at in rows:
        if not name:  # excluded by the query; says so to the type checker
            continue
        if petition_id in newest_seen:
            drop.append(Removed("superseded", name, 0, job_id))
            continue
        newest_seen.add(petition_id)
        if cutoff is not None and finished_at is not None and finished_at < cutoff:
            drop.append(Removed("expired", name, 0, job_id))
        else:
            result.kept += 1
    return drop


def _orphans(folder: Path, named: set[str], now: datetime) -> list[Path]:
    """Archive and partial files in the folder that no job names, untouched for a day."""
    if not folder.is_dir():
        return []
    found: list[Path] = []
    files = {p for pattern in PATTERNS for p in folder.glob(pattern) if p.is_file()}
    scratch = {p for p in folder.glob(SCRATCH) if p.is_dir()}
    for path in sorted(files | scratch):
        if path.name in named:
            continue
        try:
            touched = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except FileNotFoundError:  # another prune took it
            continue
        if now - touched > ORPHAN_AGE:
            found.append(path)
    return found


def _delete(path: Path, item: Removed, dry_run: bool) -> Removed:
    """Delete one file (not in a dry run); ``item`` with the bytes it held."""
    try:
        if path.is_dir():
            size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            if not dry_run:
                shutil.rmtree(path)
        else:
            size = path.stat().st_size
            if not dry_run:
                path.unlink()
    except FileNotFoundError:  # deleted by hand, or by a prune running at the same time
        size = 0
    return Removed(item.reason, item.name, size, item.job_id)

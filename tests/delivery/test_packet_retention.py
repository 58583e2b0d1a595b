"""Old packet archives leave PACKETS_DIR: expired, superseded and orphaned files, the
``flask packets prune`` command, the prune before each build, and the page's "expired"."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from advocacy.core.db import utcnow
from advocacy.delivery import jobs, retention
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db
from tests.delivery.conftest import signed

NOW = datetime.fromisoformat("2026-12-01T12:00:00+00:00")
MB = 1048576


@pytest.fixture
def folder(app) -> Path:
    path = jobs.packets_dir()
    path.mkdir(parents=True)
    return path


@pytest.fixture
def org(make):
    org = make.organization()
    make.organizer(org, email="olive@example.org")
    return org


def _file(folder: Path, name: str, size: int = 10, touched: datetime = NOW) -> Path:
    path = folder / name
    path.write_bytes(b"z" * size)
    os.utime(path, (touched.timestamp(), touched.timestamp()))
    return path


@dataclass(frozen=True)
class Built:
    id: int
    file_name: str


def _built(folder: Path, petition, finished: datetime, size: int = MB) -> Built:
    """A done job with its archive on disk, finished (and the file written) at ``finished``."""
    job = PacketJob(petition_id=petition.id, status=JobStatus.DONE, total=3, done=3,
                    size=size, started_at=finished, finished_at=finished)  # fmt: skip
    db.session.add(job)
    db.session.flush()
    job.file_name = f"packets-{petition.id}-{job.id}.zip"
    db.session.commit()
    _file(folder, job.file_name, size, finished)
    return Built(job.id, job.file_name)


def _reload(job: Built | PacketJob) -> PacketJob:
    db.session.expire_all()
    return db.session.get_one(PacketJob, job.id)


def test_an_archive_older_than_the_retention_is_deleted_and_its_job_kept(folder, make, org):
    old, recent = make.petition(org), make.petition(org)
    expired = _built(folder, old, NOW - timedelta(days=14, minutes=1))
    kept = _built(folder, recent, NOW - timedelta(days=13, hours=23))
    result = retention.prune(folder, NOW)
    assert [(r.reason, r.name, r.size, r.job_id) for r in result.removed] == [
        ("expired", expired.file_name, MB, expired.id)
    ]
    assert result.kept == 1 and result.freed == MB and result.keep_days == 14
    assert sorted(p.name for p in folder.iterdir()) == [kept.file_name]
    expired = _reload(expired)
    assert expired.status == JobStatus.DONE and expired.file_name is None
    assert expired.size == MB and expired.total == 3  # the history stays
    assert _reload(kept).file_name is not None


def test_older_builds_of_a_petition_go_at_once_and_its_newest_stays(folder, make, org):
    petition, other = make.petition(org), make.petition(org)
    first = _built(folder, petition, NOW - timedelta(days=3))
    second = _built(folder, petition, NOW - timedelta(days=2))
    failed = PacketJob(petition_id=petition.id, status=JobStatus.FAILED, error="boom",
                       finished_at=NOW - timedelta(days=1))  # fmt: skip
    db.session.add(failed)
    db.session.commit()
    newest = _built(folder, petition, NOW - timedelta(hours=1))
    alone = _built(folder, other, NOW - timedelta(days=5))
    result = retention.prune(folder, NOW)
    assert sorted((r.reason, r.job_id) for r in result.removed) == [
        ("superseded", first.id),
        ("superseded", second.id),
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted([newest.file_name, alone.file_name])
    assert _reload(first).file_name is None and _reload(second).file_name is None
    assert _reload(failed).status == JobStatus.FAILED


def test_leftovers_no_job_names_go_after_a_day(folder, make, org):
    petition = make.petition(org)
    job = _built(folder, petition, NOW - timedelta(days=2))
    day_old = NOW - timedelta(days=1, minutes=1)
    dead_part = _file(folder, "packets-9-90.zip.part", touched=day_old)
    live_part = _file(folder, "packets-9-91.zip.part", touched=NOW - timedelta(minutes=5))
    unnamed = _file(folder, "packets-8-80.zip", touched=day_old)  # its petition was deleted
    just_renamed = _file(folder, "packets-9-92.zip", touched=NOW - timedelta(seconds=1))
    other = _file(folder, "README.txt", touched=day_old)
    (folder / "packets-7-70.zip.d").mkdir()
    # Worker scratch folders: one a killed build left, one a running build is filling.
    dead_scratch, live_scratch = folder / ".build-dead", folder / ".build-live"
    for scratch, touched in ((dead_scratch, day_old), (live_scratch, NOW)):
        scratch.mkdir()
        _file(scratch, "3.pdf", size=7, touched=touched)
        os.utime(scratch, (touched.timestamp(), touched.timestamp()))
    result = retention.prune(folder, NOW)
    assert sorted((r.reason, r.name, r.size) for r in result.removed) == [
        ("orphan", dead_scratch.name, 7),
        ("orphan", unnamed.name, 10),
        ("orphan", dead_part.name, 10),
    ]
    assert all(r.job_id is None for r in result.removed)
    left = {p.name for p in folder.iterdir()}
    assert left == {
        job.file_name,
        live_part.name,
        just_renamed.name,
        other.name,
        "packets-7-70.zip.d",
        live_scratch.name,
    }


def test_pruning_twice_deletes_nothing_more(folder, make, org):
    petition = make.petition(org)
    _built(folder, petition, NOW - timedelta(days=30))
    _file(folder, "packets-1-1.zip.part", touched=NOW - timedelta(days=2))
    assert len(retention.prune(folder, NOW).removed) == 2
    again = retention.prune(folder, NOW)
    assert again.removed == [] and again.kept == 0
    assert list(folder.iterdir()) == []


def test_a_file_deleted_by_hand_clears_its_job(folder, make, org):
    job = _built(folder, make.petition(org), NOW - timedelta(days=20))
    (folder / job.file_name).unlink()
    [removed] = retention.prune(folder, NOW).removed
    assert (removed.reason, removed.size) == ("expired", 0)
    assert _reload(job).file_name is None


def test_no_folder_yet_is_nothing_to_do(app):
    result = retention.prune(jobs.packets_dir(), NOW)
    assert result.removed == [] and result.kept == 0


def test_zero_days_keeps_the_newest_archives_forever(app, folder, make, org):
    app.config["PACKETS_KEEP_DAYS"] = 0
    petition = make.petition(org)
    old = _built(folder, petition, NOW - timedelta(days=400))
    newest = _built(folder, petition, NOW - timedelta(days=300))
    result = retention.prune(folder, NOW)
    assert [(r.reason, r.job_id) for r in result.removed] == [("superseded", old.id)]
    assert _reload(newest).file_name is not None


@pytest.mark.parametrize("value", [-1, "14", True, 1.5])
def test_a_wrong_retention_is_refused(app, folder, value):
    app.config["PACKETS_KEEP_DAYS"] = value
    with pytest.raises(ValueError, match="PACKETS_KEEP_DAYS"):
        retention.prune(folder, NOW)


def test_the_environment_sets_the_retention():
    from config import environment_overrides

    assert environment_overrides({"PACKETS_KEEP_DAYS": "30"})["PACKETS_KEEP_DAYS"] == 30


# --- flask packets prune ---------------------------------------------------------------------


def test_the_command_prints_what_it_deleted_and_is_safe_to_repeat(runner, folder, make, org):
    petition = make.petition(org)
    # The command runs at the real time: the job finished a month before now.
    expired = _built(folder, petition, utcnow() - timedelta(days=30), size=3 * MB)
    _file(folder, "packets-5-5.zip.part", size=MB // 2, touched=utcnow() - timedelta(days=2))

    dry = runner.invoke(args=["packets", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Would delete expired: {expired.file_name} (job {expired.id}), 3.0 MB" in dry.output
    assert "Would delete orphan: packets-5-5.zip.part, 0.5 MB" in dry.output
    assert "Would delete 2 file(s), 3.5 MB; 0 archive(s) left" in dry.output
    assert len(list(folder.iterdir())) == 2 and _reload(expired).file_name

    result = runner.invoke(args=["packets", "prune"])
    assert result.exit_code == 0, result.output
    assert f"Deleted expired: {expired.file_name} (job {expired.id}), 3.0 MB" in result.output
    assert "Deleted 2 file(s), 3.5 MB; 0 archive(s) left (archives are kept 14 day(s))." in (
        result.output
    )
    assert list(folder.iterdir()) == [] and _reload(expired).file_name is None

    again = runner.invoke(args=["packets", "prune"])
    assert again.exit_code == 0 and again.output.strip() == (
        "Deleted 0 file(s), 0.0 MB; 0 archive(s) left (archives are kept 14 day(s))."
    )


def test_the_command_refuses_a_wrong_setting(app, runner, folder):
    app.config["PACKETS_KEEP_DAYS"] = -3
    result = runner.invoke(args=["packets", "prune"])
    assert result.exit_code == 1
    assert "PACKETS_KEEP_DAYS must be a whole number of days, 0 or more: -3" in result.output


# --- with the builds and the page ------------------------------------------------------------


def test_each_build_prunes_first(directory, folder, make, org):
    old, petition = make.petition(org), make.petition(org)
    expired = _built(folder, old, utcnow() - timedelta(days=15))
    signed(make, petition, "13202")
    job = jobs.request_packets(petition, None)
    assert job.status == JobStatus.DONE
    assert [p.name for p in folder.iterdir()] == [job.file_name]
    assert _reload(expired).file_name is None


def test_a_prune_that_fails_never_stops_the_build(directory, folder, make, org, monkeypatch):
    def broken(*args, **kwargs):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(retention, "prune", broken)
    petition = make.petition(org)
    signed(make, petition, "13202")
    assert jobs.request_packets(petition, None).status == JobStatus.DONE


def test_the_page_says_an_expired_archive_must_be_built_again(client, auth, folder, make, org):
    petition = make.petition(org)
    job = _built(folder, petition, utcnow() - timedelta(days=15))
    auth.login("olive@example.org")
    url = f"/organize/petitions/{petition.id}/packets"
    assert "Download the packets" in client.get(url).get_data(as_text=True)
    retention.prune(folder)
    page = client.get(url).get_data(as_text=True)
    assert "Expired — build again" in page and "archives are kept 14 days" in page
    assert "Download the packets" not in page and f"/packets/{job.id}.zip" not in page
    assert ">Build the packets again</button>" in page
    assert client.get(f"{url}/{job.id}.zip").status_code == 404
    assert db.session.scalars(select(PacketJob)).one().status == JobStatus.DONE

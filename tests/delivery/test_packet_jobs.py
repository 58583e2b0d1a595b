"""The organizer's packet pages: build the archive (job, progress, failure), download it,
one office's PDF or CSV, and who may see any of it."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from advocacy.delivery import jobs, packets, services
from advocacy.delivery.models import JobStatus, PacketJob
from advocacy.extensions import db
from tests.delivery.conftest import signed
from tests.letters.conftest import campaign, target


@pytest.fixture
def petition(make, directory):
    org = make.organization()
    make.organizer(org, email="olive@example.org")
    p = make.petition(org)
    signed(make, p, "13202", first_name="Ada", last_name="Shown")
    signed(make, p, "10001", first_name="Split", last_name="Zip")
    target(campaign(petition=p))
    return p


def _job() -> PacketJob:
    db.session.expire_all()
    return db.session.scalars(select(PacketJob).order_by(PacketJob.id.desc())).first()


def test_build_then_download_one_pdf_and_csv_per_office(client, auth, petition):
    auth.login("olive@example.org")
    page = client.get(f"/organize/petitions/{petition.id}/packets").get_data(as_text=True)
    assert "Build the packets" in page and "New York" in page
    response = client.post(f"/organize/petitions/{petition.id}/packets")
    assert response.status_code == 302
    job = _job()
    offices = services.offices_for(petition)
    assert job.status == JobStatus.DONE and job.total == job.done == len(offices)
    assert job.started_at and job.finished_at and job.size > 0

    page = client.get(f"/organize/petitions/{petition.id}/packets").get_data(as_text=True)
    assert "Download the packets" in page and 'http-equiv="refresh"' not in page
    download = client.get(f"/organize/petitions/{petition.id}/packets/{job.id}.zip")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert len(names) == 2 * len(offices) == len(set(names))
    stems = {n.rsplit(".", 1)[0] for n in names}
    assert stems == {o.file_stem for o in offices}
    assert {n.rsplit(".", 1)[1] for n in names} == {"pdf", "csv"}
    assert any("Gillibrand" in n for n in names) and any(n.startswith("target-") for n in names)
    # The CSV written beside the PDF, in one pass, is the list the office's CSV route gives.
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    for office in offices:
        assert archive.read(f"{office.file_stem}.csv") == packets.csv_bytes(petition, office)
        assert archive.read(f"{office.file_stem}.pdf").startswith(b"%PDF")


def test_progress_is_recorded_and_shown_while_running(client, auth, petition, monkeypatch):
    auth.login("olive@example.org")
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 1)
    seen: list[tuple[int, int]] = []
    real = jobs.write_office

    def spy(archive, p, office, day, stamp):
        row = db.session.execute(
            select(PacketJob.done, PacketJob.total).order_by(PacketJob.id.desc())
        ).one()
        seen.append(tuple(row))
        real(archive, p, office, day, stamp)

    monkeypatch.setattr(jobs, "write_office", spy)
    client.post(f"/organize/petitions/{petition.id}/packets")
    total = len(services.offices_for(petition))
    assert seen == [(i, total) for i in range(total)]

    job = PacketJob(petition_id=petition.id, status=JobStatus.RUNNING, total=40, done=10)
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/organize/petitions/{petition.id}/packets").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'aria-valuenow="25"' in page and "10 of 40 offices done" in page
    # A second press while one runs does not start another.
    client.post(f"/organize/petitions/{petition.id}/packets")
    assert _job().id == job.id


def test_a_failure_is_recorded_and_leaves_no_partial_archive(
    client, auth, petition, monkeypatch, app
):
    auth.login("olive@example.org")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs.packets, "write_pdf", broken)
    client.post(f"/organize/petitions/{petition.id}/packets")
    job = _job()
    assert job.status == JobStatus.FAILED and "disk on fire" in job.error
    assert job.file_name is None and job.finished_at is not None
    assert not list(jobs.packets_dir().glob("*"))
    page = client.get(f"/organize/petitions/{petition.id}/packets").get_data(as_text=True)
    assert "The last build failed" in page and "disk on fire" in page
    assert client.get(f"/organize/petitions/{petition.id}/packets/{job.id}.zip").status_code == 404


def test_one_office_pdf_and_csv(client, auth, petition):
    auth.login("olive@example.org")
    base = f"/organize/petitions/{petition.id}/packets/office"
    pdf = client.get(f"{base}/legislator:G000555.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    table = client.get(f"{base}/legislator:G000555.csv").get_data(as_text=True)
    assert "Ada Shown" in table and "Split Zip" in table
    # An office without signers here, or no office at all: 404.
    assert client.get(f"{base}/legislator:P000145.pdf").status_code == 404
    assert client.get(f"{base}/nonsense.csv").status_code == 404

    with client.application.test_request_context():
        from advocacy.organize.packets import packet_urls

        urls = packet_urls(petition, "legislator:G000555")
    assert urls["pdf"].endswith("/packets/office/legislator:G000555.pdf")


def test_other_organisations_and_anonymous_users_get_nothing(client, auth, make, petition):
    jobs.request_packets(petition, None)
    job = _job()
    assert job.status == JobStatus.DONE
    paths = [
        f"/organize/petitions/{petition.id}/packets",
        f"/organize/petitions/{petition.id}/packets/{job.id}.zip",
        f"/organize/petitions/{petition.id}/packets/office/legislator:G000555.pdf",
        f"/organize/petitions/{petition.id}/packets/office/legislator:G000555.csv",
    ]
    for path in paths:
        assert client.get(path).status_code == 302  # to the login page
    make.organizer(email="mallory@example.org")
    auth.login("mallory@example.org")
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert client.post(paths[0]).status_code == 404
    assert _job().id == job.id


def test_a_job_of_another_petition_is_not_downloaded_through_this_one(client, auth, make, petition):
    other = make.petition(petition.organization)
    jobs.request_packets(other, None)
    job = _job()
    auth.login("olive@example.org")
    assert client.get(f"/organize/petitions/{petition.id}/packets/{job.id}.zip").status_code == 404
    assert client.get(f"/organize/petitions/{other.id}/packets/{job.id}.zip").status_code == 200


def test_build_without_sync_runs_in_a_thread(app, petition):
    app.config["MAIL_SYNC"] = False
    job = jobs.request_packets(petition, None)
    import time

    for _ in range(100):
        db.session.expire_all()
        if db.session.get(PacketJob, job.id).status == JobStatus.DONE:
            break
        time.sleep(0.1)
    assert db.session.get(PacketJob, job.id).status == JobStatus.DONE


def test_a_build_left_open_by_a_dead_worker_does_not_block_the_next(petition):
    from datetime import timedelta

    from advocacy.core.db import utcnow

    old = PacketJob(petition_id=petition.id, status=JobStatus.RUNNING, total=9, done=3,
                    started_at=utcnow() - timedelta(hours=2))  # fmt: skip
    db.session.add(old)
    db.session.commit()
    job = jobs.request_packets(petition, None)
    assert job.id != old.id and job.status == JobStatus.DONE
    db.session.refresh(old)
    assert old.status == JobStatus.FAILED and "Interrupted" in old.error


def _entries(job: PacketJob) -> dict[str, bytes]:
    path = jobs.archive_path(job)
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_workers_build_the_same_archive_as_one_process(app, petition, monkeypatch):
    """Spread over two processes (spawned, with the job's settings), the archive has the same
    files in the same order, the same CSVs and PDFs showing the same text."""
    from tests.letters.pdftext import read

    monkeypatch.setattr(jobs, "PARALLEL_FROM", 1)
    app.config["PACKET_WORKERS"] = 1
    serial = jobs.request_packets(petition, None)  # built before it returns (MAIL_SYNC)
    app.config["PACKET_WORKERS"] = 2
    spread = jobs.request_packets(petition, None)
    assert serial.status == spread.status == JobStatus.DONE
    assert spread.done == spread.total == serial.total
    one, two = _entries(serial), _entries(spread)
    assert list(one) == list(two)
    for name in one:
        if name.endswith(".csv"):
            assert one[name] == two[name]
        else:
            assert read(one[name]).text == read(two[name]).text
    # Nothing is left of the workers' scratch files.
    assert sorted(p.name for p in jobs.packets_dir().iterdir()) == sorted(
        [serial.file_name, spread.file_name]
    )


def test_a_worker_failure_fails_the_job_and_leaves_no_files(app, petition, monkeypatch):
    monkeypatch.setattr(jobs, "PARALLEL_FROM", 1)
    app.config["PACKET_WORKERS"] = 2
    monkeypatch.setattr(
        jobs, "_worker_config",
        lambda: {**app.config, "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/dir/x.db"},
    )  # fmt: skip
    job = jobs.request_packets(petition, None)
    assert job.status == JobStatus.FAILED and "OperationalError" in job.error
    assert list(jobs.packets_dir().iterdir()) == []


def test_workers_are_built_from_the_jobs_own_config_name(app):
    """A development server's workers are development apps (its public SECRET_KEY is refused
    anywhere else), with every setting of the job's app."""
    from advocacy import create_app

    development = create_app("development")
    development.config["PACKETS_DIR"] = "/somewhere/else"
    with development.app_context():
        config = jobs._worker_config()
    worker = create_app(config)
    assert worker.config["CONFIG_NAME"] == "development"
    for key in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "PACKETS_DIR"):
        assert worker.config[key] == development.config[key]


def test_the_office_list_is_one_state_at_a_time(client, auth, make, petition):
    """Thousands of offices would make a page tens of thousands of pixels tall: the page
    lists the states (with their offices and signers), and one state's offices on request;
    organisation targets are always listed."""
    signed(make, petition, "94110", first_name="Cal", last_name="Ifornian", state="CA")
    auth.login("olive@example.org")
    url = f"/organize/petitions/{petition.id}/packets"
    page = client.get(url).get_data(as_text=True)
    offices = services.offices_for(petition)
    assert f"{len(offices)} offices get a packet" in page
    assert "California" in page and "New York" in page
    assert "Kirsten E. Gillibrand" not in page and "Padilla" not in page
    assert f"{url}?state=NY#offices-heading" in page
    assert "David J. Skorton" in page  # the organisation target, on every view
    new_york = client.get(url, query_string={"state": "ny"}).get_data(as_text=True)
    assert "Kirsten E. Gillibrand" in new_york and "New York in Congress" in new_york
    assert "New York’s legislature" in new_york and "Padilla" not in new_york
    for office in (o for o in offices if o.state == "NY"):
        assert f"/packets/office/{office.key}.pdf" in new_york
    for bad in ("ZZ", "<script>", "x" * 500):
        response = client.get(url, query_string={"state": bad})
        assert response.status_code == 200
        assert "Kirsten E. Gillibrand" not in response.get_data(as_text=True)
    assert client.get(url, query_string={"state": "N\x00Y"}).status_code == 400  # as anywhere

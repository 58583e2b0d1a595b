"""How long building every delivery packet of a petition with 100,000 signatures takes
(target: under a minute on these 2-core machines), and how much memory it holds.

Imports ``../shared/data`` (or ``ADVOCACY_DATA_DIR``) into a fresh PostgreSQL bench database
(``advocacy_bench_packets``), adds a petition with N confirmed signatures (default 100,000)
spread over every state and DC — each a real ZIP of ``zip_congressional_districts.csv``,
drawn uniformly, with its districts stored by ``petitions.services.fill_districts`` as signing
stores them; 80 % agreed to be shown, a third left a comment — two letter-campaign targets,
then runs the packet job (``delivery.jobs.build_archive``: every office's PDF and CSV into one
ZIP, over ``PACKET_WORKERS`` processes) in a child process and reports its wall time, the
offices, the archive's size, the child's peak RSS (``ru_maxrss``) and its workers', the CPU
seconds of the child and its workers, and the load average before and after (a busy machine
shows there, not in the code). Before timing, the database is vacuumed and analysed, as
autovacuum would have done (``settle``). A second phase builds the one packet of a senator with
50,000 constituents (a petition signed only in New York) to show that a huge office is
bounded too: its peak RSS beside that of a 5,000-signer one.

    .venv/bin/python bench/packets.py                 # about 3 minutes, most of it seeding
    .venv/bin/python bench/packets.py --signatures 20000 --huge 10000

Results are printed as Markdown and written to ``bench/results/packets-<UTC time>.json``;
docs/BENCHMARKS.md keeps them.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from lookup import DATA, reset_postgres  # noqa: E402 - bench/lookup.py, beside this file

from advocacy import create_app  # noqa: E402
from advocacy.accounts import services as accounts  # noqa: E402
from advocacy.core.db import utcnow  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.legislators import importer  # noqa: E402
from advocacy.letters.models import CampaignStatus, CampaignTarget, LetterCampaign  # noqa: E402
from advocacy.petitions import services as petitions  # noqa: E402
from advocacy.petitions.models import Petition, PetitionStatus, Signature  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_packets"
FIRST = ["Maria", "James", "Aisha", "Wei", "Carlos", "Olivia", "Noah", "Priya", "Kwame", "Lena"]
LAST = ["Lopez", "Smith", "Okafor", "Chen", "Garcia", "Johnson", "Nguyen", "Patel", "Brown"]
CITIES = ["Springfield", "Riverside", "Fairview", "Franklin", "Greenville", "Madison", "Salem"]
COMMENTS = [
    "My daughter waited eight months for a specialist.",
    "Residency slots are the bottleneck: fund them.",
    "I am a physician who trained abroad and I want to serve my community. " * 3,
    "Rural hospitals cannot recruit without more residents.",
]
BODY = (
    "## Why\n\nThousands of qualified doctors go **unmatched** every year while patients "
    "wait.\n\n- Fund 14,000 new residency positions\n- Prioritise shortage areas\n\n"
    "We ask Congress to pass the Resident Physician Shortage Reduction Act."
)


def app_for(url: str, packets_dir: str):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SERVER_NAME": "bench.local",
         "RATELIMIT_ENABLED": False}
    )  # fmt: skip
    app.config.update(MAIL_BACKEND="null", MAIL_SYNC=True, PACKETS_DIR=packets_dir)
    if os.environ.get("PACKET_WORKERS"):  # to compare; the default is the app's
        app.config["PACKET_WORKERS"] = int(os.environ["PACKET_WORKERS"])
    return app


def zips() -> list[str]:
    with (DATA / "zip_congressional_districts.csv").open(newline="") as handle:
        return sorted({row["zip"] for row in csv.DictReader(handle)})


def seed_petition(slug: str, count: int, pick, rng: random.Random) -> int:
    org = accounts.get_or_create_organization("Unmatched Graduates for Care")
    petition = Petition(
        organization=org, slug=slug, title="Pass the Resident Physician Shortage Reduction Act",
        summary="Fund residency positions so qualified doctors can care for patients.",
        body=BODY, target="U.S. Congress", goal=150_000, status=PetitionStatus.OPEN,
        published_at=utcnow(),
    )  # fmt: skip
    db.session.add(petition)
    db.session.commit()
    now = utcnow()
    for start in range(0, count, 10_000):
        rows = []
        for i in range(start, min(count, start + 10_000)):
            rows.append(
                {
                    "petition_id": petition.id,
                    "first_name": rng.choice(FIRST),
                    "last_name": f"{rng.choice(LAST)}-{i}",
                    "email": f"s{i}@example.com",
                    "zip": pick(),
                    "city": rng.choice(CITIES),
                    "comment": rng.choice(COMMENTS) if rng.random() < 0.33 else None,
                    "public": rng.random() < 0.8,
                    "confirmed_at": now,
                    "created_at": now,
                }
            )
        db.session.execute(Signature.__table__.insert(), rows)
    petition.signature_count = count
    db.session.commit()
    petitions.fill_districts(petition.id)
    return petition.id


def seed(url: str, signatures: int, huge: int, packets_dir: str) -> dict:
    reset_postgres(url)
    app = app_for(url, packets_dir)
    rng = random.Random(11)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        importer.import_directory(DATA)
        all_zips = zips()
        ny = [z for z in all_zips if "10000" <= z < "15000"]
        started = time.perf_counter()
        spread = seed_petition("spread", signatures, lambda: rng.choice(all_zips), rng)
        campaign = LetterCampaign(
            organization_id=db.session.get_one(Petition, spread).organization_id,
            petition_id=spread, slug="letters", title="Write", status=CampaignStatus.OPEN,
        )  # fmt: skip
        db.session.add(campaign)
        db.session.flush()
        for name in ("David J. Skorton", "Jesse M. Ehrenfeld"):
            db.session.add(
                CampaignTarget(campaign_id=campaign.id, name=name, salutation="Dear Dr.:",
                               address="655 K Street NW\nWashington, DC 20001")
            )  # fmt: skip
        db.session.commit()
        big = seed_petition("new-york", huge, lambda: rng.choice(ny), rng)
        small = seed_petition("new-york-small", huge // 10, lambda: rng.choice(ny), rng)
        seconds = time.perf_counter() - started
    return {"spread": spread, "big": big, "small": small, "seed_seconds": round(seconds, 1)}


def settle(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum would have done by the time anyone builds packets (the
    bench servers run without it): statistics for the planner, and the visibility map that
    lets the members' queries read the districts' index alone. Seconds after seeding, next
    to nothing on a database already settled."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _child(url: str, packets_dir: str, petition_id: int, only: str | None, out) -> None:
    try:
        out.send(_build(url, packets_dir, petition_id, only))
    except BaseException as exc:  # the parent waits on the pipe: always answer
        out.send({"error": f"{type(exc).__name__}: {exc}"})
        raise


def _build(url: str, packets_dir: str, petition_id: int, only: str | None) -> dict:
    from advocacy.delivery import jobs, packets, services
    from advocacy.delivery.models import PacketJob

    app = app_for(url, packets_dir)
    with app.app_context():
        started = time.perf_counter()
        if only:
            petition = db.session.get_one(Petition, petition_id)
            office = services.office_for(petition, only)
            assert office is not None
            with open(os.path.join(packets_dir, "one.pdf"), "wb") as handle:
                packets.write_pdf(handle, petition, office, utcnow().date())
            size = os.path.getsize(os.path.join(packets_dir, "one.pdf"))
            result = {"offices": 1, "constituents": office.constituents, "size": size}
        else:
            job = PacketJob(petition_id=petition_id)
            db.session.add(job)
            db.session.commit()
            job = jobs.build_archive(job.id)
            assert job.status.value == "done", job.error
            result = {"offices": job.total, "size": job.size}
        result["seconds"] = round(time.perf_counter() - started, 2)
    me, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                        resource.RUSAGE_CHILDREN))  # fmt: skip
    result["peak_rss_mb"] = round(me.ru_maxrss / 1024, 1)
    # The job's worker processes (PACKET_WORKERS), once they have ended: their CPU time and
    # the largest one's peak. With the job's own, how much of the machine the build used.
    result["workers_peak_rss_mb"] = round(workers.ru_maxrss / 1024, 1)
    result["cpu_seconds"] = round(
        me.ru_utime + me.ru_stime + workers.ru_utime + workers.ru_stime, 1
    )
    result["job_cpu_seconds"] = round(me.ru_utime + me.ru_stime, 1)  # the job's own part
    return result


def measure(url: str, packets_dir: str, petition_id: int, only: str | None = None) -> dict:
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("spawn").Process(
        target=_child, args=(url, packets_dir, petition_id, only, send)
    )
    child.start()
    result = receive.recv()
    child.join()
    if "error" in result:
        raise SystemExit(f"the build failed: {result['error']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--signatures", type=int, default=100_000)
    parser.add_argument("--huge", type=int, default=50_000)
    parser.add_argument("--reuse", action="store_true", help="keep the last run's database")
    args = parser.parse_args()
    packets_dir = tempfile.mkdtemp(prefix="advocacy-packets-")
    if args.reuse:
        seeded = {"spread": 1, "big": 2, "small": 3, "seed_seconds": 0}
    else:
        seeded = seed(args.database_url, args.signatures, args.huge, packets_dir)
    print(f"seeded in {seeded['seed_seconds']} s", flush=True)
    settle(args.database_url)
    load_before = os.getloadavg()[0]
    try:
        spread = measure(args.database_url, packets_dir, seeded["spread"])
        load_after = os.getloadavg()[0]
        big = measure(args.database_url, packets_dir, seeded["big"], "legislator:G000555")
        small = measure(args.database_url, packets_dir, seeded["small"], "legislator:G000555")
    finally:
        shutil.rmtree(packets_dir)  # the archive is 400 MB: not one left behind per run
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}",
        "signatures": args.signatures,
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        "all_packets": spread,
        "one_senator_huge": big,
        "one_senator_small": small,
    }
    print("| run | signatures | offices | time | archive / PDF | peak RSS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| all packets | {args.signatures:,} | {spread['offices']:,} "
          f"| **{spread['seconds']} s** | {spread['size'] / 1048576:.1f} MB "
          f"| {spread['peak_rss_mb']} MB |")  # fmt: skip
    print(f"\nall packets: {spread['cpu_seconds']} CPU seconds (job and workers, PostgreSQL "
          f"apart; the job's own {spread['job_cpu_seconds']}), workers' peak RSS "
          f"{spread['workers_peak_rss_mb']} MB, load average "
          f"{load_before:.2f} before, {load_after:.2f} after\n")  # fmt: skip
    for label, row in (("Gillibrand, huge", big), ("Gillibrand, small", small)):
        print(f"| {label} | {row['constituents']:,} | 1 | {row['seconds']} s "
              f"| {row['size'] / 1048576:.1f} MB | {row['peak_rss_mb']} MB |")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"packets-{stamp}.json").write_text(json.dumps(report, indent=2))
    if spread["seconds"] >= 60:
        raise SystemExit("target missed: all packets took a minute or more")


if __name__ == "__main__":
    main()

"""How fast the signature CSV export streams 1,000,000 signatures (target: > 100,000 rows/s),
and that its memory stays flat in the number of rows.

Seeds a PostgreSQL database with two petitions, 100,000 and 1,000,000 confirmed signatures
(each with two districts, a third opted in, a fifth with a comment, some names that look like
formulas), with one ``INSERT … SELECT … FROM generate_series`` each, then streams each whole
export through the generator the view hands to its response
(``petitions.exports.export_csv``: keyset batches, districts, ``core.csvsafe``), in-process,
with no HTTP in between, and reports rows/s and the process's resident memory (the peak while
streaming the small export and the peak while streaming the large one: equal peaks mean
memory does not grow with the rows). Request limits play no part (no request is made; the app
runs with ``RATELIMIT_ENABLED`` off anyway).

    .venv/bin/python bench/export.py                      # bench_export on 127.0.0.1
    .venv/bin/python bench/export.py --signatures 200000  # a quicker run
    BENCH_EXPORT_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/other_bench \\
        .venv/bin/python bench/export.py

The database is dropped and created again (its name must contain ``bench``); ``--reuse``
keeps an earlier seed. Results are printed as Markdown and written to
``bench/results/export-<UTC time>.json``; docs/BENCHMARKS.md keeps them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.petitions import exports  # noqa: E402
from advocacy.petitions.exports import ExportFilters  # noqa: E402
from advocacy.petitions.models import Petition  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_export"
TARGET_ROWS_PER_SECOND = 100_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def reset(url: str) -> None:
    base, name = url.rsplit("/", 1)
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: its name lacks 'bench'")
    if "127.0.0.1" not in base and "localhost" not in base:
        raise SystemExit("refusing a database that is not on this machine")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


SIGNATURES = """
INSERT INTO signatures (petition_id, first_name, last_name, email, zip, state, city, comment,
                        public, opt_in, ref, utm_source, utm_medium, utm_campaign,
                        created_at, confirmed_at, signer_number, notices_sent)
SELECT %(pid)s,
       CASE WHEN g %% 1000 = 0 THEN '=HYPERLINK("https://evil.example")' ELSE 'Sam' END,
       'Signer' || g,
       'seed-' || %(pid)s || '-' || g || '@bench.example',
       '13202', 'NY', 'Syracuse',
       CASE WHEN g %% 5 = 0 THEN 'Because it matters to my family, and to "us".' END,
       g %% 10 <> 0,
       g %% 3 = 0,
       CASE WHEN g %% 4 = 0 THEN 'fb.' || (g %% 977) END,
       CASE WHEN g %% 2 = 0 THEN 'newsletter' END,
       CASE WHEN g %% 2 = 0 THEN 'email' END,
       CASE WHEN g %% 2 = 0 THEN 'launch' END,
       now() - make_interval(secs => %(n)s - g + 60),
       now() - make_interval(secs => %(n)s - g),
       g,
       0
FROM generate_series(1, %(n)s) AS g
"""

DISTRICTS = """
INSERT INTO signature_districts (signature_id, chamber, state, district, status)
SELECT id, chamber, 'NY', district, 'matched'
FROM signatures, (VALUES ('us_house', '22'), ('state_upper', '48')) AS d(chamber, district)
WHERE petition_id = %(pid)s
"""


def seed(url: str, sizes: dict[str, int]) -> None:
    with psycopg.connect(url) as conn:
        org = conn.execute(
            "INSERT INTO organizations (name, slug, created_at, updated_at) "
            "VALUES ('Bench Organisation', 'bench-organisation', now(), now()) RETURNING id"
        ).fetchone()
        assert org is not None
        for slug, n in sizes.items():
            started = time.monotonic()
            row = conn.execute(
                "INSERT INTO petitions (organization_id, slug, title, summary, body, target, goal,"
                " status, require_confirmation, signature_count, version, published_at,"
                " created_at, updated_at) VALUES (%s, %s, %s, '', '', 'U.S. Congress', %s,"
                " 'open', true, %s, 0, now(), now(), now()) RETURNING id",
                (org[0], slug, f"Bench export {n:,}", n * 2, n),
            ).fetchone()
            assert row is not None
            conn.execute(SIGNATURES, {"pid": row[0], "n": n})
            conn.execute(DISTRICTS, {"pid": row[0]})
            conn.commit()
            took = time.monotonic() - started
            log(f"  {n:,} signatures (and {2 * n:,} districts) in {took:.1f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process on this machine (the PostgreSQL backend)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stream(slug: str) -> dict:
    """Stream the whole export of ``slug`` as the view does, counting rows and bytes."""
    petition = db.session.scalar(select(Petition).where(Petition.slug == slug))
    assert petition is not None
    peak = rss_mb()
    rows = size = 0
    backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    server_cpu, client_cpu = cpu_seconds(backend), time.process_time()
    started = time.perf_counter()
    for chunks, chunk in enumerate(exports.export_csv(petition, ExportFilters()), 1):
        rows += chunk.count("\n")  # no cell of the seed holds a line break
        size += len(chunk.encode())
        if chunks % 100 == 0:
            peak = max(peak, rss_mb())
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    server_cpu = cpu_seconds(backend) - server_cpu
    db.session.rollback()
    rows -= 1  # the header
    return {
        "petition": slug,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "megabytes": round(size / 1e6, 1),
        "peak_rss_mb": round(max(peak, rss_mb()), 1),
        # CPU time does not depend on what else the machine runs: rows per second of the
        # busier side, the other running beside it on the second core.
        "client_cpu_seconds": round(client_cpu, 2),
        "server_cpu_seconds": round(server_cpu, 2),
        "rows_per_cpu_second": round(rows / max(client_cpu, server_cpu)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_EXPORT_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database seeded before")
    args = parser.parse_args()
    url = args.database_url.replace("postgresql+psycopg://", "postgresql://")
    small = max(1, args.signatures // 10)
    sizes = {"bench-export-small": small, "bench-export-large": args.signatures}
    if not args.reuse:
        log(f"resetting {url}")
        reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if not args.reuse:
            upgrade(directory=str(ROOT / "migrations"))
            log("seeding")
            seed(url, sizes)
        log("streaming")
        load = os.getloadavg()  # other work on the machine slows both client and server
        start_rss = rss_mb()
        results = [stream(slug) for slug in sizes]
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": load,
            "load_average_after": os.getloadavg(),
        },
        "batch": exports.BATCH,
        "rss_before_mb": round(start_rss, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"export-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"RSS before streaming: {report['rss_before_mb']} MB; load average {load[0]:.1f}\n")
    print(
        "| signatures | seconds | rows/s | CSV | peak RSS while streaming "
        "| CPU: client | CPU: PostgreSQL | rows per CPU second |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['seconds']} s | {r['rows_per_second']:,} | "
            f"{r['megabytes']} MB | {r['peak_rss_mb']} MB | {r['client_cpu_seconds']} s | "
            f"{r['server_cpu_seconds']} s | {r['rows_per_cpu_second']:,} |"
        )
    large = results[-1]
    met = large["rows"] == args.signatures and large["rows_per_second"] > TARGET_ROWS_PER_SECOND
    print(f"\ntarget > {TARGET_ROWS_PER_SECOND:,} rows/s: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""How long ``find_legislators`` takes, on PostgreSQL and SQLite, with the shared directory.

Imports ``../shared/data`` (or ``ADVOCACY_DATA_DIR``) into a bench database, then times the
lookup in-process (no HTTP) over a fixed sample of real ZIP codes: every kind of answer the
directory gives (one district, split ZIPs, at-large states, DC, multi-member districts). It
also times ``districts_for_zip``, the one query signing runs, and shows the query plans, so
the index use is on record. Results are printed as Markdown and written to
``bench/results/lookup-<UTC time>.json``; docs/BENCHMARKS.md keeps them. Target: a lookup
well under 2 ms.

    .venv/bin/python bench/lookup.py                # PostgreSQL (advocacy_bench_lookup) + SQLite
    .venv/bin/python bench/lookup.py --zips 500 --rounds 3
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.legislators import importer, lookup  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_lookup"
DATA = Path(os.environ.get("ADVOCACY_DATA_DIR") or ROOT.parent / "shared" / "data")


def sample_zips(n: int, seed: int = 2026) -> list[str]:
    with (DATA / "zip_congressional_districts.csv").open(newline="") as handle:
        zips = sorted({row["zip"] for row in csv.DictReader(handle)})
    rng = random.Random(seed)  # noqa: S311 - a fixed sample, not security
    return rng.sample(zips, min(n, len(zips)))


def reset_postgres(url: str) -> None:
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: its name lacks 'bench'")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def time_calls(fn, args: list[str], rounds: int) -> dict[str, float]:
    for zip_code in args[:50]:  # warm-up: compiled statements, connection pool, page cache
        fn(zip_code)
    samples: list[float] = []
    for _ in range(rounds):
        for zip_code in args:
            start = time.perf_counter()
            fn(zip_code)
            samples.append((time.perf_counter() - start) * 1000)
    return {
        "calls": len(samples),
        "mean_ms": statistics.fmean(samples),
        "p50_ms": percentile(samples, 50),
        "p90_ms": percentile(samples, 90),
        "p99_ms": percentile(samples, 99),
        "max_ms": max(samples),
    }


def plans(dialect: str) -> dict[str, str]:
    """The database's plans for the lookup's statement and the signing query, ZIP 13202."""
    explain = "EXPLAIN" if dialect == "postgresql" else "EXPLAIN QUERY PLAN"
    out = {}
    for name, statement in (
        ("find_legislators", lookup._LOOKUP_QUERY),
        ("districts_for_zip", lookup._ACTIVE_ZIP_QUERY),
    ):
        compiled = statement.params(zip="13202").compile(
            dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
        )
        rows = db.session.execute(text(f"{explain} {compiled}".replace("%%", "%"))).all()
        out[name] = [str(row[-1]).strip() for row in rows]
    return out


def run(database_url: str, zips: list[str], rounds: int) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        report = importer.import_directory(DATA)
        import_seconds = time.perf_counter() - started
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()

        def full(zip_code: str) -> None:
            with contextlib.suppress(lookup.UnknownZip):
                lookup.find_legislators(zip_code)

        result = {
            "database": dialect,
            "import_seconds": round(import_seconds, 2),
            "counts": report.counts,
            "find_legislators": time_calls(full, zips, rounds),
            "districts_for_zip": time_calls(lookup.districts_for_zip, zips, rounds),
            "plans": plans(dialect),
        }
        db.session.remove()
        db.engine.dispose()
    return result


def markdown(results: list[dict], zips: int, rounds: int) -> str:
    lines = [
        f"{zips} ZIP codes × {rounds} rounds, in-process (no HTTP), after 50 warm-up calls.",
        "",
        "| database | call | mean | p50 | p90 | p99 | max |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for call in ("find_legislators", "districts_for_zip"):
            t = r[call]
            lines.append(
                f"| {r['database']} | `{call}` | {t['mean_ms']:.2f} ms | {t['p50_ms']:.2f} ms | "
                f"{t['p90_ms']:.2f} ms | {t['p99_ms']:.2f} ms | {t['max_ms']:.2f} ms |"
            )
    for r in results:
        lines += ["", f"{r['database']}: import {r['import_seconds']} s. Plan of the lookup:", ""]
        lines += [f"    {line}" for line in r["plans"]["find_legislators"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--zips", type=int, default=2000, help="ZIP codes sampled (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the sample (default 5)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    if not (DATA / "federal_legislators.csv").exists():
        raise SystemExit(f"no legislator data at {DATA} (ADVOCACY_DATA_DIR)")
    zips = sample_zips(args.zips)
    results = []
    if not args.no_postgres:
        url = args.database_url
        if not url.startswith("postgresql"):
            raise SystemExit("--database-url must be a postgresql:// URL")
        reset_postgres(url)
        results.append(
            run(url.replace("postgresql://", "postgresql+psycopg://", 1), zips, args.rounds)
        )
    with tempfile.TemporaryDirectory() as scratch:
        results.append(run(f"sqlite:///{scratch}/lookup.db", zips, args.rounds))
    table = markdown(results, len(zips), args.rounds)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"lookup-{stamp}.json").write_text(
        json.dumps(
            {"results": results, "zips": len(zips), "rounds": args.rounds,
             "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}},
            indent=2,
        )
    )  # fmt: skip
    worst = max(r["find_legislators"]["p50_ms"] for r in results)
    return 0 if worst < 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())

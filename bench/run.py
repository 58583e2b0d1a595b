"""Benchmark the app under gunicorn against PostgreSQL, relative to a bare Flask app.

    .venv/bin/python bench/run.py            # the full run (about 4 minutes)
    .venv/bin/python bench/run.py --quick    # a smoke run (about 1 minute)

In one run, with the same gunicorn settings for every server, it measures with ``wrk``
on 127.0.0.1:

* ``bare``      GET / of ``bench/bare_app.py`` (one route, a small HTML string);
* ``page_1k``   GET of a petition page with 1,000 confirmed signatures;
* ``page_1m``   GET of a petition page with 1,000,000 confirmed signatures;
* ``sign``      POST of the sign form (CSRF token and session cookie of a real visit),
                a new email each time except 10 % repeats of an earlier one.

All servers run for the whole benchmark with the same gunicorn settings (default: the
``--workers $((2 * CPUS))`` sync workers of docs/deployment.md). Each scenario runs
``--rounds`` times, bare first in every round; the medians of requests per second, p99 and
of each round's ratio to bare are reported. ``--calibrate`` adds bench/reference_app.py
(one SELECT per view; a minimal insert-and-count POST) for comparison. Any response other
than the expected one (200 for pages, the 302 redirect for signing) and any socket error
counts as an error. After signing, the database must hold exactly one signature per
distinct email sent.

The database (default ``postgresql://postgres@127.0.0.1:5432/advocacy_bench``) is dropped
and recreated, migrated with ``flask db upgrade`` and seeded with SQL. Results go to
``bench/results/`` (gitignored) as JSON, and a Markdown table is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
RESULTS = BENCH / "results"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/advocacy_bench"

# Targets from the issue: requests per second as a fraction of the bare app's.
TARGETS = {"page_1k": 0.50, "page_1m": 0.50, "sign": 0.08}
SCALE_TARGET = 0.95  # page at 1M signatures / page at 1k signatures

ORG_SLUG = "bench-org"
PETITIONS = {"page_1k": "bench-1k", "page_1m": "bench-1m"}
SIGN_SLUG = "bench-sign"
REF_SIGN_SLUG = "bench-ref-sign"
SCENARIOS = ("bare", "page_1k", "page_1m", "sign", "ref_query", "ref_sign")
BODY = """We ask **Congress** to let qualified doctors help.

* It saves lives.
* It costs nothing.
* It is what most people already want.

Sign and share: every signature counts. [Read the report](https://example.org/report).
"""


# --- helpers -----------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str) -> dict[str, str]:
    """The production configuration, with nothing inherited that could change it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ADVOCACY_", "MAIL_", "FLASK_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "SERVER_NAME", "SECRET_KEY"}
    }
    env.update(
        FLASK_APP="wsgi",
        ADVOCACY_CONFIG="production",
        SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
        DATABASE_URL=database_url,
        MAIL_BACKEND="null",  # mail is written to the outbox and "sent" nowhere
        SERVER_NAME="127.0.0.1",  # production needs its host; the load generator uses it
        PROXY_HOPS="0",  # nothing in front of gunicorn here
        # The per-address abuse limits would stop a load test from one address: off, and the
        # results say so (docs/BENCHMARKS.md).
        RATELIMIT_ENABLED="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if os.environ.get("BENCH_REDIS_URL"):  # mail through RQ, as in production
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def split_db_url(url: str) -> tuple[str, str]:
    """(URL of the maintenance database ``postgres``, name of the bench database)."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"DATABASE_URL {url!r} names no database")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def psycopg_url(url: str) -> str:
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", url)


# --- database ----------------------------------------------------------------------------


def reset_database(url: str, force: bool) -> None:
    admin_url, name = split_db_url(url)
    if "bench" not in name and not force:
        raise SystemExit(
            f"Refusing to drop database {name!r}: its name does not contain 'bench' "
            "(pass --force-reset if you really mean it)."
        )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        log(f"dropping and creating database {name}")
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(env: dict[str, str]) -> None:
    log("flask db upgrade")
    subprocess.run(
        [str(BIN / "flask"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def import_directory(env: dict[str, str]) -> None:
    """The legislator directory, as in production: signing looks up the ZIP's districts."""
    data = os.environ.get("ADVOCACY_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    log(f"flask legislators import --from {data}")
    subprocess.run(
        [str(BIN / "flask"), "legislators", "import", "--from", data],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def create_petition(conn: psycopg.Connection, org_id: int, slug: str, title: str, goal: int) -> int:
    return conn.execute(
        """
        INSERT INTO petitions (organization_id, slug, title, summary, body, target, goal, status,
                               require_confirmation, signature_count, published_at,
                               created_at, updated_at)
        VALUES (%s, %s, %s, %s, %s, 'U.S. Congress', %s, 'open', true, 0, now(), now(), now())
        RETURNING id
        """,
        (org_id, slug, title, "Let qualified doctors help.", BODY, goal),
    ).fetchone()[0]


def seed_signatures(conn: psycopg.Connection, petition_id: int, n: int) -> None:
    """``n`` confirmed signatures in one INSERT … SELECT, and the counter to match."""
    t0 = time.monotonic()
    conn.execute(
        """
        INSERT INTO signatures (petition_id, first_name, last_name, email, zip, state, city,
                                comment, public, opt_in, created_at, confirmed_at, signer_number)
        SELECT %(pid)s,
               'Sam',
               'Signer' || g,
               'seed-' || g || '@bench.example',
               '13202', 'NY', 'Syracuse',
               CASE WHEN g %% 5 = 0 THEN 'Because it matters to my family.' END,
               g %% 10 <> 0,
               g %% 3 = 0,
               now() - make_interval(secs => %(n)s - g + 60),
               now() - make_interval(secs => %(n)s - g),
               g
        FROM generate_series(1, %(n)s) AS g
        """,
        {"pid": petition_id, "n": n},
    )
    conn.execute(
        "UPDATE petitions SET signature_count = %s, updated_at = now() WHERE id = %s",
        (n, petition_id),
    )
    log(f"  {n:,} signatures for petition {petition_id} in {time.monotonic() - t0:.1f} s")


def seed(url: str, sizes: dict[str, int]) -> None:
    with psycopg.connect(psycopg_url(url)) as conn:
        org_id = conn.execute(
            "INSERT INTO organizations (name, slug, created_at, updated_at) "
            "VALUES ('Bench Organisation', %s, now(), now()) RETURNING id",
            (ORG_SLUG,),
        ).fetchone()[0]
        for scenario, slug in PETITIONS.items():
            n = sizes[scenario]
            pid = create_petition(
                conn, org_id, slug, f"Benchmark petition with {n:,} signers", 2 * n
            )
            seed_signatures(conn, pid, n)
        for slug in (SIGN_SLUG, REF_SIGN_SLUG):
            create_petition(conn, org_id, slug, "Benchmark petition for signing", 10_000_000)
        conn.commit()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        log("VACUUM ANALYZE, CHECKPOINT")
        conn.execute("VACUUM ANALYZE")
        # Flush the seed's dirty pages now, or the checkpointer writes them during the
        # first minutes of measurement and steals CPU from whichever scenario is running.
        conn.execute("CHECKPOINT")


def sign_counts(url: str, slug: str = SIGN_SLUG) -> dict[str, int]:
    with psycopg.connect(psycopg_url(url)) as conn:
        rows, distinct, confirmed = conn.execute(
            """
            SELECT count(*), count(DISTINCT s.email), count(s.confirmed_at)
            FROM signatures s JOIN petitions p ON p.id = s.petition_id
            WHERE p.slug = %s
            """,
            (slug,),
        ).fetchone()
        outbox = conn.execute("SELECT count(*) FROM outbox_messages").fetchone()[0]
    return {"rows": rows, "distinct_emails": distinct, "confirmed": confirmed, "outbox": outbox}


def wait_for_stable_sign_rows(url: str, timeout: float = 10.0) -> dict[str, int]:
    """Requests still in the server's queue when wrk stopped are finished by the server."""
    last = sign_counts(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = sign_counts(url)
        if now == last:
            return now
        last = now
    return last


# --- servers -----------------------------------------------------------------------------


class Server:
    """One gunicorn, started with the settings every scenario shares."""

    def __init__(self, app: str, args: argparse.Namespace, env: dict[str, str], name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = [
            str(BIN / "gunicorn"),
            "--workers", str(args.workers),
            "--worker-class", args.worker_class,
            "--bind", f"127.0.0.1:{self.port}",
            "--backlog", "2048",
            "--chdir", str(ROOT),
            app,
        ]  # fmt: skip
        self.env = env
        self.log_path = args.out_dir / f"gunicorn-{name}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        log("starting " + " ".join(self.cmd[1:]))
        self.log_file = open(self.log_path, "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise SystemExit(f"{self.url}{path} did not answer 200 in {timeout} s; see {self.log_path}")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def visit(url: str) -> tuple[str, str]:
    """Open a petition page like a browser: (Cookie header value, csrf_token of the form)."""
    with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - http://127.0.0.1 only
        page = r.read().decode()
        cookies = r.headers.get_all("Set-Cookie") or []
    jar = "; ".join(c.split(";", 1)[0] for c in cookies)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not jar or not match:
        raise SystemExit(f"{url}: no cookie or csrf_token in the page")
    return jar, html.unescape(match.group(1))


# --- wrk ---------------------------------------------------------------------------------


def wrk(
    args: argparse.Namespace, url: str, script: str, duration: float, extra: list[str], name: str
) -> dict:
    cmd = [
        args.wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration:g}s",
        "--timeout", "10s",
        "--latency",
        "-s", str(BENCH / "lua" / script),
        url,
    ]  # fmt: skip
    if extra:
        cmd += ["--", *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    with open(args.out_dir / "wrk.log", "a") as f:
        f.write(f"\n===== {name} =====\n$ {' '.join(cmd)}\n{out}")
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no BENCH_JSON line:\n{out}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    sock = data["socket_errors"]
    data["rps"] = data["requests"] / seconds
    data["p99_ms"] = data["latency_us"]["p99"] / 1000
    data["p50_ms"] = data["latency_us"]["p50"] / 1000
    data["errors"] = data["bad"] + sock["connect"] + sock["read"] + sock["write"] + sock["timeout"]
    return data


def measure(args: argparse.Namespace, name: str, url: str, script: str, extra: list[str]) -> dict:
    if args.warmup > 0:
        wrk(args, url, script, args.warmup, extra, f"{name} (warm-up)")
    result = wrk(args, url, script, args.duration, extra, name)
    log(
        f"  {name:8} {result['rps']:9.1f} req/s  p99 {result['p99_ms']:7.1f} ms  "
        f"errors {result['errors']}"
    )
    return result


def run_round(
    args: argparse.Namespace, n: int, prefix: str, bare: Server, app: Server, ref: Server | None
) -> dict:
    """One pass over every scenario, bare first, so each ratio compares neighbours in time.

    The two page sizes swap places every round, so neither always runs in the other's wake.
    """
    log(f"round {n}/{args.rounds}")
    results: dict[str, dict] = {"bare": measure(args, "bare", bare.url + "/", "get.lua", [])}
    pages = list(PETITIONS.items())
    if n % 2 == 0:
        pages.reverse()
    for scenario, slug in pages:
        url = f"{app.url}/petitions/{slug}"
        results[scenario] = measure(args, scenario, url, "get.lua", [])
    page = f"{app.url}/petitions/{SIGN_SLUG}"
    cookie, token = visit(page)
    sign = [f"/petitions/{SIGN_SLUG}/sign", cookie, token]
    repeat = str(args.repeat_percent)
    if args.warmup > 0:
        extra = [*sign, f"{prefix}-r{n}w", repeat]
        results["sign_warmup"] = wrk(args, page, "sign.lua", args.warmup, extra, "sign (warm-up)")
    results["sign"] = measure(args, "sign", page, "sign.lua", [*sign, f"{prefix}-r{n}", repeat])
    if ref is not None:
        url = f"{ref.url}/query/{PETITIONS['page_1k']}"
        results["ref_query"] = measure(args, "ref_query", url, "get.lua", [])
        extra = [f"/sign/{REF_SIGN_SLUG}", "x=y", "none", f"{prefix}-ref{n}", repeat]
        results["ref_sign"] = measure(args, "ref_sign", ref.url + "/", "sign.lua", extra)
    for result in results.values():
        result["ratio_to_bare"] = result["rps"] / results["bare"]["rps"]
    return results


# --- report ------------------------------------------------------------------------------


def machine(wrk_path: str) -> dict:
    model = ""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=True
        ).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    pg = ""
    with contextlib.suppress(Exception):
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": subprocess.run([wrk_path, "-v"], capture_output=True, text=True).stdout.split("\n")[
            0
        ],
        "psql": pg,
    }


def summarise(rounds: list[dict], sizes: dict[str, int]) -> dict:
    """Medians over the rounds; the ratio is the median of each round's own ratio."""
    summary: dict[str, dict] = {}
    for scenario in SCENARIOS:
        runs = [r[scenario] for r in rounds if scenario in r]
        if not runs:
            continue
        summary[scenario] = {
            "rps": statistics.median(r["rps"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "ratio_to_bare": statistics.median(r["ratio_to_bare"] for r in runs),
            "requests": sum(r["requests"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "rps_each_round": [round(r["rps"], 1) for r in runs],
            "ratio_each_round": [round(r["ratio_to_bare"], 4) for r in runs],
        }
    summary["page_1k"]["signatures"] = sizes["page_1k"]
    summary["page_1m"]["signatures"] = sizes["page_1m"]
    return summary


def markdown(summary: dict, checks: dict) -> str:
    labels = {
        "bare": "(a) bare Flask app, `GET /`",
        "page_1k": f"(b) petition page, {summary['page_1k']['signatures']:,} signatures",
        "page_1m": f"(b) petition page, {summary['page_1m']['signatures']:,} signatures",
        "sign": "(c) signing, `POST …/sign` (10 % repeats)",
    }
    lines = [
        "| Scenario | Requests/s | p50 ms | p99 ms | Ratio to (a) | Target | Errors |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    if "ref_query" in summary:
        labels["ref_query"] = "calibration: one `SELECT` per view (`bench/reference_app.py`)"
        labels["ref_sign"] = "calibration: minimal insert-and-count `POST`"
    for key, label in labels.items():
        s = summary[key]
        target = TARGETS.get(key)
        verdict = (
            ""
            if target is None
            else (f"≥ {target:.0%} {'✅ met' if s['ratio_to_bare'] >= target else '❌ not met'}")
        )
        lines.append(
            f"| {label} | {s['rps']:,.0f} | {s['p50_ms']:.1f} | {s['p99_ms']:.1f} | "
            f"{s['ratio_to_bare']:.1%} | {verdict} | {s['errors']} |"
        )
    ratio = checks["page_1m_over_1k"]
    lines.append("")
    lines.append(
        f"Petition page at {summary['page_1m']['signatures']:,} vs "
        f"{summary['page_1k']['signatures']:,} signatures: {ratio:.2f}× (target ≥ {SCALE_TARGET}× "
        f"{'✅ met' if ratio >= SCALE_TARGET else '❌ not met'})."
    )
    d = checks["signatures"]
    lines.append(
        f"Signing: {d['sent_distinct']:,} distinct emails sent "
        f"({d['sent_repeats']:,} repeat requests), "
        f"{d['rows']:,} signature rows, {d['distinct_emails']:,} distinct emails in the database "
        f"({'✅ one row per email' if d['ok'] else '❌ mismatch'})."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 round of 3 s, 20,000 instead of 1,000,000 signatures",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument(
        "--force-reset",
        action="store_true",
        help="allow dropping a database whose name lacks 'bench'",
    )
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="keep the database of an earlier run (skips seeding)",
    )
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds per measurement (default 10)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=3.0,
        help="seconds of warm-up before each measurement (default 3)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds over all scenarios; medians are reported (default 5)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="gunicorn workers (default 2 × CPUs, as in docs/deployment.md)",
    )
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class (default sync)"
    )
    parser.add_argument("--small", type=int, default=1_000, help="signatures on the small petition")
    parser.add_argument(
        "--large", type=int, default=1_000_000, help="signatures on the large petition"
    )
    parser.add_argument(
        "--repeat-percent", type=int, default=10, help="share of sign requests repeating an email"
    )
    parser.add_argument("--wrk", default=os.environ.get("WRK", "wrk"))
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="also measure bench/reference_app.py (one SELECT per view; minimal insert-and-count)",
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.rounds = 3.0, 1.0, 1
        args.large = min(args.large, 20_000)

    host = urllib.parse.urlsplit(args.database_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("The benchmark only runs against a local database.")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    args.out_dir = RESULTS / stamp
    args.out_dir.mkdir()

    env = app_env(args.database_url)
    sizes = {"page_1k": args.small, "page_1m": args.large}
    if not args.reuse_db:
        reset_database(args.database_url, args.force_reset)
        migrate(env)
        import_directory(env)
        seed(args.database_url, sizes)
    before = sign_counts(args.database_url)

    prefix = f"b{stamp}"
    with contextlib.ExitStack() as stack:
        # All servers stay up for the whole run; an idle one costs nothing.
        bare = stack.enter_context(Server("bench.bare_app:app", args, env, "bare"))
        app = stack.enter_context(Server("wsgi:app", args, env, "app"))
        ref = None
        if args.calibrate:
            ref = stack.enter_context(Server("bench.reference_app:app", args, env, "reference"))
        bare.wait_ready("/")
        for slug in (*PETITIONS.values(), SIGN_SLUG):
            app.wait_ready(f"/petitions/{slug}")
        if ref is not None:
            ref.wait_ready(f"/query/{PETITIONS['page_1k']}")
        rounds = [run_round(args, n, prefix, bare, app, ref) for n in range(1, args.rounds + 1)]
        # While the app still runs: requests wrk left in its listen backlog finish first.
        after = wait_for_stable_sign_rows(args.database_url)

    runs = [r[k] for r in rounds for k in ("sign", "sign_warmup") if k in r]
    sent_distinct = sum(r["unique_emails"] for r in runs)
    rows = after["rows"] - before["rows"]
    signatures = {
        "sent_distinct": sent_distinct,
        "sent_repeats": sum(r["repeat_requests"] for r in runs),
        "rows": rows,
        "distinct_emails": after["distinct_emails"] - before["distinct_emails"],
        "outbox_messages": after["outbox"] - before["outbox"],
    }
    signatures["ok"] = rows == sent_distinct == signatures["distinct_emails"]

    summary = summarise(rounds, sizes)
    checks = {
        "page_1m_over_1k": summary["page_1m"]["rps"] / summary["page_1k"]["rps"],
        "signatures": signatures,
        "targets": {k: summary[k]["ratio_to_bare"] >= t for k, t in TARGETS.items()},
        "no_errors": all(summary[k]["errors"] == 0 for k in ("bare", *TARGETS)),
    }
    checks["targets"]["page_1m_over_1k"] = checks["page_1m_over_1k"] >= SCALE_TARGET
    table = markdown(summary, checks)
    result = {
        "started": stamp,
        "quick": args.quick,
        "settings": {
            "gunicorn": f"--workers {args.workers} --worker-class {args.worker_class} "
            "--backlog 2048 --bind 127.0.0.1:<port>",
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration:g}s "
            "--timeout 10s --latency",
            "warmup_seconds": args.warmup,
            "rounds": args.rounds,
            "repeat_percent": args.repeat_percent,
            "database": args.database_url,
        },
        "machine": machine(args.wrk),
        "load_average_after": os.getloadavg(),
        "summary": summary,
        "checks": checks,
        "rounds": rounds,
        "markdown": table,
    }
    (args.out_dir / "results.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2))
    print(table)
    log(f"results in {args.out_dir.relative_to(ROOT)}/results.json")
    ok = checks["no_errors"] and signatures["ok"] and all(checks["targets"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

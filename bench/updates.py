"""How long queueing an update to 100,000 opted-in signers takes (target: seconds, not minutes).

Builds a petition with N confirmed, opted-in signers (default 100,000) in a bench database,
then times what the organizer's "Send" does in the request: ``petitions.updates.send_update``
— the draft → sent change, rendering the email once and the one ``INSERT … SELECT`` that
queues a copy per signer, and the commit. The sender is held back (the request only queues).
It then times the sender itself with the ``null`` backend and no rate limit on a slice of the
copies: what claiming, filling in each copy's unsubscribe links and recording cost per
message, i.e. how far under the configured ``MAIL_BULK_RATE`` the machinery is. Peak memory
of the queueing step is measured with tracemalloc.

    .venv/bin/python bench/updates.py       # PostgreSQL (advocacy_bench_updates) + SQLite
    .venv/bin/python bench/updates.py --signers 20000 --no-postgres

Results are printed as Markdown and written to ``bench/results/updates-<UTC time>.json``;
docs/BENCHMARKS.md keeps them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from lookup import reset_postgres  # noqa: E402 - bench/lookup.py, beside this file
from sqlalchemy import func, select, text  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.accounts import services as accounts  # noqa: E402
from advocacy.core.db import utcnow  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.mail import delivery, dispatch  # noqa: E402
from advocacy.mail.models import MessageStatus, OutboxMessage  # noqa: E402
from advocacy.petitions import updates  # noqa: E402
from advocacy.petitions.models import Petition, PetitionStatus, Signature  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_updates"


def seed(signers: int) -> Petition:
    org = accounts.get_or_create_organization("Unmatched Graduates for Care")
    petition = Petition(
        organization=org,
        slug="pass-the-resident-physician-shortage-reduction-act",
        title="Pass the Resident Physician Shortage Reduction Act",
        target="U.S. Congress",
        goal=150_000,
        status=PetitionStatus.OPEN,
        published_at=utcnow(),
    )
    db.session.add(petition)
    db.session.commit()
    now = utcnow()
    table = Signature.__table__
    for start in range(0, signers, 10_000):
        rows = [
            {
                "petition_id": petition.id,
                "first_name": "Reader",
                "last_name": str(i),
                "email": f"reader{i}@example.com",
                "zip": "13202",
                "opt_in": True,  # every one opted in: the worst case
                "public": True,
                "confirmed_at": now,
                "created_at": now,
            }
            for i in range(start, min(signers, start + 10_000))
        ]
        db.session.execute(table.insert(), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return petition


def run(database_url: str, signers: int, send_sample: int) -> dict:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": False,
            "SERVER_NAME": "bench.local",
            "RATELIMIT_ENABLED": False,
        }
    )
    app.config.update(MAIL_BACKEND="null", MAIL_BULK_RATE=0, MAIL_BULK_BATCH=200)
    held: list[int] = []
    dispatch.dispatch_broadcast = lambda app, bid, **kw: held.append(bid)  # the request only queues
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        petition = seed(signers)
        seed_seconds = time.perf_counter() - started
        item = updates.create_update(
            petition,
            None,
            updates.UpdateInput(
                "We delivered your signatures to Congress",
                "## Thank you\n\nOn Tuesday we met **12 offices**. Next: the vote.\n",
            ),
        )
        tracemalloc.start()
        started = time.perf_counter()
        queued = updates.send_update(item)
        queue_seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows = db.session.scalar(
            select(func.count()).where(OutboxMessage.broadcast_id == item.broadcast_id)
        )
        assert queued == rows == signers, (queued, rows, signers)

        # The sender, unthrottled on the null backend, over a slice of the copies.
        app.config["MAIL_BULK_BATCH"] = 200
        started = time.perf_counter()
        sent = 0
        while sent < send_sample:
            report = delivery.deliver(_due(item.broadcast_id, 200))
            if not report.sent:
                break
            sent += report.sent
        send_seconds = time.perf_counter() - started
        left = db.session.scalar(
            select(func.count()).where(
                OutboxMessage.broadcast_id == item.broadcast_id,
                OutboxMessage.status == MessageStatus.QUEUED,
            )
        )
        result = {
            "database": db.engine.dialect.name,
            "signers": signers,
            "seed_seconds": round(seed_seconds, 2),
            "queue_seconds": round(queue_seconds, 3),
            "queued": queued,
            "queue_peak_memory_mb": round(peak / 1e6, 2),
            "sender_sample": sent,
            "sender_per_second": round(sent / send_seconds) if send_seconds else None,
            "still_queued": left,
            "dispatched_after_commit": held == [item.broadcast_id],
        }
        db.session.remove()
        db.engine.dispose()
    return result


def _due(broadcast_id: int, limit: int) -> list[int]:
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.status == MessageStatus.QUEUED,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    db.session.rollback()
    return ids


def markdown(results: list[dict]) -> str:
    lines = [
        "| database | signers | queue the update | peak memory (queueing) "
        "| sender, null backend, no rate limit |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['signers']:,} | {r['queue_seconds']:.2f} s "
            f"| {r['queue_peak_memory_mb']} MB "
            f"| {r['sender_per_second']:,} msg/s over {r['sender_sample']:,} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--signers", type=int, default=100_000)
    parser.add_argument("--send-sample", type=int, default=5_000, help="copies the sender sends")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    results = []
    if not args.no_postgres:
        url = args.database_url
        if not url.startswith("postgresql"):
            raise SystemExit("--database-url must be a postgresql:// URL")
        reset_postgres(url)
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        results.append(run(url, args.signers, args.send_sample))
    with tempfile.TemporaryDirectory() as scratch:
        results.append(run(f"sqlite:///{scratch}/updates.db", args.signers, args.send_sample))
    print(markdown(results))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"updates-{stamp}.json").write_text(
        json.dumps(
            {"results": results,
             "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}},
            indent=2,
        )
    )  # fmt: skip
    # Target: queued in seconds, not minutes.
    return 0 if max(r["queue_seconds"] for r in results) < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""How long a petition's statistics page takes at 1,000,000 signatures (target: under 300 ms).

Drops and recreates a PostgreSQL bench database (default
``postgresql://postgres@127.0.0.1:5432/advocacy_bench_stats``), migrates it, imports the shared
legislator directory, then writes the rollup rows a petition with N confirmed signatures
(default 1,000,000) would have: 365 days, every state and DC, every district of the directory
(U.S. House and both state chambers), 200 sources (ref, utm_source, utm_campaign), 500 email
domains, milestones and three versions, plus a letter campaign with letters to a few hundred
offices. No signature rows: the page must not need them. Then, logged in as the petition's
organizer through the Flask test client (request limits off: ``RATELIMIT_ENABLED=False``), it
GETs ``/organize/petitions/<id>/stats`` R times (default 50, after 3 warm-ups) and prints
p50/p95/max; writes ``bench/results/stats-<UTC time>.json`` and exits non-zero if p95 is 300 ms
or more.

    .venv/bin/python bench/stats.py
    .venv/bin/python bench/stats.py --signatures 100000 --rounds 20
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from flask_migrate import upgrade  # noqa: E402
from lookup import reset_postgres  # noqa: E402 - bench/lookup.py, beside this file
from sqlalchemy import insert, select, text  # noqa: E402

from advocacy import create_app  # noqa: E402
from advocacy.accounts import services as accounts  # noqa: E402
from advocacy.core.datafiles import shared_data_dir  # noqa: E402
from advocacy.core.db import utcnow  # noqa: E402
from advocacy.extensions import db  # noqa: E402
from advocacy.legislators import importer  # noqa: E402
from advocacy.legislators.models import DirectorySnapshot, District, Legislator  # noqa: E402
from advocacy.letters.models import (  # noqa: E402
    Channel,
    Letter,
    LetterCampaign,
    LetterStatus,
    Writer,
)
from advocacy.petitions.models import (  # noqa: E402
    DailyCount,
    DistrictCount,
    DomainCount,
    Milestone,
    Petition,
    PetitionStatus,
    PetitionVersion,
    SourceCount,
    StateCount,
)

RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/advocacy_bench_stats"
TARGET_MS = 300.0
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway bench account
STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC",
]  # fmt: skip


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` in parts proportional to ``weights``, summing exactly to ``total``."""
    whole = sum(weights)
    parts = [int(total * w / whole) for w in weights]
    parts[0] += total - sum(parts)
    return parts


def seed(total: int) -> Petition:
    rng = random.Random(2026)
    org = accounts.get_or_create_organization("Bench Org")
    user = accounts.create_user(
        "organizer@bench.example", "Bench Organizer", PASSWORD, organization=org
    )
    goal = total * 5 // 4
    petition = Petition(
        organization=org,
        slug="bench-stats",
        title="Lift the cap on Medicare-funded residency positions",
        summary="Bench",
        body="Bench",
        target="U.S. Congress",
        goal=goal,
        status=PetitionStatus.OPEN,
        published_at=utcnow() - timedelta(days=365),
        signature_count=total,
        version=3,
        created_by_id=user.id,
    )
    db.session.add(petition)
    db.session.commit()
    pid = petition.id
    today = utcnow().date()

    # 365 days: a launch spike decaying to a steady tail, with two later pushes.
    shape = [
        1 + 30 * 0.97**k + (12 * 0.9 ** (k - 150) if k >= 150 else 0)
        + (20 * 0.85 ** (k - 300) if k >= 300 else 0) + rng.random()
        for k in range(365)
    ]  # fmt: skip
    per_day = _split(total, shape)
    db.session.execute(
        insert(DailyCount),
        [
            {
                "petition_id": pid,
                "day": today - timedelta(days=364 - k),
                "started": int(c * 1.12),
                "confirmed": c,
            }
            for k, c in enumerate(per_day)
        ],
    )
    running, milestones = 0, []
    for k, c in enumerate(per_day):
        before, running = running, running + c
        for percent in (25, 50, 75):
            mark = goal * percent // 100
            if before < mark <= running:
                reached = datetime.datetime.combine(
                    today - timedelta(days=364 - k), datetime.time()
                )
                milestones.append(
                    {"petition_id": pid, "goal": goal, "percent": percent, "signature_count": mark,
                     "reached_at": reached}
                )  # fmt: skip
    if milestones:
        db.session.execute(insert(Milestone), milestones)

    state_weights = [rng.random() ** 2 + 0.02 for _ in STATES]
    by_state = dict(zip(STATES, _split(total, state_weights), strict=True))
    db.session.execute(
        insert(StateCount),
        [{"petition_id": pid, "state": s, "confirmed": c} for s, c in by_state.items()],
    )
    active = db.session.scalar(select(DirectorySnapshot.id).where(DirectorySnapshot.active))
    rows = []
    for chamber in ("us_house", "state_upper", "state_lower", "state_legislature"):
        districts = db.session.execute(
            select(District.state, District.district).where(
                District.snapshot_id == active, District.chamber == chamber
            )
        ).all()
        by_state_districts: dict[str, list[str]] = {}
        for state, district in districts:
            by_state_districts.setdefault(state, []).append(district)
        for state, names in by_state_districts.items():
            counts = _split(by_state.get(state, 0), [rng.random() + 0.2 for _ in names])
            for name, c in zip(names, counts, strict=True):
                rows.append(
                    {"petition_id": pid, "chamber": chamber, "state": state, "district": name,
                     "confirmed": c, "possible": c // 20}
                )  # fmt: skip
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(DistrictCount), rows[start : start + 5000])

    sources = []
    for kind, n in (("ref", 120), ("utm_source", 40), ("utm_campaign", 40)):
        channels = ["facebook", "email", "x", "whatsapp", "sms", "bluesky"]
        values = [""] + [
            f"{channels[i % len(channels)]}.sharer{i}" if kind == "ref" else f"{kind}-{i}"
            for i in range(n - 1)
        ]
        confirmed = _split(total, [1 / (i + 1) for i in range(n)])
        sources += [
            {"petition_id": pid, "kind": kind, "value": v, "started": int(c * 1.12), "confirmed": c}
            for v, c in zip(values, confirmed, strict=True)
        ]
    db.session.execute(insert(SourceCount), sources)
    domains = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"]
    domains += [f"provider{i}.example" for i in range(500 - len(domains))]
    confirmed = _split(total, [1 / (i + 1) ** 1.2 for i in range(500)])
    db.session.execute(
        insert(DomainCount),
        [
            {
                "petition_id": pid,
                "domain": d,
                "confirmed": c,
                "started": int(c * (2.5 if d == "outlook.com" else 1.12)),
            }
            for d, c in zip(domains, confirmed, strict=True)
        ],  # fmt: skip
    )
    db.session.execute(
        insert(PetitionVersion),
        [
            {
                "petition_id": pid,
                "number": n,
                "title": f"Version {n}",
                "summary": "",
                "body": "",
                "confirmed_count": c,
                "created_at": utcnow(),
            }
            for n, c in zip((1, 2, 3), _split(total, [5, 3, 2]), strict=True)
        ],  # fmt: skip
    )
    # Letters to 300 offices, so the page's letter counts read real rows.
    campaign = LetterCampaign(
        organization_id=org.id, petition_id=pid, slug="bench-letters", title="Write", goal=1000
    )
    db.session.add(campaign)
    db.session.flush()
    offices = db.session.scalars(
        select(Legislator.external_id).where(Legislator.snapshot_id == active).limit(300)
    ).all()
    writers = [
        {"campaign_id": campaign.id, "first_name": "W", "last_name": str(i),
         "email": f"w{i}@bench.example", "zip": "13202", "created_at": utcnow()}
        for i in range(1000)
    ]  # fmt: skip
    db.session.execute(insert(Writer), writers)
    writer_ids = db.session.scalars(
        select(Writer.id).where(Writer.campaign_id == campaign.id)
    ).all()
    db.session.execute(
        insert(Letter),
        [
            {
                "campaign_id": campaign.id,
                "writer_id": w,
                "recipient_key": f"legislator:{o}",
                "recipient_kind": "legislator",
                "recipient_name": "X",
                "recipient_salutation": "X",
                "channel": Channel.EMAIL,
                "status": LetterStatus.SENT,
                "subject": "s",
                "body": "b",
                "created_at": utcnow(),
            }
            for i, w in enumerate(writer_ids)
            for o in offices[i % 100 :: 100]
        ],  # fmt: skip
    )
    db.session.commit()
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return petition


def run(database_url: str, total: int, rounds: int) -> dict:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": False,
            "SERVER_NAME": "bench.local",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        importer.import_directory(shared_data_dir())
        directory_s = time.perf_counter() - started
        started = time.perf_counter()
        petition = seed(total)
        seed_s = time.perf_counter() - started
        pid = petition.id
        district_rows = db.session.scalar(
            select(db.func.count())
            .select_from(DistrictCount)
            .where(DistrictCount.petition_id == pid)
        )
        db.session.remove()
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "organizer@bench.example", "password": PASSWORD}
    )
    assert response.status_code in (302, 303), response.status_code
    url = f"/organize/petitions/{pid}/stats"
    for _ in range(3):
        assert client.get(url).status_code == 200
    samples, size = [], 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        size = len(response.data)
    ordered = sorted(samples)
    return {
        "signatures": total,
        "rounds": rounds,
        "district_rows": district_rows,
        "ms_p50": round(statistics.median(ordered), 1),
        "ms_p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "ms_max": round(ordered[-1], 1),
        "page_kb": round(size / 1024, 1),
        "seed_s": round(seed_s, 1),
        "directory_s": round(directory_s, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("--database-url must be a postgresql:// URL")
    reset_postgres(args.database_url)
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    r = run(url, args.signatures, args.rounds)
    met = r["ms_p95"] < TARGET_MS
    print("| signatures | district rows | GETs | p50 | p95 | max | page |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {r['signatures']:,} | {r['district_rows']:,} | {r['rounds']} | {r['ms_p50']:.1f} ms | "
        f"**{r['ms_p95']:.1f} ms** | {r['ms_max']:.1f} ms | {r['page_kb']:.0f} KB |"
    )
    print(f"target: p95 under {TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    machine = {"python": platform.python_version(), "cpus": os.cpu_count()}
    (RESULTS / f"stats-{stamp}.json").write_text(
        json.dumps({"result": r, "met": met, "machine": machine}, indent=2)
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

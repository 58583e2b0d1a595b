"""How long rendering letters takes: the template and the PDF (target: 1,000 in under 20 s).

For each of N letters (default 1,000) it does what showing a supporter a finished letter
does: renders the campaign's subject and body with ``letters.templating.render`` (sample
supporter values, a recipient that varies over every state and chamber, titles and chamber
names from ``legislators.titles``, a personal paragraph of varying length, a fifth of the
letters long enough for a second page), then ``letters.pdf.render_pdf`` for that letter
alone. In-process, no database, no HTTP (so the request limits play no part). Prints the
total, letters per second, per-letter percentiles and the peak RSS, writes
``bench/results/letters-<UTC time>.json``, and exits non-zero if the total is 20 s or more.

    .venv/bin/python bench/letters.py
    .venv/bin/python bench/letters.py --letters 200
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import sys
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advocacy.legislators import titles  # noqa: E402
from advocacy.legislators.models import Chamber  # noqa: E402
from advocacy.letters import templating  # noqa: E402
from advocacy.letters.pdf import PrintedLetter, render_pdf  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 20.0
STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "PR",
]  # fmt: skip
NAMES = [
    ("Charles", "Schumer"), ("Pamela", "Hunter"), ("Łukasz", "Wróbel"), ("Minh", "Nguyễn"),
    ("Zoë", "Brontë"), ("Inés", "Ñúñez"), ("John", "Mannion"), ("Rachel", "May"),
]  # fmt: skip
SUBJECT = "Please support {{ campaign.bills }}: {{ petition.title }}"
BODY = """Dear {{ recipient.title }} {{ recipient.last_name }},

As your constituent in {{ supporter.city }}, {{ supporter.state }}, I ask you to support
{{ campaign.bills }}, the Resident Physician Shortage Reduction Act, which would add
residency positions where the shortage of physicians is worst.

{% if personal_note %}{{ personal_note }}

{% endif %}{{ petition.signature_count }} people have signed our petition "{{ petition.title }}"
({{ petition.url }}); {{ petition.goal - petition.signature_count }} more will reach our goal.

Thank you for your attention, {{ recipient.title }} {{ recipient.last_name }}.
"""
NOTE = (
    "I graduated from medical school in 2023 and have applied to residency twice. "
    "The hospital near my parents' home has had no new residents in years. "
)


def recipient(n: int) -> tuple[dict[str, str], list[str]]:
    """The n-th recipient's merge values and inside address, cycling states and chambers."""
    state = STATES[n % len(STATES)]
    chamber = list(Chamber)[n // len(STATES) % len(Chamber)]
    if chamber is Chamber.STATE_LEGISLATURE and state not in ("NE", "DC"):
        chamber = Chamber.STATE_UPPER
    first, last = NAMES[n % len(NAMES)]
    title = titles.member_title(chamber, state)
    body_name = titles.chamber_name(chamber, state)
    values = {
        "title": title,
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "chamber": chamber.label,
        "district": "" if chamber is Chamber.US_SENATE else str(n % 40 + 1),
        "state": state,
    }
    address = [
        f"The Honorable {first} {last}",
        body_name,
        "State Capitol",
        f"Capital City, {state}",
    ]
    return values, address


def run(count: int) -> dict:
    timings: list[float] = []
    pages = 0
    total_bytes = 0
    started = time.perf_counter()
    for n in range(count):
        t0 = time.perf_counter()
        values, address = recipient(n)
        merge = templating.sample_values(values)
        merge["personal_note"] = NOTE * (1 + n % 4) if n % 5 else NOTE * 30  # a fifth run long
        subject = templating.render(SUBJECT, merge)
        body = templating.render(BODY, merge)
        assert subject and body
        data = render_pdf(
            [
                PrintedLetter(
                    date=datetime.date(2026, 12, 1),
                    sender_lines=merge["supporter"]["address_block"].splitlines(),
                    inside_address=address,
                    salutation=f"Dear {values['title']} {values['last_name']}:",
                    body=body,
                    signer=merge["supporter"]["full_name"],
                    reference=f"Letter {n + 1} · bench",
                )
            ]
        )
        timings.append(time.perf_counter() - t0)
        pages += data.count(b"/Type /Page\n") + data.count(b"/Type /Page ")
        total_bytes += len(data)
    total = time.perf_counter() - started
    ms = sorted(t * 1000 for t in timings)
    return {
        "letters": count,
        "total_s": round(total, 3),
        "letters_per_s": round(count / total, 1),
        "ms_first": round(timings[0] * 1000, 2),
        "ms_p50": round(statistics.median(ms), 2),
        "ms_p90": round(ms[int(len(ms) * 0.9) - 1], 2),
        "ms_p99": round(ms[max(int(len(ms) * 0.99) - 1, 0)], 2),
        "ms_max": round(ms[-1], 2),
        "pages": pages,
        "mean_pdf_kb": round(total_bytes / count / 1024, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000, help="how many (default 1000)")
    args = parser.parse_args()
    result = run(args.letters)
    met = result["total_s"] < TARGET_SECONDS * args.letters / 1000
    print("| letters | total | letters/s | first | p50 | p90 | p99 | max | pages | peak RSS |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    r = result
    print(
        f"| {r['letters']:,} | **{r['total_s']:.2f} s** | {r['letters_per_s']:,.0f} | "
        f"{r['ms_first']:.1f} ms | {r['ms_p50']:.1f} ms | {r['ms_p90']:.1f} ms | "
        f"{r['ms_p99']:.1f} ms | {r['ms_max']:.1f} ms | {r['pages']:,} | "
        f"{r['peak_rss_mb']:.0f} MB |"
    )
    print(f"target: {TARGET_SECONDS:.0f} s for 1,000 letters: {'met' if met else 'NOT met'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    machine = {"python": platform.python_version(), "cpus": os.cpu_count()}
    (RESULTS / f"letters-{stamp}.json").write_text(
        json.dumps({"result": result, "met": met, "machine": machine}, indent=2)
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Demo data: the organisations and petitions of real campaigns, with signatures over real ZIPs.

Loading is idempotent: organisations, users and petitions are found by slug or email
and left alone when present, so ``make run`` can load it on every start.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from advocacy.accounts import services as accounts
from advocacy.accounts.models import Membership, Organization, User
from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.petitions.models import Petition, PetitionStatus, Signature
from advocacy.petitions.services import fill_districts

DEMO_EMAIL = "organizer@example.org"
DEMO_PASSWORD = "advocacy-demo-2026"  # noqa: S105 - printed on start, development only

FIRST = (
    "Aisha",
    "Ana",
    "Arjun",
    "Ben",
    "Carlos",
    "Chen",
    "Daniel",
    "Deepa",
    "Elena",
    "Fatima",
    "Grace",
    "Hassan",
    "Isabel",
    "James",
    "Jin",
    "Kavya",
    "Kwame",
    "Laura",
    "Luis",
    "Maria",
    "Mei",
    "Mohammed",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Rahul",
    "Rosa",
    "Samuel",
    "Sara",
    "Sofia",
    "Tariq",
    "Thomas",
    "Uche",
    "Vikram",
    "Wei",
    "Yusuf",
    "Zainab",
)
LAST = (
    "Adeyemi",
    "Ahmed",
    "Alvarez",
    "Brown",
    "Chen",
    "Cohen",
    "Das",
    "Davis",
    "Diaz",
    "Evans",
    "Garcia",
    "Gupta",
    "Haddad",
    "Ibrahim",
    "Johnson",
    "Khan",
    "Kim",
    "Kowalski",
    "Lee",
    "Lopez",
    "Martin",
    "Mensah",
    "Miller",
    "Nguyen",
    "Novak",
    "Okafor",
    "Patel",
    "Perez",
    "Rahman",
    "Reddy",
    "Rossi",
    "Santos",
    "Shah",
    "Singh",
    "Smith",
    "Tanaka",
    "Taylor",
    "Thomas",
    "Wang",
    "Williams",
)
COMMENTS = (
    "I am an IMG with ten years of experience and I want to help my community.",
    "Our hospital is short of doctors. Let qualified physicians work.",
    "Patients in rural counties wait months to see a doctor.",
    "I went unmatched twice despite strong scores. We need more residency positions.",
    "My daughter is a medical graduate who cannot practice. This has to change.",
    "Collaborative practice works in other states. Expand it here.",
    "Every unfilled residency slot is a community without a doctor.",
    "Re-applying through ERAS costs thousands. Make it free for unmatched applicants.",
)


@dataclass(frozen=True)
class DemoPetition:
    org: str
    slug: str
    title: str
    target: str
    goal: int
    signatures: int
    summary: str
    body: str
    goal_step: int | None = None
    deadline_days: int | None = None


ORGANISATIONS = {
    "imgs": ("IMG Physicians for Emergency Care", "https://example.org/img-physicians"),
    "unmatched": ("Unmatched Medical Graduates Coalition", "https://example.org/unmatched"),
}

PETITIONS = (
    DemoPetition(
        org="imgs",
        slug="let-imgs-help-covid-19",
        title=(
            "Let international medical graduates already in the U.S. help during the "
            "COVID-19 emergency"
        ),
        target="State governors and medical boards",
        goal=10_000,
        signatures=6_912,
        summary=(
            "Thousands of internationally trained doctors already live here. Give them "
            "emergency licences so they can care for patients now."
        ),
        body="""Hospitals are stretched thin. Meanwhile, thousands of **international medical
graduates (IMGs)** who already live in the United States, many with years of practice
abroad and passing scores on every step of the USMLE, are not allowed to treat a single
patient.

## What we ask

1. Emergency or temporary licences for IMGs who have passed USMLE Steps 1 and 2 and hold
   ECFMG certification.
2. Supervised practice under a licensed physician, as several states already allow.
3. A path from emergency service to a full licence.

We have nearly 7,000 signatures of our 10,000 goal. **Once we reach it, we take it to the
government.**
""",
    ),
    DemoPetition(
        org="unmatched",
        slug="pass-the-resident-physician-shortage-reduction-act",
        title="Pass the Resident Physician Shortage Reduction Act",
        target="U.S. Congress",
        goal=25_000,
        signatures=3_140,
        summary=(
            "14,000 more Medicare-supported residency positions over seven years, so every "
            "qualified graduate can train and every community can find a doctor."
        ),
        body="""The United States faces a shortage of tens of thousands of physicians, yet every
year thousands of qualified medical graduates go **unmatched** because there are not enough
residency positions.

The *Resident Physician Shortage Reduction Act* would add **14,000 residency positions over
seven years**, with priority for hospitals in shortage areas.

Contact your senators and representative today, and sign to show Congress how many of us
are waiting.
""",
        deadline_days=120,
    ),
    DemoPetition(
        org="unmatched",
        slug="expand-collaborative-practice",
        title="Expand collaborative practice for medical graduates",
        target="State legislatures",
        goal=5_000,
        signatures=1_236,
        summary=(
            "Let medical graduates who did not match practice under a collaborating "
            "physician, as Missouri, Arkansas and others already do."
        ),
        body="""Several states license **assistant** or **associate physicians**: medical
graduates who practice under a collaborative agreement with a licensed physician, often in
underserved areas.

We ask every state legislature to pass collaborative practice laws, so graduates can serve
their communities while they apply to residency.
""",
    ),
    DemoPetition(
        org="unmatched",
        slug="aamc-free-eras-reapplication",
        title="AAMC: let unmatched applicants re-apply through ERAS free of charge",
        target="AAMC",
        goal=2_500,
        signatures=1_904,
        goal_step=2_500,
        summary=(
            "Re-applying costs unmatched graduates thousands of dollars in fees. Waive "
            "ERAS fees for applicants who went unmatched."
        ),
        body="""Each application cycle costs applicants thousands of dollars in ERAS fees. For
graduates who went unmatched through no lack of qualification, paying again is a barrier
that keeps good doctors out of training.

We ask the **Association of American Medical Colleges** to waive ERAS fees for applicants
re-applying after an unmatched cycle.
""",
    ),
)


def load_zip_sample(data_dir: Path, limit: int = 4000) -> list[tuple[str, str]]:
    """(zip, state) pairs from the shared ZIP→district table, one per ZIP."""
    path = data_dir / "zip_congressional_districts.csv"
    seen: dict[str, str] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            seen.setdefault(row["zip"], row["state"])
    pairs = sorted(seen.items())
    step = max(1, len(pairs) // limit)
    return pairs[::step]


@dataclass
class DemoResult:
    organizer: User
    created: list[str]


def load_demo(data_dir: Path, seed: int = 2026, scale: float = 1.0) -> DemoResult:
    """Create the demo organisations, organizer and petitions that are not there yet."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    zips = load_zip_sample(data_dir)
    orgs: dict[str, Organization] = {
        key: accounts.get_or_create_organization(name, website)
        for key, (name, website) in ORGANISATIONS.items()
    }
    db.session.commit()
    organizer = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if organizer is None:
        organizer = accounts.create_user(
            DEMO_EMAIL, "Demo Organizer", DEMO_PASSWORD, organization=orgs["unmatched"]
        )
        db.session.add(Membership(user=organizer, organization=orgs["imgs"]))
        db.session.commit()

    created = []
    for spec in PETITIONS:
        if db.session.scalar(select(Petition.id).where(Petition.slug == spec.slug)):
            continue
        _create_petition(spec, orgs[spec.org], organizer, zips, rng, scale)
        created.append(spec.slug)
    return DemoResult(organizer, created)


def _create_petition(spec, org, organizer, zips, rng, scale: float) -> None:
    now = utcnow()
    count = round(spec.signatures * scale)
    started = now - timedelta(days=60)
    petition = Petition(
        organization=org,
        slug=spec.slug,
        title=spec.title,
        summary=spec.summary,
        body=spec.body,
        target=spec.target,
        goal=spec.goal,
        goal_step=spec.goal_step,
        status=PetitionStatus.OPEN,
        published_at=started,
        deadline=now + timedelta(days=spec.deadline_days) if spec.deadline_days else None,
        created_by_id=organizer.id,
        signature_count=count,
    )
    db.session.add(petition)
    db.session.flush()
    # Spread over the last 60 days, so the newest few are minutes to hours old.
    moments = sorted(now - timedelta(seconds=60 * 86400 * rng.random()) for _ in range(count))
    rows = []
    for number, confirmed_at in enumerate(moments, start=1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        zip_code, state = rng.choice(zips)
        rows.append(
            {
                "petition_id": petition.id,
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}.{number}@example.com".lower(),
                "zip": zip_code,
                "state": state,
                "comment": rng.choice(COMMENTS) if rng.random() < 0.15 else None,
                "public": rng.random() < 0.85,
                "opt_in": rng.random() < 0.4,
                "ref": rng.choice((None, None, None, "x", "facebook", "whatsapp", "email")),
                "created_at": confirmed_at - timedelta(minutes=3),
                "confirmed_at": confirmed_at,
                "signer_number": number,
            }
        )
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Signature), rows[start : start + 2000])
    db.session.commit()
    fill_districts(petition.id)  # when a legislator directory is loaded

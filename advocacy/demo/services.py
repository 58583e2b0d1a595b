"""Demo data: the organisations and petitions of real campaigns, with signatures over real ZIPs,
and two letter campaigns.

Loading is idempotent: organisations, users, petitions and letter campaigns are found by
slug or email and left alone when present, so ``make run`` can load it on every start.
The letter campaigns record no legislator's position (every one stays unknown: we never
invent a real legislator's position); ``sample_positions.csv`` beside this module is an
example file for the positions import, marked as such, and is never loaded here.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

from advocacy.accounts import services as accounts
from advocacy.accounts.models import Membership, Organization, User
from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.legislators.models import Chamber
from advocacy.letters.models import (
    CampaignStatus,
    CampaignTarget,
    CampaignTemplate,
    LetterCampaign,
    Position,
)
from advocacy.membership.demo import load_demo_intake
from advocacy.petitions import rollups, versions
from advocacy.petitions.models import Petition, PetitionStatus, Signature
from advocacy.petitions.services import fill_districts
from advocacy.resources.demo import load_demo_resources
from advocacy.volunteers.demo import load_demo_volunteers

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


# --- letter campaigns ------------------------------------------------------------------------

SAMPLE_POSITIONS = Path(__file__).with_name("sample_positions.csv")
RPSRA_BILLS = ["hr3890-119", "hr4731-119", "s2439-119"]
_FEDERAL = '{% if recipient.chamber == "U.S. Senate" or recipient.chamber == "U.S. House" %}'
_IN = "{% if supporter.city %} in {{ supporter.city }}, {{ supporter.state }},{% endif %}"
_FROM = "{% if supporter.city %} from {{ supporter.city }}, {{ supporter.state }},{% endif %}"
_SIGNED = '{{ petition.signature_count }} people have signed the petition "{{ petition.title }}".'
# The writer's own paragraph, and no empty one when they wrote none.
_NOTE = "{% if personal_note %}\n{{ personal_note }}\n\n{% endif %}"

# The body only: the letter's layout adds the date, addresses, the salutation
# ("Dear Senator Schumer:") and the closing with the writer's name.
RPSRA_BODY = f"""{_FEDERAL}
I am writing as your constituent{_IN} to ask you to cosponsor the Resident Physician \
Shortage Reduction Act ({{{{ campaign.bills }}}}).
{{% else %}}
I am writing as your constituent{_IN} about a doctor shortage that begins with residency \
training. Congress is considering the Resident Physician Shortage Reduction Act \
({{{{ campaign.bills }}}}); I ask you to urge our congressional delegation to support it, and \
to support state funding for new residency positions here.
{{% endif %}}

Medicare support for residency training has been capped since 1997, while the need for \
physicians has grown. The bill would add 14,000 Medicare-supported residency positions over \
seven years, with priority for hospitals in areas short of doctors. Every year qualified \
medical graduates go unmatched for lack of a training position, and patients wait.

{_NOTE}{_SIGNED} \
Thank you for considering my request."""

RPSRA_THANKS = f"""{_FEDERAL}
I am writing as your constituent{_IN} to thank you for your support of the Resident \
Physician Shortage Reduction Act ({{{{ campaign.bills }}}}).
{{% else %}}
I am writing as your constituent{_IN} to thank you for supporting more residency positions, \
and the Resident Physician Shortage Reduction Act ({{{{ campaign.bills }}}}) now before Congress.
{{% endif %}}

The bill would add 14,000 Medicare-supported residency positions over seven years, with \
priority for hospitals in areas short of doctors. Every position is a physician trained for \
communities that are waiting for one.

{_NOTE}{_SIGNED} \
Please keep championing it until it passes."""

AAMC_BODY = f"""I am writing{_FROM} to ask the Association of American Medical Colleges to \
press Congress for more residency positions, and for the Resident Physician Shortage \
Reduction Act ({{{{ campaign.bills }}}}) in particular.

The bill would add 14,000 Medicare-supported residency positions over seven years. Medical \
schools have grown their classes; the training positions after graduation have not kept \
pace, and every year qualified graduates go unmatched.

{_NOTE}Please make more residency positions a priority in the AAMC's work with Congress."""


@dataclass(frozen=True)
class DemoTarget:
    name: str
    title: str
    organization: str
    salutation: str
    address: str


@dataclass(frozen=True)
class DemoCampaign:
    org: str
    slug: str
    title: str
    ask: str
    intro: str
    prompt: str
    goal: int
    chambers: tuple[str, ...]
    subject: str
    body: str
    petition_slug: str | None = None
    # Per-position templates: position → (subject, body).
    templates: tuple[tuple[Position, str, str], ...] = ()
    targets: tuple[DemoTarget, ...] = ()


PROMPT = (
    "Tell your legislator why residency positions matter to you: are you a medical graduate "
    "waiting for a match, a patient in a shortage area?"
)

LETTER_CAMPAIGNS = (
    DemoCampaign(
        org="unmatched",
        slug="write-for-the-resident-physician-shortage-reduction-act",
        petition_slug="pass-the-resident-physician-shortage-reduction-act",
        title="Write to your legislators about the Resident Physician Shortage Reduction Act",
        ask=(
            "Cosponsor the Resident Physician Shortage Reduction Act (H.R. 3890, H.R. 4731, "
            "S. 2439) and support more residency positions"
        ),
        intro=(
            "Your senators, your representative and your state legislators hear from few "
            "constituents about residency training. A letter in your own words counts."
        ),
        prompt=PROMPT,
        goal=1_000,
        chambers=(
            Chamber.US_SENATE.value,
            Chamber.US_HOUSE.value,
            Chamber.STATE_UPPER.value,
            Chamber.STATE_LOWER.value,
        ),
        subject="Please support the Resident Physician Shortage Reduction Act",
        body=RPSRA_BODY,
        templates=(
            (
                Position.SUPPORTS,
                "Thank you for supporting the Resident Physician Shortage Reduction Act",
                RPSRA_THANKS,
            ),
        ),
    ),
    DemoCampaign(
        org="unmatched",
        slug="aamc-more-residency-positions",
        title="Ask the AAMC to press for more residency positions",
        ask=(
            "Ask the AAMC to make more residency positions, and the Resident Physician "
            "Shortage Reduction Act, a priority with Congress"
        ),
        intro=(
            "The **Association of American Medical Colleges** speaks for the country's "
            "medical schools and teaching hospitals. Ask its leadership to press Congress for "
            "the residency positions graduates need."
        ),
        prompt=(
            "Tell the AAMC why more residency positions matter to you: are you a medical "
            "graduate waiting for a match, a patient in a shortage area?"
        ),
        goal=500,
        chambers=(),
        subject="Please press Congress for more residency positions",
        body=AAMC_BODY,
        targets=(
            DemoTarget(
                # A role, not a name: no officer's name is invented or assumed current.
                name="President and CEO",
                title="",
                organization="Association of American Medical Colleges",
                salutation="Dear AAMC leadership:",
                address="655 K Street NW, Suite 100\nWashington, DC 20001-2399",
            ),
        ),
    ),
)


def _load_letter_campaigns(
    orgs: dict[str, Organization], organizer: User, only: Iterable[DemoCampaign] = LETTER_CAMPAIGNS
) -> list[str]:
    """The demo letter campaigns that are not there yet (found by slug); positions unknown."""
    created = []
    now = utcnow()
    for spec in only:
        if db.session.scalar(select(LetterCampaign.id).where(LetterCampaign.slug == spec.slug)):
            continue
        petition_id = None
        if spec.petition_slug:
            petition_id = db.session.scalar(
                select(Petition.id).where(Petition.slug == spec.petition_slug)
            )
        campaign = LetterCampaign(
            organization=orgs[spec.org],
            petition_id=petition_id,
            slug=spec.slug,
            title=spec.title,
            intro=spec.intro,
            ask=spec.ask,
            prompt=spec.prompt,
            goal=spec.goal,
            status=CampaignStatus.OPEN,
            chambers=list(spec.chambers),
            bills=list(RPSRA_BILLS),
            subject_template=spec.subject,
            body_template=spec.body,
            published_at=now,
            created_by_id=organizer.id,
        )
        campaign.templates = [
            CampaignTemplate(position=position, subject=subject, body=body)
            for position, subject, body in spec.templates
        ]
        campaign.targets = [
            CampaignTarget(
                name=t.name,
                title=t.title,
                organization=t.organization,
                salutation=t.salutation,
                address=t.address,
                email=None,  # none published for letters; they go by post
                web_form=None,
                position=number,
            )
            for number, t in enumerate(spec.targets)
        ]
        db.session.add(campaign)
        created.append(spec.slug)
    db.session.commit()
    return created


@dataclass
class DemoResult:
    organizer: User
    created: list[str]
    campaigns: list[str] = field(default_factory=list)


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
    campaigns = _load_letter_campaigns(orgs, organizer)
    load_demo_intake(orgs["unmatched"])  # its membership application (advocacy/membership)
    load_demo_resources()  # the sourced state entries (advocacy/resources, docs/states.md)
    load_demo_volunteers(orgs["unmatched"])  # two confirmed volunteers (advocacy/volunteers)
    return DemoResult(organizer, created, campaigns)


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
    # The rows went in in bulk, past the signing path: the text becomes version 1, which
    # every signer signed, and the rollups are built from the rows (as a recount would).
    version = versions.published(petition, organizer)
    db.session.execute(
        update(Signature).where(Signature.petition_id == petition.id).values(version_id=version.id)
    )
    rollups.rebuild(petition.id)
    db.session.commit()

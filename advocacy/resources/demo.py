"""The demo's state entries: only what a public source we actually found says (docs/states.md
lists each source and what was left out for want of one). Idempotent: an entry already there
(same state, kind and title) is left alone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.resources.models import Kind, PathwayStatus, StateResource, WaiverType
from advocacy.resources.services import EntryData, check_entry

AMA_URL = (
    "https://www.ama-assn.org/education/international-medical-education/"
    "new-licensing-pathways-foreign-trained-doctors-what-know"
)
AMA_TITLE = "AMA: New licensing pathways for foreign-trained doctors: What to know"
# The stored copy of the AMA page carries no publication date, so the entries give the day the
# demo's curator read it as their review date (docs/states.md).
REVIEWED = date(2026, 12, 7)
REVIEWER = "Advocacy demo data"

AMA_STATES = ("AR", "FL", "ID", "IL", "IN", "IA", "LA", "MA", "MN", "NV", "NC", "OK", "RI",
              "TN", "TX", "VA", "WI")  # fmt: skip

AMA_SUMMARY = (
    "The AMA lists this state among at least 17 that have enacted an additional licensing "
    "pathway for foreign-trained physicians. The specifics vary by state; in general such "
    "laws ask for:\n\n"
    "- an international medical degree and postgraduate training substantially similar to a "
    "U.S. program, or years of practice as a physician;\n"
    "- USMLE Steps 1, 2 and 3;\n"
    "- ECFMG (or WHO) certification;\n"
    "- an offer of employment and immigration status to practise in the U.S.\n\n"
    "They typically create a supervised provisional licence that can convert to a full "
    "licence. Check the state's own statute and board for the exact rules."
)


def _entries() -> list[EntryData]:
    found = [
        EntryData(
            state=code,
            kind=Kind.PATHWAY,
            title="Alternative licensure pathway for internationally trained physicians",
            status=PathwayStatus.ENACTED,
            body=AMA_SUMMARY,
            source_url=AMA_URL,
            source_title=AMA_TITLE,
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        )
        for code in AMA_STATES
    ]
    found += [
        EntryData(
            state="NJ",
            kind=Kind.WAIVER,
            waiver=WaiverType.RETIRED,
            title="Executive Order No. 112 (2020): temporary licences during COVID-19",
            reference="Executive Order No. 112",
            body=(
                "Signed by Governor Murphy on April 1, 2020 for the COVID-19 emergency: it "
                "let the Division of Consumer Affairs temporarily reactivate the licences of "
                "health care professionals recently retired (licensed in New Jersey within "
                "the last five years) and grant temporary licences to doctors licensed and in "
                "good standing in foreign countries. The temporary licences lasted only for "
                "the emergency."
            ),
            effective_on=date(2020, 4, 1),
            historical=True,
            source_url=(
                "https://www.morrisonmahoney.com/blog/524-new-jersey-s-executive-order-no-112-"
                "on-covid-19-response-and-providing-protections-for-front-line-health-care-"
                "responders"
            ),
            source_title="Morrison Mahoney: New Jersey's Executive Order No. 112 (June 2020)",
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        ),
        EntryData(
            state="NJ",
            kind=Kind.NOTE,
            title="Temporary emergency licence for foreign-licensed physicians (2020)",
            body=(
                "Announced on April 17, 2020 by Governor Murphy and the Attorney General: "
                "physicians licensed and in good standing in another country, living and "
                "authorised to work in the U.S., with at least five years of clinical "
                "practice, could apply for a temporary emergency licence lasting only for the "
                "COVID-19 emergency."
            ),
            effective_on=date(2020, 4, 17),
            historical=True,
            source_url=(
                "https://www.beckershospitalreview.com/hospital-physician-relationships/"
                "new-jersey-to-allow-physicians-with-foreign-licenses-to-practice-during-"
                "pandemic.html"
            ),
            source_title="Becker's Hospital Review (April 23, 2020)",
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        ),
        EntryData(
            state="NY",
            kind=Kind.WAIVER,
            waiver=WaiverType.OUT_OF_STATE,
            title="COVID-19 executive orders 202.5, 202.10, 202.11 and 202.14 (2020)",
            reference="Executive Orders 202.5, 202.10, 202.11, 202.14, 202.15, 202.18",
            body=(
                "During the 2020 disaster emergency (declared by Executive Order 202 on "
                "March 7, 2020), a series of orders let certain practitioners without a "
                "current New York licence or registration practise in New York to help with "
                "COVID-19; 202.15 and 202.18 widened the categories, 202.18 to professionals "
                "licensed in Canada."
            ),
            effective_on=date(2020, 3, 7),
            historical=True,
            source_url=(
                "https://hodgsonruss.com/newsroom/publications/New-York-Executive-Orders-"
                "Expand-the-Ranks-of-Healthcare-Providers-to-Fight-COVID-19"
            ),
            source_title="Hodgson Russ: New York Executive Orders expand the ranks of providers",
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        ),
        EntryData(
            state="NY",
            kind=Kind.PATHWAY,
            status=PathwayStatus.PENDING,
            title="Internationally trained physician licensure pathway program (bill)",
            reference="Assembly Bill A7319-A (2025-2026 session)",
            body=(
                "Introduced in the Assembly on March 25, 2025 and referred to the Committee on "
                "Higher Education: it would establish a licensure pathway program letting "
                "qualified foreign-trained physicians practise under supervision in designated "
                "shortage areas, ultimately leading to full licensure."
            ),
            source_url="https://assembly.state.ny.us/leg/?Text=Y&bn=A7319&term=2025",
            source_title="New York State Assembly: A7319 (2025)",
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        ),
        EntryData(
            state="NY",
            kind=Kind.BOARD,
            title="New York State Board for Medicine",
            name="New York State Board for Medicine (NYSED Office of the Professions)",
            url="https://op.nysed.gov/about-office-professions",
            phone="(518) 474-3817",
            body=(
                "Physicians are licensed by the New York State Education Department's Office "
                "of the Professions; the phone number is its Registration Unit."
            ),
            source_url="https://nyc-business.nyc.gov/nycbusiness/description/physician--doctor-professional-license",
            source_title="NYC Business: Physician / Doctor professional license",
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        ),
        EntryData(
            state="TX",
            kind=Kind.BOARD,
            title="Texas Medical Board",
            name="Texas Medical Board",
            url="https://www.tmb.state.tx.us/",
            phone="(512) 305-7030",
            body="Licenses MDs and DOs in Texas. From inside Texas: (800) 248-4062.",
            source_url=(
                "https://www.tmb.state.tx.us/search/public/advanced/key/corporate+practice+of+"
                "medicine/type_of_search/whole_words/pages/on/faqs/on/documents/page/change-address"
            ),
            source_title="Texas Medical Board's own site (its hours and phone numbers)",
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        ),
        EntryData(
            state="NJ",
            kind=Kind.BOARD,
            title="New Jersey State Board of Medical Examiners",
            name="New Jersey State Board of Medical Examiners (Division of Consumer Affairs)",
            url="https://www.njconsumeraffairs.gov/",
            source_url="https://www.njconsumeraffairs.gov/COVID19/Pages/C19-Healthcare-Professionals.aspx",
            source_title="NJ Division of Consumer Affairs: COVID-19 information for professionals",
            reviewed_by=REVIEWER,
            reviewed_on=REVIEWED,
        ),
    ]
    return found


def load_demo_resources() -> list[str]:
    """Add the demo entries that are not there yet; returns "ST: title" of each one added.
    One query for what exists, one commit."""
    have = {
        (state, kind, title)
        for state, kind, title in db.session.execute(
            select(StateResource.state, StateResource.kind, StateResource.title)
        )
    }
    added = []
    for data in _entries():
        if (data.state, data.kind, data.title) in have:
            continue
        clean = check_entry(data)
        db.session.add(StateResource(**vars(clean)))
        added.append(f"{clean.state}: {clean.title}")
    db.session.commit()
    return added

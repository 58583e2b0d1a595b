"""Letter campaigns made directly with the models, and the supporter's steps as helpers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from advocacy.core.db import utcnow
from advocacy.extensions import db
from advocacy.legislators.models import Chamber
from advocacy.letters.models import CampaignStatus, CampaignTarget, Letter, LetterCampaign, Writer
from tests.factories import sign_form

ALL_CHAMBERS = [c.value for c in (
    Chamber.US_SENATE, Chamber.US_HOUSE, Chamber.STATE_UPPER, Chamber.STATE_LOWER
)]  # fmt: skip
BODY = (
    "As your constituent{% if supporter.city %} in {{ supporter.city }}{% endif %}, "
    "I ask you to support {{ campaign.bills }}.\n\n"
    "{{ personal_note }}\n\n"
    "More residency positions mean more doctors where patients wait."
)


def campaign(org=None, petition=None, **kw) -> LetterCampaign:
    from tests import factories

    org = org or (petition.organization if petition is not None else factories.organization())
    values = {
        "slug": kw.pop("slug", f"letters-{utcnow().timestamp()}".replace(".", "-")),
        "title": "Fund residency positions",
        "intro": "Write to **your** legislators. <script>alert(1)</script>",
        "ask": "Cosponsor the Resident Physician Shortage Reduction Act",
        "prompt": "Tell your legislator why residency positions matter to you.",
        "goal": 50,
        "status": CampaignStatus.OPEN,
        "chambers": ALL_CHAMBERS,
        "bills": ["hr3890-119", "s2439-119"],
        "subject_template": "Please support {{ campaign.bills }}",
        "body_template": BODY,
        "published_at": utcnow(),
    }
    values.update(kw)
    c = LetterCampaign(organization_id=org.id, petition_id=petition.id if petition else None,
                       **values)  # fmt: skip
    db.session.add(c)
    db.session.commit()
    return c


def target(c: LetterCampaign, **kw) -> CampaignTarget:
    values = {
        "name": "David J. Skorton",
        "title": "President and CEO",
        "organization": "AAMC",
        "salutation": "Dear Dr. Skorton:",
        "address": "655 K Street NW, Suite 100\nWashington, DC 20001",
    }
    values.update(kw)
    t = CampaignTarget(campaign_id=c.id, **values)
    db.session.add(t)
    db.session.commit()
    return t


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def sign_and_confirm(client, mailbox, petition, email="maria@example.com", zip_code="13202"):
    """Sign and confirm a petition; returns the thank-you page's path."""
    client.post(
        f"/petitions/{petition.slug}/sign",
        data=sign_form(email=email, zip=zip_code, first_name="Maria", last_name="Okonkwo",
                       address="120 Walton St"),
    )  # fmt: skip
    confirm = path_of(mailbox.last_link(email))
    return client.post(confirm).headers["Location"]


def writing_page(client, thanks_path: str) -> str:
    """From the thank-you page to the writing page (its path)."""
    page = client.get(thanks_path).get_data(as_text=True)
    link = re.search(r'href="(/act/[^"]+/signed/[^"]+)"', page)
    assert link, "the thank-you page offers no letters"
    response = client.get(link[1])
    assert response.status_code == 302, response.get_data(as_text=True)
    return path_of(response.headers["Location"])


def letters_of(email: str) -> list[Letter]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Letter).join(Writer, Writer.id == Letter.writer_id).where(Writer.email == email)
            .order_by(Letter.id)
        )
    )  # fmt: skip


@pytest.fixture
def petition_campaign(make, directory):
    petition = make.petition()
    return campaign(petition=petition)

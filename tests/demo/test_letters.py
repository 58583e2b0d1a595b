"""The demo's letter campaigns: the petition's, the AAMC action, and the sample positions file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from advocacy.demo import services
from advocacy.legislators.models import Legislator
from advocacy.letters import addressing, drafting, templating
from advocacy.letters.models import (
    CampaignPosition,
    CampaignStatus,
    CampaignTarget,
    CampaignTemplate,
    LetterCampaign,
    Position,
)
from advocacy.petitions.models import Petition

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
PETITION = "pass-the-resident-physician-shortage-reduction-act"
RPSRA = "write-for-the-resident-physician-shortage-reduction-act"
AAMC = "aamc-more-residency-positions"


@pytest.fixture
def loaded(db):
    if not (DATA_DIR / "zip_congressional_districts.csv").exists():
        pytest.fail(f"shared data not found at {DATA_DIR}")
    result = services.load_demo(DATA_DIR, scale=0.005)
    return result


def _campaign(db, slug: str) -> LetterCampaign:
    campaign = db.session.scalar(select(LetterCampaign).where(LetterCampaign.slug == slug))
    assert campaign is not None
    return campaign


def _counts(db) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (LetterCampaign, CampaignTemplate, CampaignTarget, CampaignPosition)
    )


def test_the_petition_gets_an_open_letter_campaign_to_four_chambers(db, loaded):
    assert loaded.campaigns == [RPSRA, AAMC]
    campaign = _campaign(db, RPSRA)
    petition = db.session.scalar(select(Petition).where(Petition.slug == PETITION))
    assert campaign.petition_id == petition.id
    assert campaign.organization_id == petition.organization_id
    assert campaign.status is CampaignStatus.OPEN and campaign.published_at is not None
    assert campaign.chambers == ["us_senate", "us_house", "state_upper", "state_lower"]
    assert campaign.bills == ["hr3890-119", "hr4731-119", "s2439-119"]
    assert campaign.subject_template == (
        "Please support the Resident Physician Shortage Reduction Act"
    )
    assert campaign.prompt.startswith("Tell your legislator why residency positions matter")
    assert campaign.targets == []


def test_no_position_is_recorded_for_any_legislator(db, loaded):
    assert db.session.scalar(select(func.count()).select_from(CampaignPosition)) == 0


def test_the_templates_save_and_hold_only_the_body(db, loaded):
    for slug in (RPSRA, AAMC):
        campaign = _campaign(db, slug)
        sources = [campaign.subject_template, campaign.body_template]
        sources += [part for t in campaign.templates for part in (t.subject, t.body)]
        for source in sources:
            templating.check(source)  # what an organizer saving it would be told
        for body in sources[1::2]:
            assert "{{ personal_note }}" in body
            assert "Dear" not in body and "Sincerely" not in body  # the layout adds them
            assert "{{ recipient.last_name }}" not in body


def _recipient(db, external_id: str, position: Position = Position.UNKNOWN):
    legislator = db.session.scalar(select(Legislator).where(Legislator.external_id == external_id))
    return addressing.from_legislator(legislator, position)


class _Writer:
    first_name, last_name = "Maria", "Okonkwo"
    address, city, state, zip = "100 S Salina St", "Syracuse", "NY", "13202"


def test_letters_ask_or_thank_by_position_and_chamber(db, loaded, directory):
    campaign = _campaign(db, RPSRA)
    note = "I matched after three tries; two friends from my class are still waiting."
    mannion = _recipient(db, "M001231")
    please = drafting.draft(campaign, _Writer(), mannion, note)
    assert please.template_position is None
    assert please.body.startswith(
        "I am writing as your constituent in Syracuse, NY, to ask you to cosponsor the "
        "Resident Physician Shortage Reduction Act (H.R. 3890, H.R. 4731, S. 2439)."
    )
    assert note in please.body and please.personal_share > 0
    assert f"{campaign.petition.signature_count} people have signed the petition" in please.body
    assert mannion.salutation == "Dear Representative Mannion:"

    thanks = drafting.draft(campaign, _Writer(), mannion.with_position(Position.SUPPORTS), note)
    assert thanks.template_position is Position.SUPPORTS
    assert thanks.subject.startswith("Thank you for supporting")
    assert "to thank you for your support of the Resident Physician" in thanks.body

    may = _recipient(db, "ocd-person/92f3f397-dd30-4d35-95dc-6381a8d9dcd5")  # NY Senate 48
    state = drafting.draft(campaign, _Writer(), may, "")
    assert "urge our congressional delegation to support it" in state.body
    assert "\n\n\n" not in state.body  # no empty paragraph without a personal note


def test_the_aamc_action_has_an_organisation_target_and_no_legislators(db, loaded):
    campaign = _campaign(db, AAMC)
    assert campaign.petition_id is None and campaign.status is CampaignStatus.OPEN
    assert campaign.chambers == []
    (target,) = campaign.targets
    assert target.organization == "Association of American Medical Colleges"
    assert target.name == "President and CEO"  # a role: no officer's name is assumed
    assert target.salutation == "Dear AAMC leadership:"
    assert target.address.splitlines() == [
        "655 K Street NW, Suite 100",
        "Washington, DC 20001-2399",
    ]
    assert target.email is None and target.web_form is None
    recipient = addressing.from_target(target)
    assert recipient.address_lines == (
        "President and CEO",
        "Association of American Medical Colleges",
        "655 K Street NW, Suite 100",
        "Washington, DC 20001-2399",
    )


def test_loading_twice_changes_nothing(db, loaded):
    before = _counts(db)
    templates = {
        c.slug: (c.subject_template, c.body_template, c.updated_at)
        for c in db.session.scalars(select(LetterCampaign))
    }
    again = services.load_demo(DATA_DIR, scale=0.005)
    assert again.campaigns == [] and again.created == []
    db.session.expire_all()
    assert _counts(db) == before == (2, 1, 1, 0)
    assert {
        c.slug: (c.subject_template, c.body_template, c.updated_at)
        for c in db.session.scalars(select(LetterCampaign))
    } == templates


def test_an_edited_campaign_is_left_alone(db, loaded):
    campaign = _campaign(db, RPSRA)
    campaign.subject_template = "Our own subject"
    db.session.commit()
    services.load_demo(DATA_DIR, scale=0.005)
    db.session.expire_all()
    assert _campaign(db, RPSRA).subject_template == "Our own subject"


def test_the_sample_positions_file_is_an_example_of_real_ids(directory, db):
    with services.SAMPLE_POSITIONS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and list(rows[0]) == ["external_id", "position", "note"]
    known = set(db.session.scalars(select(Legislator.external_id)))
    for row in rows:
        assert row["note"].startswith("EXAMPLE — not a real position")
        assert row["external_id"] in known
        Position(row["position"])  # a value the import takes
    assert {Position(r["position"]) for r in rows} == set(Position)

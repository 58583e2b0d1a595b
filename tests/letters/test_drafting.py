"""Drafting: a campaign's template for one writer and one recipient."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import current_app

from advocacy.letters import drafting
from advocacy.letters.addressing import Recipient, legislator_key
from advocacy.letters.models import CampaignTemplate, LetterCampaign, Position

WRITER = SimpleNamespace(
    first_name="Maria", last_name="Okonkwo", address="100 S Salina St", city="Syracuse",
    state="NY", zip="13202",
)  # fmt: skip
SCHUMER = Recipient(
    key=legislator_key("S000148"), kind="legislator", name="Charles E. Schumer",
    first_name="Charles", last_name="Schumer", title="Senator",
    salutation="Dear Senator Schumer:", address_lines=("The Honorable Charles E. Schumer",),
    external_id="S000148", chamber="us_senate", state="NY",
)  # fmt: skip


@pytest.fixture
def campaign(app):
    with app.test_request_context():
        yield LetterCampaign(
            slug="write-now",
            title="Write now",
            goal=100,
            letter_count=6912,
            bills=["hr3890-119", "s2439-119", "New York S.1234"],
            subject_template="About {{ campaign.bills }}",
            body_template="From {{ supporter.city }}.\n\n{{ personal_note }}\n\nPlease act.",
            templates=[],
        )


def test_a_paragraph_with_template_syntax_is_only_text(campaign):
    note = "{{ config }} {% if true %}x{% endif %} {{ ''.__class__ }}"
    letter = drafting.draft(campaign, WRITER, SCHUMER, note)
    assert note in letter.body
    assert current_app.config["SECRET_KEY"] not in letter.body


def test_the_writers_paragraph_is_kept_when_the_template_omits_it(campaign):
    campaign.body_template = "Please act, {{ recipient.title }} {{ recipient.last_name }}."
    letter = drafting.draft(campaign, WRITER, SCHUMER, "I am a graduate in Syracuse.")
    assert letter.body == "Please act, Senator Schumer.\n\nI am a graduate in Syracuse."
    assert 0 < letter.personal_share < 1
    assert drafting.draft(campaign, WRITER, SCHUMER, "").personal_share == 0


def test_a_positions_own_template_is_used_for_that_position(campaign):
    thanks = "Thank you, {{ recipient.title }}."
    campaign.templates = [
        CampaignTemplate(position=Position.SUPPORTS, subject="Thank you", body=thanks)
    ]
    thanked = drafting.draft(campaign, WRITER, SCHUMER.with_position(Position.SUPPORTS))
    asked = drafting.draft(campaign, WRITER, SCHUMER.with_position(Position.UNDECIDED))
    assert (thanked.subject, thanked.body) == ("Thank you", "Thank you, Senator.")
    assert thanked.template_position is Position.SUPPORTS
    assert asked.subject == "About H.R. 3890, S. 2439, New York S.1234"
    assert asked.template_position is None


def test_a_standalone_campaign_counts_its_letters_and_links_its_action_page(campaign):
    values = drafting.merge_values(campaign, WRITER, SCHUMER)
    assert values["petition"]["url"].endswith("/act/write-now")
    assert values["petition"]["signature_count"] == 6912
    assert (
        "\n".join(["Maria Okonkwo", "100 S Salina St", "Syracuse, NY 13202"])
        == (values["supporter"]["address_block"])
    )

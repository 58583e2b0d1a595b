"""/states, /states/<ST>, the API and the thank-you box."""

from __future__ import annotations

from datetime import date

import pytest

from advocacy.resources import services
from advocacy.resources.models import Kind, PathwayStatus
from advocacy.resources.services import EntryData

SOURCE = "https://example.org/source"


@pytest.fixture
def entries(db):
    services.add_entry(
        EntryData(state="NY", kind=Kind.PATHWAY, title="NY pathway bill",
                  status=PathwayStatus.PENDING, source_url=SOURCE, reviewed_on=None,
                  body="Who qualifies <script>alert(1)</script> [x](javascript:alert(1))"),
        by="t",
    )  # fmt: skip
    services.add_entry(
        EntryData(state="NY", kind=Kind.BOARD, title="NY board", name="The Board",
                  source_url=SOURCE, reviewed_by="Ana", reviewed_on=date(2026, 1, 2)),
        by="t",
    )  # fmt: skip
    services.add_entry(
        EntryData(state="NY", kind=Kind.NOTE, title="EO 2020", historical=True, source_url=SOURCE),
        by="t",
    )
    services.add_entry(
        EntryData(state="TX", kind=Kind.PATHWAY, title="TX pathway",
                  status=PathwayStatus.ENACTED, source_url=SOURCE),
        by="t",
    )  # fmt: skip
    services.add_entry(
        EntryData(state="TX", kind=Kind.NOTE, title="Hidden draft", published=False), by="t"
    )


def test_index_shows_map_legend_and_table(client, entries):
    page = client.get("/states").get_data(as_text=True)
    assert 'class="chart tile-map"' in page
    assert 'data-state="TX"' in page and "cat-enacted" in page
    assert "Pathway enacted" in page and "Bill pending" in page  # the legend
    assert "Puerto Rico" in page and "District of Columbia" in page  # the table
    assert 'href="/states/TX"' in page


def test_index_filters_by_kind_without_js(client, entries):
    page = client.get("/states?kind=board").get_data(as_text=True)
    assert '<a href="/states/NY">New York</a>' in page
    assert '<a href="/states/TX">Texas</a>' not in page
    # Unknown or hostile filter values are ignored, never an error.
    assert client.get("/states?kind=%3Cscript%3E&kind=x" + "&kind=y" * 50).status_code == 200


def test_state_page_shows_entries_sources_history_and_sanitises(client, entries):
    response = client.get("/states/ny")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>New York</h1>" in page
    assert "NY pathway bill" in page and "NY board" in page and "The Board" in page
    assert f'href="{SOURCE}"' in page
    assert "Last reviewed" in page and "by Ana" in page and "Not reviewed yet" in page
    assert page.index("History") < page.index("EO 2020")
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "Hidden draft" not in client.get("/states/TX").get_data(as_text=True)


@pytest.mark.parametrize(
    "code", ["XX", "ZZZ", "N", "NY1", "%00", "N%00", "'%20OR%201=1", "x" * 300, "<script>"]
)
def test_unknown_and_hostile_codes_are_404(client, db, code):
    assert client.get(f"/states/{code}").status_code in (400, 404)
    assert client.get(f"/api/v1/states/{code}").status_code in (400, 404)


def test_state_page_lists_members_and_actions(client, make, directory, entries):
    org = make.organization()
    make.petition(org, slug="tx-board", title="Ask the board", target="Texas Medical Board")
    make.petition(org, slug="elsewhere", title="Elsewhere", target="Ohio legislature")
    page = client.get("/states/TX").get_data(as_text=True)
    assert "Ask the board" in page and "Elsewhere" not in page
    assert "Texas in Congress" in page and "member-card" in page


def test_api_state(client, entries):
    response = client.get("/api/v1/states/ny")
    assert response.status_code == 200
    data = response.get_json()
    assert data["state"] == "NY" and data["name"] == "New York"
    assert [e["title"] for e in data["entries"]] == ["NY pathway bill", "NY board", "EO 2020"]
    assert data["entries"][1]["reviewed_on"] == "2026-01-02"
    assert data["entries"][2]["history"] is True
    assert response.cache_control.public and response.cache_control.max_age
    again = client.get("/api/v1/states/NY", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    missing = client.get("/api/v1/states/XX")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "unknown_state"


def test_thank_you_page_shows_the_signers_state(client, make, entries, mailbox):
    from tests.letters.conftest import sign_and_confirm

    petition = make.petition()
    thanks = client.get(sign_and_confirm(client, mailbox, petition)).get_data(as_text=True)
    assert "In New York" in thanks
    assert "NY pathway bill" in thanks and "NY board" in thanks
    assert "EO 2020" not in thanks  # history is not what the state allows today
    assert 'href="/states/NY"' in thanks


def test_thank_you_page_without_entries_shows_nothing(client, make, db, mailbox):
    from tests.letters.conftest import sign_and_confirm

    petition = make.petition()
    thanks = client.get(sign_and_confirm(client, mailbox, petition)).get_data(as_text=True)
    assert "Thank you" in thanks and "In New York" not in thanks


def test_letters_sent_page_shows_the_writers_state(client, make, mailbox, directory, entries):
    from tests.letters.conftest import campaign, writing_page
    from tests.letters.conftest import sign_and_confirm as confirmed_signer

    petition = make.petition()
    campaign(petition=petition)
    page = writing_page(client, confirmed_signer(client, mailbox, petition))
    client.post(f"{page}/districts", data={"state_lower": "NY-129"})
    client.post(page, data={"personal_note": "Our program turns applicants away every year."})
    assert client.post(f"{page}/send").status_code == 302
    sent = client.get(f"{page}/sent").get_data(as_text=True)
    assert "In New York" in sent and "NY pathway bill" in sent


def test_state_highlights_global_is_empty_without_entries(app, db):
    from flask import render_template_string

    with app.test_request_context():
        assert render_template_string("[{{ state_highlights('NY') }}]") == "[]"
        assert render_template_string("[{{ state_highlights('<x>') }}]") == "[]"


def test_open_actions_rule(db, make):
    from advocacy.letters.models import CampaignStatus
    from advocacy.resources.pages import open_actions
    from tests.letters.conftest import campaign, target

    org = make.organization()
    everywhere = campaign(org, slug="legislatures", chambers=["state_upper", "state_lower"])
    congress = campaign(org, slug="congress-only", chambers=["us_senate", "us_house"])
    board = campaign(org, slug="tx-board-letters", chambers=["us_senate"])
    target(board, organization="Texas Medical Board")
    campaign(org, slug="closed-tx", chambers=["state_upper"], status=CampaignStatus.CLOSED)
    make.petition(org, slug="pct", title="Percent", target="100% of New York's boards")
    tx, oh = open_actions("TX"), open_actions("OH")
    assert {c.slug for c in tx.campaigns} == {everywhere.slug, board.slug}
    assert {c.slug for c in oh.campaigns} == {everywhere.slug}
    assert congress.slug not in {c.slug for c in tx.campaigns}
    assert [p.slug for p in open_actions("NY").petitions] == ["pct"]
    assert open_actions("TX").petitions == []

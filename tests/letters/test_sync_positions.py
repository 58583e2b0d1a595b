"""`flask letters sync-positions`: Congress.gov cosponsors from response files, offline."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters import positions
from advocacy.letters.models import CampaignPosition, LetterCampaign, Position

SCHUMER, GILLIBRAND, MANNION, MURKOWSKI = "S000148", "G000555", "M001231", "M001153"


@pytest.fixture
def campaign(make, directory):
    campaign = LetterCampaign(organization=make.organization(), slug="rpsra", title="RPSRA",
                              chambers=["us_senate", "us_house"], bills=["hr3890-119"])  # fmt: skip
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def api(app, tmp_path):
    """Response files under tmp_path, read through a file:// CONGRESS_API_URL."""
    base = f"file://{tmp_path}"
    app.config.update(CONGRESS_API_KEY="test-key", CONGRESS_API_URL=base)

    def write(path: str, body: dict) -> None:
        target = tmp_path / f"{path}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(body))

    write("bill/119/hr/3890", {"bill": {"sponsors": [{"bioguideId": MANNION}]}})
    write(
        "bill/119/hr/3890/cosponsors",
        {
            "cosponsors": [
                {"bioguideId": SCHUMER, "sponsorshipDate": "2025-06-01"},
                {"bioguideId": MURKOWSKI, "sponsorshipWithdrawnDate": "2025-07-01"},
            ],
            "pagination": {"count": 3, "next": f"{base}/bill/119/hr/3890/cosponsors/p2?offset=250"},
        },
    )
    write(
        "bill/119/hr/3890/cosponsors/p2",
        {"cosponsors": [{"bioguideId": "Z999999"}], "pagination": {"count": 3}},
    )
    return write


def stored(campaign):
    db.session.expire_all()
    query = select(CampaignPosition).where(CampaignPosition.campaign_id == campaign.id)
    return {r.external_id: (r.position, r.source, r.note) for r in db.session.scalars(query)}


def test_sync_marks_sponsors_and_cosponsors(runner, campaign, api):
    result = runner.invoke(args=["letters", "sync-positions", "--campaign", "rpsra",
                                 "--bill", "hr3890-119"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = stored(campaign)
    note = "Sponsor of H.R. 3890 (119th Congress)"
    assert rows[MANNION] == (Position.SUPPORTS, "congress.gov", note)
    assert rows[SCHUMER][:2] == (Position.SUPPORTS, "congress.gov")
    assert "Cosponsor of H.R. 3890" in rows[SCHUMER][2]
    assert MURKOWSKI not in rows  # withdrawn: not counted
    assert "Z999999" not in rows  # page 2 was read; not in the directory, so skipped
    assert "Z999999" in result.output
    assert all(p is Position.SUPPORTS for p, _, _ in rows.values())  # never "opposes"


def test_withdrawn_since_last_sync_goes_back_to_unknown(runner, campaign, api):
    db.session.add(CampaignPosition(campaign_id=campaign.id, external_id=MURKOWSKI,
                                    position=Position.SUPPORTS, source="congress.gov"))  # fmt: skip
    db.session.add(CampaignPosition(campaign_id=campaign.id, external_id=GILLIBRAND,
                                    position=Position.OPPOSES, source="manual"))  # fmt: skip
    db.session.commit()
    result = runner.invoke(args=["letters", "sync-positions", "--campaign", "rpsra"])
    assert result.exit_code == 0, result.output
    rows = stored(campaign)
    assert rows[MURKOWSKI][0] is Position.UNKNOWN
    assert rows[GILLIBRAND] == (Position.OPPOSES, "manual", None)  # not the sync's to change


def test_without_a_key_nothing_is_fetched(runner, app, campaign, monkeypatch):
    app.config["CONGRESS_API_KEY"] = None
    calls = []
    monkeypatch.setattr(positions, "fetch_json", lambda url: calls.append(url))
    result = runner.invoke(args=["letters", "sync-positions", "--campaign", "rpsra",
                                 "--bill", "hr3890-119"])  # fmt: skip
    assert result.exit_code != 0
    assert "CONGRESS_API_KEY" in result.output and "api.congress.gov/sign-up" in result.output
    assert calls == [] and stored(campaign) == {}


def test_key_is_sent_only_to_the_api_host(campaign):
    seen = []

    def fetch(url):
        seen.append(url)
        if url.split("?")[0].endswith("/3890"):
            return {"bill": {"sponsors": []}}
        return {"cosponsors": [], "pagination": {"next": "https://evil.example/next"}}

    found = positions.bill_sponsors("hr", 3890, 119, base_url="https://api.congress.gov/v3",
                                    api_key="k", fetch=fetch)  # fmt: skip
    assert found.cosponsors == set()
    assert len(seen) == 2 and all("api.congress.gov" in u and "api_key=k" in u for u in seen)
    assert "limit=250" in seen[1] and "format=json" in seen[1]


def test_bad_bill_id_and_unreadable_api(runner, campaign, api, app):
    result = runner.invoke(args=["letters", "sync-positions", "--campaign", "rpsra",
                                 "--bill", "hr3890"])  # fmt: skip
    assert result.exit_code != 0 and "Not a Congress.gov bill id" in result.output
    app.config["CONGRESS_API_URL"] = "file:///nonexistent"
    result = runner.invoke(args=["letters", "sync-positions", "--campaign", "rpsra"])
    assert result.exit_code != 0 and "Nothing was changed" in result.output
    assert "test-key" not in result.output
    assert stored(campaign) == {}

"""Positions: the list with filters, manual choices, and the CSV import (checked whole)."""

from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.letters import positions
from advocacy.letters.models import CampaignPosition, LetterCampaign, Position

SCHUMER, GILLIBRAND, MANNION = "S000148", "G000555", "M001231"


@pytest.fixture
def organizer(make, auth):
    user = make.organizer(make.organization("Doctors Now"))
    auth.login(user.email)
    return user


@pytest.fixture
def campaign(organizer, directory):
    org = organizer.memberships[0].organization
    campaign = LetterCampaign(organization=org, slug="c", title="C",
                              chambers=["us_senate", "us_house", "state_upper"])  # fmt: skip
    db.session.add(campaign)
    db.session.commit()
    return campaign


def stored(campaign) -> dict[str, tuple[Position, str, str | None]]:
    db.session.expire_all()
    query = select(CampaignPosition).where(CampaignPosition.campaign_id == campaign.id)
    rows = db.session.scalars(query)
    return {r.external_id: (r.position, r.source, r.note) for r in rows}


def upload(client, campaign, data: bytes, name="positions.csv"):
    return client.post(
        f"/organize/campaigns/{campaign.id}/positions/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_good_csv_is_written_with_counts(client, campaign):
    data = (
        "External_ID,Position,Note\n"
        f'{SCHUMER},Cosponsor,=HYPERLINK("http://x")\n'
        f"{GILLIBRAND},UNDECIDED,\n"
        f"{MANNION},opposes\n"
    ).encode()
    response = upload(client, campaign, data)
    assert response.status_code == 302
    assert stored(campaign) == {
        SCHUMER: (Position.SUPPORTS, "csv", '=HYPERLINK("http://x")'),  # just text
        GILLIBRAND: (Position.UNDECIDED, "csv", None),
        MANNION: (Position.OPPOSES, "csv", None),
    }
    page = unescape(client.get(response.headers["Location"]).text)
    assert "Imported 3 rows" in page and "3 new" in page
    again = upload(client, campaign, data)
    assert "0 new, 0 changed, 3 unchanged" in unescape(client.get(again.headers["Location"]).text)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id,position\nS000148,supports\n", "Line 1: the first line must be the header"),
        (b"external_id,position\nS000148,maybe\n", "Line 3: “maybe” is not a position"),
        (b"external_id,position\nX999999,supports\n", "Line 3: X999999 is not a legislator"),
        (
            b"external_id,position\nS000148,supports\nS000148,opposes\n",
            "Line 4: S000148 is already on line 3",
        ),
        (b"external_id,position\nS000148,supp\x00orts\n", "Line 3: the file contains a NUL byte"),
        (b"external_id,position\nS000148,supports\xff\n", "Line 3: the file is not UTF-8"),
        (b"", "The file is empty"),
        (b"external_id,position\n", "header but no rows"),
        (b"external_id,position\nS000148,supports,extra\n", "Line 3: 3 columns"),
    ],
)
def test_bad_csv_names_the_line_and_writes_nothing(client, campaign, data, message):
    good = f"{GILLIBRAND},supports\n".encode()
    # A good row first: the whole file is checked before anything is written.
    has_rows = data.startswith(b"external_id") and data.count(b"\n") > 1
    body = data.replace(b"\n", b"\n" + good, 1) if has_rows else data
    response = upload(client, campaign, body)
    assert response.status_code == 400
    assert message in unescape(response.text)
    assert stored(campaign) == {}


def test_too_big_file(client, campaign):
    data = b"external_id,position\n" + b"S000148,supports\n" * 130_000  # > 2 MB
    assert len(data) > positions.MAX_CSV_BYTES
    response = upload(client, campaign, data)
    assert response.status_code == 400
    assert "larger than 2 MB" in unescape(response.text)
    assert stored(campaign) == {}


def test_list_filters_and_manual_positions(client, campaign):
    url = f"/organize/campaigns/{campaign.id}/positions"
    page = unescape(client.get(url, query_string={"state": "NY"}).text)
    assert "Charles E. Schumer" in page and "Lisa Murkowski" not in page
    assert "Page 1 of" in page  # NY's senators, House members and state senators: > 50
    response = client.post(
        url + "?state=NY",
        data={f"pos:{SCHUMER}": "supports", f"pos:{GILLIBRAND}": "unknown", "pos:X1": "opposes"},
    )
    assert response.status_code == 302
    assert stored(campaign) == {SCHUMER: (Position.SUPPORTS, "manual", None)}
    page = unescape(client.get(url, query_string={"position": "supports"}).text)
    assert "Charles E. Schumer" in page and "Gillibrand" not in page
    assert "1 legislator" in page
    summary = positions.summary(campaign)
    total = db.session.scalar(
        positions._joined(campaign, func.count())  # every targeted legislator, once
    )
    assert summary[Position.SUPPORTS] == 1
    assert summary[Position.UNKNOWN] == total - 1


def test_nothing_defaults_to_a_position(campaign):
    page = positions.legislators(campaign, state="NY")
    assert page.rows and all(r.position is Position.UNKNOWN and r.source is None for r in page.rows)


def test_another_organisations_positions_are_404(client, make, directory, organizer):
    other = LetterCampaign(organization=make.organization("Other"), slug="o", title="O")
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/organize/campaigns/{other.id}/positions").status_code == 404
    assert upload(client, other, b"external_id,position\nS000148,supports\n").status_code == 404
    assert stored(other) == {}


def test_the_positions_page_offers_the_example_file_to_organizers_only(client, auth, make):
    from advocacy.demo.services import SAMPLE_POSITIONS

    assert client.get("/organize/campaigns/sample-positions.csv").status_code == 302  # log in
    user = make.organizer()
    auth.login(user.email)
    response = client.get("/organize/campaigns/sample-positions.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data == SAMPLE_POSITIONS.read_bytes()
    assert "EXAMPLE — not a real position" in response.get_data(as_text=True)

"""Member titles and chamber names for every state, DC, Puerto Rico and the territories,
against a table written by hand from the issue (not from the code's own source)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.legislators import titles
from advocacy.legislators.models import Chamber, Legislator

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}  # fmt: skip
TERRITORIES = {
    "DC": "District of Columbia",
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "Virgin Islands",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}

# The issue's table: everything not listed is "Senator" upstairs, "Representative" downstairs.
LOWER_TITLES = {
    "NY": "Assembly Member",
    "NJ": "Assembly Member",
    "NV": "Assembly Member",
    "CA": "Assemblymember",
    "MD": "Delegate",
    "VA": "Delegate",
    "WV": "Delegate",
    "WI": "Representative",  # the Wisconsin State Assembly's members are Representatives
}
HOUSE_TITLES = {
    "DC": "Delegate",
    "GU": "Delegate",
    "VI": "Delegate",
    "AS": "Delegate",
    "MP": "Delegate",
    "PR": "Resident Commissioner",
}
# Inside addresses that are not "<State> Senate" / "<State> House of Representatives".
UPPER_NAMES = {
    "CA": "California State Senate",
    "CT": "Connecticut State Senate",
    "GA": "Georgia State Senate",
    "LA": "Louisiana State Senate",
    "MS": "Mississippi State Senate",
    "NY": "New York State Senate",
    "OR": "Oregon State Senate",
    "PA": "Pennsylvania State Senate",
    "UT": "Utah State Senate",
    "VA": "Senate of Virginia",
    "WA": "Washington State Senate",
    "WI": "Wisconsin State Senate",
}
LOWER_NAMES = {
    "NY": "New York State Assembly",
    "CA": "California State Assembly",
    "WI": "Wisconsin State Assembly",
    "NJ": "New Jersey General Assembly",
    "NV": "Nevada Assembly",
    "MD": "Maryland House of Delegates",
    "VA": "Virginia House of Delegates",
    "WV": "West Virginia House of Delegates",
}
UNICAMERAL = {"NE": "Nebraska Legislature", "DC": "Council of the District of Columbia"}
BICAMERAL = sorted(set(STATES) - {"NE"})


def test_the_table_covers_fifty_states():
    assert len(STATES) == 50


@pytest.mark.parametrize("state", [*STATES, *TERRITORIES])
def test_congress_titles(state):
    assert titles.member_title(Chamber.US_SENATE, state) == "Senator"
    expected = HOUSE_TITLES.get(state, "Representative")
    assert titles.member_title(Chamber.US_HOUSE, state) == expected
    # the non-voting seats are known by state, whatever a source's voting flag says
    assert titles.member_title(Chamber.US_HOUSE, state, voting=state not in HOUSE_TITLES) == (
        expected
    )
    assert titles.federal_title("us_house", state, voting=False) == expected


@pytest.mark.parametrize("state", BICAMERAL)
def test_state_titles(state):
    assert titles.member_title(Chamber.STATE_UPPER, state) == "Senator"
    assert titles.state_title(state, Chamber.STATE_UPPER) == "Senator"
    expected = LOWER_TITLES.get(state, "Representative")
    assert titles.member_title(Chamber.STATE_LOWER, state) == expected
    assert titles.state_title(state, "state_lower") == expected


def test_nebraska_unicameral_members_are_senators():
    # the import files put Nebraska's Legislature in the "upper" chamber
    assert titles.member_title(Chamber.STATE_UPPER, "NE") == "Senator"
    assert titles.member_title(Chamber.STATE_LEGISLATURE, "NE") == "Senator"


def test_puerto_rico_and_dc_legislatures():
    assert titles.member_title(Chamber.STATE_UPPER, "PR") == "Senator"
    assert titles.member_title(Chamber.STATE_LOWER, "PR") == "Representative"
    assert titles.member_title(Chamber.STATE_LEGISLATURE, "DC") == "Councilmember"


def test_territorial_legislators_get_a_title_not_a_plural():
    # Open States lists "Legislators" and "Senators" here; a salutation needs a title
    for state in ("AS", "MP"):
        assert titles.member_title(Chamber.STATE_UPPER, state) == "Senator"
        assert titles.member_title(Chamber.STATE_LOWER, state) == "Representative"
    for state in ("GU", "VI"):  # one chamber, whose members are senators
        assert titles.member_title(Chamber.STATE_LEGISLATURE, state) == "Senator"


def test_unknown_state_falls_back_plainly():
    assert titles.member_title(Chamber.STATE_UPPER, "ZZ") == "Senator"
    assert titles.member_title(Chamber.STATE_LOWER, "ZZ") == "Representative"
    assert titles.chamber_name(Chamber.STATE_LOWER, "ZZ") == "State House"


@pytest.mark.parametrize("state", [*STATES, *TERRITORIES])
def test_congress_chamber_names(state):
    assert titles.chamber_name(Chamber.US_SENATE, state) == "United States Senate"
    assert titles.chamber_name(Chamber.US_HOUSE, state) == (
        "United States House of Representatives"
    )


@pytest.mark.parametrize("state", BICAMERAL)
def test_state_chamber_names(state):
    name = STATES[state]
    upper = titles.chamber_name(Chamber.STATE_UPPER, state)
    lower = titles.chamber_name(Chamber.STATE_LOWER, state)
    assert name in upper
    assert name in lower
    assert upper != lower
    assert upper == UPPER_NAMES.get(state, f"{name} Senate")
    assert lower == LOWER_NAMES.get(state, f"{name} House of Representatives")


def test_the_inside_addresses_the_issue_names():
    assert titles.chamber_name("state_upper", "NY") == "New York State Senate"
    assert titles.chamber_name("state_lower", "NY") == "New York State Assembly"
    assert titles.chamber_name("state_lower", "CA") == "California State Assembly"
    assert titles.chamber_name("state_lower", "MD") == "Maryland House of Delegates"
    assert titles.chamber_name("state_lower", "VA") == "Virginia House of Delegates"
    assert titles.chamber_name("state_lower", "TX") == "Texas House of Representatives"
    assert titles.chamber_name("state_lower", "WI") == "Wisconsin State Assembly"
    assert titles.chamber_name("state_lower", "NJ") == "New Jersey General Assembly"
    assert titles.chamber_name("state_lower", "NV") == "Nevada Assembly"
    assert titles.chamber_name("state_upper", "TX") == "Texas Senate"


@pytest.mark.parametrize(("state", "expected"), UNICAMERAL.items())
def test_unicameral_names(state, expected):
    for chamber in (Chamber.STATE_UPPER, Chamber.STATE_LEGISLATURE):
        assert titles.chamber_name(chamber, state) == expected


def test_puerto_rico_chamber_names():
    assert titles.chamber_name(Chamber.STATE_UPPER, "PR") == "Senate of Puerto Rico"
    assert titles.chamber_name(Chamber.STATE_LOWER, "PR") == (
        "House of Representatives of Puerto Rico"
    )


def test_every_imported_title_comes_from_the_table(db, directory):
    rows = db.session.execute(
        select(Legislator.chamber, Legislator.state, Legislator.voting, Legislator.title)
    ).all()
    assert len(rows) > 7000
    seen_states = set()
    for chamber, state, voting, title in rows:
        assert title == titles.member_title(chamber, state, voting), (chamber, state, title)
        seen_states.add(state)
    assert set(STATES) | {"DC", "PR"} <= seen_states
    by_seat = {(c, s): t for c, s, _, t in rows}
    assert by_seat[(Chamber.STATE_LOWER, "NY")] == "Assembly Member"
    assert by_seat[(Chamber.STATE_LOWER, "CA")] == "Assemblymember"
    assert by_seat[(Chamber.STATE_LOWER, "WI")] == "Representative"
    assert by_seat[(Chamber.STATE_UPPER, "NE")] == "Senator"
    assert by_seat[(Chamber.US_HOUSE, "PR")] == "Resident Commissioner"
    assert by_seat[(Chamber.US_HOUSE, "DC")] == "Delegate"

"""find_legislators against the shared data: the README's sanity lookups and the hard cases."""

from __future__ import annotations

import pytest

from advocacy.legislators import importer, lookup
from advocacy.legislators.lookup import Chamber, find_legislators

from .conftest import write_directory


def names(result: lookup.Lookup, chamber: Chamber) -> list[list[str]]:
    race = result.race(chamber)
    return [[m.name for m in seat.members] for seat in race.seats] if race else []


def seats(result: lookup.Lookup, chamber: Chamber) -> list[str]:
    race = result.race(chamber)
    return [seat.key for seat in race.seats] if race else []


def test_one_district_zip(directory):
    result = find_legislators("13202")

    assert result.states == ["NY"]
    # Senior senator first.
    assert names(result, Chamber.US_SENATE) == [["Charles E. Schumer", "Kirsten E. Gillibrand"]]
    assert seats(result, Chamber.US_HOUSE) == ["NY-22"]
    assert names(result, Chamber.US_HOUSE) == [["John W. Mannion"]]
    assert not result.race(Chamber.US_HOUSE).ambiguous
    mannion = result.race(Chamber.US_HOUSE).seats[0].members[0]
    assert mannion.title == "Representative"
    assert mannion.party == "Democratic"
    assert mannion.phone and mannion.website.startswith("https://")
    # Like most House offices, no email and no form URL: the page points to the website.
    assert mannion.email is None and mannion.contact_form is None


def test_zip_with_state_legislators(directory):
    result = find_legislators("13202")

    assert names(result, Chamber.STATE_UPPER) == [["Rachel May"]]
    assert seats(result, Chamber.STATE_LOWER) == ["NY-128", "NY-129"]
    assert names(result, Chamber.STATE_LOWER) == [["Pamela Hunter"], ["Bill Magnarelli"]]
    may = result.race(Chamber.STATE_UPPER).seats[0].members[0]
    assert may.title == "Senator"  # Open States: New York's Senate
    assert may.email and "@" in may.email
    assert result.race(Chamber.STATE_LOWER).ambiguous
    assert result.ambiguous


def test_split_zip_returns_every_candidate_and_is_ambiguous(directory):
    result = find_legislators("10001")

    assert result.ambiguous
    house = result.race(Chamber.US_HOUSE)
    assert house.ambiguous
    assert seats(result, Chamber.US_HOUSE) == ["NY-10", "NY-12"]
    assert names(result, Chamber.US_HOUSE) == [["Daniel S. Goldman"], ["Jerrold Nadler"]]
    assert [s.share for s in house.seats] == [None, None]  # the shared data has no shares


def test_choice_narrows_to_the_chosen_district(directory):
    result = find_legislators("10001", choices={"us_house": "NY-12"})

    house = result.race(Chamber.US_HOUSE)
    assert not house.ambiguous
    assert house.seats[0].chosen
    assert names(result, Chamber.US_HOUSE) == [["Jerrold Nadler"]]
    # A "choice" that is not a candidate changes nothing.
    assert seats(find_legislators("10001", choices={"us_house": "NY-3"}), Chamber.US_HOUSE) == [
        "NY-10",
        "NY-12",
    ]


def test_at_large_state(directory):
    result = find_legislators("99501")

    assert seats(result, Chamber.US_HOUSE) == ["AK-0"]
    assert result.race(Chamber.US_HOUSE).seats[0].label == "AK at-large"
    assert names(result, Chamber.US_HOUSE) == [["Nicholas J. Begich III"]]
    assert names(result, Chamber.US_SENATE) == [["Lisa Murkowski", "Dan Sullivan"]]
    # Alaska's lettered senate districts.
    assert seats(result, Chamber.STATE_UPPER) == ["AK-G", "AK-H", "AK-I", "AK-J"]


def test_dc_has_a_delegate_and_no_senators(directory):
    result = find_legislators("20001")

    assert result.state == "DC"
    assert result.race(Chamber.US_SENATE) is None
    delegate = result.race(Chamber.US_HOUSE).seats[0].members[0]
    assert delegate.name == "Eleanor Holmes Norton"
    assert delegate.title == "Delegate" and not delegate.voting
    assert result.race(Chamber.STATE_UPPER) is None and result.race(Chamber.STATE_LOWER) is None
    assert not result.ambiguous


def test_nebraska_is_unicameral(directory):
    result = find_legislators("68508")

    assert result.race(Chamber.STATE_LOWER) is None
    members = [m for seat in result.race(Chamber.STATE_UPPER).seats for m in seat.members]
    assert members and {m.title for m in members} == {"Senator"}


def test_multi_member_districts_return_every_member(directory):
    # Idaho's House has seats A and B in each district.
    result = find_legislators("83301")
    for seat in result.race(Chamber.STATE_LOWER).seats:
        assert sorted(m.seat for m in seat.members) == ["A", "B"]


def test_vacant_seat_is_said_plainly(directory):
    result = find_legislators("94541")  # CA-14 has no member in this snapshot

    house = result.race(Chamber.US_HOUSE)
    assert [s.key for s in house.seats] == ["CA-14"]
    assert house.seats[0].vacant
    assert lookup.as_json(result)["vacancies"] == [
        {"chamber": "us_house", "state": "CA", "district": "14"}
    ]


def test_zip_plus_four_is_accepted(directory):
    assert find_legislators("13202-1234").zip == "13202"


@pytest.mark.parametrize("value", ["", "1320", "abcde", "132021", "13202-12"])
def test_invalid_zip_gets_a_clear_message(directory, value):
    with pytest.raises(lookup.LookupError) as failure:
        find_legislators(value)
    assert failure.value.code == "invalid_zip"
    assert "5-digit ZIP code" in failure.value.message


def test_unknown_zip_gets_a_clear_message(directory):
    with pytest.raises(lookup.UnknownZip) as failure:
        find_legislators("00000")
    assert "not in our directory" in failure.value.message


def test_no_directory_loaded(no_directory):
    with pytest.raises(lookup.DirectoryNotLoaded):
        find_legislators("13202")
    assert lookup.districts_for_zip("13202") == []


def test_shares_order_candidates_and_are_reported(small_directory):
    importer.import_directory(small_directory)

    result = find_legislators("13000")

    assert [(s.key, s.share) for s in result.race(Chamber.US_HOUSE).seats] == [
        ("NY-23", 0.75),
        ("NY-22", 0.25),
    ]
    assert result.ambiguous and result.has_shares
    assert [
        x["share"] for x in lookup.as_json(result)["legislators"] if x["chamber"] == "us_house"
    ] == [
        0.75,
        0.25,
    ]


def test_zip_in_two_states_asks_which_state(tmp_path, no_directory):
    folder = write_directory(
        tmp_path / "d",
        zip_cd=[
            {"zip": "13202", "state": "NY", "district": "22", "candidates": "2"},
            {"zip": "13202", "state": "DC", "district": "0", "candidates": "2"},
        ],
    )
    importer.import_directory(folder)

    result = find_legislators("13202")

    assert result.states == ["DC", "NY"] and result.state is None
    # DC has no senators, so only New York's are candidates; the House race has both.
    assert seats(result, Chamber.US_SENATE) == ["NY"]
    assert seats(result, Chamber.US_HOUSE) == ["DC-0", "NY-22"]
    assert result.ambiguous


# The data README's "Sanity lookups", chamber by chamber (candidates in district order).
SANITY = {
    "13202": {
        Chamber.US_SENATE: [["Charles E. Schumer", "Kirsten E. Gillibrand"]],
        Chamber.US_HOUSE: [["John W. Mannion"]],
        Chamber.STATE_UPPER: [["Rachel May"]],
        Chamber.STATE_LOWER: [["Pamela Hunter"], ["Bill Magnarelli"]],
    },
    "10001": {
        Chamber.US_HOUSE: [["Daniel S. Goldman"], ["Jerrold Nadler"]],
        Chamber.STATE_UPPER: [["Liz Krueger"], ["Erik Bottcher"]],
        Chamber.STATE_LOWER: [["Tony Simone"]],
    },
    "60601": {
        Chamber.US_SENATE: [["Richard J. Durbin", "Tammy Duckworth"]],
        Chamber.US_HOUSE: [["Danny K. Davis"]],
        Chamber.STATE_UPPER: [["Mattie Hunter"], ["Robert Peters"]],
        Chamber.STATE_LOWER: [["Kimberly Du Buclet"], ["Sonya Harper"], ["Kam Buckner"]],
    },
    "94103": {
        Chamber.US_SENATE: [["Alex Padilla", "Adam B. Schiff"]],
        Chamber.US_HOUSE: [["Nancy Pelosi"]],
        Chamber.STATE_UPPER: [["Scott Wiener"]],
        Chamber.STATE_LOWER: [["Matt Haney"]],
    },
    "20001": {Chamber.US_SENATE: [], Chamber.US_HOUSE: [["Eleanor Holmes Norton"]]},
    "99501": {
        Chamber.US_HOUSE: [["Nicholas J. Begich III"]],
        Chamber.STATE_UPPER: [
            ["Elvi Gray-Jackson"], ["Matt Claman"], ["Löki Tobin"], ["Forrest Dunbar"]
        ],
        Chamber.STATE_LOWER: [
            ["Alyse Galvin"], ["Carolyn Hall"], ["Zack Fields"], ["David Nelson"],
            ["Genevieve Mina"],
        ],
    },
}  # fmt: skip


@pytest.mark.parametrize("zip_code", sorted(SANITY))
def test_the_data_readme_sanity_lookups(directory, zip_code):
    result = find_legislators(zip_code)
    for chamber, expected in SANITY[zip_code].items():
        got = names(result, chamber)
        if chamber is Chamber.US_SENATE and expected:
            assert sorted(got[0]) == sorted(expected[0])  # the README lists them by name
        else:
            assert got == expected, chamber

"""``/legislators`` and ``/api/v1/legislators`` against the shared data."""

from __future__ import annotations

import pytest


def test_form_without_a_zip_says_how_current_the_directory_is(client, directory):
    response = client.get("/legislators")
    assert response.status_code == 200
    assert "Find your legislators" in response.text
    assert 'name="zip"' in response.text
    assert "Directory as of June 15, 2026" in response.text
    assert "state legislatures: August 5, 2026" in response.text


def test_13202_shows_both_senators_and_the_house_member_with_contacts(client, directory):
    page = client.get("/legislators?zip=13202").text

    for name in ("Charles E. Schumer", "Kirsten E. Gillibrand", "John W. Mannion", "Rachel May"):
        assert name in page
    assert "NY-22" in page
    assert 'href="tel:202-225-3701"' in page  # Mannion's Washington office
    assert "https://www.schumer.senate.gov" in page
    # No email and no form for the House office: point to its website, guess nothing.
    assert "write through the contact form on its official website" in page
    # 13202 touches two state house districts: ask, don't pick.
    assert "Which of these is your state house district?" in page
    assert 'value="NY-128"' in page and 'value="NY-129"' in page


def test_split_zip_asks_which_is_yours_and_how_to_check(client, directory):
    page = client.get("/legislators?zip=10001").text

    assert "ZIP 10001 crosses district lines" in page
    assert "Which of these is your representative?" in page
    assert "Daniel S. Goldman" in page and "Jerrold Nadler" in page
    assert "house.gov/representatives/find-your-representative" in page


def test_choosing_narrows_the_answer_and_can_be_changed(client, directory):
    page = client.get("/legislators?zip=10001&us_house=NY-12").text

    assert "Jerrold Nadler" in page
    assert "Daniel S. Goldman" not in page
    assert "your choice" in page
    assert "/legislators?zip=10001" in page  # the "change" link drops the choice


def test_vacant_seat_is_said_plainly(client, directory):
    page = client.get("/legislators?zip=94541").text
    assert "CA-14 is vacant" in page


def test_dc_explains_its_delegate(client, directory):
    page = client.get("/legislators?zip=20001").text
    assert "Eleanor Holmes Norton" in page
    assert "Delegate" in page
    assert "no senators" in page


@pytest.mark.parametrize(
    ("zip_code", "message"),
    [
        ("abc", "Enter a 5-digit ZIP code"),
        ("00000", "ZIP code 00000 is not in our directory"),
        ("<script>", "Enter a 5-digit ZIP code"),
    ],
)
def test_bad_zip_gets_a_clear_message_and_keeps_the_entry(client, directory, zip_code, message):
    response = client.get("/legislators", query_string={"zip": zip_code})
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert "<script>" not in response.text.split("<main", 1)[1]
    if zip_code == "abc":
        assert 'value="abc"' in response.text


def test_page_without_a_directory(client, no_directory):
    response = client.get("/legislators?zip=13202")
    assert response.status_code == 503
    assert "has not been loaded" in response.text


# --- JSON --------------------------------------------------------------------------------


def test_api_shape(client, directory):
    response = client.get("/api/v1/legislators?zip=13202")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) >= {"zip", "state", "ambiguous", "as_of", "legislators"}
    assert (data["zip"], data["state"], data["as_of"]) == ("13202", "NY", "2026-06-15")
    assert data["ambiguous"] is True  # the state house district
    first = data["legislators"][0]
    assert set(first) >= {
        "id", "name", "chamber", "state", "district", "party", "title", "email", "phone",
        "contact_form", "website", "share",
    }  # fmt: skip
    by_chamber: dict[str, list[str]] = {}
    for item in data["legislators"]:
        by_chamber.setdefault(item["chamber"], []).append(item["name"])
    assert by_chamber["us_senate"] == ["Charles E. Schumer", "Kirsten E. Gillibrand"]
    assert by_chamber["us_house"] == ["John W. Mannion"]
    assert by_chamber["state_upper"] == ["Rachel May"]
    assert by_chamber["state_lower"] == ["Pamela Hunter", "Bill Magnarelli"]
    mannion = next(x for x in data["legislators"] if x["chamber"] == "us_house")
    assert mannion["id"] == "M001231"  # the bioguide id, stable across snapshots
    assert mannion["district"] == "22" and mannion["email"] is None
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(
        "/api/v1/legislators?zip=13202", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_api_split_zip_and_choice(client, directory):
    data = client.get("/api/v1/legislators?zip=10001&address=350+5th+Ave").get_json()
    house = [x for x in data["legislators"] if x["chamber"] == "us_house"]
    assert data["ambiguous"] is True
    assert [x["district"] for x in house] == ["10", "12"]
    assert all(x["candidate"] for x in house)
    assert {x["source"] for x in house} == {None}
    chosen = client.get("/api/v1/legislators?zip=10001&us_house=NY-12").get_json()
    house = [x for x in chosen["legislators"] if x["chamber"] == "us_house"]
    assert [(x["name"], x["source"]) for x in house] == [("Jerrold Nadler", "choice")]


@pytest.mark.parametrize(
    ("query", "code"),
    [("", "invalid_zip"), ("?zip=12", "invalid_zip"), ("?zip=00000", "unknown_zip")],
)
def test_api_bad_input_is_a_400_with_an_error(client, directory, query, code):
    response = client.get(f"/api/v1/legislators{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == code and error["field"] == "zip" and error["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_api_refuses_a_district_that_is_not_the_zips(client, directory):
    response = client.get("/api/v1/legislators?zip=10001&us_house=NY-99")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "unknown_district" and error["field"] == "us_house"
    assert "NY-99" in error["message"] and "NY-12" in error["message"]
    # A chamber the ZIP has no districts in is refused too, not ignored.
    dc = client.get("/api/v1/legislators?zip=20001&state_upper=DC-1")
    assert dc.status_code == 400 and dc.get_json()["error"]["field"] == "state_upper"
    # The page stays forgiving: a stale bookmark shows every candidate again.
    assert client.get("/legislators?zip=10001&us_house=NY-99").status_code == 200


def test_api_without_a_directory(client, no_directory):
    response = client.get("/api/v1/legislators?zip=13202")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "directory_not_loaded" and "not been loaded" in error["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_forms_carry_only_the_choices_forward(client, directory):
    page = client.get("/legislators?zip=10001&state_upper=NY-47&utm_source=x&evil=%3Cb%3E").text
    assert 'name="state_upper" value="NY-47"' in page  # kept while choosing the House seat
    assert "utm_source" not in page and "evil" not in page

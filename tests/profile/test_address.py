"""The member's address and their split districts: checked like the action page's form,
remembered, and never guessed."""

from __future__ import annotations

import pytest

from advocacy.profile.models import MemberProfile

from .conftest import SYRACUSE, results


def _profile(db, user) -> MemberProfile | None:
    db.session.expire_all()
    return db.session.get(MemberProfile, user.id)


def test_the_pages_need_a_login(client, db):
    for path in ("/account/legislators", "/account/address", "/account/history"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location
    assert client.post("/account/legislators/districts").status_code == 302
    assert client.post("/account/campaigns/1/write").status_code == 302


def test_the_form_is_prefilled_from_the_account_name(client, logged_in):
    page = client.get("/account/address")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'value="Maria"' in page.text and 'value="Okonkwo"' in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("city", "Syra\x00cuse", "control characters"),
        ("address", "120 Walton St\x00", "control characters"),
        ("first_name", "Ma\x00ria", "control characters"),
        ("address", "x" * 201, "under 200 characters"),
        ("city", "x" * 81, "under 80 characters"),
        ("last_name", "x" * 61, "Field cannot be longer than 60 characters."),
        ("zip", "1320", "5-digit ZIP code"),
        ("zip", "00000", "not a ZIP code in use"),
        ("zip", "", "Enter your ZIP code."),
        ("address", "", "Enter your street address"),
        ("first_name", "", "Enter your first name."),
    ],
)
def test_bad_input_is_refused_beside_its_field_with_the_rest_kept(
    client, db, logged_in, directory, field, value, message
):
    response = client.post("/account/address", data={**SYRACUSE, field: value})
    assert response.status_code == 400
    assert message in response.text
    for name, kept in SYRACUSE.items():
        if name != field:
            assert f'value="{kept}"' in response.text
    assert _profile(db, logged_in) is None


def test_a_zip_the_directory_does_not_know_is_refused_on_the_zip_field(
    client, db, logged_in, directory
):
    response = client.post("/account/address", data={**SYRACUSE, "zip": "10118"})
    assert response.status_code == 400
    assert "is not in our directory" in response.text and 'id="zip-error"' in response.text
    assert _profile(db, logged_in) is None


def test_missing_fields_and_wrong_types_are_a_400_not_a_500(client, db, logged_in, directory):
    assert client.post("/account/address", data={}).status_code == 400
    response = client.post("/account/address", data={**SYRACUSE, "zip": ["13202", "10001"]})
    assert response.status_code in (302, 400)
    assert client.post("/account/address", data={"zip\x00": "1"}).status_code == 400


def test_the_address_is_kept_with_the_state_and_a_move_forgets_the_districts(
    client, db, logged_in, directory
):
    assert client.post("/account/address", data=SYRACUSE).status_code == 302
    profile = _profile(db, logged_in)
    assert (profile.full_name, profile.address, profile.city, profile.state, profile.zip) == (
        "Maria Okonkwo", "120 Walton St", "Syracuse", "NY", "13202"
    )  # fmt: skip
    assert (
        client.post("/account/legislators/districts", data={"state_lower": "NY-128"}).status_code
        == 302
    )
    assert _profile(db, logged_in).picks == {"state_lower": "NY-128"}
    # The same address again (a new name only) keeps the choice; a new address forgets it.
    client.post("/account/address", data={**SYRACUSE, "first_name": "Mari"})
    assert _profile(db, logged_in).picks == {"state_lower": "NY-128"}
    client.post("/account/address", data={**SYRACUSE, "address": "301 Erie Blvd W"})
    assert _profile(db, logged_in).picks == {}
    page = client.get("/account/legislators").text
    assert "Which district is yours?" in page


@pytest.mark.parametrize(
    "picks",
    [
        {"state_lower": "NY-5"},  # not a candidate of 13202
        {"us_house": "NY-22"},  # 13202 is not split for the House
        {"state_lower": "NY-128\x00"},
        {"state_lower": "x" * 5000},
        {},
        {"nonsense": "NY-128"},
    ],
)
def test_a_district_that_is_not_a_candidate_is_refused(client, db, logged_in, directory, picks):
    client.post("/account/address", data=SYRACUSE)
    response = client.post("/account/legislators/districts", data=picks)
    assert response.status_code == 400
    assert _profile(db, logged_in).picks == {}


def test_choosing_needs_an_address_first(client, db, logged_in, directory):
    response = client.post("/account/legislators/districts", data={"state_lower": "NY-128"})
    assert response.status_code == 400 and "Add your address first" in response.text


def test_a_zip_split_for_the_house_asks_and_remembers_each_chamber(
    client, db, logged_in, directory
):
    client.post("/account/address", data={**SYRACUSE, "zip": "10001", "city": "New York"})
    page = client.get("/account/legislators").text
    assert "Daniel S. Goldman" in page and "Jerrold Nadler" in page
    client.post("/account/legislators/districts", data={"us_house": "NY-12"})
    client.post("/account/legislators/districts", data={"state_upper": "NY-47"})
    assert _profile(db, logged_in).picks == {"us_house": "NY-12", "state_upper": "NY-47"}
    page = client.get("/account/legislators").text
    assert "Which district is yours?" not in page and "Change a district" in page
    assert 'value="NY-12" checked' in page
    shown = results(page)
    assert "Jerrold Nadler" in shown and "Daniel S. Goldman" not in shown
    assert "Erik Bottcher" in shown and "Liz Krueger" not in shown
    # A pick can be changed.
    client.post("/account/legislators/districts", data={"us_house": "NY-10"})
    shown = results(client.get("/account/legislators").text)
    assert "Daniel S. Goldman" in shown and "Jerrold Nadler" not in shown


def test_without_a_directory_the_address_saves_and_the_page_says_why(
    client, db, no_directory, logged_in
):
    assert client.post("/account/address", data=SYRACUSE).status_code == 302
    page = client.get("/account/legislators")
    assert page.status_code == 200 and "has not been loaded yet" in page.text

"""With the optional address geocoder, saving the address settles the split districts it
places (asked once: the later pages make no request)."""

from __future__ import annotations

import pytest

from advocacy.profile.models import MemberProfile
from tests.legislators import test_geocode

from .conftest import SYRACUSE, results

census = test_geocode.census  # the stand-in Census geocoder and its configuration, reused
configured = test_geocode.configured
NEW_YORK = {**SYRACUSE, "address": test_geocode.STREET, "city": "New York", "zip": "10001"}


@pytest.fixture
def geocoder(configured):
    return configured


def _profile(db, user) -> MemberProfile:
    db.session.expire_all()
    return db.session.get_one(MemberProfile, user.id)


def test_the_street_address_settles_the_split_chambers_once(
    client, db, logged_in, directory, geocoder
):
    assert client.post("/account/address", data=NEW_YORK).status_code == 302
    profile = _profile(db, logged_in)
    assert profile.picks == {"us_house": "NY-12", "state_upper": "NY-47"}
    assert len(geocoder.requests) == 1
    page = client.get("/account/legislators").text
    assert page.count("from your address") == 2 and "Jerrold Nadler" in page
    assert "Daniel S. Goldman" not in results(page) and "Which district is yours?" not in page
    assert len(geocoder.requests) == 1  # the page itself asks nothing online
    # The member may still pick otherwise; that chamber is then their choice.
    client.post("/account/legislators/districts", data={"us_house": "NY-10"})
    assert _profile(db, logged_in).picks["us_house"] == "NY-10"
    assert _profile(db, logged_in).address_chambers == ["state_upper"]


def test_a_geocoder_that_fails_leaves_the_choice_to_the_member(
    client, db, logged_in, directory, geocoder
):
    geocoder.mode = "500"
    assert client.post("/account/address", data=NEW_YORK).status_code == 302
    assert _profile(db, logged_in).picks == {}
    assert "Which district is yours?" in client.get("/account/legislators").text

"""/account's "Your data": the download (a POST, an attachment, never stored) and the
deletion page (password and an explicit yes; logs out everywhere; counts stay)."""

from __future__ import annotations

import json

import pytest

from advocacy.accounts import services
from advocacy.accounts.models import Role
from tests.factories import PASSWORD

EMAIL = "mia@example.org"


@pytest.fixture
def member(db):
    user = services.new_user(EMAIL, "Mia Member", PASSWORD, confirmed=True)
    db.session.commit()
    return user


def test_the_account_page_offers_the_download_and_the_deletion(client, auth, member):
    auth.login(EMAIL)
    page = client.get("/account")
    assert 'action="/account/data"' in page.text and "Download my data" in page.text
    assert 'href="/account/delete"' in page.text


def test_the_download_is_a_json_attachment_never_stored(client, auth, make, member):
    petition = make.petition()
    make.signature(petition, email=EMAIL, first_name="Mia")
    assert client.post("/account/data").status_code == 302  # login first
    auth.login(EMAIL)

    response = client.post("/account/data")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="advocacy-my-data-')
    data = json.loads(response.data)
    assert data["account"]["email"] == EMAIL
    assert [s["petition_slug"] for s in data["signatures"]] == [petition.slug]
    assert client.get("/account/data").status_code == 405  # no GET: see member_views


def test_the_download_checks_the_csrf_token(app, client, auth, member):
    auth.login(EMAIL)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/account/data")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and "application/json" not in response.content_type


def test_deleting_needs_the_password_and_the_box(client, db, auth, member):
    for method in (client.get, client.post):  # logged out: the login page, nothing else
        response = method("/account/delete", data={"password": PASSWORD, "confirm": "y"})
        assert response.status_code == 302 and "/login" in response.location
    auth.login(EMAIL)
    page = client.get("/account/delete")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "cannot be undone" in page.text

    unticked = client.post("/account/delete", data={"password": PASSWORD})
    assert unticked.status_code == 400 and "Tick the box" in unticked.text
    wrong = client.post("/account/delete", data={"password": "nope", "confirm": "y"})
    assert wrong.status_code == 400 and "not your current password" in wrong.text
    hostile = client.post("/account/delete", data={"password": "a\x00b", "confirm": "y"})
    assert hostile.status_code == 400
    assert services.find_user(EMAIL) is not None
    assert client.get("/account").status_code == 200  # still logged in


def test_deleting_logs_out_everywhere_and_the_count_stays(app, client, db, auth, make, member):
    petition = make.petition()
    make.signature(petition, email=EMAIL, first_name="Mia", comment="Mia's own words")
    make.signature(petition)
    other = app.test_client()
    other.post("/login", data={"email": EMAIL, "password": PASSWORD, "remember": "y"})
    auth.login(EMAIL)
    before = client.get(f"/petitions/{petition.slug}").text

    done = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})

    assert done.status_code == 302 and done.location.endswith("/")
    assert "Your account is deleted" in client.get("/").text
    assert client.get("/account").status_code == 302  # logged out
    assert other.get("/account").status_code == 302  # and everywhere else
    assert services.find_user(EMAIL) is None
    page = client.get(f"/petitions/{petition.slug}").text
    assert "Mia" in before and "Mia" not in page
    db.session.refresh(petition)
    assert petition.signature_count == 2
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 400


def test_the_last_organizer_of_an_organisation_is_told_why_not(client, make, auth):
    org = make.organization("Doctors for Access")
    make.organizer(org, email="owner@example.org", role=Role.OWNER)
    auth.login("owner@example.org")

    page = client.get("/account/delete")
    assert "only organizer of Doctors for Access" in page.text
    assert 'name="password"' not in page.text
    refused = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert refused.status_code == 400
    assert services.find_user("owner@example.org") is not None


def test_password_guesses_on_the_delete_page_are_limited(app, client, auth, member, limits_on):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per minute"
    auth.login(EMAIL)
    for _ in range(2):
        wrong = client.post("/account/delete", data={"password": "guess", "confirm": "y"})
        assert wrong.status_code == 400
    refused = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert refused.status_code == 429 and "Please wait" in refused.text
    assert services.find_user(EMAIL) is not None
    assert client.get("/account/delete").status_code == 200  # reading the page is not limited

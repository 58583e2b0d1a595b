"""Letters from the profile: the member's writer, the letters' own flow, and its refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from advocacy.core.errors import DomainError
from advocacy.letters.models import CampaignStatus, Letter, Writer
from advocacy.profile import services
from tests.factories import PASSWORD
from tests.letters.conftest import campaign, sign_and_confirm, target, writing_page

from .conftest import SYRACUSE, member, path_of

NOTE = "Our hospital in Syracuse turns away residents every year."


@pytest.fixture
def ready(client, db, logged_in, directory):
    """Maria, logged in, with her Syracuse address and Assembly district 129."""
    client.post("/account/address", data=SYRACUSE)
    client.post("/account/legislators/districts", data={"state_lower": "NY-129"})
    return logged_in


def _write(client, c) -> str:
    response = client.post(f"/account/campaigns/{c.id}/write")
    assert response.status_code == 302 and "/letters/" in response.location, response.location
    return path_of(response.location)


def _writers(db, c) -> list[Writer]:
    db.session.expire_all()
    return list(db.session.scalars(select(Writer).where(Writer.campaign_id == c.id)))


def test_writing_twice_reuses_the_writer_and_never_sends_a_letter_twice(client, db, ready):
    c = campaign()
    page = _write(client, c)
    assert client.post(page, data={"personal_note": NOTE}).status_code == 302
    client.post(f"{page}/send")
    again = _write(client, c)
    assert again.split(".")[0] == page.split(".")[0]  # the same writer (the token's payload)
    assert client.post(f"{again}/send").status_code == 302
    (writer,) = _writers(db, c)
    count = db.session.scalar(select(func.count()).where(Letter.writer_id == writer.id))
    assert count == 5
    assert db.session.get(type(c), c.id).letter_count == 5
    page = client.get("/account/legislators").text
    assert "You have sent 5 letters for it" in page and "Open my letters" in page


def test_the_writer_has_the_profile_and_the_account_email(client, db, ready):
    c = campaign()
    _write(client, c)
    (writer,) = _writers(db, c)
    assert writer.user_id == ready.id and writer.email == ready.email
    assert writer.is_confirmed and not writer.opt_in
    assert (writer.first_name, writer.last_name, writer.city, writer.state) == (
        "Maria", "Okonkwo", "Syracuse", "NY"
    )  # fmt: skip
    assert {(d.chamber, d.key, d.status) for d in writer.districts} >= {
        ("state_lower", "NY-129", "chosen"),
        ("us_house", "NY-22", "matched"),
    }


def test_a_split_district_not_yet_chosen_is_asked_on_the_profile_first(
    client, db, logged_in, directory
):
    client.post("/account/address", data=SYRACUSE)
    c = campaign()
    response = client.post(f"/account/campaigns/{c.id}/write", follow_redirects=True)
    assert "Choose your State House district" in response.text
    assert _writers(db, c) == []
    # A campaign to the federal chambers only does not need the Assembly district.
    federal = campaign(slug="federal-only", chambers=["us_senate", "us_house"])
    _write(client, federal)


def test_refusals_no_address_closed_draft_forged_ids(client, db, logged_in, directory):
    c = campaign()
    response = client.post(f"/account/campaigns/{c.id}/write", follow_redirects=True)
    assert "Add your address first" in response.text
    client.post("/account/address", data=SYRACUSE)
    client.post("/account/legislators/districts", data={"state_lower": "NY-129"})
    closed = campaign(slug="closed-one", status=CampaignStatus.CLOSED)
    response = client.post(f"/account/campaigns/{closed.id}/write", follow_redirects=True)
    assert "closed" in response.text
    draft = campaign(slug="draft-one", status=CampaignStatus.DRAFT)
    assert client.post(f"/account/campaigns/{draft.id}/write").status_code == 404
    for forged in ("999999", "99999999999999999999", "0", "-1", "abc"):
        assert client.post(f"/account/campaigns/{forged}/write").status_code == 404
    assert client.get(f"/account/campaigns/{c.id}/write").status_code == 405
    assert _writers(db, closed) == [] and _writers(db, draft) == []


def test_an_unconfirmed_account_cannot_write(db, directory):
    user = member(db, "new@example.org", confirmed=False)
    services.save_address(user, services.AddressInput(**SYRACUSE))
    with pytest.raises(DomainError, match="Confirm your email"):
        services.write_from_profile(user, campaign())


def test_an_account_unconfirmed_after_login_is_refused_too(client, db, ready):
    ready.email_confirmed_at = None
    db.session.commit()
    c = campaign()
    response = client.post(f"/account/campaigns/{c.id}/write", follow_redirects=True)
    assert "Confirm your email" in response.text
    assert _writers(db, c) == []


def test_a_writer_from_the_members_signature_is_reused_and_joins_the_account(
    app, client, db, mailbox, directory, make
):
    petition = make.petition()
    c = campaign(petition=petition)
    signer = app.test_client()
    page = writing_page(signer, sign_and_confirm(signer, mailbox, petition, "maria@example.org"))
    signer.post(f"{page}/districts", data={"state_lower": "NY-128"})
    signer.post(page, data={"personal_note": NOTE})
    signer.post(f"{page}/send")
    (before,) = _writers(db, c)
    assert before.user_id is None

    user = member(db, "maria@example.org")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/account/address", data={**SYRACUSE, "address": "1 Other St"})
    client.post("/account/legislators/districts", data={"state_lower": "NY-129"})
    _write(client, c)
    (after,) = _writers(db, c)
    assert after.id == before.id and after.user_id == user.id
    # Letters were sent from it: it keeps the address and district they were sent with.
    assert after.address == "120 Walton St"
    assert {d.key for d in after.districts if d.chamber == "state_lower"} == {"NY-128"}


def test_an_email_whose_letters_belong_to_another_account_is_refused(client, db, ready):
    c = campaign()
    other = member(db, "old@example.org", "Old Owner")
    db.session.add(
        Writer(campaign_id=c.id, user_id=other.id, first_name="O", last_name="O",
               email=ready.email, zip="13202", confirmed_at=other.created_at)
    )  # fmt: skip
    db.session.commit()
    response = client.post(f"/account/campaigns/{c.id}/write", follow_redirects=True)
    assert "from another account" in response.text
    (writer,) = _writers(db, c)
    assert writer.user_id == other.id


def test_an_organisation_target_campaign_needs_only_the_address(client, db, logged_in, directory):
    client.post("/account/address", data=SYRACUSE)  # the Assembly district is still open
    c = campaign(slug="aamc", chambers=[])
    target(c)
    page = _write(client, c)
    assert "David J. Skorton" in client.get(page).text


def test_the_write_button_is_limited_like_the_letters(app, client, db, ready, limits_on):
    app.config["LETTER_LIMIT_PER_ADDRESS"] = "2 per minute"
    c = campaign()
    assert client.post(f"/account/campaigns/{c.id}/write").status_code == 302
    assert client.post(f"/account/campaigns/{c.id}/write").status_code == 302
    assert client.post(f"/account/campaigns/{c.id}/write").status_code == 429

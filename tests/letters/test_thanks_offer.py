"""The thank-you page offers an open letter campaign of the petition; a street address
settles a split ZIP only when the geocoder is configured."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.legislators import geocode
from advocacy.letters.models import CampaignStatus, Writer
from tests.factories import sign_form

from .conftest import campaign, letters_of, path_of, sign_and_confirm, writing_page


def test_no_open_campaign_no_offer(client, mailbox, make, directory):
    petition = make.petition()
    campaign(petition=petition, status=CampaignStatus.DRAFT)
    thanks = client.get(sign_and_confirm(client, mailbox, petition)).get_data(as_text=True)
    assert "Thank you" in thanks
    assert "Now write to your legislators" not in thanks


def test_a_petition_without_confirmation_offers_letters_to_the_browser_that_signed(
    client, make, directory
):
    petition = make.petition(require_confirmation=False)
    campaign(petition=petition)
    response = client.post(f"/petitions/{petition.slug}/sign", data=sign_form())
    thanks = client.get(path_of(response.headers["Location"])).get_data(as_text=True)
    assert "Now write to your legislators" in thanks
    page = writing_page(client, path_of(response.headers["Location"]))
    assert "Rachel May" in client.get(page).get_data(as_text=True)


def test_a_signature_token_opens_the_same_writer_again(client, mailbox, petition_campaign):
    thanks = sign_and_confirm(client, mailbox, petition_campaign.petition)
    first, again = writing_page(client, thanks), writing_page(client, thanks)
    # The same writer's link: the signed payload matches (the timestamp may tick between them).
    assert first.split(".")[0] == again.split(".")[0]
    assert len(db.session.scalars(select(Writer)).all()) == 1
    assert client.get("/act/x/signed/garbage").status_code == 404
    assert client.get(f"/act/{petition_campaign.slug}/signed/garbage").status_code == 400


def test_a_street_address_settles_the_split_district_when_geocoding(
    app, client, mailbox, petition_campaign, monkeypatch
):
    asked = []

    def resolve(street, zip5):
        asked.append((street, zip5))
        return {"state_lower": "NY-128", "state_upper": "NY-48", "us_house": "NY-22"}

    monkeypatch.setattr(geocode, "resolve", resolve)
    page = writing_page(client, sign_and_confirm(client, mailbox, petition_campaign.petition))
    html = client.get(page).get_data(as_text=True)
    assert "Which district is yours?" in html and asked == []  # not configured: asked, no call

    app.config["ADDRESS_GEOCODER_URL"] = "https://geocoder.invalid/"
    html = client.get(page).get_data(as_text=True)
    assert asked == [("120 Walton St", "13202")]
    assert "Which district is yours?" not in html and "Pamela Hunter" in html
    client.post(page, data={"personal_note": ""})
    assert "Pamela Hunter" in {x.recipient_name for x in letters_of("maria@example.com")}

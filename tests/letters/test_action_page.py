"""The action page: a standalone campaign's form, confirmed by email like a signature."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.letters import delivery, writers
from advocacy.letters.models import CampaignStatus, LetterStatus, Writer
from advocacy.letters.writers import CONSENT_TEXT

from .conftest import campaign, letters_of, path_of, target


def form(**overrides) -> dict:
    data = {
        "first_name": "Maria",
        "last_name": "Okonkwo",
        "email": "maria@example.com",
        "address": "350 Fifth Avenue",
        "city": "New York",
        "zip": "10001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def standalone(make, directory):
    c = campaign(chambers=["us_senate", "us_house"])
    target(c)
    return c


def writer_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Writer))


def confirm_link(mailbox, email="maria@example.com") -> str:
    return path_of(mailbox.last_link(email, kind="confirm_writer"))


def test_the_page_shows_the_campaign_progress_and_sanitised_intro(client, standalone):
    html = client.get(f"/act/{standalone.slug}").get_data(as_text=True)
    assert "Fund residency positions" in html
    assert "Cosponsor the Resident Physician Shortage Reduction Act" in html
    assert "<strong>your</strong>" in html and "<script>alert" not in html
    assert re.search(r"0</strong> of 50 letters", html)
    assert CONSENT_TEXT in html
    assert client.get("/act/no-such-campaign").status_code == 404


def test_a_draft_campaign_is_not_public(client, make):
    c = campaign(status=CampaignStatus.DRAFT)
    assert client.get(f"/act/{c.slug}").status_code == 404


def test_form_makes_an_unconfirmed_writer_and_a_confirmation_email(client, mailbox, standalone):
    response = client.post(f"/act/{standalone.slug}", data=form(opt_in="y"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/act/{standalone.slug}/check-your-inbox")
    writer = db.session.scalars(select(Writer)).one()
    assert (writer.is_confirmed, writer.state, writer.city) == (False, "NY", "New York")
    assert writer.opt_in and writer.consent_text == CONSENT_TEXT
    assert {(d.chamber, d.key, d.status) for d in writer.districts} >= {
        ("us_house", "NY-10", "candidate"),
        ("us_house", "NY-12", "candidate"),
    }
    (message,) = mailbox.messages(to="maria@example.com")
    assert message.kind == "confirm_writer"
    assert "Fund residency positions" in message.subject

    # Nothing for an unconfirmed writer: no page, no draft, no send.
    page = f"/letters/{writers.access_token(writer)}"
    assert client.get(page).status_code == 403
    assert client.post(page, data={"personal_note": "x"}).status_code == 403
    assert client.post(f"{page}/send").status_code == 403
    with pytest.raises(writers.DomainError):
        delivery.send_letters(writer)
    assert letters_of("maria@example.com") == []


def test_a_repeat_creates_no_second_writer_and_reveals_nothing(client, mailbox, standalone):
    first = client.post(f"/act/{standalone.slug}", data=form())
    again = client.post(f"/act/{standalone.slug}", data=form(first_name="Someone"))
    assert first.headers["Location"] == again.headers["Location"]
    assert writer_count() == 1
    assert db.session.scalars(select(Writer)).one().first_name == "Maria"
    assert len(mailbox.messages(kind="confirm_writer")) == 2  # a fresh link

    client.post(confirm_link(mailbox))
    client.post(f"/act/{standalone.slug}", data=form())
    (notice,) = mailbox.messages(kind="writer_again")
    assert "/letters/" in notice.text_body
    # A third and later repeat inside a day sends nothing (SIGN_NOTICES_PER_DAY = 3).
    for _ in range(3):
        assert client.post(f"/act/{standalone.slug}", data=form()).status_code == 302
    assert len(mailbox.messages(to="maria@example.com")) == 3
    assert writer_count() == 1


def test_confirm_then_10001_asks_the_house_district(client, mailbox, standalone):
    client.post(f"/act/{standalone.slug}", data=form())
    link = confirm_link(mailbox)
    page = client.get(link)
    assert page.status_code == 200 and "Confirm and write my letters" in page.text
    assert not db.session.scalars(select(Writer)).one().is_confirmed  # a GET confirms nothing
    response = client.post(link)
    assert response.status_code == 302
    write = path_of(response.headers["Location"])
    html = client.get(write).get_data(as_text=True)
    assert "Which district is yours?" in html
    assert "U.S. House" in html and "NY-10" in html and "NY-12" in html
    # Before choosing: the senators and the organisation target, no House member guessed
    # (the choice names who holds each district; the letters go to no one of them yet).
    letters_go_to = html.split('class="recipient-list"', 1)[1].split("</ul>", 1)[0]
    assert "Charles E. Schumer" in letters_go_to and "David J. Skorton" in letters_go_to
    assert "Jerrold Nadler" not in letters_go_to and "Daniel S. Goldman" not in letters_go_to
    assert "Jerrold Nadler" in html  # in the choice: NY-12 is his district
    assert client.post(write, data={"personal_note": ""}).status_code == 409
    assert letters_of("maria@example.com") == []

    assert client.post(f"{write}/districts", data={"us_house": "NY-99"}).status_code == 400
    client.post(f"{write}/districts", data={"us_house": "NY-12"})
    html = client.get(write).get_data(as_text=True)
    assert "Which district is yours?" not in html
    assert client.post(write, data={"personal_note": ""}).status_code == 302
    names = {x.recipient_name for x in letters_of("maria@example.com")}
    assert len(names) == 4 and "David J. Skorton" in names
    assert client.get(link).status_code == 302  # confirmed: straight to the letters


def test_control_characters_and_long_input_get_messages_not_500(client, mailbox, standalone):
    response = client.post(f"/act/{standalone.slug}", data=form(city="New\x00York"))
    assert response.status_code == 400
    assert "Remove the invisible control characters" in response.text
    response = client.post(f"/act/{standalone.slug}", data=form(address="x" * 500))
    assert response.status_code == 400 and "under 200 characters" in response.text
    assert 'value="Maria"' in response.text  # the other entries kept
    assert writer_count() == 0

    client.post(f"/act/{standalone.slug}", data=form(zip="13202"))
    write = path_of(client.post(confirm_link(mailbox)).headers["Location"])
    response = client.post(write, data={"personal_note": "a" * 2001})
    assert response.status_code == 400 and "2000 characters" in response.text
    response = client.post(write, data={"personal_note": "My story\x00"})
    assert response.status_code == 400
    assert "Remove the invisible control characters" in response.text
    assert letters_of("maria@example.com") == []
    assert client.get("/letters/garbage").status_code == 400
    assert client.get(f"{write}x").status_code == 400


def test_a_closed_campaign_takes_no_writers(client, mailbox, standalone):
    standalone.status = CampaignStatus.CLOSED
    db.session.commit()
    response = client.post(f"/act/{standalone.slug}", data=form())
    assert response.status_code == 409 and "closed" in response.text
    assert writer_count() == 0


def test_posts_need_a_csrf_token(app, client, mailbox, standalone):
    client.post(f"/act/{standalone.slug}", data=form(zip="13202"))
    write = path_of(client.post(confirm_link(mailbox)).headers["Location"])
    client.post(f"{write}/districts", data={"state_lower": "NY-128"})
    client.post(write, data={"personal_note": ""})
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"{write}/send").status_code == 400
    assert {x.status for x in letters_of("maria@example.com")} == {LetterStatus.DRAFTED}
    review = client.get(f"{write}/review").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', review)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', review)
    assert token
    assert client.post(f"{write}/send", data={"csrf_token": token[1]}).status_code == 302
    assert LetterStatus.DRAFTED not in {x.status for x in letters_of("maria@example.com")}


def test_letters_are_rate_limited_per_address(app, client, standalone, limits_on):
    app.config["LETTER_LIMIT_PER_ADDRESS"] = "2 per minute"
    for email in ("a@example.com", "b@example.com"):
        assert client.post(f"/act/{standalone.slug}", data=form(email=email)).status_code == 302
    response = client.post(f"/act/{standalone.slug}", data=form(email="c@example.com"))
    assert response.status_code == 429
    assert writer_count() == 2


@pytest.mark.parametrize(
    "payload", [[2**70, "x"], [2**31, "x"], [0, "x"], [True, "x"], ["1", "x"], [1, 2], {}]
)
def test_writer_links_that_we_did_not_issue_are_a_400_page(client, payload):
    from advocacy.letters.writers import _serializer

    for purpose, url in (("access", "/letters/{}"), ("confirm", "/letters/confirm/{}")):
        token = _serializer(purpose).dumps(payload)
        response = client.get(url.format(token))
        assert response.status_code == 400, (payload, url)
        assert "not valid" in response.text
    token = _serializer("access").dumps(payload)
    assert client.get(f"/letters/{token}/1.pdf").status_code == 400

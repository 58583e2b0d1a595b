"""The privacy page states the configured retention and contact, and every page with a form
that takes personal data (and the footer of every site page) links to it."""

from __future__ import annotations

import re

import pytest

from tests.letters.conftest import campaign, sign_and_confirm, writing_page

LINK = re.compile(r'<a href="/privacy"[^>]*>How we use your data')


def test_the_page_states_the_configured_periods_and_contact(app, client):
    app.config.update(
        PRIVACY_UNCONFIRMED_DAYS=21,
        PRIVACY_CLOSED_PETITION_DAYS=400,
        PRIVACY_CONTACT_EMAIL="privacy@example.org",
        PRIVACY_OUTBOX_DAYS=45,
    )
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "at most <strong>21 days</strong>" in page
    assert "<strong>400 days</strong> after a petition closes" in page
    assert "keep the address and the text for <strong>45 days</strong>" in page
    assert 'href="/account#your-data"' in page
    assert 'href="mailto:privacy@example.org"' in page
    for heading in ("What we collect", "How long we keep it", "Who sees it", "deleted"):
        assert heading in page


def test_without_a_contact_setting_the_page_gives_the_sender_address(app, client):
    app.config.update(PRIVACY_CONTACT_EMAIL=None, MAIL_DEFAULT_SENDER="Org <hello@org.example>")
    page = client.get("/privacy").get_data(as_text=True)
    assert 'href="mailto:hello@org.example">hello@org.example</a>' in page
    app.config.update(PRIVACY_UNCONFIRMED_DAYS=1)
    assert "at most <strong>1 day</strong>" in client.get("/privacy").get_data(as_text=True)


def test_the_footer_links_the_page(client, make):
    for path in ("/", "/legislators", "/privacy"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/privacy">Privacy: how we use your data</a>' in page, path


def forms_taking_personal_data(page: str) -> list[str]:
    """The POST forms of a page that ask for an email, a name, an address or a note."""
    forms = re.findall(r'<form[^>]*method="post"[^>]*>.*?</form>', page, flags=re.S)
    personal = re.compile(r'name="(email|first_name|address|personal_note|comment)"')
    return [f for f in forms if personal.search(f)]


@pytest.fixture
def pages(client, make, mailbox, directory):
    """Every page with a form that takes personal data, by name."""
    petition = make.petition()
    campaign(petition=petition)  # offered on the thank-you page: the way to the writing page
    standalone = campaign()
    thanks = sign_and_confirm(client, mailbox, petition)
    return {
        "petition": client.get(f"/petitions/{petition.slug}"),
        "embed": client.get(f"/petitions/{petition.slug}/embed"),
        "action page": client.get(f"/act/{standalone.slug}"),
        "letter writing": client.get(writing_page(client, thanks)),
        "login": client.get("/login"),
        "sign up": client.get("/signup"),
    }


def test_every_form_that_takes_personal_data_links_the_page(pages):
    for name, response in pages.items():
        assert response.status_code == 200, name
        forms = forms_taking_personal_data(response.get_data(as_text=True))
        assert forms, f"{name}: no personal-data form found"
        for form in forms:
            assert LINK.search(form), f"{name}: a form without the privacy link"


def test_the_embed_opens_the_page_in_a_new_tab(pages):
    page = pages["embed"].get_data(as_text=True)
    assert re.search(r'<a href="/privacy" target="_blank" rel="noopener">', page)

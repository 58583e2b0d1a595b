"""The subscribe form, the confirmation page and the preference centre, through the client."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.mail import suppression
from advocacy.mail.models import Unsubscribe
from advocacy.subscriptions import services
from advocacy.subscriptions.models import NewsletterSubscription, SubscriptionStatus

EMAIL = "lena@example.org"


def path(url: str) -> str:
    return url.replace("http://advocacy.test", "")


def status(email: str, organization) -> SubscriptionStatus | None:
    db.session.expire_all()
    return db.session.scalar(
        select(NewsletterSubscription.status).where(
            NewsletterSubscription.email == email,
            NewsletterSubscription.organization_id == organization.id,
        )
    )


def preferences(email: str = EMAIL) -> str:
    return f"/preferences/{suppression.preferences_token(email)}"


def confirm_by_email(client, mailbox, email: str = EMAIL):
    link = path(mailbox.last_link(email, "newsletter_confirm"))
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my subscription" in page.text
    return client.post(link)


def test_subscribe_on_the_public_form_confirm_by_email_then_leave(app, client, make, mailbox):
    org = make.organization("Clinic Voices")
    make.petition(org)
    form = client.get(f"/o/{org.slug}/subscribe")
    assert form.status_code == 200
    assert services.consent_text(org) in form.text
    assert form.headers["Cache-Control"] == "no-store"

    answer = client.post(f"/o/{org.slug}/subscribe", data={"email": " Lena@Example.org"})
    assert answer.status_code == 200 and "Check your inbox" in answer.text
    # Opening the link (a mail scanner does) confirms nothing: the button does.
    assert client.get(path(mailbox.last_link(EMAIL, "newsletter_confirm"))).status_code == 200
    assert status(EMAIL, org) is SubscriptionStatus.PENDING
    done = confirm_by_email(client, mailbox)
    assert done.status_code == 200 and "You are subscribed" in done.text
    assert status(EMAIL, org) is SubscriptionStatus.CONFIRMED

    centre = client.get(preferences())
    assert "Leave the newsletter" in centre.text
    leave = f"{preferences()}/newsletters/{org.id}/leave"
    assert client.post(leave).status_code == 302
    assert status(EMAIL, org) is SubscriptionStatus.LEFT
    assert "You left the newsletter of Clinic Voices" in client.get(preferences()).text


def test_the_form_answers_the_same_for_an_address_already_subscribed(app, client, make, mailbox):
    org = make.organization()
    client.post(f"/o/{org.slug}/subscribe", data={"email": EMAIL})
    confirm_by_email(client, mailbox)
    again = client.post(f"/o/{org.slug}/subscribe", data={"email": EMAIL})
    fresh = client.post(f"/o/{org.slug}/subscribe", data={"email": "new@example.org"})
    assert again.status_code == fresh.status_code == 200
    assert again.text.replace(EMAIL, "X") == fresh.text.replace("new@example.org", "X")
    assert [m.kind for m in mailbox.messages(to=EMAIL)][-1] == "newsletter_already"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address."),
        ("not an address", "Enter a valid email address"),
        ("a\x00b@example.org", "control characters"),
        ("x" * 260 + "@example.org", "Field cannot be longer than 254 characters."),
    ],
)
def test_bad_input_is_a_400_with_the_message(app, client, make, email, message):
    org = make.organization()
    page = client.post(f"/o/{org.slug}/subscribe", data={"email": email})
    assert page.status_code == 400
    assert message in page.text
    assert db.session.scalars(select(NewsletterSubscription)).all() == []


def test_unknown_organisations_and_bad_links_are_refused(app, client, make):
    org = make.organization()
    assert client.get("/o/nobody-here/subscribe").status_code == 404
    assert client.post("/o/nobody-here/subscribe", data={"email": EMAIL}).status_code == 404
    bad = client.get("/newsletter/confirm/not-a-token")
    assert bad.status_code == 400 and "could not use that link" in bad.text
    assert client.post("/newsletter/confirm/not-a-token").status_code == 400
    # An unsubscribe token (same key, another purpose) opens no preference centre.
    for token in ("x", suppression.unsubscribe_token(EMAIL, org.id, None), "a" * 3000):
        page = client.get(f"/preferences/{token}")
        assert page.status_code == 400 and "not valid" in page.text
        assert client.post(f"/preferences/{token}/organizations/{org.id}/leave").status_code == 400
    assert db.session.scalars(select(Unsubscribe)).all() == []


def test_the_preference_centre_lists_only_this_address(app, client, make, mailbox):
    org, other_org = make.organization("Nurses United"), make.organization("Rural Health")
    mine = make.petition(org, title="Fund rural clinics")
    theirs = make.petition(other_org, title="Their petition")
    make.signature(mine, email=EMAIL, opt_in=True)
    make.signature(make.petition(org, title="Signed without updates"), email=EMAIL)
    make.signature(theirs, email="someone@example.org", opt_in=True, first_name="Zed")
    services.request_subscription("someone@example.org", other_org)

    page = client.get(preferences())
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Fund rural clinics" in page.text
    assert "Signed without updates" not in page.text  # no updates asked for: none sent
    assert "Their petition" not in page.text and "someone@example.org" not in page.text
    assert "Zed" not in page.text
    # Rural Health is offered, as a newsletter this address is not on.
    assert "Rural Health" in page.text and page.text.count("Subscribe") >= 2


def test_leave_a_petition_then_everything_an_organisation_sends(app, client, make, mailbox):
    org = make.organization()
    first, second = make.petition(org, title="First one"), make.petition(org, title="Second one")
    for petition in (first, second):
        make.signature(petition, email=EMAIL, opt_in=True)
    centre = preferences()
    assert client.post(f"{centre}/petitions/{first.id}/leave").status_code == 302
    text = client.get(centre).text
    assert "No more updates about “First one”" in text and text.count("Stopped") == 1
    assert client.post(f"{centre}/organizations/{org.id}/leave").status_code == 302
    text = client.get(centre).text
    assert text.count("Stopped") == 2 and "You left everything" in text
    scopes = db.session.scalars(select(Unsubscribe.petition_id).where(Unsubscribe.email == EMAIL))
    assert sorted(scopes, key=str) == sorted([first.id, None], key=str)


def test_subscribe_from_the_preference_centre_confirm_by_email_then_leave(
    app, client, make, mailbox
):
    org = make.organization("Harbor Clinic")
    make.petition(org)
    centre = preferences()
    answer = client.post(f"{centre}/newsletters/{org.id}/subscribe", follow_redirects=True)
    assert "Check your inbox" in answer.text
    assert "Waiting for you to confirm" in answer.text
    assert status(EMAIL, org) is SubscriptionStatus.PENDING
    confirm_by_email(client, mailbox)
    assert "Leave the newsletter" in client.get(centre).text
    client.post(f"{centre}/newsletters/{org.id}/leave")
    assert status(EMAIL, org) is SubscriptionStatus.LEFT


def test_ids_that_do_not_exist_are_404s_and_change_nothing(app, client, make):
    centre = preferences()
    for url in (
        f"{centre}/newsletters/999999/subscribe",
        f"{centre}/newsletters/999999/leave",
        f"{centre}/organizations/999999/leave",
        f"{centre}/petitions/999999/leave",
        f"{centre}/petitions/3000000000/leave",
    ):
        assert client.post(url).status_code == 404, url
    assert db.session.scalars(select(Unsubscribe)).all() == []
    assert db.session.scalars(select(NewsletterSubscription)).all() == []


def test_the_buttons_need_their_csrf_token(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = True
    org = make.organization()
    petition = make.petition(org)
    centre = preferences()
    for url in (
        f"{centre}/newsletters/{org.id}/subscribe",
        f"{centre}/organizations/{org.id}/leave",
        f"{centre}/petitions/{petition.id}/leave",
    ):
        assert client.post(url).status_code == 400, url
    assert db.session.scalars(select(Unsubscribe)).all() == []


def test_a_petition_page_links_to_its_organisations_newsletter_form(app, client, make):
    org = make.organization("Link Me")
    petition = make.petition(org)
    page = client.get(f"/petitions/{petition.slug}")
    assert f'href="/o/{org.slug}/subscribe"' in page.text
    assert client.get(f"/o/{org.slug}/subscribe").status_code == 200

"""/account's newsletter buttons (one click, no email) and the organizer dashboard's counts."""

from __future__ import annotations

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.mail import suppression
from advocacy.subscriptions import services
from advocacy.subscriptions.models import NewsletterSubscription, SubscriptionStatus

from .test_pages import status


def test_a_member_subscribes_and_leaves_from_the_account_page(app, client, make, auth, mailbox):
    org = make.organization("Doctors Together")
    make.petition(org)
    member = make.organizer(email="member@example.org")
    auth.login(member.email)
    page = client.get("/account")
    assert page.status_code == 200 and 'id="newsletters"' in page.text
    assert "Newsletter of Doctors Together" in page.text

    done = client.post(f"/account/newsletters/{org.id}/subscribe", follow_redirects=True)
    assert "You get the newsletter of Doctors Together" in done.text
    assert status("member@example.org", org) is SubscriptionStatus.CONFIRMED
    assert mailbox.messages(to="member@example.org") == []  # no round trip
    assert "Leave the newsletter" in done.text

    client.post(f"/account/newsletters/{org.id}/leave")
    assert status("member@example.org", org) is SubscriptionStatus.LEFT
    assert client.post("/account/newsletters/999999/subscribe").status_code == 404


def test_account_buttons_need_a_login(app, client, make):
    org = make.organization()
    response = client.post(f"/account/newsletters/{org.id}/subscribe")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalars(select(NewsletterSubscription)).all() == []


def test_organizers_see_their_subscriber_counts(app, client, make, auth, mailbox):
    org = make.organization("Count Me")
    organizer = make.organizer(org)
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        services.request_subscription(email, org)
        services.confirm_subscription(mailbox.last_link(email, "newsletter_confirm").split("/")[-1])
    services.request_subscription("pending@example.org", org)
    suppression.unsubscribe("c@example.org", org.id, None)
    auth.login(organizer.email)
    page = client.get("/organize/")
    assert "Newsletter subscribers" in page.text
    assert "2 confirmed subscribers" in page.text
    assert "1 more confirmed, then left" in page.text
    assert f"/o/{org.slug}/subscribe" in page.text

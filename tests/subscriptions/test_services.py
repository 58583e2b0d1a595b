"""Newsletter subscriptions without HTTP: double opt-in, leaving, coming back, mail's rules."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from advocacy import mail
from advocacy.accounts.links import LinkError
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.mail import suppression
from advocacy.mail.models import Unsubscribe
from advocacy.subscriptions import services
from advocacy.subscriptions.models import NewsletterSubscription, SubscriptionStatus

EMAIL = "rosa@example.org"


def token_of(mailbox, to: str = EMAIL) -> str:
    link = mailbox.last_link(to, "newsletter_confirm")
    return link.rsplit("/", 1)[1]


def row(email: str, organization) -> NewsletterSubscription:
    db.session.expire_all()
    found = db.session.scalar(
        select(NewsletterSubscription).where(
            NewsletterSubscription.email == email,
            NewsletterSubscription.organization_id == organization.id,
        )
    )
    assert found is not None
    return found


def receiving(organization) -> list[str]:
    reachable = mail.reachable(services.recipients(organization.id), organization.id)
    return sorted(db.session.scalars(select(reachable.subquery().c[0])))


def test_a_request_is_pending_until_its_link_is_followed(app, make, mailbox):
    org = make.organization("River Trust")
    assert services.request_subscription("  Rosa@Example.ORG ", org) == EMAIL
    subscription = row(EMAIL, org)
    assert subscription.status is SubscriptionStatus.PENDING
    assert subscription.consent_text == services.consent_text(org)
    assert "River Trust" in subscription.consent_text
    [message] = mailbox.messages(to=EMAIL)
    assert message.kind == "newsletter_confirm" and message.transactional
    assert subscription.consent_text in message.text_body
    assert receiving(org) == []

    services.confirm_subscription(token_of(mailbox))
    subscription = row(EMAIL, org)
    assert subscription.status is SubscriptionStatus.CONFIRMED
    assert subscription.confirmed_at is not None
    assert receiving(org) == [EMAIL]
    # Following the link again changes nothing.
    services.confirm_subscription(token_of(mailbox))
    assert receiving(org) == [EMAIL]


def test_leave_then_subscribe_again_needs_a_new_link(app, make, mailbox):
    org = make.organization()
    services.request_subscription(EMAIL, org)
    old = token_of(mailbox)
    services.confirm_subscription(old)
    assert services.leave_newsletter(EMAIL, org.id) is True
    assert services.leave_newsletter(EMAIL, org.id) is False
    assert receiving(org) == []
    # The link of before does not bring the newsletter back.
    with pytest.raises(LinkError, match="You left this newsletter"):
        services.confirm_subscription(old)

    services.request_subscription(EMAIL, org)
    new = token_of(mailbox)
    assert new != old
    with pytest.raises(LinkError):  # asking again replaced the old link
        services.confirm_subscription(old)
    services.confirm_subscription(new)
    assert receiving(org) == [EMAIL]
    assert row(EMAIL, org).left_at is None


def test_an_address_already_receiving_gets_a_note_and_nothing_changes(app, make, mailbox):
    org = make.organization()
    services.request_subscription(EMAIL, org)
    services.confirm_subscription(token_of(mailbox))
    confirmed_at = row(EMAIL, org).confirmed_at

    assert services.request_subscription(EMAIL, org) == EMAIL
    kinds = [m.kind for m in mailbox.messages(to=EMAIL)]
    assert kinds == ["newsletter_confirm", "newsletter_already"]
    assert row(EMAIL, org).status is SubscriptionStatus.CONFIRMED
    assert row(EMAIL, org).confirmed_at == confirmed_at
    note = mailbox.messages(to=EMAIL, kind="newsletter_already")[0]
    [link] = mailbox.links(note)
    assert suppression.read_preferences_token(link.rsplit("/", 1)[1]) == EMAIL


def test_repeated_requests_send_at_most_three_emails_a_day(app, make, mailbox):
    org = make.organization()
    for _ in range(6):
        services.request_subscription(EMAIL, org)
    assert len(mailbox.messages(to=EMAIL)) == 3
    # The last link sent still works: a refused request changed nothing.
    services.confirm_subscription(token_of(mailbox))
    for _ in range(3):
        services.request_subscription(EMAIL, org)
    assert len(mailbox.messages(to=EMAIL)) == 3
    db.session.execute(
        update(NewsletterSubscription).values(notices_since=utcnow() - timedelta(days=1, seconds=1))
    )
    db.session.commit()
    services.request_subscription(EMAIL, org)
    assert [m.kind for m in mailbox.messages(to=EMAIL)][-1] == "newsletter_already"
    assert len(db.session.scalars(select(NewsletterSubscription)).all()) == 1


def test_the_limit_is_per_organisation(app, make, mailbox):
    first, second = make.organization(), make.organization()
    for _ in range(4):
        services.request_subscription(EMAIL, first)
    services.request_subscription(EMAIL, second)
    assert len(mailbox.messages(to=EMAIL)) == 4


def test_bad_addresses_are_refused_on_the_email_field(app, make):
    org = make.organization()
    for bad in ("", "no-at-sign", "a@b", "x" * 250 + "@example.org"):
        with pytest.raises(DomainError) as error:
            services.request_subscription(bad, org)
        assert error.value.field == "email"
    assert db.session.scalars(select(NewsletterSubscription)).all() == []


def test_links_we_did_not_issue_are_refused(app, make, mailbox):
    org = make.organization()
    services.request_subscription(EMAIL, org)
    good = token_of(mailbox)
    subscription = row(EMAIL, org)
    forged = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "",
        "not-a-token",
        suppression.unsubscribe_token(EMAIL, org.id, None),  # another purpose's signature
        suppression.preferences_token(EMAIL),
    ]
    key = app.config["SECRET_KEY"]
    signed = URLSafeTimedSerializer(key, salt="newsletter-confirm")
    forged += [
        signed.dumps([2**40, "0" * 16]),  # past the INTEGER columns
        signed.dumps([True, "0" * 16]),
        signed.dumps(["1", "0" * 16]),
        signed.dumps([subscription.id, "0" * 16]),  # right row, wrong digest
        signed.dumps({"id": subscription.id}),
    ]
    for token in forged:
        with pytest.raises(LinkError):
            services.confirm_subscription(token)
    assert row(EMAIL, org).status is SubscriptionStatus.PENDING


def test_a_link_expires(app, make, mailbox):
    org = make.organization()
    services.request_subscription(EMAIL, org)
    token = token_of(mailbox)
    later = (
        time.time() + timedelta(days=app.config["ACCOUNT_CONFIRM_DAYS"], seconds=2).total_seconds()
    )
    with (
        mock.patch("itsdangerous.timed.time.time", return_value=later),
        pytest.raises(LinkError, match="expired"),
    ):
        services.confirm_subscription(token)
    assert row(EMAIL, org).status is SubscriptionStatus.PENDING


def test_leaving_the_organisation_stops_the_newsletter_and_confirming_again_lifts_only_that(
    app, make, mailbox
):
    org = make.organization()
    signed, other = make.petition(org), make.petition(org)
    make.signature(signed, email=EMAIL, opt_in=True)
    make.signature(other, email=EMAIL, opt_in=True)
    services.request_subscription(EMAIL, org)
    first_link = token_of(mailbox)
    services.confirm_subscription(first_link)
    # The one-click header of any of its mail leaves the whole organisation...
    suppression.unsubscribe(EMAIL, org.id, None)
    assert receiving(org) == []
    # ...and the link of before does not undo that.
    with pytest.raises(LinkError, match="You left this newsletter"):
        services.confirm_subscription(first_link)
    assert services.audience(org.id).opted_in == 1
    assert services.audience(org.id).reachable == 0

    services.request_subscription(EMAIL, org)  # not receiving: a new link, not a note
    assert row(EMAIL, org).status is SubscriptionStatus.PENDING
    services.confirm_subscription(token_of(mailbox))
    assert receiving(org) == [EMAIL]
    # Every petition's updates it had left stay left.
    for petition in (signed, other):
        updates = mail.reachable(
            select(db.literal(EMAIL), db.literal(1)), org.id, petition.id
        ).subquery()
        assert db.session.scalars(select(updates.c[0])).all() == []
    scopes = db.session.scalars(select(Unsubscribe.petition_id).where(Unsubscribe.email == EMAIL))
    assert sorted(scopes) == sorted([signed.id, other.id])


def test_a_suppressed_address_is_counted_but_not_reached(app, make, mailbox):
    org = make.organization()
    services.request_subscription(EMAIL, org)
    services.confirm_subscription(token_of(mailbox))
    mail.suppress(EMAIL, "complaint")
    audience = services.audience(org.id)
    assert (audience.opted_in, audience.reachable, audience.left) == (1, 0, 1)


def test_a_member_subscribes_their_confirmed_address_in_one_click(app, make, mailbox):
    org = make.organization()
    member = make.organizer(email="Member@Example.org")
    services.subscribe_member(member, org)
    assert receiving(org) == ["member@example.org"]
    assert row("member@example.org", org).consent_text == services.consent_text(org)
    assert mailbox.messages(to="member@example.org") == []
    member.email_confirmed_at = None
    with pytest.raises(DomainError, match="Confirm your email"):
        services.subscribe_member(member, make.organization())


def test_leaving_a_petition_or_an_organisation_records_mails_unsubscribes(app, make, mailbox):
    org = make.organization()
    petition = make.petition(org)
    services.leave_petition(EMAIL, petition)
    services.leave_petition(EMAIL, petition)
    assert db.session.scalar(select(suppression.unsubscribed(EMAIL, org.id, petition.id)))
    assert not db.session.scalar(select(suppression.unsubscribed(EMAIL, org.id, None)))
    services.request_subscription(EMAIL, org)
    services.confirm_subscription(token_of(mailbox))
    services.leave_organization(EMAIL, org.id)
    services.leave_organization(EMAIL, org.id)
    assert db.session.scalar(select(suppression.unsubscribed(EMAIL, org.id, None)))
    assert row(EMAIL, org).status is SubscriptionStatus.LEFT
    count = db.session.scalars(select(Unsubscribe).where(Unsubscribe.email == EMAIL)).all()
    assert len(count) == 2


def test_member_data_and_forget_member(app, make, mailbox):
    first, second = make.organization("Alpha"), make.organization("Beta")
    services.request_subscription(EMAIL, first)
    services.confirm_subscription(token_of(mailbox))
    services.request_subscription(EMAIL, second)
    services.request_subscription("someone.else@example.org", first)

    data = services.member_data(" ROSA@example.org")
    json.dumps(data)  # JSON-serialisable as it is
    got = data["newsletter_subscriptions"]
    assert [(s["organization"], s["status"]) for s in got] == [
        ("Alpha", "confirmed"),
        ("Beta", "pending"),
    ]
    assert got[0]["consent_text"] == services.consent_text(first)
    assert re.match(r"\d{4}-\d\d-\d\dT", got[0]["confirmed_at"])
    assert services.member_data("nobody@example.org") == {"newsletter_subscriptions": []}

    services.forget_member("Rosa@example.org")
    db.session.rollback()  # flush only: the caller's transaction decides
    assert len(services.member_data(EMAIL)["newsletter_subscriptions"]) == 2
    services.forget_member(EMAIL)
    db.session.commit()
    assert services.member_data(EMAIL) == {"newsletter_subscriptions": []}
    assert len(services.member_data("someone.else@example.org")["newsletter_subscriptions"]) == 1

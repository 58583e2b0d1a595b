"""An organizer sends a newsletter to the organisation's confirmed subscribers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from advocacy import mail
from advocacy.extensions import db
from advocacy.mail import broadcasts, dispatch, suppression
from advocacy.subscriptions import services
from advocacy.subscriptions.models import NewsletterIssue

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def hold(monkeypatch):
    """Broadcasts stay queued (no sender after commit): the test reads the copies."""
    monkeypatch.setattr(dispatch, "dispatch_broadcast", lambda app, bid, **kw: None)


def subscribed(org, mailbox, *emails: str) -> None:
    for email in emails:
        services.request_subscription(email, org)
        token = mailbox.last_link(email, "newsletter_confirm").rsplit("/", 1)[1]
        services.confirm_subscription(token)


def form(**overrides) -> dict:
    return {"subject": "Spring news", "body": "We met the **committee**.", "request_key": KEY} | (
        overrides
    )


def newsletter_copies() -> list:
    return [m for m in broadcasts.recent_messages() if m.kind == "newsletter"]


def test_asked_once_then_sent_to_the_reachable_subscribers(app, client, make, auth, mailbox, hold):
    org = make.organization("Spring Clinic")
    organizer = make.organizer(org)
    subscribed(
        org, mailbox, "a@example.org", "b@example.org", "left@example.org", "bad@example.org"
    )
    services.request_subscription("pending@example.org", org)
    suppression.unsubscribe("left@example.org", org.id, None)
    mail.suppress("bad@example.org", "bounce")
    auth.login(organizer.email)
    url = f"/organize/newsletters/{org.id}"

    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "2</strong> confirmed subscribers" in page.text
    question = client.post(url, data=form())
    assert "Send to 2 subscribers? This cannot be undone" in question.text
    assert newsletter_copies() == []

    sent = client.post(url, data=form(confirm="1"), follow_redirects=True)
    assert "Sending to 2 subscribers." in sent.text
    copies = newsletter_copies()
    assert sorted(c.recipient for c in copies) == ["a@example.org", "b@example.org"]
    for copy in copies:
        assert not copy.transactional and copy.petition_id is None
        assert "We met the committee." in copy.text_body.replace("**", "")
        [token] = re.findall(r"/preferences/(\S+)", copy.text_body)
        assert suppression.read_preferences_token(token) == copy.recipient
        assert f"/o/{org.slug}/subscribe" in copy.text_body
    assert "Spring news" in client.get(url).text  # the issue, with its delivery counts

    # The same confirmed form again (a double click, a reload) sends nothing more.
    again = client.post(url, data=form(confirm="1"), follow_redirects=True)
    assert "This newsletter has been sent already." in again.text
    assert len(newsletter_copies()) == 2
    assert len(db.session.scalars(select(NewsletterIssue)).all()) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": ""}, "Write a subject line."),
        ({"subject": "a\x00b"}, "control characters"),
        ({"body": "x" * 20_001}, "Keep the newsletter under 20,000 characters."),
        ({"request_key": "not-ours"}, "This form has expired"),
        ({"request_key": ""}, "This form has expired"),
    ],
)
def test_bad_input_is_a_400_with_the_entries_kept(
    app, client, make, auth, hold, overrides, message
):
    org = make.organization()
    auth.login(make.organizer(org).email)
    page = client.post(f"/organize/newsletters/{org.id}", data=form(confirm="1", **overrides))
    assert page.status_code == 400 and message in page.text
    if "body" not in overrides:
        assert "We met the **committee**." in page.text
    assert db.session.scalars(select(NewsletterIssue)).all() == []


def test_another_organisations_newsletter_is_a_404(app, client, make, auth, hold):
    mine, theirs = make.organization(), make.organization()
    auth.login(make.organizer(mine).email)
    assert client.get(f"/organize/newsletters/{theirs.id}").status_code == 404
    response = client.post(f"/organize/newsletters/{theirs.id}", data=form(confirm="1"))
    assert response.status_code == 404
    assert client.get("/organize/newsletters/999999").status_code == 404
    assert db.session.scalars(select(NewsletterIssue)).all() == []


def test_a_visitor_is_sent_to_log_in(app, client, make):
    org = make.organization()
    response = client.post(f"/organize/newsletters/{org.id}", data=form(confirm="1"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]

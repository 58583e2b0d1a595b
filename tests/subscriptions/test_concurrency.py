"""Racing requests: one row per (address, organisation), one issue per confirmed form, and
the day's email limit held (PostgreSQL)."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from advocacy.accounts.models import Organization, User
from advocacy.core.errors import DomainError
from advocacy.petitions.updates import UpdateInput
from advocacy.subscriptions import issues, services
from advocacy.subscriptions.models import NewsletterIssue, NewsletterSubscription
from tests.conftest import ON_POSTGRES
from tests.petitions.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL=postgresql://…"),
]


def test_racing_requests_make_one_row_and_keep_to_the_days_limit(app, db, make, mailbox):
    organization_id = make.organization().id

    def ask():
        from advocacy.extensions import db as _db

        org = _db.session.get_one(Organization, organization_id)
        return services.request_subscription("race@example.org", org)

    _race(app, [ask] * 12)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(NewsletterSubscription.id))) == 1
    sent = mailbox.messages(to="race@example.org")
    assert len(sent) == current_app.config["SIGN_NOTICES_PER_DAY"]


def test_one_confirmed_form_sent_twice_at_once_sends_once(app, db, make, mailbox, monkeypatch):
    from advocacy.mail import dispatch

    monkeypatch.setattr(dispatch, "dispatch_broadcast", lambda app, bid, **kw: None)
    org = make.organization()
    author_id = make.organizer(org).id
    services.request_subscription("reader@example.org", org)
    token = mailbox.last_link("reader@example.org", "newsletter_confirm").rsplit("/", 1)[1]
    services.confirm_subscription(token)
    organization_id = org.id

    def send():
        from advocacy.extensions import db as _db

        org = _db.session.get_one(Organization, organization_id)
        author = _db.session.get_one(User, author_id)
        data = UpdateInput("News", "Body")
        try:
            return issues.send_issue(org, author, data, "f" * 32)
        except DomainError as error:
            return error.message

    results = _race(app, [send] * 6)
    assert sorted(results, key=str)[0] == 1
    assert results.count(issues.ALREADY_SENT) == 5
    db.session.expire_all()
    assert db.session.scalar(select(func.count(NewsletterIssue.id))) == 1
    assert len(mailbox.messages(kind="newsletter")) == 1

"""Newsletter issues: an organizer's email to the organisation's confirmed subscribers.

Sending is ``mail.create_broadcast`` over ``services.recipients``: the copies are queued by one
statement in the transaction that records the issue, each carries its reader's unsubscribe and
preference links, and the unreachable (left the organisation, bounced, complained) are left
out, now and again as each copy leaves. The issue's ``request_key`` is unique, so the same
confirmed form sent twice (a double click, a reload) sends once.
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from advocacy import mail
from advocacy.accounts.models import Organization, User
from advocacy.core.errors import DomainError
from advocacy.core.text import render_markdown
from advocacy.extensions import db
from advocacy.petitions.updates import UpdateInput
from advocacy.petitions.updates import _check as check_message
from advocacy.subscriptions.models import NewsletterIssue
from advocacy.subscriptions.services import recipients

ALREADY_SENT = "This newsletter has been sent already."


def email_context(organization: Organization, data: UpdateInput) -> dict:
    """What the ``email/newsletter`` templates need."""
    return {
        "subject": data.subject,
        "body_text": data.body,
        # nh3-sanitised by render_markdown, so it may be inserted as HTML
        "body_html": Markup(render_markdown(data.body)),  # noqa: S704
        "organization": organization,
        "subscribe_url": url_for("subscriptions.subscribe", slug=organization.slug, _external=True),
    }


def send_issue(
    organization: Organization, author: User | None, data: UpdateInput, request_key: str
) -> int:
    """Queue the newsletter to every reachable confirmed subscriber; returns how many."""
    data = check_message(data)
    issue = NewsletterIssue(
        organization_id=organization.id,
        author_id=author.id if author is not None else None,
        subject=data.subject,
        body=data.body,
        request_key=request_key,
    )
    db.session.add(issue)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise DomainError(ALREADY_SENT) from exc
    broadcast = mail.create_broadcast(
        "newsletter",
        "newsletter",
        recipients(organization.id),
        organization_id=organization.id,
        **email_context(organization, data),
    )
    issue.broadcast_id = broadcast.id
    try:
        db.session.commit()
    except IntegrityError as exc:  # the twin request committed its issue first
        db.session.rollback()
        raise DomainError(ALREADY_SENT) from exc
    return broadcast.recipient_count


def issues_of(organization: Organization) -> list[tuple[NewsletterIssue, dict[str, int]]]:
    """The organisation's sent issues, newest first, each with its delivery counts (queued,
    sent, failed, bounced, not_sent and their total, as an update's report)."""
    issues = list(
        db.session.scalars(
            select(NewsletterIssue)
            .where(NewsletterIssue.organization_id == organization.id)
            .order_by(NewsletterIssue.id.desc())
        )
    )
    counts = mail.counts_of_broadcasts(i.broadcast_id for i in issues if i.broadcast_id)
    empty = dict.fromkeys(("queued", "sent", "failed", "bounced", "not_sent"), 0)
    found = [counts.get(i.broadcast_id or 0, empty) for i in issues]
    return [(i, {**c, "total": sum(c.values())}) for i, c in zip(issues, found, strict=True)]

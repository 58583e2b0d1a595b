"""``/admin/outbox``: counts by status, the failed and retrying messages with their errors
(and what to do about a connection or settings error, the hints of ``flask mail check``),
retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.mail import outbox as messages  # (the view below is called outbox)
from advocacy.mail.check import advice
from advocacy.mail.models import MessageStatus, OutboxMessage

bp = Blueprint("mail_admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    if not current_user.is_admin:
        abort(404)


def retrying_messages(limit: int = 100) -> list[OutboxMessage]:
    """Queued messages that have failed at least once and wait for their next attempt: during
    an outage or with a wrong setting these pile up before anything is marked failed."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == MessageStatus.QUEUED,
                OutboxMessage.attempts > 0,
                OutboxMessage.last_error.is_not(None),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


@bp.get("/outbox")
def outbox():
    failed = messages.failed_messages()
    retrying = retrying_messages()
    advised = {m.id: advice(m.last_error) for m in failed + retrying}
    return render_template(
        "mail/admin_outbox.html",
        counts=messages.status_counts(),
        failed=failed,
        retrying=retrying,
        advice=advised,
        # Each distinct piece of advice once, above the tables.
        hints=list(dict.fromkeys(hint for hint in advised.values() if hint)),
    )


@bp.post("/outbox/retry")
def retry():
    raw = request.form.getlist("message_id")
    ids = [int(value) for value in raw if value.isdigit()] if raw else None
    if raw and not ids:
        abort(400)
    requeued = messages.retry(ids)
    flash(f"Queued {requeued} message(s) again.", "success")
    return redirect(url_for("mail_admin.outbox"))

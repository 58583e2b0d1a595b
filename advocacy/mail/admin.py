"""``/admin/outbox``: counts by status, the failed and retrying messages with their errors
(and what to do about a connection or settings error, the hints of ``flask mail check``),
retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from advocacy.mail import outbox as messages  # (the view below is called outbox)
from advocacy.mail.check import advice

bp = Blueprint("mail_admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    if not current_user.is_admin:
        abort(404)


@bp.get("/outbox")
def outbox():
    failed = messages.failed_messages()
    retrying = messages.retrying_messages()
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

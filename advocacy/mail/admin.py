"""``/admin/outbox``: counts by status, the failed messages with their errors, retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from advocacy.mail import outbox as messages  # (the view below is called outbox)

bp = Blueprint("mail_admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    if not current_user.is_admin:
        abort(404)


@bp.get("/outbox")
def outbox():
    return render_template(
        "mail/admin_outbox.html",
        counts=messages.status_counts(),
        failed=messages.failed_messages(),
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

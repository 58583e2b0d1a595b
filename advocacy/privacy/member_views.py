"""``/account/data`` (download my data) and ``/account/delete`` (delete my account).

The download is a POST from the account page's button (CSRF-checked by ``CSRFProtect`` like
every POST; it changes nothing): a
GET could be started by another site, or by a link prefetcher, and drop the member's whole
file into a shared computer's downloads. Both paths are under ``/account``, so every answer
is ``Cache-Control: no-store`` (``core.security``).
"""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.extensions import limiter
from advocacy.privacy import member_data
from advocacy.privacy.forms import DeleteAccountForm
from advocacy.privacy.views import bp

# Deleting asks for the password: guesses from a session left open count as logins do.
_delete_limit = limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=lambda: f"account-delete:{current_user.get_id()}",
    methods=["POST"],
)


@bp.post("/account/data")
@login_required
def download():
    data = member_data.export_member(current_user._get_current_object())
    day = data["exported_at"][:10]
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="advocacy-my-data-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@_delete_limit
def delete_account():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    problem = member_data.deletion_problem(user)
    if problem is None and form.validate_on_submit():
        try:
            member_data.delete_member(user, form.password.data)
        except DomainError as error:
            form_error(form, error)
        else:
            session.clear()
            logout_user()  # after clear(): it leaves the note that deletes the remember cookie
            flash("Your account is deleted, and your personal data with it.", "success")
            return redirect(url_for("petitions.index"))
    refused = bool(form.errors) or (problem is not None and form.is_submitted())
    page = render_template("privacy/delete_account.html", form=form, problem=problem)
    return page, 400 if refused else 200

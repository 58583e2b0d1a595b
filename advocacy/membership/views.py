"""The applicant's pages: an organisation's application (``/o/<slug>/apply``), built from
the fields its organizers chose, and withdrawing a pending one. The organizer's pages are
``organize/members.py``; the /account section is ``accounts/_organisations.html``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from advocacy.core import inputs
from advocacy.core.errors import DomainError
from advocacy.extensions import limiter
from advocacy.membership import services
from advocacy.membership.answers import form_values
from advocacy.membership.models import ApplicationStatus

bp = Blueprint("membership", __name__)

# The answers are checked field by field by ``answers.read_answers`` (control characters
# included), so the page comes back with the message beside the field and the rest kept.
inputs.OWN_VALIDATION.add("membership.apply")

# Generous for a person; a script filling the table meets it.
_apply_limit = limiter.limit(
    lambda: current_app.config["MEMBER_APPLY_LIMIT_PER_ADDRESS"], methods=["POST"]
)


@bp.record_once
def _register_template_global(state) -> None:
    state.app.add_template_global(services.applications_of_user, "member_applications_of")
    state.app.add_template_global(services.organizations_to_join, "organizations_to_join")


def _org_or_404(slug: str):
    org = services.organization_by_slug(slug)
    if org is None:
        abort(404)
    return org


def _page(org, application, *, values=None, errors=None, status: int = 200):
    intake = services.open_intake(org)
    return render_template(
        "membership/apply.html",
        org=org,
        intake=intake,
        application=application,
        values=values or {},
        errors=errors or {},
        statuses=ApplicationStatus,
    ), status


@bp.route("/o/<slug>/apply", methods=["GET", "POST"])
@_apply_limit
def apply(slug: str):
    org = _org_or_404(slug)
    if not current_user.is_authenticated:
        if request.method == "POST":
            return redirect(url_for("accounts.login", next=request.path))
        return _page(org, None)
    user = current_user._get_current_object()
    application = services.application_of(user, org.id)
    if request.method == "GET":
        values = form_values(application.answers) if application else {}
        return _page(org, application, values=values)
    was_pending = application is not None and application.status is ApplicationStatus.PENDING
    try:  # the CSRF token was checked by CSRFProtect before this view
        services.apply(user, org, request.form)
    except services.AnswersInvalid as invalid:
        reading = invalid.reading
        return _page(org, application, values=reading.values, errors=reading.errors, status=400)
    except DomainError as error:
        flash(error.message, "error")
        return _page(org, application, values=dict(request.form), status=400)
    if was_pending:
        flash("Your answers are saved. We will email you when they decide.", "success")
    else:
        flash(f"Your application to {org.name} is sent. We will email you their answer.", "success")
    return redirect(url_for("membership.apply", slug=org.slug))


@bp.post("/o/<slug>/apply/withdraw")
@login_required
def withdraw(slug: str):
    org = _org_or_404(slug)
    if services.withdraw(current_user._get_current_object(), org.id):
        flash(f"Your application to {org.name} is withdrawn.", "info")
    else:
        flash("You have no pending application to withdraw.", "info")
    return redirect(url_for("membership.apply", slug=org.slug))


@bp.post("/o/<slug>/leave")
@login_required
def leave(slug: str):
    org = _org_or_404(slug)
    if services.leave(current_user._get_current_object(), org.id):
        flash(f"You are no longer a member of {org.name}.", "info")
    else:
        flash(f"You are not a member of {org.name}.", "info")
    return redirect(url_for("membership.apply", slug=org.slug))

"""Pages: an organisation's "I can help" form, the confirmation link, the withdrawal link.

Every POST that sends an email is limited per client address and per address emailed, like
the newsletter form; every page here names a person, so none is stored by a cache.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import select

from advocacy.accounts.links import LinkError
from advocacy.accounts.models import Organization
from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.core.limits import mail_limits
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.volunteers import services
from advocacy.volunteers.forms import VolunteerForm

bp = Blueprint("volunteers", __name__)

_address_limit, _email_limit = mail_limits(
    "volunteer",
    "VOLUNTEER_LIMIT_PER_ADDRESS",
    "VOLUNTEER_LIMIT_PER_EMAIL",
    lambda: normalise_email(request.form.get("email", ""))[:254],
)


@bp.after_request
def _never_stored(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response


@bp.route("/o/<slug>/volunteer", methods=["GET", "POST"])
@_email_limit
@_address_limit
def sign_up(slug: str):
    organization = db.first_or_404(select(Organization).where(Organization.slug == slug))
    form = VolunteerForm()
    if form.validate_on_submit():
        try:
            email = services.sign_up(form.volunteer_input(), organization)
        except DomainError as error:
            form_error(form, error)
        else:
            return render_template(
                "volunteers/check_inbox.html", email=email, organization=organization
            )
    return render_template(
        "volunteers/sign_up.html",
        form=form,
        organization=organization,
        consent=services.consent_text(organization),
    ), 400 if form.errors else 200


@bp.route("/volunteer/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """A page with a button: mail scanners open links, and must confirm nothing."""
    form = FlaskForm()
    try:
        row = services.volunteer_to_confirm(token)
        if form.validate_on_submit():
            row = services.confirm_volunteer(token)
            return render_template(
                "volunteers/confirmed.html",
                volunteer=row,
                details=services.summary(row),
                withdraw_url=services.withdraw_url(row),
            )
    except LinkError as error:
        return render_template("subscriptions/bad_link.html", message=error.message), 400
    return render_template(
        "volunteers/confirm.html",
        form=form,
        volunteer=row,
        details=services.summary(services.pending_details(row)),
    )


@bp.route("/volunteer/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str):
    form = FlaskForm()
    try:
        row = services.volunteer_to_withdraw(token)
        if form.validate_on_submit():
            organization = services.withdraw(token)
            return render_template("volunteers/withdrawn.html", organization=organization)
    except LinkError as error:
        return render_template("subscriptions/bad_link.html", message=error.message), 400
    return render_template("volunteers/withdraw.html", form=form, volunteer=row)


from advocacy.volunteers import organizer_pages  # noqa: E402, F401 - registers its routes

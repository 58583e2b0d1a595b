"""Pages: an organisation's subscribe form, the confirmation link, the preference centre,
and /account's one-click buttons.

The preference centre is opened by a signed link naming one address (in every
non-transactional email, ``mail.suppression.preferences_link``); its buttons POST with the
token in the URL and a CSRF token in the form. Every POST that sends an email is limited per
client address and per address emailed, like the account pages.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from advocacy.accounts.forms import EmailOnlyForm
from advocacy.accounts.links import LinkError
from advocacy.accounts.models import Organization
from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.core.limits import mail_limits
from advocacy.core.text import normalise_email
from advocacy.extensions import db
from advocacy.mail.suppression import preferences_link, read_preferences_token
from advocacy.petitions.models import Petition
from advocacy.subscriptions import services
from advocacy.subscriptions.preferences import preferences_of

bp = Blueprint("subscriptions", __name__)


def _emailed() -> str:
    """The address a POST would email: the preference link's, else the typed one."""
    token = (request.view_args or {}).get("token")
    email = read_preferences_token(token) if token else request.form.get("email", "")
    return normalise_email(email or "")[:254]


_address_limit, _email_limit = mail_limits(
    "newsletter", "NEWSLETTER_LIMIT_PER_ADDRESS", "NEWSLETTER_LIMIT_PER_EMAIL", _emailed
)


@bp.after_request
def _never_stored(response: Response) -> Response:
    # Each page here names an address, and the preference centre what it signed.
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response


def _organization_or_404(organization_id: int) -> Organization:
    return db.get_or_404(Organization, organization_id)


def _checked_button() -> None:
    """A button's POST: its CSRF token must be right (else the 400 "form expired" page)."""
    if not FlaskForm().validate_on_submit():
        abort(400)


# --- an organisation's public form ---------------------------------------------------------


@bp.route("/o/<slug>/subscribe", methods=["GET", "POST"])
@_email_limit
@_address_limit
def subscribe(slug: str):
    organization = db.first_or_404(select(Organization).where(Organization.slug == slug))
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            email = services.request_subscription(form.email.data, organization)
        except DomainError as error:
            form_error(form, error)
        else:
            return render_template(
                "subscriptions/check_inbox.html", email=email, organization=organization
            )
    return render_template(
        "subscriptions/subscribe.html",
        form=form,
        organization=organization,
        consent=services.consent_text(organization),
    ), 400 if form.errors else 200


# --- the link in the confirmation email ----------------------------------------------------


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """A page with a button (mail scanners open links, and must not subscribe anyone)."""
    form = FlaskForm()
    try:
        row = services.subscription_to_confirm(token)
        if form.validate_on_submit():
            row = services.confirm_subscription(token)
            return render_template(
                "subscriptions/confirmed.html",
                organization=row.organization,
                preferences_url=preferences_link(row.email),
            )
    except LinkError as error:
        return render_template("subscriptions/bad_link.html", message=error.message), 400
    return render_template(
        "subscriptions/confirm.html", form=form, organization=row.organization, email=row.email
    )


# --- the preference centre -----------------------------------------------------------------


def _address_or_400(token: str) -> str:
    email = read_preferences_token(token)
    if email is None:
        abort(Response(render_template("subscriptions/bad_link.html", preferences=True), 400))
    return email


@bp.get("/preferences/<token>")
def preferences(token: str):
    email = _address_or_400(token)
    return render_template(
        "subscriptions/preferences.html",
        preferences=preferences_of(email),
        token=token,
        consent_text=services.consent_text,
    )


def _back(token: str, message: str) -> Any:
    flash(message, "success")
    return redirect(url_for(".preferences", token=token))


@bp.post("/preferences/<token>/newsletters/<int:organization_id>/subscribe")
@_email_limit
@_address_limit
def preferences_subscribe(token: str, organization_id: int):
    email = _address_or_400(token)
    organization = _organization_or_404(organization_id)
    _checked_button()
    services.request_subscription(email, organization)
    return _back(
        token,
        f"Check your inbox: open the link we sent to {email} to start getting the newsletter "
        f"of {organization.name}.",
    )


@bp.post("/preferences/<token>/newsletters/<int:organization_id>/leave")
def preferences_leave_newsletter(token: str, organization_id: int):
    email = _address_or_400(token)
    organization = _organization_or_404(organization_id)
    _checked_button()
    services.leave_newsletter(email, organization.id)
    return _back(token, f"You left the newsletter of {organization.name}.")


@bp.post("/preferences/<token>/organizations/<int:organization_id>/leave")
def preferences_leave_organization(token: str, organization_id: int):
    email = _address_or_400(token)
    organization = _organization_or_404(organization_id)
    _checked_button()
    services.leave_organization(email, organization.id)
    return _back(token, f"{organization.name} will send {email} no more updates or newsletters.")


@bp.post("/preferences/<token>/petitions/<int:petition_id>/leave")
def preferences_leave_petition(token: str, petition_id: int):
    email = _address_or_400(token)
    petition = db.get_or_404(Petition, petition_id)
    _checked_button()
    services.leave_petition(email, petition)
    return _back(token, f"No more updates about “{petition.title}”.")


# --- /account: a member's own confirmed address, one click ---------------------------------


@bp.post("/account/newsletters/<int:organization_id>/subscribe")
@login_required
def account_subscribe(organization_id: int):
    organization = _organization_or_404(organization_id)
    _checked_button()
    try:
        services.subscribe_member(current_user._get_current_object(), organization)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"You get the newsletter of {organization.name} from now on.", "success")
    return redirect(url_for("accounts.account", _anchor="newsletters"))


@bp.post("/account/newsletters/<int:organization_id>/leave")
@login_required
def account_leave(organization_id: int):
    organization = _organization_or_404(organization_id)
    _checked_button()
    services.leave_newsletter(current_user.email, organization.id)
    flash(f"You left the newsletter of {organization.name}.", "success")
    return redirect(url_for("accounts.account", _anchor="newsletters"))


@bp.app_template_global()
def member_newsletters() -> dict[str, Any]:
    """For ``accounts/_subscriptions.html``: the signed-in member's preferences and link."""
    email = normalise_email(current_user.email)
    return {
        "preferences": preferences_of(email),
        "preferences_url": preferences_link(email),
        "consent_text": services.consent_text,
    }


@bp.app_template_global()
def newsletter_audiences(organizations: list[Organization]) -> list[tuple[Organization, Any]]:
    """For the organizer dashboard: each organisation's newsletter audience."""
    return [(org, services.audience(org.id)) for org in organizations]


from advocacy.subscriptions import organizer_pages  # noqa: E402, F401 - registers its routes

"""The member's pages under /account: "My legislators" (address, legislators, the split
districts, open letter campaigns), writing a campaign's letters from there, and the history
of their signatures and letters with each letter's PDF. Login required; every page is
``no-store`` (``core.security``: everything under /account)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.core.ids import is_row_id
from advocacy.extensions import db
from advocacy.legislators import lookup
from advocacy.legislators.views import choices_from, geocoder_limit
from advocacy.letters import writers
from advocacy.letters.forms import ButtonForm
from advocacy.letters.models import LetterCampaign
from advocacy.letters.views import letter_limit, pdf_response
from advocacy.profile import history, services
from advocacy.profile.forms import AddressForm

bp = Blueprint("profile", __name__)


def _member():
    return current_user._get_current_object()


def _legislators_page(choice_error: str | None = None, status: int = 200):
    user = _member()
    profile = services.profile_of(user)
    found = problem = None
    split: list[lookup.Race] = []
    if profile is not None:
        try:
            found = services.legislators_of(profile)
            split = services.split_races(profile)
        except lookup.LookupError as exc:
            problem = exc.message
    return render_template(
        "profile/legislators.html",
        profile=profile,
        found=found,
        split=split,
        problem=problem,
        choice_error=choice_error,
        offers=services.open_campaigns(user),
        access_token=writers.access_token,
        buttons=ButtonForm(formdata=None),
        house_lookup_url=lookup.HOUSE_LOOKUP_URL,
        state_lookup_url=lookup.STATE_LOOKUP_URL,
    ), status


@bp.get("/account/legislators")
@login_required
def legislators():
    return _legislators_page()


@bp.route("/account/address", methods=["GET", "POST"])
@login_required
@geocoder_limit
def address():
    profile = services.profile_of(_member())
    form = AddressForm(obj=profile) if request.method == "GET" else AddressForm()
    if request.method == "GET" and profile is None:
        first, _, last = _member().name.partition(" ")
        form = AddressForm(formdata=None, first_name=first[:60], last_name=last[:60])
    if form.validate_on_submit():
        data = services.AddressInput(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            address=form.address.data,
            city=form.city.data,
            zip=form.zip.data,
        )
        try:
            services.save_address(_member(), data)
        except DomainError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            flash("Your address is saved.", "success")
            return redirect(url_for("profile.legislators"))
    status = 400 if form.errors else 200
    return render_template("profile/address.html", form=form, profile=profile), status


@bp.post("/account/legislators/districts")
@login_required
def choose_districts():
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.choose_districts(_member(), choices_from(request.form))
    except DomainError as exc:
        db.session.rollback()
        return _legislators_page(choice_error=exc.message, status=400)
    flash("Thank you: your district is saved.", "success")
    return redirect(url_for("profile.legislators"))


@bp.post("/account/campaigns/<int:campaign_id>/write")
@login_required
@letter_limit
def write(campaign_id: int):
    """Write an open campaign's letters from the profile: the member's writer, then the
    letters' own writing page."""
    campaign = db.session.get(LetterCampaign, campaign_id) if is_row_id(campaign_id) else None
    if campaign is None or not campaign.is_public:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        writer = services.write_from_profile(_member(), campaign)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("profile.legislators") + "#campaigns")
    return redirect(url_for("letters.write", token=writers.access_token(writer)))


@bp.get("/account/history")
@login_required
def history_page():
    user = _member()
    return render_template(
        "profile/history.html",
        signatures=history.signatures_of(user),
        letters=history.letters_of(user),
        limit=history.HISTORY_LIMIT,
        access_token=writers.access_token,
    )


@bp.get("/account/letters/<int:letter_id>.pdf")
@login_required
def letter_pdf(letter_id: int):
    """One of the member's letters as its PDF; anyone else's is a 404."""
    letter = history.letter_of(_member(), letter_id) if is_row_id(letter_id) else None
    if letter is None:
        abort(404)
    return pdf_response(letter)

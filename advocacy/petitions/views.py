"""Public petition pages: the list, a petition, signing, confirmation and thanks."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from advocacy.core import csrf as sign_csrf
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.extensions import csrf, db
from advocacy.petitions import cache, services
from advocacy.petitions.errors import InvalidToken, PetitionClosed
from advocacy.petitions.forms import ConfirmForm, DistrictsForm, SignForm
from advocacy.petitions.models import Petition, Signature
from advocacy.petitions.sharing import share_links

bp = Blueprint("petitions", __name__)

# Stands in the cached page where each visitor's CSRF token and tracking fields go.
FORM_EXTRAS = "<!--advocacy:form-extras-->"


HOME_ENDED = 3  # victories and closed petitions shown on the home page, each


@bp.get("/")
def index():
    victories, victory_count = services.recently_ended("won", HOME_ENDED)
    ended, ended_count = services.recently_ended("closed", HOME_ENDED)
    return render_template(
        "petitions/index.html",
        petitions=services.open_petitions(),
        victories=victories,
        victory_count=victory_count,
        ended=ended,
        ended_count=ended_count,
    )


@bp.get("/petitions")
def listing():
    """Search results (``q``), or every petition the public sees as won, closed or open."""
    q = request.args.get("q")
    status = request.args.get("status")
    page = request.args.get("page", 1, type=int)
    if q is None and status is None:
        return redirect(url_for(".index"))
    if q is None and status not in services.LISTED:
        abort(404)
    results, error = None, None
    if q is not None:
        try:
            results = services.search_petitions(q, page)
        except DomainError as exc:
            error = exc.message
    else:
        results = services.petitions_with_status(status, page)
    return render_template(
        "petitions/list.html", q=q, status=status, results=results, error=error
    ), 400 if error and q.strip() else 200


def _public_or_404(slug: str) -> Petition:
    petition = services.get_public_petition(slug)
    if petition is None:
        abort(404)
    services.close_if_expired(petition)
    return petition


_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")


def _render_shared_page(petition: Petition) -> str:
    """The page every anonymous visitor shares, with template indentation squeezed out."""
    return _BETWEEN_TAGS.sub(">\n<", _render_petition(petition, SignForm(formdata=None)))


def _render_petition(petition: Petition, form: SignForm) -> str:
    return render_template(
        "petitions/show.html",
        petition=petition,
        form=form,
        signers=services.recent_signers(petition, current_app.config["RECENT_SIGNERS"]),
        form_extras=Markup(FORM_EXTRAS),  # noqa: S704 - a constant comment marker
        rendered_at=utcnow(),
    )


def _page_response(html: str, tracking: dict[str, str], status: int = 200) -> Response:
    """The page with this visitor's sign-form token and tracking fields put in.

    The token is the sign form's own double-submit token (``core/csrf.py``): a first visit
    gets a small nonce cookie instead of a Flask session.
    """
    nonce, new = sign_csrf.request_nonce()
    response = make_response(html.replace(FORM_EXTRAS, _form_extras(nonce, tracking)), status)
    if new:
        sign_csrf.set_cookie(response, nonce)
    return response


def _form_extras(nonce: str, values: dict[str, str]) -> str:
    fields = {"csrf_token": sign_csrf.form_token(nonce), **values}
    return "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )


def _tracking(source) -> dict[str, str]:
    if not source:  # the usual case; MultiDict.get on a missing key raises internally
        return {}
    return {k: source[k][:100] for k in services.TRACKING_FIELDS if source.get(k)}


def _shared_page_ok() -> bool:
    """Whether this visitor sees the same page as everyone: not logged in, no flash waiting.

    Reads the session keys rather than ``current_user``, so a cache hit loads no user.
    """
    return "_flashes" not in session and "_user_id" not in session


@bp.get("/petitions/<slug>")
def show(slug: str):
    shared = _shared_page_ok()
    # A fresh cached page is served without touching the database.
    html = cache.get(slug) if shared else None
    if html is None:
        petition = _public_or_404(slug)
        if shared:
            html = cache.get_or_render(
                slug,
                current_app.config["PETITION_PAGE_CACHE_SECONDS"],
                lambda: _render_shared_page(petition),
                until=petition.deadline if petition.is_open else None,
            )
        else:
            html = _render_petition(petition, SignForm(formdata=None))
    return _page_response(html, _tracking(request.args))


def _petition_for_signing(slug: str) -> Petition:
    """The petition, from this worker's short cache when it is open: signing is hot.

    The copy only supplies what the form and the email show; the INSERT itself checks in the
    database that the petition is still open, so a stale copy can never add a signature.
    """
    petition = cache.get_petition(slug)
    if petition is None:
        seen = cache.generation()
        petition = _public_or_404(slug)
        ttl = current_app.config["PETITION_PAGE_CACHE_SECONDS"]
        if petition.is_open and ttl > 0:
            db.session.expunge(petition.organization)  # its name goes into the email
            db.session.expunge(petition)
            cache.put_petition(slug, petition, ttl, until=petition.deadline, seen_generation=seen)
    return petition


@bp.post("/petitions/<slug>/sign")
@csrf.exempt  # checked below with the sign form's own token, see core/csrf.py
def sign(slug: str):
    if not sign_csrf.request_is_valid():
        raise CSRFError("The sign form's token is missing, expired or does not match.")
    petition = _petition_for_signing(slug)
    form = SignForm()
    tracking = _tracking(request.form) or _tracking(request.args)
    if form.validate_on_submit() and petition.is_open:
        data = services.SignatureInput(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            zip=form.zip.data,
            address=form.address.data,
            comment=form.comment.data,
            public=form.public.data,
            opt_in=form.opt_in.data,
            tracking=tracking,
        )
        try:
            result = services.sign_petition(petition, data)
        except PetitionClosed:
            db.session.rollback()
            cache.invalidate(slug)
            petition = _public_or_404(slug)
        else:
            endpoint = "petitions.check_inbox" if result.needs_confirmation else "petitions.signed"
            return redirect(url_for(endpoint, slug=slug))
    status = 400 if petition.is_open else 409
    return _page_response(_render_petition(petition, form), tracking, status)


@bp.get("/petitions/<slug>/check-your-inbox")
def check_inbox(slug: str):
    petition = _public_or_404(slug)
    return render_template("petitions/check_inbox.html", petition=petition)


@bp.get("/petitions/<slug>/signed")
def signed(slug: str):
    """Thanks for petitions that count signatures without email confirmation."""
    petition = _public_or_404(slug)
    return render_template(
        "petitions/thanks.html", petition=petition, signature=None, shares=share_links(petition)
    )


@bp.route("/signatures/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    form = ConfirmForm()
    try:
        signature = services.signature_for_token(token)
    except InvalidToken as exc:
        return render_template("petitions/confirm_invalid.html", message=exc.message), 400
    if signature.is_confirmed:
        return redirect(url_for("petitions.confirmed", token=token))
    if form.validate_on_submit():
        try:
            services.confirm_signature(token)
        except PetitionClosed as exc:
            db.session.rollback()
            return render_template(
                "petitions/confirm_invalid.html", message=exc.message, petition=signature.petition
            ), 409
        return redirect(url_for("petitions.confirmed", token=token))
    return render_template("petitions/confirm.html", signature=signature, form=form)


@bp.get("/signatures/confirmed/<token>")
def confirmed(token: str):
    try:
        signature: Signature = services.signature_for_token(token)
    except InvalidToken as exc:
        return render_template("petitions/confirm_invalid.html", message=exc.message), 400
    if not signature.is_confirmed:
        return redirect(url_for("petitions.confirm", token=token))
    return _render_thanks(signature, token)


def _render_thanks(
    signature: Signature, token: str, form: DistrictsForm | None = None, error: str | None = None
) -> str:
    petition = signature.petition
    return render_template(
        "petitions/thanks.html",
        petition=petition,
        signature=signature,
        shares=share_links(petition, signature),
        token=token,
        choices=services.district_choices(signature),
        districts_form=form or DistrictsForm(),
        choice_error=error,
    )


@bp.post("/signatures/confirmed/<token>/districts")
def choose_districts(token: str):
    """The signer says which of their ZIP's candidate districts is theirs."""
    try:
        signature: Signature = services.signature_for_token(token)
    except InvalidToken as exc:
        return render_template("petitions/confirm_invalid.html", message=exc.message), 400
    form = DistrictsForm()
    if not form.validate_on_submit():
        abort(400)
    choices = {
        chamber: request.form[chamber][:120]
        for chamber in services.district_choices(signature)
        if request.form.get(chamber)
    }
    error = None
    if not choices:
        error = "Choose a district, or skip this step."
    else:
        try:
            services.choose_districts(signature, choices)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
    if error is None:
        flash("Thank you: your districts are saved with your signature.", "success")
        return redirect(url_for("petitions.confirmed", token=token) + "#districts")
    return _render_thanks(signature, token, form, error), 400

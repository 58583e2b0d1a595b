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
from advocacy.core import embed_token
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.security import allow_framing
from advocacy.extensions import csrf, db, limiter
from advocacy.petitions import after_signing, cache, services
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
    results, error = None, None
    if q is not None:
        try:
            results = services.search_petitions(q, page)
        except DomainError as exc:
            error = exc.message
    elif status in services.LISTED:
        results = services.petitions_with_status(status, page)
    else:
        abort(404)
    return render_template(
        "petitions/list.html", q=q, status=status, results=results, error=error
    ), 400 if error and (q or "").strip() else 200


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


def _sign(petition: Petition, form: SignForm, tracking: dict[str, str]):
    """Sign with a validated form (the petition page's or the embed's); None when the
    petition closed meanwhile (its cached copy is dropped)."""
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
        return services.sign_petition(petition, data)
    except PetitionClosed:
        db.session.rollback()
        cache.invalidate(petition.slug)
        return None


# Signing per client address: a burst and a sustained limit (SIGN_LIMIT_PER_ADDRESS), shared
# by every form that signs. Over it the signer gets the polite 429 page; nothing is saved.
sign_limit = limiter.shared_limit(
    lambda: current_app.config["SIGN_LIMIT_PER_ADDRESS"], scope="sign", methods=["POST"]
)


@bp.post("/petitions/<slug>/sign")
@csrf.exempt  # checked below with the sign form's own token, see core/csrf.py
@sign_limit
def sign(slug: str):
    if not sign_csrf.request_is_valid():
        raise CSRFError("The sign form's token is missing, expired or does not match.")
    petition = _petition_for_signing(slug)
    form = SignForm()
    tracking = _tracking(request.form) or _tracking(request.args)
    if form.validate_on_submit() and petition.is_open:
        result = _sign(petition, form, tracking)
        if result is None:  # it closed meanwhile: the form again, saying so
            petition = _public_or_404(slug)
        else:
            return redirect(_after_signing_url(slug, result))
    status = 400 if petition.is_open else 409
    return _page_response(_render_petition(petition, form), tracking, status)


@bp.get("/petitions/<slug>/check-your-inbox")
def check_inbox(slug: str):
    petition = _public_or_404(slug)
    return render_template("petitions/check_inbox.html", petition=petition)


@bp.get("/petitions/<slug>/signed")
def signed(slug: str):
    """Thanks for petitions that count signatures without email confirmation.

    Only for the browser that just signed: the redirect after signing carries a short-lived
    token naming its signature (``core/embed_token.py``). Anyone else is sent to the
    petition, which asks them to sign, instead of being told their signature counts.
    """
    petition = _public_or_404(slug)
    thanked = _thanked_signature(petition, request.args.get("t"))
    if thanked is None or petition.require_confirmation:
        return redirect(url_for("petitions.show", slug=slug))
    return render_template(
        "petitions/thanks.html",
        petition=petition,
        signature=None,
        shares=share_links(petition),
        after_signing=after_signing.boxes(thanked, services.make_token(thanked))
        if thanked.is_confirmed
        else [],
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
        after_signing=after_signing.boxes(signature, token) if signature.is_confirmed else [],
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


# --- after signing -----------------------------------------------------------------------


def _after_signing_url(slug: str, result: services.SignResult) -> str:
    """Where a signer goes next: check your inbox, or the thank-you with its token."""
    if result.needs_confirmation or result.signature_id is None:
        return url_for("petitions.check_inbox", slug=slug)
    return url_for(
        "petitions.signed", slug=slug, t=embed_token.thanks_token(slug, result.signature_id)
    )


def _thanked_signature(petition: Petition, token: str | None) -> Signature | None:
    """The signature a valid thank-you token for this petition names, if it still exists."""
    signature_id = embed_token.thanks_signature_id(token, petition.slug)
    signature = db.session.get(Signature, signature_id) if signature_id is not None else None
    return signature if signature is not None and signature.petition_id == petition.id else None


# --- the embeddable sign form ------------------------------------------------------------
# The one page any site may frame (core/security.py). It sets no cookie and reads none:
# in a third-party iframe browsers send none. Its form carries a petition-bound signed token
# (core/embed_token.py) instead of the petition page's double-submit cookie.

EMBED_FORM_EXPIRED = (
    "Your form expired or did not come from this petition's page. "
    "Nothing was signed: please check your details and press Sign the petition again."
)


def _render_embed(
    petition: Petition,
    form: SignForm | None = None,
    tracking: dict[str, str] | None = None,
    done: bool = False,
    error: str | None = None,
    status: int = 200,
) -> Response:
    html = render_template(
        "petitions/embed.html",
        petition=petition,
        form=form or SignForm(formdata=None),
        form_token=embed_token.form_token(petition.id),
        tracking=tracking or {},
        done=done,
        error=error,
    )
    return allow_framing(make_response(html, status))


@bp.get("/petitions/<slug>/embed")
def embed(slug: str):
    """The compact sign form for partner sites' iframes; with ``?t=`` the signer's thanks.

    A partner's page sends every visitor here, so the petition comes from the same short
    per-worker cache as signing (a count at most ``PETITION_PAGE_CACHE_SECONDS`` old).
    """
    petition = _petition_for_signing(slug)
    token = request.args.get("t")
    if token and _thanked_signature(petition, token) is not None:
        return _render_embed(petition, done=True)
    return _render_embed(petition, tracking=_tracking(request.args))


@bp.post("/petitions/<slug>/embed")
@csrf.exempt  # no session or cookie in a third-party frame: checked with embed_token below
@sign_limit  # the same per-address budget as the petition page's form
def embed_sign(slug: str):
    petition = _petition_for_signing(slug)
    petition_id = petition.id
    form = SignForm()
    tracking = _tracking(request.form)
    checked = current_app.config.get("WTF_CSRF_ENABLED", True)
    if checked and not embed_token.form_token_is_valid(request.form.get("csrf_token"), petition_id):
        return _render_embed(petition, form, tracking, error=EMBED_FORM_EXPIRED, status=400)
    if form.validate_on_submit() and petition.is_open:
        result = _sign(petition, form, tracking)
        if result is None:  # it closed meanwhile: the form again, saying so
            petition = _public_or_404(slug)
        else:
            if result.signature_id is None:  # pragma: no cover - sign_petition always has one
                abort(500)
            token = embed_token.thanks_token(slug, result.signature_id)
            thanks = redirect(url_for("petitions.embed", slug=slug, t=token), 303)
            return allow_framing(make_response(thanks))
    return _render_embed(petition, form, tracking, status=400 if petition.is_open else 409)

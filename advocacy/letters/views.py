"""The supporter's pages: the action page, writing, reviewing and delivering letters.

Every page of a writer's letters is reached by the writer's signed access token (in the
link of the confirmation, the thank-you page and the receipt); nothing is shown or sent
for a writer who has not confirmed.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from advocacy.core.errors import DomainError
from advocacy.extensions import db, limiter
from advocacy.letters import delivery, writers, writing
from advocacy.letters import models as models
from advocacy.letters import pdf as printing
from advocacy.letters.addressing import from_letter, supporter_lines
from advocacy.letters.forms import ActionForm, ButtonForm, NoteForm
from advocacy.letters.models import LetterCampaign, Writer
from advocacy.letters.recipients import recipients_for
from advocacy.petitions import services as petitions
from advocacy.petitions.errors import InvalidToken
from advocacy.petitions.models import Signature

bp = Blueprint("letters", __name__)

# Letter actions per client address (LETTER_LIMIT_PER_ADDRESS): the action page's form and
# "Send my letters". Over it the polite 429 page; nothing is saved.
letter_limit = limiter.shared_limit(
    lambda: current_app.config["LETTER_LIMIT_PER_ADDRESS"], scope="letters", methods=["POST"]
)


def _campaign_or_404(slug: str) -> LetterCampaign:
    campaign = writers.get_public_campaign(slug)
    if campaign is None:
        abort(404)
    return campaign


def _invalid(message: str, status: int = 400):
    return render_template("letters/invalid.html", message=message), status


def _writer(token: str) -> Writer:
    """The confirmed writer a token names; aborts with the right page otherwise."""
    try:
        writer = writers.writer_for_token(token)
    except writers.InvalidWriterToken as exc:
        abort(make_response(_invalid(exc.message)))
    if not writer.is_confirmed:
        abort(make_response(_invalid("Confirm your email address first.", 403)))
    return writer


# --- the thank-you page's offer -------------------------------------------------------------


def after_signing_box(signature: Signature, token: str) -> Markup | None:
    """Registered with petitions.after_signing: "Now write to your legislators" for each open
    letter campaign of the petition just signed."""
    campaigns = writers.open_campaigns_for_petition(signature.petition_id)
    if not campaigns:
        return None
    return Markup(  # noqa: S704 - a rendered, autoescaped template
        render_template("letters/_after_signing.html", campaigns=campaigns, token=token)
    )


@bp.get("/act/<slug>/signed/<token>")
def from_signature(slug: str, token: str):
    """From the thank-you page: the signer's writer for this campaign, then their letters."""
    campaign = _campaign_or_404(slug)
    try:
        signature = petitions.signature_for_token(token)
    except InvalidToken as exc:
        return _invalid(exc.message)
    try:
        writer = writers.writer_for_signature(campaign, signature)
    except DomainError as exc:
        db.session.rollback()
        return _invalid(exc.message, 409)
    return redirect(url_for("letters.write", token=writers.access_token(writer)))


# --- the action page ---------------------------------------------------------------------------


def _render_action(campaign: LetterCampaign, form: ActionForm, status: int = 200):
    return render_template("letters/action.html", campaign=campaign, form=form), status


@bp.get("/act/<slug>")
def action(slug: str):
    return _render_action(_campaign_or_404(slug), ActionForm(formdata=None))


@bp.post("/act/<slug>")
@letter_limit
def start(slug: str):
    campaign = _campaign_or_404(slug)
    form = ActionForm()
    if not campaign.is_open:
        return _render_action(campaign, form, 409)
    if form.validate_on_submit():
        data = writers.WriterInput(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            zip=form.zip.data,
            address=form.address.data,
            city=form.city.data,
            opt_in=form.opt_in.data,
        )
        try:
            writers.start_writing(campaign, data)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return _render_action(campaign, form, 409)
        return redirect(url_for("letters.check_inbox", slug=slug))
    return _render_action(campaign, form, 400)


@bp.get("/act/<slug>/check-your-inbox")
def check_inbox(slug: str):
    return render_template("letters/check_inbox.html", campaign=_campaign_or_404(slug))


@bp.route("/letters/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    form = ButtonForm()
    try:
        writer = writers.writer_for_token(token, purpose="confirm")
    except writers.InvalidWriterToken as exc:
        return _invalid(exc.message)
    if not writer.is_confirmed and form.validate_on_submit():
        try:
            writer = writers.confirm_writer(token)
        except DomainError as exc:
            db.session.rollback()
            return _invalid(exc.message, 409)
    if writer.is_confirmed:
        return redirect(url_for("letters.write", token=writers.access_token(writer)))
    return render_template("letters/confirm.html", writer=writer, form=form)


# --- writing -------------------------------------------------------------------------------------


def _render_write(
    writer: Writer,
    token: str,
    form: NoteForm | None = None,
    choice_error: str | None = None,
    status: int = 200,
):
    writers.follow_signature(writer)
    writers.settle_by_address(writer)
    found = recipients_for(writer)
    if form is None:
        form = NoteForm(
            formdata=None,
            personal_note=writer.personal_note or "",
            prefix=writer.prefix or "",
            address=writer.address or "",
            city=writer.city or "",
        )
    note = form.personal_note.data if not form.errors else writer.personal_note
    return render_template(
        "letters/write.html",
        writer=writer,
        campaign=writer.campaign,
        token=token,
        found=found,
        previews=writing.previews(writer, found, note or ""),
        letters=delivery.letter_views(writer),
        form=form,
        buttons=ButtonForm(formdata=None),
        choice_error=choice_error,
    ), status


@bp.get("/letters/<token>")
def write(token: str):
    return _render_write(_writer(token), token)


@bp.post("/letters/<token>")
def draft(token: str):
    writer = _writer(token)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            writing.draft_letters(
                writer,
                form.personal_note.data,
                prefix=form.prefix.data,
                address=form.address.data,
                city=form.city.data,
            )
        except DomainError as exc:
            db.session.rollback()
            form.personal_note.errors = [*form.personal_note.errors, exc.message]
            return _render_write(writer, token, form, status=409)
        return redirect(url_for("letters.review", token=token))
    return _render_write(writer, token, form, status=400)


@bp.post("/letters/<token>/districts")
def choose_districts(token: str):
    writer = _writer(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    open_choices = writers.district_choices(writer)
    choices = {c: request.form[c][:120] for c in open_choices if request.form.get(c)}
    error = "Choose a district." if not choices else None
    if choices:
        try:
            writers.choose_districts(writer, choices)
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
    if error:
        return _render_write(writer, token, choice_error=error, status=400)
    flash("Thank you: your district is saved.", "success")
    return redirect(url_for("letters.write", token=token))


@bp.get("/letters/<token>/review")
def review(token: str):
    writer = _writer(token)
    views = delivery.letter_views(writer)
    if not views:
        return redirect(url_for("letters.write", token=token))
    return render_template(
        "letters/review.html",
        writer=writer,
        campaign=writer.campaign,
        token=token,
        letters=views,
        to_send=[v for v in views if v.letter.confirmed_at is None],
        form=ButtonForm(formdata=None),
        reasons={v.letter.id: writing.channel_reason(from_letter(v.letter), v.letter.channel)
                 for v in views},
    )  # fmt: skip


@bp.post("/letters/<token>/send")
@letter_limit
def send(token: str):
    writer = _writer(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        result = delivery.send_letters(writer)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("letters.review", token=token))
    if result.sent:
        flash("Thank you: your letters are on their way. A receipt is in your inbox.", "success")
    return redirect(url_for("letters.sent", token=token))


@bp.get("/letters/<token>/sent")
def sent(token: str):
    writer = _writer(token)
    views = [v for v in delivery.letter_views(writer) if v.letter.confirmed_at is not None]
    if not views:
        return redirect(url_for("letters.write", token=token))
    return render_template(
        "letters/sent.html",
        writer=writer,
        campaign=writer.campaign,
        token=token,
        letters=views,
        form=ButtonForm(formdata=None),
        next_step=delivery.next_step,
        form_fields=delivery.WEB_FORM_FIELDS,
    )


@bp.post("/letters/<token>/<int:letter_id>/reported")
def reported(token: str, letter_id: int):
    writer = _writer(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        delivery.report_sent(writer, letter_id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash("Thank you for sending it.", "success")
    return redirect(url_for("letters.sent", token=token) + f"#letter-{letter_id}")


@bp.get("/letters/<token>/<int:letter_id>.pdf")
def pdf(token: str, letter_id: int):
    """The letter as a PDF (US Letter, business-letter layout): the writer's letters only."""
    writer = _writer(token)
    letter = db.session.get(models.Letter, letter_id)
    if letter is None or letter.writer_id != writer.id:
        abort(404)
    return pdf_response(letter)


def pdf_response(letter: models.Letter):
    """A letter as its PDF, private to the one who may see it (the writer's link, or the
    member's history)."""
    writer = letter.writer
    printed = printing.PrintedLetter(
        date=(letter.confirmed_at or letter.created_at).date(),
        sender_lines=supporter_lines(
            writer.first_name, writer.last_name, writer.address, writer.city, writer.state,
            writer.zip,
        ),
        inside_address=letter.recipient_address.splitlines(),
        salutation=letter.recipient_salutation,
        body=letter.body,
        signer=writer.full_name,
    )  # fmt: skip
    response = make_response(printing.render_pdf([printed]))
    response.headers["Content-Type"] = "application/pdf"
    name = f"letter-{letter.id}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def full_text(letter: models.Letter) -> str:
    """A written letter's whole text (salutation to the writer's address)."""
    return writing.full_text(letter)

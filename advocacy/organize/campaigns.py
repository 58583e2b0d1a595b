"""Organizer pages for letter campaigns: list, write and edit (with a preview), publish and
close, organisation targets, positions (by hand and by CSV), and the letters' counts.

Routes hang off the organize blueprint, so they share its login check; every one loads the
campaign through ``campaign_or_404`` (another organisation's ids answer 404). Publish and
close ask once on a confirmation page, like a petition's.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.extensions import db
from advocacy.letters import campaigns, drafting, positions, reports, templating
from advocacy.letters.models import CampaignStatus, CampaignTarget, LetterCampaign, Position
from advocacy.organize import bp
from advocacy.organize.campaign_forms import (
    CampaignForm,
    NewCampaignForm,
    PositionFilterForm,
    PositionsImportForm,
    TargetForm,
)
from advocacy.organize.forms import ActionForm
from advocacy.organize.helpers import Question, ask, confirmed
from advocacy.petitions import editing
from advocacy.petitions.models import Petition

# The CSV upload may be larger than other requests: the import refuses files past
# positions.MAX_CSV_BYTES with its own message; past this the 413 page answers.
UPLOAD_LIMIT = 2 * positions.MAX_CSV_BYTES


def _allow_csv_upload() -> None:
    if request.endpoint == "organize.import_positions":
        request.max_content_length = UPLOAD_LIMIT


# The form is read (CSRF, the control-character check) before any view or blueprint hook
# runs, so the larger limit is set by the app's first before-request function.
bp.record_once(
    lambda state: state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_csv_upload)
)


def campaign_or_404(campaign_id: int) -> LetterCampaign:
    """The campaign, if the signed-in user may manage it; otherwise the same 404 as a
    campaign that does not exist."""
    campaign = db.get_or_404(LetterCampaign, campaign_id)
    if not current_user.can_manage(campaign.organization_id):
        abort(404)
    return campaign


def _target_or_404(campaign: LetterCampaign, target_id: int) -> CampaignTarget:
    target = db.session.get(CampaignTarget, target_id)
    if target is None or target.campaign_id != campaign.id:
        abort(404)
    return target


def _show_errors(form, error: DomainError) -> None:
    for problem in getattr(error, "problems", [error]):
        form_error(form, problem)


def action_url(campaign: LetterCampaign) -> str | None:
    """The campaign's public page, when the supporter side has it (``letters.action``)."""
    if campaign.petition is not None:
        return url_for("petitions.show", slug=campaign.petition.slug)
    if "letters.action" in current_app.view_functions:
        return url_for("letters.action", slug=campaign.slug)
    return None


def _petition_choices(form: CampaignForm, org_ids: list[int]) -> None:
    form.petition_id.choices = [
        (0, "None: a standalone action page"),
        *((p.id, p.title) for p in campaigns.petitions_of(org_ids)),
    ]


def _preview(form: CampaignForm, campaign: LetterCampaign | None):
    data = form.campaign_input()
    try:
        data.bills = campaigns.parse_bills("\n".join(data.bills))
    except DomainError:
        data.bills = []
    petition = db.session.get(Petition, data.petition_id) if data.petition_id else None
    targets = list(campaign.targets) if campaign is not None else []
    return campaigns.preview(data, targets, petition)


def _editor_page(form, campaign, orgs=None, preview=None, status=200):
    return render_template(
        "organize/campaign_edit.html",
        form=form,
        campaign=campaign,
        orgs=orgs or [],
        preview=preview,
        fields=templating.FIELDS,
        top_fields=templating.TOP_FIELDS,
        action_form=ActionForm(formdata=None),
        action_url=action_url(campaign) if campaign else None,
        bill_labels=drafting.bill_labels(campaign.bills) if campaign else "",
    ), status


def _previewing() -> bool:
    return request.form.get("preview") == "1"


@bp.get("/campaigns")
def campaign_list():
    return render_template(
        "organize/campaigns.html",
        campaigns=campaigns.campaigns_managed_by(current_user),
        organizations=editing.organizations_for(current_user),
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
def new_campaign():
    orgs = editing.organizations_for(current_user)
    if not orgs:
        flash("Ask an administrator to add you to an organisation first.", "error")
        return redirect(url_for("organize.dashboard"))
    form = NewCampaignForm(organization_id=orgs[0].id)
    form.organization_id.choices = [(o.id, o.name) for o in orgs]
    _petition_choices(form, [o.id for o in orgs])
    chosen_petition = request.args.get("petition", 0, type=int)
    if not form.is_submitted() and chosen_petition:
        form.petition_id.data = chosen_petition
    if form.validate_on_submit():
        if _previewing():
            return _editor_page(form, None, orgs, preview=_preview(form, None))
        org = next(o for o in orgs if o.id == form.organization_id.data)
        try:
            campaign = campaigns.create_campaign(org, current_user, form.campaign_input())
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            flash("Draft saved. Add targets, check the preview, then publish.", "success")
            return redirect(url_for("organize.edit_campaign", campaign_id=campaign.id))
    return _editor_page(form, None, orgs, status=400 if form.errors else 200)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = CampaignForm(obj=campaign)
    _petition_choices(form, [campaign.organization_id])
    if not form.is_submitted():
        form.petition_id.data = campaign.petition_id or 0
        form.bills.data = "\n".join(campaign.bills)
        form.fill_positions(campaigns.position_templates(campaign))
    if form.validate_on_submit():
        if _previewing():
            return _editor_page(form, campaign, preview=_preview(form, campaign))
        try:
            campaigns.update_campaign(campaign, form.campaign_input())
        except DomainError as exc:
            db.session.rollback()
            _show_errors(form, exc)
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("organize.edit_campaign", campaign_id=campaign.id))
    return _editor_page(form, campaign, status=400 if form.errors else 200)


def _status_button(campaign_id: int) -> LetterCampaign:
    campaign = campaign_or_404(campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return campaign


@bp.post("/campaigns/<int:campaign_id>/publish")
def publish_campaign(campaign_id: int):
    campaign = _status_button(campaign_id)
    editor = url_for("organize.edit_campaign", campaign_id=campaign.id)
    problem = campaigns.publish_problem(campaign)
    if problem is None and not confirmed():
        where = (
            f"after signing “{campaign.petition.title}”"
            if campaign.petition
            else f"on its own page at /act/{campaign.slug}"
        )
        return ask(
            Question(
                heading=f"Publish “{campaign.title}”?",
                consequence=f"Supporters can write their letters {where}. "
                "The web address cannot change after that.",
                yes="Yes, publish",
                cancel_url=editor,
            )
        )
    try:
        campaigns.publish_campaign(campaign)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(f"“{campaign.title}” is open for letters.", "success")
    return redirect(editor)


@bp.post("/campaigns/<int:campaign_id>/close")
def close_campaign(campaign_id: int):
    campaign = _status_button(campaign_id)
    editor = url_for("organize.edit_campaign", campaign_id=campaign.id)
    if campaign.status is CampaignStatus.OPEN and not confirmed():
        return ask(
            Question(
                heading=f"Close “{campaign.title}”?",
                consequence="No one can write new letters after this. Letters already "
                f"written ({campaign.letter_count:,}) keep their delivery.",
                yes="Yes, close it",
                cancel_url=editor,
            )
        )
    try:
        campaigns.close_campaign(campaign)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(f"“{campaign.title}” is closed.", "success")
    return redirect(editor)


# --- targets -----------------------------------------------------------------------------


def _target_page(campaign, form, target=None, status=200):
    return render_template(
        "organize/campaign_target.html", campaign=campaign, form=form, target=target
    ), status


@bp.route("/campaigns/<int:campaign_id>/targets/new", methods=["GET", "POST"])
def new_target(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = TargetForm()
    if form.validate_on_submit():
        try:
            campaigns.add_target(campaign, form.target_input())
        except DomainError as exc:
            form_error(form, exc)
        else:
            flash(f"{form.name.data} added.", "success")
            return redirect(url_for("organize.edit_campaign", campaign_id=campaign.id) + "#targets")
    return _target_page(campaign, form, status=400 if form.errors else 200)


@bp.route("/campaigns/<int:campaign_id>/targets/<int:target_id>", methods=["GET", "POST"])
def edit_target(campaign_id: int, target_id: int):
    campaign = campaign_or_404(campaign_id)
    target = _target_or_404(campaign, target_id)
    form = TargetForm(obj=target)
    if not form.is_submitted():
        form.stance.data = target.stance.value
    if form.validate_on_submit():
        try:
            campaigns.update_target(target, form.target_input())
        except DomainError as exc:
            form_error(form, exc)
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("organize.edit_campaign", campaign_id=campaign.id) + "#targets")
    return _target_page(campaign, form, target, status=400 if form.errors else 200)


@bp.post("/campaigns/<int:campaign_id>/targets/<int:target_id>/remove")
def remove_target(campaign_id: int, target_id: int):
    campaign = _status_button(campaign_id)
    target = _target_or_404(campaign, target_id)
    editor = url_for("organize.edit_campaign", campaign_id=campaign.id) + "#targets"
    if not confirmed():
        return ask(
            Question(
                heading=f"Remove {target.name}?",
                consequence="New letters will not go to this target. Letters already written "
                "to it keep their copy of the address.",
                yes="Yes, remove",
                cancel_url=editor,
            )
        )
    name = target.name
    campaigns.remove_target(target)
    flash(f"{name} removed.", "success")
    return redirect(editor)


# --- positions ---------------------------------------------------------------------------


@bp.route("/campaigns/<int:campaign_id>/positions", methods=["GET", "POST"])
def campaign_positions(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    filters = PositionFilterForm(request.args)
    filters.state.choices = [("", "All states"), *((s, s) for s in positions.states(campaign))]
    state = filters.state.data if filters.validate() else ""
    chosen = Position(filters.position.data) if filters.position.data else None
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        changes = {}
        for name, value in request.form.items():
            if name.startswith("pos:") and value in Position._value2member_map_:
                changes[name.removeprefix("pos:")] = Position(value)
        written = positions.set_positions(campaign, changes, current_user.id)
        flash(f"Saved: {written.created + written.updated} changed.", "success")
        return redirect(request.full_path.rstrip("?"))
    page = positions.legislators(
        campaign, state or None, chosen, page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "organize/campaign_positions.html",
        campaign=campaign,
        page=page,
        filters=filters,
        action_form=ActionForm(formdata=None),
        import_form=PositionsImportForm(formdata=None),
        summary=positions.summary(campaign),
        positions=list(Position),
        args={"state": state, "position": filters.position.data or ""},
    )


@bp.get("/campaigns/sample-positions.csv")
def sample_positions():
    """The demo's example file for the import: real ids, positions marked as an example."""
    from advocacy.demo.services import SAMPLE_POSITIONS

    return send_file(
        SAMPLE_POSITIONS,
        mimetype="text/csv",
        as_attachment=True,
        download_name="sample-positions.csv",
    )


@bp.post("/campaigns/<int:campaign_id>/positions/import")
def import_positions(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    form = PositionsImportForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    problems: list[str] = []
    if upload is None or not getattr(upload, "filename", ""):
        problems = ["Choose a CSV file to import."]
    else:
        data = upload.read(positions.MAX_CSV_BYTES + 1)
        try:
            result = positions.import_csv(campaign, data, current_user.id)
        except positions.CsvProblems as exc:
            problems = exc.problems
        else:
            w = result.written
            counts = ", ".join(
                f"{result.counts[p]} {p.label.lower()}" for p in Position if result.counts[p]
            )
            flash(
                f"Imported {result.rows} rows ({counts}): {w.created} new, {w.updated} changed, "
                f"{w.unchanged} unchanged.",
                "success",
            )
            return redirect(url_for("organize.campaign_positions", campaign_id=campaign.id))
    return render_template(
        "organize/campaign_positions.html",
        campaign=campaign,
        page=positions.legislators(campaign),
        filters=_filters(campaign),
        action_form=ActionForm(formdata=None),
        import_form=form,
        import_problems=problems,
        summary=positions.summary(campaign),
        positions=list(Position),
        args={"state": "", "position": ""},
    ), 400


def _filters(campaign: LetterCampaign) -> PositionFilterForm:
    filters = PositionFilterForm()
    filters.state.choices = [("", "All states"), *((s, s) for s in positions.states(campaign))]
    return filters


# --- the organizer's view ----------------------------------------------------------------


@bp.get("/campaigns/<int:campaign_id>")
def campaign_report(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    return render_template(
        "organize/campaign_report.html",
        campaign=campaign,
        report=reports.report(campaign),
        status_labels=reports.STATUS_LABELS,
        status_order=reports.STATUS_ORDER,
        channel_labels=reports.CHANNEL_LABELS,
        action_url=action_url(campaign),
    )

"""Organizer pages for an organisation's members: the application (open or closed, its
intro, its fields), the applications by status with approve and decline, and the members'
CSV. Only the organisation's organizers (and admins) reach them; anyone else gets the same
404 as an organisation that does not exist. Members themselves never gain these pages:
being approved is not ``accounts.Membership`` (docs/members.md)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from advocacy.accounts.models import Organization
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.extensions import db
from advocacy.membership import exports, intake, services
from advocacy.membership.answers import shown
from advocacy.membership.models import ApplicationStatus, IntakeField
from advocacy.organize import bp
from advocacy.organize.member_forms import DecisionForm, FieldForm, IntakeForm
from advocacy.petitions import editing


def org_or_404(org_id: int) -> Organization:
    org = db.get_or_404(Organization, org_id)
    if not current_user.can_manage(org.id):
        abort(404)
    return org


def _field_or_404(org: Organization, field_id: int) -> IntakeField:
    field = intake.field_of(org.id, field_id)
    if field is None:
        abort(404)
    return field


@bp.get("/members")
def member_organisations():
    orgs = editing.organizations_for(current_user)
    return render_template(
        "organize/members.html",
        orgs=[(org, services.counts_by_status(org.id), intake.find_intake(org.id)) for org in orgs],
    )


def _setup_page(org, intake_form=None, field_form=None, status: int = 200):
    current = intake.find_intake(org.id)
    if intake_form is None:
        intake_form = IntakeForm(
            formdata=None,
            is_open=bool(current and current.is_open),
            intro=current.intro if current else "",
        )
    return render_template(
        "organize/member_setup.html",
        org=org,
        intake=current,
        intake_form=intake_form,
        field_form=field_form or FieldForm(formdata=None),
        max_fields=intake.MAX_FIELDS,
    ), status


@bp.route("/orgs/<int:org_id>/application", methods=["GET", "POST"])
def member_setup(org_id: int):
    org = org_or_404(org_id)
    form = IntakeForm()
    if request.method == "GET":
        return _setup_page(org)
    if form.validate_on_submit():
        try:
            intake.update_intake(org, is_open=bool(form.is_open.data), intro=form.intro.data or "")
        except DomainError as error:
            form_error(form, error)
        else:
            state = "open" if form.is_open.data else "closed"
            flash(f"Saved. The application is {state}.", "success")
            return redirect(url_for("organize.member_setup", org_id=org.id))
    return _setup_page(org, intake_form=form, status=400)


@bp.post("/orgs/<int:org_id>/application/fields")
def add_member_field(org_id: int):
    org = org_or_404(org_id)
    form = FieldForm()
    if form.validate_on_submit():
        try:
            intake.add_field(org, form.field_input())
        except DomainError as error:
            form_error(form, error)
        else:
            flash(f"Added “{form.label.data}”.", "success")
            return redirect(url_for("organize.member_setup", org_id=org.id) + "#fields")
    return _setup_page(org, field_form=form, status=400)


@bp.route("/orgs/<int:org_id>/application/fields/<int:field_id>", methods=["GET", "POST"])
def edit_member_field(org_id: int, field_id: int):
    org = org_or_404(org_id)
    field = _field_or_404(org, field_id)
    if request.method == "GET":
        form = FieldForm(obj=field, kind=field.kind.value, choices="\n".join(field.choices))
    else:
        form = FieldForm()
        if form.validate_on_submit():
            try:
                intake.update_field(field, form.field_input())
            except DomainError as error:
                form_error(form, error)
            else:
                flash("Saved. Answers already given keep the question as it was.", "success")
                return redirect(url_for("organize.member_setup", org_id=org.id) + "#fields")
    return render_template(
        "organize/member_field.html", org=org, field=field, form=form
    ), 400 if form.errors else 200


@bp.post("/orgs/<int:org_id>/application/fields/<int:field_id>/move")
def move_member_field(org_id: int, field_id: int):
    org = org_or_404(org_id)
    intake.move_field(_field_or_404(org, field_id), request.form.get("direction", ""))
    return redirect(url_for("organize.member_setup", org_id=org.id) + "#fields")


@bp.post("/orgs/<int:org_id>/application/fields/<int:field_id>/remove")
def remove_member_field(org_id: int, field_id: int):
    org = org_or_404(org_id)
    field = _field_or_404(org, field_id)
    label = field.label
    intake.remove_field(field)
    flash(f"Removed “{label}”. Applications keep the answers given to it.", "info")
    return redirect(url_for("organize.member_setup", org_id=org.id) + "#fields")


def _status_arg() -> ApplicationStatus:
    try:
        return ApplicationStatus(request.args.get("status", "pending"))
    except ValueError:
        abort(404)


@bp.get("/orgs/<int:org_id>/applications")
def member_applications(org_id: int):
    org = org_or_404(org_id)
    status = _status_arg()
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "organize/member_applications.html",
        org=org,
        status=status,
        statuses=ApplicationStatus,
        counts=services.counts_by_status(org.id),
        pagination=services.applications_for(org.id, status, max(1, min(page, 10**6))),
    )


def _application_page(org, application, form, status: int = 200):
    return render_template(
        "organize/member_application.html",
        org=org,
        application=application,
        form=form,
        shown=shown,
        statuses=ApplicationStatus,
    ), status


@bp.route("/orgs/<int:org_id>/applications/<int:application_id>", methods=["GET", "POST"])
def member_application(org_id: int, application_id: int):
    org = org_or_404(org_id)
    application = services.application_in(org.id, application_id)
    if application is None:
        abort(404)
    form = DecisionForm(formdata=None) if request.method == "GET" else DecisionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _application_page(org, application, form, 400 if form.errors else 200)
    decision = request.form.get("decision")
    revision = request.form.get("revision", type=int)
    if decision not in ("approve", "decline") or revision is None:
        abort(400)
    try:
        decided = services.decide(
            application,
            current_user._get_current_object(),
            approve=decision == "approve",
            note=form.note.data or "",
            revision=revision,
        )
    except DomainError as error:
        form_error(form, error)
        return _application_page(org, application, form, 400)
    if decided:
        verb = "approved" if decision == "approve" else "declined"
        flash(f"{application.user.name}'s application is {verb}; we emailed them.", "success")
    elif application.status is ApplicationStatus.PENDING:
        flash("The applicant changed their answers since you opened the page: look again.", "error")
        return redirect(request.path)
    else:
        flash(f"This application was already {application.status.value}; nothing changed.", "info")
    return redirect(url_for("organize.member_applications", org_id=org.id))


@bp.get("/orgs/<int:org_id>/members.csv")
def member_export(org_id: int):
    org = org_or_404(org_id)
    current = intake.find_intake(org.id)
    fields = list(current.fields) if current else []
    return Response(
        stream_with_context(exports.export_csv(org.id, fields)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{exports.export_filename(org, utcnow().date())}"'
            ),
            "Cache-Control": "no-store",
        },
    )

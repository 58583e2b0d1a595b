"""Organizer pages: the dashboard, writing and editing, preview, publish, close and reopen.

Every petition route loads the petition and checks ``current_user.can_manage`` on the
server; someone from another organisation gets the same 404 as a petition that does not
exist, so ids reveal nothing.

Actions that cannot be taken back (publish, close, mark as won, send an update) ask once:
the button's POST answers with a page that says what will happen, and only its "Yes, …"
button, which posts again with ``confirm=1``, acts. It is a page, not a script dialog, so it
works without JavaScript, and a stray or replayed single POST changes nothing.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from advocacy.core import charts
from advocacy.core.db import utcnow
from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.letters.campaigns import campaigns_managed_by
from advocacy.organize import bp
from advocacy.organize.forms import ActionForm, CloseForm, NewPetitionForm, PetitionForm
from advocacy.organize.helpers import Question, ask, confirmed, managed_or_404
from advocacy.petitions import editing, stats
from advocacy.petitions.forms import SignForm
from advocacy.petitions.models import Petition, PetitionStatus
from advocacy.petitions.services import recent_signers


@bp.get("/")
def dashboard():
    petitions = editing.petitions_managed_by(current_user)
    return render_template(
        "organize/dashboard.html",
        petitions=petitions,
        recent=stats.recent([p.id for p in petitions]),
        sparkline=charts.sparkline,
        campaigns=campaigns_managed_by(current_user),
        organizations=editing.organizations_for(current_user),
    )


@bp.route("/petitions/new", methods=["GET", "POST"])
def new_petition():
    orgs = editing.organizations_for(current_user)
    if not orgs:
        flash("Ask an administrator to add you to an organisation first.", "error")
        return redirect(url_for("organize.dashboard"))
    form = NewPetitionForm(organization_id=orgs[0].id)
    form.organization_id.choices = [(o.id, o.name) for o in orgs]
    if form.validate_on_submit():
        org = next(o for o in orgs if o.id == form.organization_id.data)
        try:
            petition = editing.create_petition(org, current_user, form.petition_input())
        except DomainError as exc:
            form_error(form, exc)
        else:
            flash("Draft saved. Preview it, then publish when it is ready.", "success")
            return redirect(url_for("organize.edit_petition", petition_id=petition.id))
    status = 400 if form.errors else 200
    return render_template("organize/edit.html", form=form, petition=None, orgs=orgs), status


@bp.route("/petitions/<int:petition_id>/edit", methods=["GET", "POST"])
def edit_petition(petition_id: int):
    petition = managed_or_404(petition_id)
    form = PetitionForm(obj=petition)
    if form.validate_on_submit():
        try:
            editing.update_petition(petition, form.petition_input(), current_user)
        except DomainError as exc:
            form_error(form, exc)
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("organize.edit_petition", petition_id=petition.id))
    return render_template(
        "organize/edit.html",
        form=form,
        petition=petition,
        close_form=CloseForm(formdata=None),
        action_form=ActionForm(formdata=None),
    ), 400 if form.errors else 200


class PreviewPetition:
    """The petition as the public will see it once published: a draft shows its sign form."""

    def __init__(self, petition: Petition):
        self._petition = petition

    def __getattr__(self, name: str):
        return getattr(self._petition, name)

    @property
    def effective_status(self) -> PetitionStatus:
        if self._petition.status is PetitionStatus.DRAFT:
            return PetitionStatus.OPEN
        return self._petition.effective_status

    @property
    def is_open(self) -> bool:
        return self.effective_status is PetitionStatus.OPEN and not self.deadline_passed()


@bp.get("/petitions/<int:petition_id>/preview")
def preview_petition(petition_id: int):
    petition = managed_or_404(petition_id)
    return render_template(
        "organize/preview.html",
        petition=PreviewPetition(petition),
        form=SignForm(formdata=None),
        signers=recent_signers(petition, current_app.config["RECENT_SIGNERS"]),
        form_extras=Markup(""),
        rendered_at=utcnow(),
        edit_url=url_for("organize.edit_petition", petition_id=petition.id),
    )


def _status_action(
    petition_id: int, form: ActionForm | CloseForm, action, done: str, question=None
):
    """Run one status change from a button: CSRF-checked, asked about when ``question`` gives
    a Question for this petition (None: nothing to ask, e.g. the action will be refused),
    then flash and back to the editor."""
    petition = managed_or_404(petition_id)
    if not form.validate_on_submit():
        abort(400)
    asking = question(petition) if question else None
    if asking is not None and not confirmed():
        return ask(asking)
    try:
        action(petition)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(done.format(title=petition.title), "success")
    return redirect(url_for("organize.edit_petition", petition_id=petition_id))


def _editor(petition: Petition) -> str:
    return url_for("organize.edit_petition", petition_id=petition.id)


def _publish_question(petition: Petition) -> Question | None:
    # Publishing that editing.publish_petition will refuse is not asked about: the refusal
    # (with its reason) comes at once.
    if petition.status is not PetitionStatus.DRAFT or not petition.body.strip():
        return None
    if petition.deadline_passed():
        return None
    url = url_for("petitions.show", slug=petition.slug, _external=True)
    return Question(
        heading=f"Publish “{petition.title}”?",
        consequence=f"It becomes public at {url} and people can sign. "
        "The address cannot change after that.",
        yes="Yes, publish",
        cancel_url=_editor(petition),
    )


def _close_question(won: bool):
    def question(petition: Petition) -> Question | None:
        if petition.status not in (PetitionStatus.OPEN, PetitionStatus.CLOSED):
            return None
        if won:
            still_open = petition.status is PetitionStatus.OPEN
            return Question(
                heading=f"Mark “{petition.title}” as won?",
                consequence="The page will say the petition won"
                + (" and no one can sign after this." if still_open else "."),
                yes="Yes, mark as won",
                cancel_url=_editor(petition),
                fields={"won": "y"},
            )
        if petition.status is not PetitionStatus.OPEN:
            return None
        return Question(
            heading=f"Close “{petition.title}”?",
            consequence="No one can sign after this. The page stays up with its final count "
            f"of {petition.signature_count:,} "
            f"{'signature' if petition.signature_count == 1 else 'signatures'}.",
            yes="Yes, close it",
            cancel_url=_editor(petition),
        )

    return question


@bp.post("/petitions/<int:petition_id>/publish")
def publish_petition(petition_id: int):
    return _status_action(
        petition_id,
        ActionForm(),
        editing.publish_petition,
        "“{title}” is now public.",
        question=_publish_question,
    )


@bp.post("/petitions/<int:petition_id>/close")
def close_petition(petition_id: int):
    form = CloseForm()
    won = bool(form.won.data)
    return _status_action(
        petition_id,
        form,
        lambda p: editing.close_petition(p, won=won),
        "“{title}” is marked as won. Congratulations!" if won else "“{title}” is closed.",
        question=_close_question(won),
    )


@bp.post("/petitions/<int:petition_id>/reopen")
def reopen_petition(petition_id: int):
    return _status_action(
        petition_id, ActionForm(), editing.reopen_petition, "“{title}” takes signatures again."
    )

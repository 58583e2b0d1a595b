"""Organizer pages for updates to signers: list, write, preview, test, send, and the report.

Routes hang off the organize blueprint, so they share its login check; every one loads the
petition through ``_managed_or_404`` (another organisation's ids answer 404).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from advocacy.core.errors import DomainError
from advocacy.core.forms import form_error
from advocacy.extensions import db
from advocacy.organize import bp
from advocacy.organize.forms import ActionForm, UpdateForm
from advocacy.organize.helpers import Question, ask, confirmed, managed_or_404
from advocacy.petitions import updates
from advocacy.petitions.models import Petition, PetitionUpdate


def _update_or_404(petition: Petition, update_id: int) -> PetitionUpdate:
    item = db.session.get(PetitionUpdate, update_id)
    if item is None or item.petition_id != petition.id:
        abort(404)
    return item


def _button_target(petition_id: int, update_id: int) -> tuple[Petition, PetitionUpdate]:
    """The petition and update a button's POST acts on, after its CSRF check."""
    petition = managed_or_404(petition_id)
    item = _update_or_404(petition, update_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return petition, item


@bp.get("/petitions/<int:petition_id>/updates")
def petition_updates(petition_id: int):
    petition = managed_or_404(petition_id)
    items = updates.updates_for(petition)
    return render_template(
        "organize/updates.html",
        petition=petition,
        items=items,
        reports=updates.reports(items),
        audience=updates.audience(petition),
    )


@bp.route("/petitions/<int:petition_id>/updates/new", methods=["GET", "POST"])
def new_update(petition_id: int):
    petition = managed_or_404(petition_id)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            item = updates.create_update(petition, current_user, form.update_input())
        except DomainError as exc:
            form_error(form, exc)
        else:
            flash("Draft saved. Check the preview, send yourself a test, then send.", "success")
            return redirect(url_for(".update", petition_id=petition.id, update_id=item.id))
    return render_template(
        "organize/update_edit.html",
        petition=petition,
        item=None,
        form=form,
        audience=updates.audience(petition),
    ), 400 if form.errors else 200


@bp.route("/petitions/<int:petition_id>/updates/<int:update_id>", methods=["GET", "POST"])
def update(petition_id: int, update_id: int):
    """A draft: edit it, preview it, test it, send it. A sent update: its delivery report."""
    petition = managed_or_404(petition_id)
    item = _update_or_404(petition, update_id)
    form = UpdateForm(obj=item)
    if item.is_draft and form.validate_on_submit():
        try:
            updates.edit_update(item, form.update_input())
        except DomainError as exc:
            form_error(form, exc)
        else:
            flash("Changes saved. The preview below shows them.", "success")
            return redirect(url_for(".update", petition_id=petition.id, update_id=item.id))
    sent = updates.sent_email_html(item)
    if sent is None:
        context = _preview_context(updates.email_context(item))
        sent = render_template("email/update.html", **context)
    return render_template(
        "organize/update_edit.html",
        petition=petition,
        item=item,
        form=form,
        action_form=ActionForm(formdata=None),
        audience=updates.audience(petition),
        report=updates.report(item),
        preview=sent,
    ), 400 if form.errors else 200


def _preview_context(context: dict) -> dict:
    """The preview shows unsubscribe links that go nowhere: they would be the reader's own."""
    return {
        **context,
        "unsubscribe_url": "#unsubscribe",
        "unsubscribe_all_url": "#unsubscribe",
        "preferences_url": "#unsubscribe",
    }


@bp.post("/petitions/<int:petition_id>/updates/<int:update_id>/test")
def test_update(petition_id: int, update_id: int):
    petition, item = _button_target(petition_id, update_id)
    try:
        updates.send_test(item, current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(f"A test is on its way to {current_user.email}.", "success")
    return redirect(url_for(".update", petition_id=petition.id, update_id=item.id))


@bp.post("/petitions/<int:petition_id>/updates/<int:update_id>/send")
def send_update(petition_id: int, update_id: int):
    """Asks once ("Send to N signers? This cannot be undone"), then sends on ``confirm=1``.

    An update already sent, or with no one to send to, is not asked about: the service's
    refusal says why at once.
    """
    petition, item = _button_target(petition_id, update_id)
    reachable = updates.audience(petition).reachable if item.is_draft else 0
    if reachable and not confirmed():
        return ask(
            Question(
                heading=f"Send to {reachable:,} {'signer' if reachable == 1 else 'signers'}? "
                "This cannot be undone",
                consequence=f"“{item.subject}” goes by email to every confirmed signer of "
                f"“{petition.title}” who asked for updates. Once sent it cannot be edited "
                "or called back.",
                yes=f"Yes, send to {reachable:,} {'signer' if reachable == 1 else 'signers'}",
                cancel_url=url_for(".update", petition_id=petition.id, update_id=item.id),
            )
        )
    try:
        queued = updates.send_update(item)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(
            f"Sending to {queued:,} {'signer' if queued == 1 else 'signers'}. "
            "This page shows how delivery goes.",
            "success",
        )
    return redirect(url_for(".update", petition_id=petition.id, update_id=item.id))


@bp.post("/petitions/<int:petition_id>/updates/<int:update_id>/delete")
def delete_update(petition_id: int, update_id: int):
    petition, item = _button_target(petition_id, update_id)
    subject = item.subject
    try:
        updates.delete_update(item)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".update", petition_id=petition.id, update_id=update_id))
    flash(f"Draft “{subject}” deleted.", "success")
    return redirect(url_for(".petition_updates", petition_id=petition.id))

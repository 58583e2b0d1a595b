"""What the organizer's pages share: loading a petition the user may manage, showing a
service's refusal on its field, and the confirmation step of irreversible actions."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from advocacy.core.errors import DomainError
from advocacy.extensions import db
from advocacy.petitions.models import Petition


def managed_or_404(petition_id: int) -> Petition:
    """The petition, if the signed-in user may manage it; otherwise the same 404 as a petition
    that does not exist, so ids reveal nothing."""
    petition = db.get_or_404(Petition, petition_id)
    if not current_user.can_manage(petition.organization_id):
        abort(404)
    return petition


def form_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal on the field it concerns, or at the top of the page."""
    target = form._fields.get(error.field or "")
    if target is not None:
        target.errors.append(error.message)
    else:
        flash(error.message, "error")


@dataclass
class Question:
    """What a confirmation page asks before an irreversible action."""

    heading: str  # "Publish “…”?"
    consequence: str  # what will happen, in a sentence or two
    yes: str  # the button: "Yes, publish"
    cancel_url: str
    fields: dict[str, str] = field(default_factory=dict)  # the original POST's own fields


def confirmed() -> bool:
    """Whether this POST comes from a confirmation page's "Yes, …" button."""
    return request.form.get("confirm") == "1"


def ask(question: Question):
    """The confirmation page: the consequence, a "Yes, …" button posting back here, Cancel."""
    return render_template("organize/confirm.html", question=question, action=request.path)

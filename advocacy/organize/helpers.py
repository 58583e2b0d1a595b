"""What the organizer's pages share: loading a petition the user may manage, and the
confirmation step of irreversible actions. (Showing a service's refusal on its field is
``core.forms.form_error``, which the account pages use too.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, render_template, request
from flask_login import current_user

from advocacy.accounts.models import Organization
from advocacy.extensions import db
from advocacy.petitions.models import Petition


def managed_or_404(petition_id: int) -> Petition:
    """The petition, if the signed-in user may manage it; otherwise the same 404 as a petition
    that does not exist, so ids reveal nothing."""
    petition = db.get_or_404(Petition, petition_id)
    if not current_user.can_manage(petition.organization_id):
        abort(404)
    return petition


def managed_organization_or_404(organization_id: int) -> Organization:
    """The organisation, if the signed-in user may manage it; else the same 404 as none."""
    organization = db.get_or_404(Organization, organization_id)
    if not current_user.can_manage(organization.id):
        abort(404)
    return organization


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

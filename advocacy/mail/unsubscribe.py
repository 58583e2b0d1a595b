"""``/unsubscribe/<token>``: one click, no login (RFC 8058).

Mail clients POST ``List-Unsubscribe=One-Click`` to the link in the ``List-Unsubscribe``
header; people following the link in the email get a page with a button that POSTs the same.
The signed token names the address, the organisation and (optionally) the petition, so the
POST needs no CSRF token: only the recipient of that email has it.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from advocacy.accounts.models import Organization
from advocacy.extensions import csrf, db
from advocacy.mail.suppression import read_unsubscribe_token, unsubscribe_link
from advocacy.mail.suppression import unsubscribe as record_unsubscribe
from advocacy.petitions.models import Petition

bp = Blueprint("mail_unsubscribe", __name__)


def _scope(token: str):
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    email, organization_id, petition_id = found
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        return None
    petition = db.session.get(Petition, petition_id) if petition_id is not None else None
    return email, organization, petition


def _invalid():
    return render_template("mail/unsubscribe.html", invalid=True), 400


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    scope = _scope(token)
    if scope is None:
        return _invalid()
    email, organization, petition = scope
    everything = unsubscribe_link(email, organization.id, None) if petition else None
    return render_template(
        "mail/unsubscribe.html",
        email=email,
        organization=organization,
        petition=petition,
        token=token,
        everything=everything,
        done=False,
    )


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # the signed token is the credential; mail clients post without a form
def unsubscribe(token: str):
    scope = _scope(token)
    if scope is None:
        return _invalid()
    email, organization, petition = scope
    record_unsubscribe(email, organization.id, petition.id if petition else None)
    return render_template(
        "mail/unsubscribe.html", email=email, organization=organization, petition=petition,
        done=True,
    )  # fmt: skip

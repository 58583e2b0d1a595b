"""``/unsubscribe/<token>``: one click, no login (RFC 8058).

Mail clients POST ``List-Unsubscribe=One-Click`` to the link in the ``List-Unsubscribe``
header; people following the link in the email get a page with a button that POSTs the same.
The signed token names the address, the organisation and (optionally) the petition, so the
POST needs no CSRF token: only the recipient of that email has it. A token that does not
read back as one we issued (``read_unsubscribe_token``) is the 400 "not valid" page.

Mail imports no domain, so the page asks the app for what it shows about the sender: the
function given to ``show_senders_with`` (the app factory registers the domain's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, render_template

from advocacy.extensions import csrf
from advocacy.mail.suppression import (
    preferences_link,
    read_unsubscribe_token,
    unsubscribe_link,
)
from advocacy.mail.suppression import unsubscribe as record_unsubscribe

bp = Blueprint("mail_unsubscribe", __name__)
_SENDERS = "advocacy_mail_senders"


@dataclass(frozen=True)
class Sender:
    """What the page names: the organisation, and the petition when the link is about one
    that still exists (``petition_id`` None otherwise)."""

    organization_id: int
    organization_name: str
    petition_id: int | None = None
    petition_title: str | None = None


# (organisation id, petition id or None) → the Sender, or None if there is no such organisation.
SenderLookup = Callable[[int, int | None], Sender | None]


def show_senders_with(app: Flask, lookup: SenderLookup) -> None:
    """Register how this app names the sender of an unsubscribe link."""
    app.extensions[_SENDERS] = lookup


def _scope(token: str) -> tuple[str, Sender] | None:
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    email, organization_id, petition_id = found
    lookup: SenderLookup = current_app.extensions[_SENDERS]
    sender = lookup(organization_id, petition_id)
    return None if sender is None else (email, sender)


def _invalid() -> tuple[str, int]:
    return render_template("mail/unsubscribe.html", invalid=True), 400


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Any:
    scope = _scope(token)
    if scope is None:
        return _invalid()
    email, sender = scope
    everything = (
        unsubscribe_link(email, sender.organization_id, None) if sender.petition_id else None
    )
    return render_template(
        "mail/unsubscribe.html",
        email=email,
        sender=sender,
        token=token,
        everything=everything,
        preferences=preferences_link(email),
        done=False,
    )


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # the signed token is the credential; mail clients post without a form
def unsubscribe(token: str) -> Any:
    scope = _scope(token)
    if scope is None:
        return _invalid()
    email, sender = scope
    record_unsubscribe(email, sender.organization_id, sender.petition_id)
    return render_template(
        "mail/unsubscribe.html",
        email=email,
        sender=sender,
        preferences=preferences_link(email),
        done=True,
    )

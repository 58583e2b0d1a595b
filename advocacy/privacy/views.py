"""``/privacy``: what is collected, why, for how long, who sees it, how to have it deleted.

The retention periods and the contact address are read from the config on every request,
so the page always states what ``flask privacy purge`` actually does.
"""

from __future__ import annotations

from email.utils import parseaddr

from flask import Blueprint, current_app, render_template

bp = Blueprint("privacy", __name__)


def contact_email() -> str:
    """``PRIVACY_CONTACT_EMAIL``, or the bare address of ``MAIL_DEFAULT_SENDER``."""
    configured = (current_app.config.get("PRIVACY_CONTACT_EMAIL") or "").strip()
    if configured:
        return configured
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    if isinstance(sender, tuple):  # Flask-Mail also takes ("Name", "address")
        sender = sender[1]
    return parseaddr(str(sender))[1]


@bp.get("/privacy")
def page():
    config = current_app.config
    return render_template(
        "privacy/privacy.html",
        unconfirmed_days=config["PRIVACY_UNCONFIRMED_DAYS"],
        closed_days=config["PRIVACY_CLOSED_PETITION_DAYS"],
        outbox_days=config["PRIVACY_OUTBOX_DAYS"],
        confirm_days=config["SIGNATURE_CONFIRM_DAYS"],
        geocoder=bool(config.get("ADDRESS_GEOCODER_URL")),
        contact=contact_email(),
    )


from advocacy.privacy import member_views  # noqa: E402, F401 - registers the account's data pages

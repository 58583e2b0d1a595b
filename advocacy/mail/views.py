"""The development outbox: recent messages with clickable links. Never registered in production."""

from __future__ import annotations

from flask import Blueprint, render_template

from advocacy.mail.broadcasts import recent_messages

bp = Blueprint("dev_mail", __name__, url_prefix="/dev")


@bp.get("/outbox")
def outbox():
    return render_template("mail/outbox.html", messages=recent_messages())

"""Organizer pages (the full dashboard arrives with its own issue)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("organize", __name__, url_prefix="/organize")


@bp.get("/")
@login_required
def dashboard():
    return render_template("organize/dashboard.html", petitions=[])

"""The organizer's pages: their organisation's petitions, editing, preview, publish and close,
updates to signers, and letter campaigns. The Blueprint lives here; ``views``, ``updates`` and
``campaigns`` add its routes and share ``helpers``."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("organize", __name__, url_prefix="/organize")


@bp.before_request
@login_required
def require_login() -> None:
    """Every organizer page needs a logged-in user."""


from advocacy.organize import (  # noqa: E402, F401 - they register the routes
    campaigns,
    exports,
    members,
    packets,
    stats,
    updates,
    views,
)

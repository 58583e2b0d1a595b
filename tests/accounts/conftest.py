"""Account tests use several browsers (test clients) on one app."""

from __future__ import annotations

import pytest
from flask import g


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    """Load the user afresh on every request, as a served app does.

    The ``app`` fixture keeps an app context pushed, and each test request reuses it, so
    ``g`` (where Flask-Login caches the loaded user) would carry one client's user into the
    next client's request. Served, every request has an app context of its own.
    """

    @app.before_request
    def _forget_loaded_user() -> None:
        g.pop("_login_user", None)

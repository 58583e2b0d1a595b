"""Login and logout, for members and organizers alike (the other account pages are in
``pages.py``)."""

from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import (
    current_user,
    login_required,
    login_user,
    logout_user,
    user_loaded_from_cookie,
)

from advocacy.accounts import services
from advocacy.accounts.forms import LoginForm
from advocacy.accounts.models import User
from advocacy.core.text import normalise_email
from advocacy.extensions import limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(alternative_id: str) -> User | None:
    return services.user_for_session(alternative_id)


@user_loaded_from_cookie.connect
def _renew_remember_cookie(app, user: User) -> None:
    # A request logged in from the remember cookie gets a fresh one (a new expiry), so a
    # cookie in use keeps working and one left unused runs out.
    session["_remember"] = "set"


def landing(user: User) -> str:
    """Where a login lands without a ``next``: organizers on their pages, members on theirs."""
    return url_for("organize.dashboard" if user.is_organizer else "accounts.account")


def _safe_next(target: str | None, user: User) -> str:
    # Only a path on this site. Browsers read a backslash as a slash and drop tabs and
    # newlines, so "/\\evil.example" would leave the site: such characters are refused.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not any(c.isspace() for c in target)
    ):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return landing(user)


def _posted_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _account_key() -> str:
    return f"login-account:{_posted_email()}"


# Wrong or right, every POST counts: per client address (a script guessing across accounts)
# and per account, whatever the address (a botnet guessing one password). A POST without an
# email is left to the address limit. GET /login is never limited.
_address_limit = limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"]
)
_account_limit = limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    exempt_when=lambda: not _posted_email(),
)


# The address limit is registered (so, on equal windows, checked) first: an attempt the
# account limit refuses still counts against its address.
@bp.route("/login", methods=["GET", "POST"])
@_account_limit
@_address_limit
def login():
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next"), user))
        # The same words for an unknown address, a wrong password and an account still to
        # confirm; the page links to "resend the confirmation" for the last.
        form.password.errors.append("That email and password do not match an account.")
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


def start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in on a new session: nothing from before (a planted value, an old CSRF
    token) carries over into the signed-in one."""
    session.clear()
    login_user(user, remember=remember)


@bp.errorhandler(429)
def too_many_attempts(error):
    what = "sign-in attempts" if request.endpoint == "accounts.login" else "requests"
    return render_template(
        "errors/error.html",
        code=429,
        message=f"Too many {what}. Please wait {_wait()} and try again.",
    ), 429


def _wait() -> str:
    """How long until the limit that refused this request lets one through, in words."""
    limit = limiter.current_limit
    # reset_at is a whole second rounded up; its fraction would make "10 minutes" say 11.
    seconds = int(limit.reset_at - time.time()) if limit is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    if minutes >= 120:
        return f"{math.ceil(minutes / 60)} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@bp.post("/logout")
@login_required
def logout():
    # Logging out logs out everywhere: the version in every session and remember cookie of
    # this user stops matching, so a copied cookie is refused as well.
    services.end_all_sessions(current_user._get_current_object())
    session.clear()
    logout_user()  # after clear(): it leaves the note that deletes the remember cookie
    flash("You have logged out.", "info")
    return redirect(url_for("petitions.index"))


from advocacy.accounts import pages  # noqa: E402, F401 - registers the other account pages

"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'self'; "
    "object-src 'none'"
)


HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
)


def register(app: Flask) -> None:
    register_privacy_headers(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        # A view that sets its own X-Frame-Options (an embeddable page, say) decides the
        # framing headers itself; every other response gets the defaults in one go.
        headers = response.headers
        if "X-Frame-Options" not in headers:
            headers.extend(HEADERS)
        else:
            for name, value in HEADERS[:2]:
                headers.setdefault(name, value)
        if response.content_type.startswith("text/html"):
            headers.setdefault("Content-Security-Policy", CSP)
        return response


# Transport, browser features and caching, kept apart from the framing headers above.
HSTS = "max-age=31536000; includeSubDomains"
# No page here uses these; browsing-topics is the successor of FLoC's interest-cohort.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
)
# Pages that are about an account whoever asks: never stored by a browser or a proxy.
PRIVATE_PATHS = ("/login", "/logout", "/organize", "/admin")


def _is_private_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PRIVATE_PATHS)


def _signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # an error page on a broken database: store nothing
        return True


def register_privacy_headers(app: Flask) -> None:
    """HSTS where the site is HTTPS-only, a Permissions-Policy everywhere, and
    ``Cache-Control: no-store`` on account pages and on everything a signed-in user sees
    (a shared or back-button cache must not show an organizer's pages to the next person).

    HSTS goes with secure cookies (ProductionConfig): that configuration already says the
    site is served over HTTPS only. Anonymous visitors' public pages and API answers keep
    their own caching headers, and their session is not even read (reading it would add
    ``Vary: Cookie``). Static files are the same for everyone and stay cacheable.
    """
    hsts = bool(app.config.get("SESSION_COOKIE_SECURE")) and not app.debug
    login_cookies = (
        app.config["SESSION_COOKIE_NAME"],
        app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    )

    @app.after_request
    def _privacy_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if _is_private_path(request.path) or (
            request.endpoint != "static"
            and any(name in request.cookies for name in login_cookies)
            and _signed_in()
        ):
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response

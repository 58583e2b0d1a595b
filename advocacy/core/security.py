"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

# No page may be framed (clickjacking), except the embeddable sign form, see allow_framing.
CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
# /petitions/<slug>/embed only: partner sites put it in an iframe. Its form posts to us,
# needs no cookie and changes no account, so a frame over it can at worst add a signature
# that still needs its email confirmed.
EMBED_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")


HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)


def allow_framing(response: Response) -> Response:
    """Let any site frame this response: the embed's CSP, and no ``X-Frame-Options``
    (which has no "any site" value; browsers that know CSP ignore it anyway)."""
    response.headers["Content-Security-Policy"] = EMBED_CSP
    return response


def register(app: Flask) -> None:
    register_privacy_headers(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        framable = headers.get("Content-Security-Policy") == EMBED_CSP
        for name, value in HEADERS:
            if not (framable and name == "X-Frame-Options"):
                headers.setdefault(name, value)
        # On every response, not only HTML: a JSON answer or an SVG framed by another site
        # is as much a clickjacking target, and the policy costs nothing on them.
        headers.setdefault("Content-Security-Policy", CSP)
        return response


# Transport, browser features and caching, kept apart from the framing headers above.
HSTS = "max-age=31536000; includeSubDomains"
# No page here uses these; browsing-topics is the successor of FLoC's interest-cohort.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
)
# Pages that are about an account whoever asks: never stored by a browser or a proxy.
PRIVATE_PATHS = ("/login", "/logout", "/signup", "/password", "/account", "/organize", "/admin")


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

"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response

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

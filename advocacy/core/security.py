"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response

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

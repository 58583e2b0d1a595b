"""Error pages for 400/403/404/405/413/429/500, as HTML or JSON for the API.

Every API error has one shape, ``{"error": {"code", "message", "field"}}``: ``code`` a
stable machine name ("not_found", "invalid_zip"), ``message`` for people, ``field`` the input
it concerns or null. ``api_error`` builds it for views.
"""

from __future__ import annotations

import math

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from advocacy.core.inputs import ControlCharacters

MESSAGES = {
    400: "Something in that request was not right. Please go back and try again.",
    403: "You do not have permission to do that.",
    404: "We could not find that page. It may have moved, or the petition may not be public yet.",
    405: "That page cannot be used that way.",
    413: "That upload is too large.",
    429: "You have tried that many times in a short while. Please wait a little and try again.",
    500: "Something went wrong on our side. It has been logged; please try again shortly.",
}


def is_api() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, field: str | None = None) -> Response:
    response = jsonify(error={"code": code, "message": message, "field": field})
    response.status_code = status
    return response


def _code_name(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")


# Pages that partner sites frame: their errors (a 429 over the signing limit, a 404 for a
# petition taken down) must show inside the frame too, not as a blocked frame.
FRAMED_ENDPOINTS = {"petitions.embed", "petitions.embed_sign"}


def _render(status: int, message: str, *, code: str | None = None, field: str | None = None):
    if is_api():
        return api_error(status, code or f"http_{status}", message, field)
    response = make_response(
        render_template("errors/error.html", code=status, message=message), status
    )
    if request.endpoint in FRAMED_ENDPOINTS:
        from advocacy.core.security import allow_framing

        allow_framing(response)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400,
            "Your form expired or was sent from another site. "
            "Please reload the page and submit it again.",
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A request for a host not in TRUSTED_HOSTS has no URL adapter, so no page that
        # builds links can be rendered for it: a plain answer.
        return "Bad request: unknown host.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(ControlCharacters)
    def control_characters(error: ControlCharacters):
        return _render(400, str(error.description), code="control_characters", field=error.field)

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        # A polite page that says how long to wait; nothing the person already saved is lost.
        # A limit may carry its own wording (error_message=...); else the general one.
        custom = getattr(error.limit, "error_message", None)
        message = str(error.description) if custom else MESSAGES[429]
        wait = _retry_after(error)
        if wait and not custom:
            message = f"{message[:-1]}: about {wait}."
        return _render(429, message, code="too_many_requests")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        return _render(
            code, MESSAGES.get(code, error.description or "Error"), code=_code_name(error)
        )

    @app.after_request
    def _cors_on_the_api(response: Response) -> Response:
        # Read-only, no cookies: any site may read the API, errors included.
        if is_api():
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        return _render(500, MESSAGES[500])


def _retry_after(error: RateLimitExceeded) -> str | None:
    """ "a minute", "5 minutes", "an hour": how long the limit that was hit lasts."""
    limit = getattr(error, "limit", None)
    item = getattr(getattr(limit, "limit", None), "get_expiry", None)
    seconds = item() if callable(item) else None
    if not seconds:
        return None
    if seconds < 90:
        return "a minute"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)} minutes"
    if seconds < 5400:
        return "an hour"
    return f"{math.ceil(seconds / 3600)} hours"

"""Error pages for 400/403/404/405/413/429/500, as HTML or JSON for the API."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

MESSAGES = {
    400: "Something in that request was not right. Please go back and try again.",
    403: "You do not have permission to do that.",
    404: "We could not find that page. It may have moved, or the petition may not be public yet.",
    405: "That page cannot be used that way.",
    413: "That upload is too large.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged; please try again shortly.",
}


def _render(code: int, message: str):
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "message": message}}, code
    return render_template("errors/error.html", code=code, message=message), code


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

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        return _render(code, MESSAGES.get(code, error.description or "Error"))

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        return _render(500, MESSAGES[500])

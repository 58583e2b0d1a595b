"""A signed double-submit CSRF token for the public sign form.

The sign form sits on the hottest page, which every new visitor of a shared link opens.
Flask-WTF's token lives in the Flask session, so each first visit paid for a new signed
session cookie plus a signed token: about a third of a cached page view
(docs/BENCHMARKS.md). This form instead uses the "signed double-submit cookie" pattern:

- the browser gets a random nonce in its own small cookie (HttpOnly, SameSite=Lax);
- the form carries ``<issued>.<HMAC(key, nonce.issued)>`` in the ``csrf_token`` field;
- a POST is accepted only when the field is the HMAC of the cookie's nonce and not older
  than ``WTF_CSRF_TIME_LIMIT``.

A cross-site attacker can neither read nor set the victim's cookie, nor compute the HMAC
without the secret key, so a forged POST fails, as it does with Flask-WTF. Every other
form keeps Flask-WTF's session-bound token.

The embeddable copy of the form (``/petitions/<slug>/embed``) lives in a third-party iframe,
where browsers send no cookie at all; it uses a cookie-free, petition-bound token instead
(``core/embed_token.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

from flask import Response, current_app, request

COOKIE = "advocacy_sign"
_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _keys() -> list[bytes]:
    """The signing key first, then keys from ``SECRET_KEY_FALLBACKS`` (accepted, not used)."""
    config = current_app.config
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if secret is None:  # production refuses to start without one; say so instead of a TypeError
        raise RuntimeError("The sign form's CSRF token needs SECRET_KEY.")
    raw: list[str | bytes] = [secret]
    raw += list(config.get("SECRET_KEY_FALLBACKS") or ())
    return [
        hashlib.sha256(
            b"advocacy-sign-csrf\x00" + (s.encode() if isinstance(s, str) else s)
        ).digest()
        for s in raw
    ]


def _mac(nonce: str, issued: int, key: bytes | None = None) -> str:
    message = f"{nonce}.{issued}".encode()
    digest = hmac.new(key or _keys()[0], message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def request_nonce() -> tuple[str, bool]:
    """This browser's nonce, and whether it is new (and so must be set as a cookie)."""
    nonce = request.cookies.get(COOKIE, "")
    if _NONCE_RE.match(nonce):
        return nonce, False
    return secrets.token_urlsafe(16), True


def form_token(nonce: str) -> str:
    issued = int(time.time())
    return f"{issued}.{_mac(nonce, issued)}"


def is_valid(nonce: str | None, token: str | None) -> bool:
    if not nonce or not token or not _NONCE_RE.match(nonce) or not token.isascii():
        return False  # compare_digest raises on non-ASCII text
    issued_text, _, mac = token.partition(".")
    if not issued_text.isdigit():
        return False
    issued = int(issued_text)
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT") or 3600
    if not 0 <= time.time() - issued <= limit:
        return False
    return any(hmac.compare_digest(mac, _mac(nonce, issued, key)) for key in _keys())


def request_is_valid() -> bool:
    """Whether this POST carries a token matching its cookie (always, with CSRF off)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    return is_valid(request.cookies.get(COOKIE), request.form.get("csrf_token"))


def set_cookie(response: Response, nonce: str) -> None:
    response.set_cookie(
        COOKIE,
        nonce,
        max_age=current_app.config.get("WTF_CSRF_TIME_LIMIT") or 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        path="/",
    )

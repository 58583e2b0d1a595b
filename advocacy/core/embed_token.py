"""Cookie-free signed tokens: the embeddable sign form's CSRF token and the thank-you pass.

The embed (``/petitions/<slug>/embed``) lives in an iframe on a partner's site. Browsers do
not send our ``SameSite=Lax`` cookies to a cross-site iframe (and many block third-party
cookies altogether), so neither the sign form's double-submit cookie (``core/csrf.py``) nor
a Flask session can work there. Both tokens here carry everything they need and are checked
with the secret key alone:

- **Form token** ``<petition id>.<issued>.<nonce>.<mac>``, put into the embed's form and
  checked on its POST. ``mac`` is HMAC-SHA256 over the other three under a key derived from
  ``SECRET_KEY`` (keys in ``SECRET_KEY_FALLBACKS`` are accepted, as in ``core/csrf.py``), so
  another site cannot make one, one cannot be moved to another petition, and it expires after
  ``WTF_CSRF_TIME_LIMIT``. It binds no browser: the sign form protects no session or account
  (a signature still needs its email confirmed), so what it stops is a forged or replayed-
  forever POST; volume is bounded by the per-address limits on the signing routes.
- **Thank-you token** ``<issued>.<nonce>.<masked id>.<mac>``, in the redirect after signing a
  petition that needs no confirmation (``/petitions/<slug>/signed?t=…`` and the embed's own
  thank-you). It names the signature and its petition's slug and lives ``THANKS_SECONDS``, so
  "your signature counts" is shown to the browser that just signed, not to whoever opens the
  URL. The signature id is masked with a keystream from the key and the nonce: a visible id
  would tell a new signature from a repeat and so whether an email had signed before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

from flask import current_app

# A thank-you link is for the next page view, not for sharing.
THANKS_SECONDS = 15 * 60
_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16}$")


def _keys(purpose: bytes) -> list[bytes]:
    """Per-purpose keys: the signing key first, then ``SECRET_KEY_FALLBACKS`` (accepted)."""
    config = current_app.config
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not secret:
        raise RuntimeError("SECRET_KEY is not set: the embed's tokens cannot be signed.")
    raw: list[str | bytes] = [secret, *(config.get("SECRET_KEY_FALLBACKS") or ())]
    return [
        hashlib.sha256(purpose + b"\x00" + (s.encode() if isinstance(s, str) else s)).digest()
        for s in raw
    ]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _mac(key: bytes, message: str) -> str:
    return _b64(hmac.new(key, message.encode(), hashlib.sha256).digest())


def _nonce() -> str:
    return secrets.token_urlsafe(12)  # 16 characters


def _fresh(issued_text: str, limit: float) -> bool:
    if not issued_text.isdigit() or len(issued_text) > 12:
        return False
    return 0 <= time.time() - int(issued_text) <= limit


# --- the embed's form token --------------------------------------------------------------

_FORM = b"advocacy-embed-form"


def form_token(petition_id: int) -> str:
    """A token for the embed's sign form of this petition."""
    payload = f"{petition_id}.{int(time.time())}.{_nonce()}"
    return f"{payload}.{_mac(_keys(_FORM)[0], payload)}"


def form_token_is_valid(token: str | None, petition_id: int) -> bool:
    """Whether ``token`` was made by us, for this petition, within ``WTF_CSRF_TIME_LIMIT``."""
    text = token or ""
    parts = text.split(".")
    if len(parts) != 4 or not text.isascii():  # compare_digest takes ASCII text only
        return False
    petition_text, issued_text, nonce, mac = parts
    if petition_text != str(petition_id) or not _NONCE_RE.match(nonce):
        return False
    if not _fresh(issued_text, current_app.config.get("WTF_CSRF_TIME_LIMIT") or 3600):
        return False
    payload = f"{petition_text}.{issued_text}.{nonce}"
    return any(hmac.compare_digest(mac, _mac(key, payload)) for key in _keys(_FORM))


# --- the thank-you token -----------------------------------------------------------------

_THANKS = b"advocacy-signed-thanks"


def _mask(key: bytes, nonce: str) -> int:
    return int.from_bytes(hmac.new(key, b"mask." + nonce.encode(), hashlib.sha256).digest()[:8])


def thanks_token(slug: str, signature_id: int) -> str:
    """A short-lived pass to the thank-you page for this signature of this petition.

    Bound to the slug (fixed once a petition is public) rather than the id, so the view
    can make it after the signing commit without loading the petition again."""
    key = _keys(_THANKS)[0]
    issued, nonce = int(time.time()), _nonce()
    masked = _b64((signature_id ^ _mask(key, nonce)).to_bytes(8))
    return f"{issued}.{nonce}.{masked}.{_mac(key, f'{slug}.{issued}.{nonce}.{masked}')}"


def thanks_signature_id(token: str | None, slug: str) -> int | None:
    """The signature id a valid, unexpired thank-you token for this petition names, or None."""
    text = token or ""
    parts = text.split(".")
    if len(parts) != 4 or not text.isascii():
        return None
    issued_text, nonce, masked, mac = parts
    if not _NONCE_RE.match(nonce) or not _fresh(issued_text, THANKS_SECONDS):
        return None
    message = f"{slug}.{issued_text}.{nonce}.{masked}"
    for key in _keys(_THANKS):
        if hmac.compare_digest(mac, _mac(key, message)):
            try:
                raw = base64.urlsafe_b64decode(masked + "=" * (-len(masked) % 4))
            except ValueError:
                return None
            return int.from_bytes(raw) ^ _mask(key, nonce) if len(raw) == 8 else None
    return None

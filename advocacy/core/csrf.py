"""Flask-WTF's CSRF token for the hottest page, with its serializer built once.

``flask_wtf.csrf.generate_csrf`` builds a new ``URLSafeTimedSerializer`` and reads two
config values on every call; on the cached petition page, where every new visitor needs a
token, that was a measurable share of the request (docs/BENCHMARKS.md). This produces the
same token, stored in the same places (``session`` and ``g`` under ``WTF_CSRF_FIELD_NAME``),
so Flask-WTF validates it, and ``generate_csrf`` later in the request returns the same one.
"""

from __future__ import annotations

import hashlib
import os

from flask import current_app, g, session
from itsdangerous import URLSafeTimedSerializer

_serializers: dict[str | bytes, URLSafeTimedSerializer] = {}


def csrf_token() -> str:
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    token = g.get(field)
    if token is None:
        secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        serializer = _serializers.get(secret)
        if serializer is None:
            serializer = _serializers[secret] = URLSafeTimedSerializer(
                secret, salt="wtf-csrf-token"
            )
        if not isinstance(session.get(field), str):
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - as Flask-WTF
        token = serializer.dumps(session[field])
        setattr(g, field, token)
    return token

"""Flask's signed-cookie sessions, with the signing serializer built once per key set.

Flask builds a new ``URLSafeTimedSerializer`` for every request that opens or saves a
session. On the petition page, where every new visitor gets a session for the CSRF token,
that construction was about 8 % of a request (docs/BENCHMARKS.md). Same cookies, same keys,
same format: only the object is reused.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class ReusedSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) > 8:  # keys rotate rarely; keep the map tiny
                self._serializers.clear()
            self._serializers[key] = serializer
        return serializer

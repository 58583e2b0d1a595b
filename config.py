"""Configuration classes, chosen by ``ADVOCACY_CONFIG`` and overridden from the environment.

Everything secret or deployment-specific comes from environment variables; nothing here
is computed from the machine at import time except the development SQLite path.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url(url: str | None) -> str | None:
    """Normalise a PostgreSQL URL so SQLAlchemy uses psycopg 3."""
    if not url:
        return url
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")

    # Links in email are built outside a request, so they need the public host name.
    SERVER_NAME = os.environ.get("SERVER_NAME")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Advocacy <no-reply@advocacy.localhost>"
    )
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    # "smtp" when MAIL_SERVER is set, otherwise "console" (printed and kept in the dev outbox).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if MAIL_SERVER else "console")
    DEV_OUTBOX = False

    # Signatures
    SIGNATURE_CONFIRM_DAYS = _int("SIGNATURE_CONFIRM_DAYS", 7)
    RECENT_SIGNERS = 10
    # Seconds a rendered public petition page may be reused by one process.
    PETITION_PAGE_CACHE_SECONDS = _int("PETITION_PAGE_CACHE_SECONDS", 5)
    API_CACHE_SECONDS = _int("API_CACHE_SECONDS", 30)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = _int("WTF_CSRF_TIME_LIMIT", 6 * 3600)
    MAX_CONTENT_LENGTH = 1024 * 1024
    SQLALCHEMY_TRACK_MODIFICATIONS = False


class DevelopmentConfig(Config):
    """``make run``: a SQLite file in ``instance/``, mail to the console and the dev outbox."""

    DEBUG = True
    SECRET_KEY = Config.SECRET_KEY or "dev-only-secret-key-change-me"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = Config.SQLALCHEMY_DATABASE_URI or (
        f"sqlite:///{BASE_DIR / 'instance' / 'advocacy.db'}"
    )
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    DEV_OUTBOX = True
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    """pytest: a throwaway database, synchronous mail kept in memory, no page cache."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    SERVER_NAME = "advocacy.test"
    PREFERRED_URL_SCHEME = "http"
    MAIL_BACKEND = "memory"
    MAIL_SERVER = None
    REDIS_URL = None
    DEV_OUTBOX = True
    PETITION_PAGE_CACHE_SECONDS = 0
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    """gunicorn behind a proxy with PostgreSQL; refuses to start without its secrets."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def validate(cls, settings: dict) -> None:
        missing = [k for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI") if not settings.get(k)]
        if missing:
            names = ", ".join("DATABASE_URL" if m.startswith("SQLALCHEMY") else m for m in missing)
            raise RuntimeError(f"Production configuration needs {names} in the environment.")


configs: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

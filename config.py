"""Configuration: classes of defaults, chosen by ``ADVOCACY_CONFIG``, then the environment.

The classes hold no environment reads: ``environment_overrides()`` reads the deployment's
variables when ``create_app`` runs, so nothing is fixed at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent


def database_url(url: str | None) -> str | None:
    """Normalise a PostgreSQL URL so SQLAlchemy uses psycopg 3."""
    if not url:
        return url
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> list[str]:
    return [item.strip().lower() for item in value.split(",") if item.strip()]


def _semicolons(value: str) -> list[str]:
    """ "Health; Education": items that may contain commas, case kept."""
    return [item.strip() for item in value.split(";") if item.strip()]


def _mapping(value: str) -> dict[str, str]:
    """ "S000148=SNY02, M001231=HNY22" → {"S000148": "SNY02", "M001231": "HNY22"}."""
    pairs = (item.partition("=") for item in value.split(",") if item.strip())
    return {key.strip(): code.strip() for key, _, code in pairs if key.strip() and code.strip()}


# Environment variable → (config key, parser). Every one is listed in .env.example and README.
ENVIRONMENT: dict[str, tuple[str, Any]] = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", database_url),
    "REDIS_URL": ("REDIS_URL", str),
    "SERVER_NAME": ("SERVER_NAME", str),
    "ALLOWED_HOSTS": ("ALLOWED_HOSTS", _list),
    "PROXY_HOPS": ("PROXY_HOPS", int),
    "PREFERRED_URL_SCHEME": ("PREFERRED_URL_SCHEME", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", _bool),
    "MAIL_USE_SSL": ("MAIL_USE_SSL", _bool),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
    "MAIL_BACKEND": ("MAIL_BACKEND", str),
    "MAIL_MAX_ATTEMPTS": ("MAIL_MAX_ATTEMPTS", int),
    "MAIL_WEBHOOK_SECRET": ("MAIL_WEBHOOK_SECRET", str),
    "MAIL_DKIM_SELECTOR": ("MAIL_DKIM_SELECTOR", str),
    "MAIL_DKIM_DOMAIN": ("MAIL_DKIM_DOMAIN", str),
    "MAIL_DKIM_PRIVATE_KEY_PATH": ("MAIL_DKIM_PRIVATE_KEY_PATH", str),
    "MAIL_RETRY_SECONDS": ("MAIL_RETRY_SECONDS", int),
    "MAIL_RETRY_MAX_SECONDS": ("MAIL_RETRY_MAX_SECONDS", int),
    "MAIL_SWEEP_SECONDS": ("MAIL_SWEEP_SECONDS", float),
    "MAIL_TIMEOUT": ("MAIL_TIMEOUT", float),
    "MAIL_BULK_RATE": ("MAIL_BULK_RATE", float),
    "MAIL_BULK_BATCH": ("MAIL_BULK_BATCH", int),
    "MAIL_BULK_JOB_SECONDS": ("MAIL_BULK_JOB_SECONDS", float),
    "MAIL_BULK_LEASE_SECONDS": ("MAIL_BULK_LEASE_SECONDS", float),
    "SIGNATURE_CONFIRM_DAYS": ("SIGNATURE_CONFIRM_DAYS", int),
    "PRIVACY_UNCONFIRMED_DAYS": ("PRIVACY_UNCONFIRMED_DAYS", int),
    "PRIVACY_CLOSED_PETITION_DAYS": ("PRIVACY_CLOSED_PETITION_DAYS", int),
    "PRIVACY_OUTBOX_DAYS": ("PRIVACY_OUTBOX_DAYS", int),
    "PRIVACY_CONTACT_EMAIL": ("PRIVACY_CONTACT_EMAIL", str),
    "PETITION_PAGE_CACHE_SECONDS": ("PETITION_PAGE_CACHE_SECONDS", int),
    "ADVOCACY_DATA_DIR": ("DATA_DIR", str),
    "PACKETS_DIR": ("PACKETS_DIR", str),
    "PACKET_WORKERS": ("PACKET_WORKERS", int),
    "PACKETS_KEEP_DAYS": ("PACKETS_KEEP_DAYS", int),
    "ADDRESS_GEOCODER_URL": ("ADDRESS_GEOCODER_URL", str),
    "CONGRESS_API_KEY": ("CONGRESS_API_KEY", str),
    "CONGRESS_API_URL": ("CONGRESS_API_URL", str),
    "RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", _bool),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "LOGIN_LIMIT_PER_ADDRESS": ("LOGIN_LIMIT_PER_ADDRESS", str),
    "LOGIN_LIMIT_PER_ACCOUNT": ("LOGIN_LIMIT_PER_ACCOUNT", str),
    "ACCOUNT_MAIL_LIMIT_PER_ADDRESS": ("ACCOUNT_MAIL_LIMIT_PER_ADDRESS", str),
    "ACCOUNT_MAIL_LIMIT_PER_EMAIL": ("ACCOUNT_MAIL_LIMIT_PER_EMAIL", str),
    "MEMBER_APPLY_LIMIT_PER_ADDRESS": ("MEMBER_APPLY_LIMIT_PER_ADDRESS", str),
    "ACCOUNT_CONFIRM_DAYS": ("ACCOUNT_CONFIRM_DAYS", int),
    "PASSWORD_RESET_MINUTES": ("PASSWORD_RESET_MINUTES", int),
    "SIGN_LIMIT_PER_ADDRESS": ("SIGN_LIMIT_PER_ADDRESS", str),
    "SIGN_NOTICES_PER_DAY": ("SIGN_NOTICES_PER_DAY", int),
    "LETTER_LIMIT_PER_ADDRESS": ("LETTER_LIMIT_PER_ADDRESS", str),
    "LETTER_EMAIL_REDIRECT": ("LETTER_EMAIL_REDIRECT", str),
    "GEOCODER_LIMIT_PER_ADDRESS": ("GEOCODER_LIMIT_PER_ADDRESS", str),
    "NEWSLETTER_LIMIT_PER_ADDRESS": ("NEWSLETTER_LIMIT_PER_ADDRESS", str),
    "NEWSLETTER_LIMIT_PER_EMAIL": ("NEWSLETTER_LIMIT_PER_EMAIL", str),
    "VOLUNTEER_LIMIT_PER_ADDRESS": ("VOLUNTEER_LIMIT_PER_ADDRESS", str),
    "VOLUNTEER_LIMIT_PER_EMAIL": ("VOLUNTEER_LIMIT_PER_EMAIL", str),
    "CWC_ENABLED": ("CWC_ENABLED", _bool),
    "CWC_CHAMBERS": ("CWC_CHAMBERS", _list),
    "CWC_API_URL": ("CWC_API_URL", str),
    "CWC_API_KEY": ("CWC_API_KEY", str),
    "CWC_SENATE_API_URL": ("CWC_SENATE_API_URL", str),
    "CWC_SENATE_API_KEY": ("CWC_SENATE_API_KEY", str),
    "CWC_DELIVERY_AGENT": ("CWC_DELIVERY_AGENT", str),
    "CWC_DELIVERY_AGENT_ACK_EMAIL": ("CWC_DELIVERY_AGENT_ACK_EMAIL", str),
    "CWC_DELIVERY_AGENT_CONTACT_NAME": ("CWC_DELIVERY_AGENT_CONTACT_NAME", str),
    "CWC_DELIVERY_AGENT_CONTACT_EMAIL": ("CWC_DELIVERY_AGENT_CONTACT_EMAIL", str),
    "CWC_DELIVERY_AGENT_CONTACT_PHONE": ("CWC_DELIVERY_AGENT_CONTACT_PHONE", str),
    "CWC_TOPICS": ("CWC_TOPICS", _semicolons),
    "CWC_OFFICE_CODES": ("CWC_OFFICE_CODES", _mapping),
    "CWC_TIMEOUT": ("CWC_TIMEOUT", float),
}


def environment_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    settings = {
        key: parse(environ[name])
        for name, (key, parse) in ENVIRONMENT.items()
        if environ.get(name) not in (None, "")
    }
    # With an SMTP server configured, mail goes over SMTP unless MAIL_BACKEND says otherwise.
    if "MAIL_SERVER" in settings and "MAIL_BACKEND" not in settings:
        settings["MAIL_BACKEND"] = "smtp"
    return settings


class Config:
    """Defaults shared by every environment."""

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    # No pre-ping: it costs a round trip on every request. A connection the server dropped
    # fails one statement, and SQLAlchemy then replaces the whole pool; recycle before
    # typical idle timeouts.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL: str | None = None

    # The public host name. Every absolute link (email, canonical, share, API) is built from
    # it, never from request headers; production refuses to start without it.
    SERVER_NAME: str | None = None
    PREFERRED_URL_SCHEME = "https"
    # Other host names production answers (e.g. "www.example.org"); every other Host is a 400.
    ALLOWED_HOSTS: list[str] = []
    # How many reverse proxies stand in front of the app. The client address (abuse limits,
    # logs) and scheme come from the X-Forwarded-* entries those proxies added, and only
    # those: a client's own forged X-Forwarded-For is never read. 0: no proxy.
    PROXY_HOPS = 0

    # Where delivery packet archives (ZIP) are written; "" or unset: instance/packets.
    PACKETS_DIR = str(BASE_DIR / "instance" / "packets")
    # Processes that set a packet build of 200+ signatures (0: one a core, at most 4; 1: none).
    PACKET_WORKERS = 0
    # Days a finished archive is kept (`flask packets prune`, and before each build); 0: never
    # deleted for its age. Archives a newer build replaced go at once.
    PACKETS_KEEP_DAYS = 14

    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Advocacy <no-reply@advocacy.localhost>"
    # "smtp" (Flask-Mail), "console" (printed, kept in the outbox), "memory" or "null" (kept only).
    MAIL_BACKEND = "console"
    # Deliver inside the committing request instead of after it (tests only).
    MAIL_SYNC = False
    # Retries after transient SMTP errors: wait MAIL_RETRY_SECONDS × 2^(attempt−1), at most
    # MAIL_RETRY_MAX_SECONDS, for up to MAIL_MAX_ATTEMPTS attempts; then the message fails.
    MAIL_MAX_ATTEMPTS = 6
    MAIL_RETRY_SECONDS = 60
    MAIL_RETRY_MAX_SECONDS = 3600
    # Seconds to wait on the SMTP server (connect, each reply) before trying again later.
    MAIL_TIMEOUT = 30.0
    # How often the sweep runs: in `flask mail worker`, or without Redis in each web process.
    MAIL_SWEEP_SECONDS = 60.0
    # An attempt still "sending" after this long belonged to a worker that died mid-send.
    MAIL_SENDING_LEASE_SECONDS = 900
    # Broadcasts (updates to signers) leave at most MAIL_BULK_RATE messages a second (0: no
    # limit; 14 is Amazon SES's starting quota), MAIL_BULK_BATCH per SMTP connection. An RQ
    # job sends for MAIL_BULK_JOB_SECONDS, then queues itself again behind newer mail; a
    # sender that stops renewing its lease for MAIL_BULK_LEASE_SECONDS is replaced by the sweep.
    MAIL_BULK_RATE = 14.0
    MAIL_BULK_BATCH = 20
    MAIL_BULK_JOB_SECONDS = 15
    MAIL_BULK_LEASE_SECONDS = 300
    # Signs the bounce/complaint webhook (POST /webhooks/mail-events); unset: no webhook.
    MAIL_WEBHOOK_SECRET: str | None = None
    # Optional DKIM signing of outgoing SMTP mail (dkimpy): all three, or none.
    MAIL_DKIM_SELECTOR: str | None = None
    MAIL_DKIM_DOMAIN: str | None = None
    MAIL_DKIM_PRIVATE_KEY_PATH: str | None = None
    DEV_OUTBOX = False

    # The shared public-domain tables (legislators, ZIP→district); default ../shared/data.
    DATA_DIR: str | None = None
    # Optional, online: the U.S. Census Bureau Geocoder places a signer's street address in its
    # districts when their ZIP is split (advocacy/legislators/geocode.py). Unset, lookups stay
    # offline and ZIP-based. In production use the public, key-free endpoint
    # "https://geocoding.geo.census.gov/geocoder/geographies/address"; the address is sent to
    # the Census Bureau and is never logged or stored here.
    ADDRESS_GEOCODER_URL: str | None = None
    # Optional, online: `flask letters sync-positions` reads bills' sponsors and cosponsors
    # from the Congress.gov API v3 with this key (free: https://api.congress.gov/sign-up/).
    # Unset, nothing is fetched. The URL is a setting so tests (and mirrors) can point it
    # elsewhere; a file:// URL reads <path>.json files.
    CONGRESS_API_KEY: str | None = None
    CONGRESS_API_URL = "https://api.congress.gov/v3"

    SIGNATURE_CONFIRM_DAYS = 7
    # Retention (`flask privacy purge`, docs/privacy.md; the /privacy page states both): days
    # an unconfirmed signature is kept, and days after a petition closed (or was won) that its
    # signatures are anonymised. The page's contact; unset: the address of MAIL_DEFAULT_SENDER.
    PRIVACY_UNCONFIRMED_DAYS = 30
    PRIVACY_CLOSED_PETITION_DAYS = 365
    # Days a sent email keeps its recipient and text (looking into a delivery question).
    PRIVACY_OUTBOX_DAYS = 90
    PRIVACY_CONTACT_EMAIL: str | None = None
    RECENT_SIGNERS = 10
    # Seconds one worker may reuse a rendered public petition page (see petitions/cache.py).
    PETITION_PAGE_CACHE_SECONDS = 5
    API_CACHE_SECONDS = 30

    # Abuse limits (Flask-Limiter; "N per minute; M per hour" strings). RATELIMIT_ENABLED=false
    # turns the per-address request limits off (load tests, benchmarks). Storage: Redis when
    # REDIS_URL is set (shared by every worker), else this process's memory.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "advocacy-limits"
    RATELIMIT_STRATEGY = "moving-window"
    # Wrong or right, login attempts per client address and per account (email).
    LOGIN_LIMIT_PER_ADDRESS = "30 per 10 minutes; 100 per day"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 10 minutes; 50 per day"
    # Sign-up, "resend the confirmation" and "forgot password" each send an email: per client
    # address, and per email address (whatever the client) so nobody floods one inbox.
    ACCOUNT_MAIL_LIMIT_PER_ADDRESS = "20 per 10 minutes; 100 per day"
    ACCOUNT_MAIL_LIMIT_PER_EMAIL = "3 per 10 minutes; 10 per day"
    # Sending or changing a membership application (POST /o/<slug>/apply), per client address.
    MEMBER_APPLY_LIMIT_PER_ADDRESS = "30 per 10 minutes; 200 per day"
    # How long the link of a sign-up (or change of email) confirmation works, and a password
    # reset link (short: whoever reads the mailbox can take the account with it).
    ACCOUNT_CONFIRM_DAYS = 7
    PASSWORD_RESET_MINUTES = 60
    # Signing per client address: a burst and a sustained limit, so a hospital's shared
    # network is not locked out and a script is.
    SIGN_LIMIT_PER_ADDRESS = "10 per minute; 100 per hour"
    # At most this many confirmation / "already signed" emails per address per petition in a
    # rolling day; later attempts see the same "check your inbox" page and nothing is sent.
    SIGN_NOTICES_PER_DAY = 3
    # Letters per client address: the action page's form and "Send my letters" (each send
    # may queue several emails to offices), a burst and a sustained limit like signing.
    LETTER_LIMIT_PER_ADDRESS = "10 per minute; 60 per hour"
    # A staging server with real SMTP and the real directory would email real legislators:
    # set this to an address of yours and every letter meant for an office goes there
    # instead (its subject names the office). Unset: letters go to the offices.
    LETTER_EMAIL_REDIRECT: str | None = None
    # Street-address lookups (each one calls the Census Geocoder when it is configured).
    GEOCODER_LIMIT_PER_ADDRESS = "20 per minute; 200 per day"
    # Newsletter subscribe requests (the public form, the preference centre's buttons) each
    # email a confirmation: per client address, and per address emailed whatever the client.
    NEWSLETTER_LIMIT_PER_ADDRESS = "20 per 10 minutes; 100 per day"
    NEWSLETTER_LIMIT_PER_EMAIL = "3 per 10 minutes; 10 per day"
    # Volunteer sign-ups (each emails a confirmation link): the same two limits.
    VOLUNTEER_LIMIT_PER_ADDRESS = "20 per 10 minutes; 100 per day"
    VOLUNTEER_LIMIT_PER_EMAIL = "3 per 10 minutes; 10 per day"

    # Optional, off: Communicating with Congress (advocacy/letters/cwc.py, docs/letters.md),
    # for vendors the House and/or Senate approved. On only with CWC_ENABLED and every
    # setting: the chambers that allow-listed this deployment ("us_house", "us_senate"), the
    # endpoint and key each issued (the Senate's default to CWC_API_URL / CWC_API_KEY), and
    # the delivery agent (the vendor: name, acknowledgement address, contact).
    CWC_ENABLED = False
    CWC_CHAMBERS: list[str] = []
    CWC_API_URL: str | None = None
    CWC_API_KEY: str | None = None
    CWC_SENATE_API_URL: str | None = None
    CWC_SENATE_API_KEY: str | None = None
    CWC_DELIVERY_AGENT: str | None = None
    CWC_DELIVERY_AGENT_ACK_EMAIL: str | None = None
    CWC_DELIVERY_AGENT_CONTACT_NAME: str | None = None
    CWC_DELIVERY_AGENT_CONTACT_EMAIL: str | None = None
    CWC_DELIVERY_AGENT_CONTACT_PHONE: str | None = None
    # Library of Congress topics of every message (";"-separated in the environment).
    CWC_TOPICS: list[str] = ["Health"]
    # Office codes by bioguide id, where the computed ones (HNY22, SNY02) are wrong.
    CWC_OFFICE_CODES: dict[str, str] = {}
    CWC_TIMEOUT = 30.0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    MAX_CONTENT_LENGTH = 1024 * 1024


# Public keys from this repository: refused by every configuration but their own.
DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - development only
TESTING_SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
PUBLIC_SECRET_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, TESTING_SECRET_KEY})


class DevelopmentConfig(Config):
    """``make run``: a SQLite file in ``instance/``, mail to the console and the dev outbox.

    The development outbox shows every confirmation link, so it answers only on a loopback
    bind and to loopback clients (``make run HOST=0.0.0.0`` turns it off).
    """

    DEBUG = True
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'advocacy.db'}"
    PREFERRED_URL_SCHEME = "http"
    DEV_OUTBOX = True


class TestingConfig(Config):
    """pytest: a throwaway database, mail delivered synchronously and kept, no page cache."""

    TESTING = True
    SECRET_KEY = TESTING_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SERVER_NAME = "advocacy.test"
    PREFERRED_URL_SCHEME = "http"
    MAIL_BACKEND = "memory"
    MAIL_SYNC = True
    MAIL_BULK_RATE = 0.0
    DEV_OUTBOX = True
    # The limiter runs, with limits no test reaches; tests of a limit set a small one and
    # start from zero (the ``limits_on`` fixture).
    RATELIMIT_STORAGE_URI = "memory://"
    SIGN_LIMIT_PER_ADDRESS = LOGIN_LIMIT_PER_ADDRESS = LOGIN_LIMIT_PER_ACCOUNT = "100000/minute"
    ACCOUNT_MAIL_LIMIT_PER_ADDRESS = ACCOUNT_MAIL_LIMIT_PER_EMAIL = "100000/minute"
    MEMBER_APPLY_LIMIT_PER_ADDRESS = "100000/minute"
    LETTER_LIMIT_PER_ADDRESS = "100000/minute"
    GEOCODER_LIMIT_PER_ADDRESS = "100000/minute"
    NEWSLETTER_LIMIT_PER_ADDRESS = NEWSLETTER_LIMIT_PER_EMAIL = "100000/minute"
    VOLUNTEER_LIMIT_PER_ADDRESS = VOLUNTEER_LIMIT_PER_EMAIL = "100000/minute"
    PETITION_PAGE_CACHE_SECONDS = 0
    WTF_CSRF_ENABLED = False
    # Fast hashing keeps the suite quick; real configs use werkzeug's scrypt default.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name


class ProductionConfig(Config):
    """gunicorn behind a proxy with PostgreSQL; refuses to start without its secrets.

    The default for ``wsgi.py`` and ``create_app()``: a server that imports the app without
    being told otherwise gets this, never the development settings.
    """

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PROXY_HOPS = 1

    @classmethod
    def validate(cls, settings: Any) -> None:
        required = {
            "SECRET_KEY": "SECRET_KEY",
            "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",
            "SERVER_NAME": "SERVER_NAME (the public host name, e.g. petitions.example.org)",
        }
        missing = [name for key, name in required.items() if not settings.get(key)]
        if missing:
            raise RuntimeError(
                f"Production configuration needs {', '.join(missing)} in the environment. "
                "For a local server use ADVOCACY_CONFIG=development (make run does)."
            )
        if settings["SECRET_KEY"] in PUBLIC_SECRET_KEYS or len(settings["SECRET_KEY"]) < 24:
            raise RuntimeError(
                "SECRET_KEY is a published development key or shorter than 24 characters: "
                'generate one with python -c "import secrets; print(secrets.token_hex(32))".'
            )
        dkim = ("MAIL_DKIM_SELECTOR", "MAIL_DKIM_DOMAIN", "MAIL_DKIM_PRIVATE_KEY_PATH")
        given = [k for k in dkim if settings.get(k)]
        if given and len(given) != len(dkim):
            raise RuntimeError(f"DKIM signing needs all of {', '.join(dkim)}.")
        if given and not os.access(settings["MAIL_DKIM_PRIVATE_KEY_PATH"], os.R_OK):
            raise RuntimeError("MAIL_DKIM_PRIVATE_KEY_PATH is not a readable file.")


configs: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

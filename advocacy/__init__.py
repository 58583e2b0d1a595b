"""Advocacy: petitions with signature goals, and letters from members to their legislators."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask

from advocacy import letters
from config import DEVELOPMENT_SECRET_KEY, ProductionConfig, configs, environment_overrides


def create_app(config: str | dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` is a config name, or a dict of overrides on ``testing`` (or
    on the config its ``CONFIG_NAME`` names: a whole app's settings, as packet workers get).

    Without an argument the name comes from ``ADVOCACY_CONFIG``, and defaults to
    ``production``: a server that imports the app is safe unless told otherwise (``make run``
    says ``development`` explicitly).
    """
    app = Flask(__name__, instance_relative_config=True)
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        name, overrides = config.get("CONFIG_NAME") or "testing", config
    else:
        name = config or os.environ.get("ADVOCACY_CONFIG") or "production"
    if name not in configs:
        raise RuntimeError(f"Unknown ADVOCACY_CONFIG {name!r}; use one of {sorted(configs)}")
    app.config.from_object(configs[name])
    if name != "testing":  # tests never pick up a developer's DATABASE_URL or mail server
        app.config.update(environment_overrides())
        app.config.from_prefixed_env("ADVOCACY")
    app.config.update(overrides)
    app.config["CONFIG_NAME"] = name
    if name != "development" and app.config.get("SECRET_KEY") == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError(
            "The development SECRET_KEY is public: it is refused outside development."
        )
    if name == "production":
        ProductionConfig.validate(app.config)
        if not app.config.get("TRUSTED_HOSTS"):
            # Absolute links are built from SERVER_NAME (Flask binds the URL adapter to it);
            # any other Host header, forged or not, is a 400 before a view runs.
            hosts = [app.config["SERVER_NAME"], *app.config.get("ALLOWED_HOSTS", [])]
            app.config["TRUSTED_HOSTS"] = [h.partition(":")[0] for h in hosts]
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only the entries the configured proxies appended are read, so a client cannot
        # choose its own address with a forged X-Forwarded-For.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    register_extensions(app)
    from advocacy.core.ids import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_template_helpers(app)
    letters.register_adapters(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    from advocacy import mail as advocacy_mail
    from advocacy.accounts import confirmed
    from advocacy.core.db import fresh_pools_after_fork
    from advocacy.core.sessions import ReusedSerializerSessionInterface
    from advocacy.extensions import csrf, db, limiter, login_manager, mail, migrate
    from advocacy.letters.views import after_signing_box
    from advocacy.mail.unsubscribe import show_senders_with
    from advocacy.petitions import after_signing
    from advocacy.petitions.senders import unsubscribe_sender
    from advocacy.profile.history import link_history
    from advocacy.resources.views import thanks_box

    app.session_interface = ReusedSerializerSessionInterface()
    db.init_app(app)
    fresh_pools_after_fork(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, os.pardir, "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)
    advocacy_mail.register(app)
    show_senders_with(app, unsubscribe_sender)
    after_signing.register(app, after_signing_box)
    after_signing.register(app, thanks_box)  # the signer's state (advocacy/resources)
    confirmed.register(app, link_history)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from advocacy.core.sqlite import tune_sqlite

        with app.app_context():
            tune_sqlite(db.engine)


def register_blueprints(app: Flask) -> None:
    from advocacy.accounts.views import bp as accounts_bp
    from advocacy.api.views import bp as api_bp
    from advocacy.delivery import models as _delivery_models  # noqa: F401 - its tables
    from advocacy.legislators.views import bp as legislators_bp
    from advocacy.letters.views import bp as letters_bp
    from advocacy.mail.admin import bp as mail_admin_bp
    from advocacy.mail.unsubscribe import bp as mail_unsubscribe_bp
    from advocacy.mail.views import bp as mail_bp
    from advocacy.mail.webhooks import bp as mail_webhooks_bp
    from advocacy.membership.views import bp as membership_bp
    from advocacy.organize import bp as organize_bp
    from advocacy.petitions.views import bp as petitions_bp
    from advocacy.privacy.views import bp as privacy_bp
    from advocacy.profile.views import bp as profile_bp
    from advocacy.resources.views import bp as states_bp
    from advocacy.subscriptions.views import bp as subscriptions_bp
    from advocacy.volunteers.views import bp as volunteers_bp

    app.register_blueprint(petitions_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organize_bp)
    app.register_blueprint(legislators_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(mail_admin_bp)
    app.register_blueprint(mail_unsubscribe_bp)
    app.register_blueprint(mail_webhooks_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(membership_bp)
    app.register_blueprint(states_bp)
    app.register_blueprint(profile_bp)
    app.register_blueprint(subscriptions_bp)
    app.register_blueprint(volunteers_bp)
    if app.config.get("DEV_OUTBOX") and app.config["CONFIG_NAME"] in ("development", "testing"):
        from advocacy.core.network import guard_development_pages

        app.register_blueprint(mail_bp)
        guard_development_pages(app, mail_bp.name)


def register_error_handlers(app: Flask) -> None:
    from advocacy.core import errorpages, inputs, security

    errorpages.register(app)
    security.register(app)
    inputs.register(app)


def register_commands(app: Flask) -> None:
    from advocacy.accounts.cli import users_cli
    from advocacy.delivery.cli import packets_cli
    from advocacy.demo.cli import demo_cli
    from advocacy.legislators.cli import legislators_cli
    from advocacy.letters.cli import letters_cli
    from advocacy.mail.cli import mail_cli
    from advocacy.petitions.cli import petitions_cli
    from advocacy.privacy.cli import privacy_cli

    for group in (
        users_cli,
        petitions_cli,
        mail_cli,
        legislators_cli,
        letters_cli,
        packets_cli,
        privacy_cli,
        demo_cli,
    ):
        app.cli.add_command(group)


def register_template_helpers(app: Flask) -> None:
    from advocacy.core import templating

    templating.register(app)

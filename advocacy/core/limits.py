"""Request limits shared by the pages whose POST sends an email to a typed address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from advocacy.extensions import limiter


def mail_limits(
    scope: str, per_address_setting: str, per_email_setting: str, email_of: Callable[[], str]
) -> tuple[Any, Any]:
    """Two decorators for POSTs that email someone: one counted per client address, one per
    address emailed (``email_of()``, normalised; a POST without one is not counted there), so
    neither one client nor many can flood one inbox. Their limits are the two settings, read at
    each request; ``scope`` names their counters (``<scope>-address``, ``<scope>-email``)."""
    per_address = limiter.shared_limit(
        lambda: current_app.config[per_address_setting],
        scope=f"{scope}-address",
        methods=["POST"],
    )
    per_email = limiter.shared_limit(
        lambda: current_app.config[per_email_setting],
        scope=f"{scope}-email",
        key_func=lambda: f"{scope}:{email_of()}",
        methods=["POST"],
        exempt_when=lambda: not email_of(),
    )
    return per_address, per_email

"""Who is asking: the client address, as the configured proxies report it."""

from __future__ import annotations

import ipaddress

from flask import Flask, abort, request


def client_address() -> str:
    """The client's IP address. Behind ``PROXY_HOPS`` proxies, ProxyFix has already replaced
    ``remote_addr`` with the address the outermost trusted proxy saw; headers a client
    forges beyond those hops are never read."""
    return request.remote_addr or "unknown"


def is_loopback(host: str | None) -> bool:
    host = (host or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def guard_development_pages(app: Flask, blueprint: str) -> None:
    """``blueprint`` answers only when the server is bound to a loopback address and the
    client is on this machine (development); elsewhere it is a 404, as if it did not exist."""

    @app.before_request
    def _loopback_only() -> None:
        if request.blueprint != blueprint or app.testing:
            return
        bound = request.environ.get("SERVER_NAME")
        if not (is_loopback(bound) and is_loopback(request.environ.get("REMOTE_ADDR"))):
            abort(404)

"""Who is asking: the client address, as the configured proxies report it."""

from __future__ import annotations

from flask import request


def client_address() -> str:
    """The client's IP address. Behind ``PROXY_HOPS`` proxies, ProxyFix has already replaced
    ``remote_addr`` with the address the outermost trusted proxy saw; headers a client
    forges beyond those hops are never read."""
    return request.remote_addr or "unknown"

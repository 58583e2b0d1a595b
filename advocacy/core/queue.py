"""RQ queues on Redis, used when ``REDIS_URL`` is set."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue


def get_redis() -> Redis:
    ext = current_app.extensions
    if "advocacy_redis" not in ext:
        ext["advocacy_redis"] = Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
    return ext["advocacy_redis"]


def get_queue(name: str) -> Queue:
    return Queue(name, connection=get_redis())

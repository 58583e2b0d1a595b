"""``flask mail …``: the RQ worker that delivers queued mail."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Mail delivery.")


@mail_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker for the mail queue (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set; without it mail is sent in-process.")
    from rq import Worker

    from advocacy.core.queue import get_queue, get_redis

    Worker([get_queue("mail")], connection=get_redis()).work(burst=burst)

"""``flask mail …``: the RQ worker, flushing the outbox, the sweep, and checking the settings."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from advocacy.mail import check as mail_check
from advocacy.mail import delivery, dispatch, sender, suppression

mail_cli = AppGroup("mail", help="Mail delivery.")


@mail_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker for the mail queue (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set; without it mail is sent in-process.")
    from rq import Worker

    from advocacy.core.queue import get_queue, get_redis

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sweeper = None if burst else dispatch.start_sweeper(app, app.config["MAIL_SWEEP_SECONDS"])
    try:
        Worker([get_queue("mail")], connection=get_redis()).work(burst=burst)
    finally:
        if sweeper is not None:
            sweeper.set()


@mail_cli.command("send-pending")
def send_pending() -> None:
    """Deliver every queued message that is due, now (for setups without a worker).

    Updates to signers whose sender has stopped are then sent here, at ``MAIL_BULK_RATE``."""
    total = delivery.Delivery()
    while True:
        report = delivery.deliver()
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        if report.sent + report.retrying + report.failed < delivery.BATCH:
            break
    click.echo(f"Sent {total.sent}, will retry {total.retrying}, failed {total.failed}.")
    for broadcast_id in sender.orphaned_broadcasts():
        click.echo(f"Update (broadcast {broadcast_id}): sending at MAIL_BULK_RATE…")
        run = sender.send_broadcast(broadcast_id)
        click.echo(
            f"  sent {run.sent}, will retry {run.retrying}, failed {run.failed}"
            + (" (another sender is working on it)" if run.busy else "")
        )


@mail_cli.command("sweep")
@click.option(
    "--older-than",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds a never-tried message must have waited (the normal dispatch goes first).",
)
def sweep(older_than: float) -> None:
    """Deliver mail a lost dispatch left queued; settle attempts a dead worker left open."""
    delivered, interrupted = dispatch.sweep(older_than)
    click.echo(f"Delivered {delivered}; marked {interrupted} interrupted attempt(s) failed.")


@mail_cli.command("suppress")
@click.argument("address")
@click.option("--remove", is_flag=True, help="Take the address off the list instead.")
def suppress(address: str, remove: bool) -> None:
    """Stop (or, with --remove, resume) all mail to ADDRESS."""
    if "@" not in address:
        raise click.BadParameter("an email address, like someone@example.com", param_hint="ADDRESS")
    if remove:
        done = suppression.unsuppress(address)
        click.echo(f"{address} {'removed from' if done else 'was not on'} the suppression list.")
    else:
        done = suppression.suppress(address, "manual")
        click.echo(f"{address} {'added to' if done else 'was already on'} the suppression list.")


@mail_cli.command("check")
@click.option("--send-to", metavar="ADDRESS", help="Also send one test message to ADDRESS.")
def check(send_to: str | None) -> None:
    """Try the SMTP settings step by step (connect, EHLO, STARTTLS, login) and say which
    setting to change; exit status 1 when something fails. Sends nothing without --send-to."""
    if send_to is not None and "@" not in send_to:
        raise click.BadParameter(
            "an email address, like someone@example.com", param_hint="--send-to"
        )
    config = current_app.config
    if config.get("MAIL_SERVER"):
        click.echo(
            f"Checking {config['MAIL_SERVER']}:{config.get('MAIL_PORT')} "
            f"(MAIL_USE_TLS={str(bool(config.get('MAIL_USE_TLS'))).lower()}, "
            f"MAIL_USE_SSL={str(bool(config.get('MAIL_USE_SSL'))).lower()}, "
            f"MAIL_TIMEOUT={config.get('MAIL_TIMEOUT')} s)"
        )
    report = mail_check.run(config, send_to)
    marks = {True: "ok  ", False: "FAIL", None: "note"}
    for step in report.steps:
        click.echo(f"{marks[step.ok]} {step.text}")
        if step.hint:
            click.echo(f"     -> {step.hint}")
    click.echo("The mail settings work." if report.ok else "The mail settings need a change.")
    if not report.ok:
        raise SystemExit(1)

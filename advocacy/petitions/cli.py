"""``flask petitions …``: audit the counters, close expired petitions, purge stale signatures."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.petitions import services

petitions_cli = AppGroup("petitions", help="Petition maintenance.")


@petitions_cli.command("recount")
@click.argument("slug", required=False)
def recount(slug: str | None) -> None:
    """Recompute signature counters from the confirmed rows and report any drift."""
    drifts = services.recount(slug)
    if not drifts:
        click.echo("All counters match their confirmed signatures.")
        return
    for d in drifts:
        click.echo(f"{d.slug}: counter was {d.stored:,}, confirmed rows {d.actual:,} — fixed")
    click.echo(f"{len(drifts)} petition(s) had drifted.")


@petitions_cli.command("close-expired")
def close_expired() -> None:
    """Close open petitions whose deadline has passed (run from cron)."""
    click.echo(f"Closed {services.close_expired()} petition(s).")


@petitions_cli.command("purge-unconfirmed")
def purge_unconfirmed() -> None:
    """Delete signatures never confirmed within SIGNATURE_CONFIRM_DAYS."""
    click.echo(f"Deleted {services.purge_unconfirmed()} unconfirmed signature(s).")


@petitions_cli.command("fill-districts")
def fill_districts() -> None:
    """Record the districts of signatures that have none (made before a directory was loaded)."""
    click.echo(f"Recorded {services.fill_districts():,} signature district(s).")

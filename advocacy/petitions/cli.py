"""``flask petitions …``: audit the counters, close expired petitions, purge stale signatures."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.petitions import services

petitions_cli = AppGroup("petitions", help="Petition maintenance.")


@petitions_cli.command("recount")
@click.argument("slug", required=False)
@click.option("--check", is_flag=True, help="Only report drift; change nothing.")
def recount(slug: str | None, check: bool) -> None:
    """Recompute signature counters and rollups from the signatures and report any drift."""
    drifts = services.recount(slug, fix=not check)
    if not drifts:
        click.echo("All counters match their confirmed signatures.")
        click.echo("All rollups match the signatures.")
        return
    done = "not fixed (--check)" if check else "fixed"
    for d in drifts:
        if d.counter_drifted:
            click.echo(f"{d.slug}: counter was {d.stored:,}, confirmed rows {d.actual:,} — {done}")
        for r in d.rollups:
            click.echo(
                f"{d.slug}: {r.rollup}: {r.rows_differing:,} row(s) differ; stored total "
                f"{r.stored_total:,}, from the signatures {r.actual_total:,} — {done}"
            )
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

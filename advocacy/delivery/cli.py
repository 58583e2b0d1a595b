"""``flask packets …``: delivery packet housekeeping (old archives out of ``PACKETS_DIR``)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.delivery import jobs, retention

packets_cli = AppGroup("packets", help="Delivery packets.")


@packets_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
def prune_command(dry_run: bool) -> None:
    """Delete packet archives older than PACKETS_KEEP_DAYS, those a newer build replaced, and
    files no build finished. Safe to run twice, and from cron."""
    try:
        result = retention.prune(jobs.packets_dir(), dry_run=dry_run)
    except ValueError as exc:  # PACKETS_KEEP_DAYS
        raise click.ClickException(str(exc)) from exc
    verb = "Would delete" if dry_run else "Deleted"
    for item in result.removed:
        job = f" (job {item.job_id})" if item.job_id else ""
        click.echo(f"{verb} {item.reason}: {item.name}{job}, {_megabytes(item.size)}")
    files = len(result.removed)
    kept = "never expire" if not result.keep_days else f"are kept {result.keep_days} day(s)"
    click.echo(
        f"{verb} {files} file(s), {_megabytes(result.freed)}; {result.kept} archive(s) left "
        f"(archives {kept})."
    )


def _megabytes(size: int) -> str:
    return f"{size / 1048576:,.1f} MB"

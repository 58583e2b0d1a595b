"""``flask privacy …``: the retention purge, for cron (docs/privacy.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.privacy import services

privacy_cli = AppGroup("privacy", help="Personal data retention.")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted or anonymised.")
def purge_command(dry_run: bool) -> None:
    """Delete signatures and letter writers unconfirmed for PRIVACY_UNCONFIRMED_DAYS,
    anonymise the signatures and letter writers of petitions (and action pages) closed for
    PRIVACY_CLOSED_PETITION_DAYS, and empty emails sent more than PRIVACY_OUTBOX_DAYS ago.
    Safe to run twice, and from cron."""
    try:
        report = services.purge(dry_run=dry_run)
    except ValueError as exc:  # the retention settings
        raise click.ClickException(str(exc)) from exc
    verb = "Would delete" if dry_run else "Deleted"
    again = "Would anonymise" if dry_run else "Anonymised"
    click.echo(f"{verb} {report.deleted:,} unconfirmed signature(s).")
    click.echo(f"{again} {report.anonymised:,} signature(s) of long-closed petitions.")
    click.echo(
        f"{again} {report.writers:,} letter writer(s) and the text of {report.letters:,} letter(s)."
    )
    click.echo(f"{verb} {report.writers_deleted:,} unconfirmed letter writer(s).")
    click.echo(f"{again} {report.messages:,} sent email(s) older than PRIVACY_OUTBOX_DAYS.")

"""``flask letters …``: letter campaigns from the command line (positions from Congress.gov)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from advocacy.extensions import db
from advocacy.letters import positions
from advocacy.letters.campaigns import BILL_ID_RE, bill_ids
from advocacy.letters.models import LetterCampaign

letters_cli = AppGroup("letters", help="Letter campaigns.")

NO_KEY = (
    "CONGRESS_API_KEY is not set, so nothing was fetched. Get a free key at "
    "https://api.congress.gov/sign-up/ and set it in the environment (or .env): "
    "CONGRESS_API_KEY=<your key>."
)


@letters_cli.command("sync-positions")
@click.option("--campaign", "slug", required=True, help="The campaign's web address (slug).")
@click.option(
    "--bill",
    "bills",
    multiple=True,
    help="A Congress.gov bill id such as hr3890-119 (repeatable; default: the campaign's).",
)
def sync_positions_command(slug: str, bills: tuple[str, ...]) -> None:
    """Mark the bills' sponsors and cosponsors as supporting, from the Congress.gov API.

    Withdrawn cosponsors are not counted; nobody is ever marked as opposing.
    """
    api_key = current_app.config.get("CONGRESS_API_KEY")
    if not api_key:
        raise click.ClickException(NO_KEY)
    campaign = db.session.scalar(select(LetterCampaign).where(LetterCampaign.slug == slug))
    if campaign is None:
        raise click.ClickException(f"No letter campaign has the web address “{slug}”.")
    own = [b for b in campaign.bills if BILL_ID_RE.match(b)]
    wanted = [b.strip().lower() for b in bills] or own
    wrong = [b for b in wanted if not BILL_ID_RE.match(b)]
    if wrong:
        raise click.ClickException(
            f"Not a Congress.gov bill id: {', '.join(wrong)}. Write them as hr3890-119."
        )
    if not wanted:
        raise click.ClickException("Name a bill with --bill hr3890-119: the campaign has none.")
    try:
        result = positions.sync_positions(
            campaign,
            bill_ids(wanted),
            base_url=current_app.config["CONGRESS_API_URL"],
            api_key=api_key,
        )
    except positions.SyncError as exc:
        raise click.ClickException(f"Nothing was changed. {exc}") from exc
    for bill in result.bills:
        click.echo(
            f"{bill.bill}: {len(bill.sponsors)} sponsor(s), {len(bill.cosponsors)} cosponsor(s), "
            f"{len(bill.withdrawn)} withdrawn"
        )
    written = result.written
    click.echo(
        f"Supports: {result.supporters} legislator(s) in the directory "
        f"({written.created} new, {written.updated} changed, {written.unchanged} unchanged)."
    )
    if result.not_in_directory:
        click.echo(f"Not in the directory (skipped): {', '.join(sorted(result.not_in_directory))}")
    if result.reset:
        click.echo(f"Withdrew since the last sync, back to unknown: {result.reset}")

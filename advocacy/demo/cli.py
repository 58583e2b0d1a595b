"""``flask demo load``: the demo organisations, organizer and petitions."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from advocacy.core.datafiles import shared_data_dir
from advocacy.demo import services

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with zip_congressional_districts.csv (default: ../shared/data).",
)
@click.option(
    "--scale",
    type=click.FloatRange(0.001, 10),
    default=1.0,
    show_default=True,
    help="Multiply the demo signature counts (smaller for quick checks).",
)
def load(data_dir: Path | None, scale: float) -> None:
    """Load the demo data; petitions already present are left alone."""
    data_dir = data_dir or shared_data_dir()
    if not (data_dir / "zip_congressional_districts.csv").exists():
        raise click.ClickException(
            f"No zip_congressional_districts.csv in {data_dir}; pass --data-dir or set "
            "ADVOCACY_DATA_DIR."
        )
    result = services.load_demo(data_dir, scale=scale)
    if result.created:
        click.echo(f"Loaded demo petitions: {', '.join(result.created)}")
    if result.campaigns:
        click.echo(f"Loaded demo letter campaigns: {', '.join(result.campaigns)}")
    if not result.created and not result.campaigns:
        click.echo("Demo data already loaded.")
    click.echo(f"Organizer login: {services.DEMO_EMAIL} / {services.DEMO_PASSWORD} (at /login)")

"""``flask legislators …``: import a directory folder, sync from upstream, show the status."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlparse

import click
from flask import current_app
from flask.cli import AppGroup

from advocacy.core.datafiles import shared_data_dir
from advocacy.legislators import importer

legislators_cli = AppGroup("legislators", help="The legislator directory.")


def _report(report: importer.ImportReport) -> None:
    for line in report.lines():
        click.echo(line)


@legislators_cli.command("import")
@click.option(
    "--from",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with the directory's CSV files (default: ADVOCACY_DATA_DIR or ../shared/data).",
)
@click.option(
    "--if-present",
    is_flag=True,
    help="Do nothing (and succeed) when the folder does not exist; for `make run`.",
)
def import_command(folder: Path | None, if_present: bool) -> None:
    """Load a folder of legislator tables as the directory, replacing the old one atomically."""
    folder = folder or shared_data_dir()
    if if_present and not folder.is_dir():
        click.echo(
            f"No legislator data at {folder}: the directory is NOT loaded, so 'Find your "
            "legislators' will say so. Load it with: flask legislators import --from DIR"
        )
        return
    try:
        report = importer.import_directory(folder)
    except importer.DirectoryImportError as exc:
        raise click.ClickException(f"Import failed, the directory is unchanged. {exc}") from exc
    _report(report)


@legislators_cli.command("sync")
@click.option(
    "--state",
    "states",
    multiple=True,
    help="Only these states' legislatures (repeatable; default: all).",
)
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the downloaded and converted files in this folder.",
)
def sync_command(states: tuple[str, ...], keep: Path | None) -> None:
    """Fetch the official publications, convert them and import them."""
    from advocacy.legislators import upstream

    sources = {**upstream.DEFAULT_SOURCES, **current_app.config.get("LEGISLATOR_SOURCES", {})}
    with tempfile.TemporaryDirectory(prefix="advocacy-sync-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            upstream.build_directory(
                folder,
                sources=sources,
                states=[s.lower() for s in states] or None,
                district_names=importer.census_district_names(),
            )
            hosts = sorted(
                {urlparse(url).netloc or urlparse(url).scheme for url in sources.values()}
            )
            report = importer.import_directory(folder, source="sync from " + ", ".join(hosts))
        except (upstream.SyncError, importer.DirectoryImportError) as exc:
            raise click.ClickException(f"Sync failed, the directory is unchanged. {exc}") from exc
    _report(report)


@legislators_cli.command("status")
def status_command() -> None:
    """Say which directory snapshot is loaded, from where, and what it holds."""
    snapshot = importer.active_snapshot()
    if snapshot is None:
        click.echo("No legislator directory is loaded. Run: flask legislators import --from DIR")
        return
    click.echo(f"Directory snapshot {snapshot.id}, as of {snapshot.as_of}")
    click.echo(f"  from {snapshot.source}, imported {snapshot.imported_at:%Y-%m-%d %H:%M} UTC")
    for name, count in (snapshot.details.get("counts") or {}).items():
        click.echo(f"  {count:>8,} {name}")

"""``flask users …``: create admins and organizers."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from advocacy.accounts import services
from advocacy.core.errors import DomainError
from advocacy.extensions import db

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator, who may manage every organisation."""
    try:
        user = services.create_user(email, name, password, is_admin=True)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created admin {user.email}.")


@users_cli.command("create-organizer")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organization", prompt=True, help="Organisation name; created if new.")
@click.password_option()
def create_organizer(email: str, name: str, organization: str, password: str) -> None:
    """Create an organizer of an organisation."""
    try:
        org = services.get_or_create_organization(organization)
        user = services.create_user(email, name, password, organization=org)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created organizer {user.email} for {org.name}.")

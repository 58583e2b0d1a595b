"""``flask users …``: create admins and organizers, set a password."""

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


@users_cli.command("set-password")
@click.argument("email")
@click.password_option(help="The new password; asked for (hidden, twice) when not given.")
def set_password(email: str, password: str) -> None:
    """Set a user's password and log them out everywhere (no web page for it yet)."""
    user = services.find_user(email)
    if user is None:
        raise click.ClickException("No user has that email.")
    try:
        services.set_password(user, password)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    click.echo(f"Set a new password for {user.email}; every session of theirs has ended.")

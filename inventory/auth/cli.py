"""`flask --app wsgi users create|token|revoke|disable|enable`: users and their API tokens.

Each change goes through auth.users, as the API's and the dashboard's do, so it is recorded
in the audit log; its actor is `cli:<the OS user>`.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..audit.log import Actor
from ..core.db import db
from ..core.errors import DomainError
from . import users
from .models import ROLES, User

users_cli = AppGroup("users", help="Manage users and their API tokens.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--office", "office_code", help="Office code; required unless --role admin.")
@click.option("--password", help="Password for the dashboard (stored hashed).")
def create_user(name: str, role: str, office_code: str | None, password: str | None) -> None:
    """Create a user; the new API token is printed as the last line."""
    actor = Actor.command_line()
    try:
        user = users.create(actor, name=name, role=role, office=office_code, password=password)
        _, token = users.issue(actor, user)
    except DomainError as error:
        if error.error == "weak_password":
            raise click.ClickException(
                "The password must have 12 to 200 characters, not be a common password, "
                f"nor contain the user name ({', '.join(error.details['problems'])})."
            ) from None
        if error.error == "office_required":
            raise click.ClickException("Only admins may be created without --office.") from None
        raise click.ClickException(error.message) from None
    db.session.commit()
    office = user.office
    click.echo(f"Created {role} {name!r}" + (f" for office {office.code}" if office else "") + ".")
    click.echo("API token (shown once, keep it secret):")
    click.echo(token)


@users_cli.command("token")
@click.argument("name")
@click.option("--revoke-others", is_flag=True, help="Revoke the user's existing tokens first.")
def new_token(name: str, revoke_others: bool) -> None:
    """Issue a new token for a user; printed as the last line."""
    actor, user = Actor.command_line(), _user(name)
    try:
        if revoke_others:
            users.revoke_all(actor, user)
        _, token = users.issue(actor, user)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(token)


@users_cli.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke every token of a user."""
    count = users.revoke_all(Actor.command_line(), _user(name))
    db.session.commit()
    click.echo(f"Revoked {count} token(s) of {name!r}.")


@users_cli.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable a user: its dashboard sessions end at once and its API tokens stop working."""
    _set_active(name, False)
    click.echo(f"Disabled {name!r}: its sessions have ended, its tokens no longer work.")


@users_cli.command("enable")
@click.argument("name")
def enable(name: str) -> None:
    """Enable a disabled user again (its tokens work again; it logs in anew)."""
    _set_active(name, True)
    click.echo(f"Enabled {name!r}.")


def _set_active(name: str, active: bool) -> None:
    try:
        users.change(Actor.command_line(), _user(name), {"active": active})
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()


def _user(name: str) -> User:
    try:
        return users.by_name(name)
    except DomainError as error:
        raise click.ClickException(error.message) from None

"""`flask --app wsgi users create|token|revoke`: users and their API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..core.db import db
from ..core.errors import DomainError
from ..offices import tree
from . import accounts
from .models import ROLES, User
from .tokens import issue_token, revoke_tokens

users_cli = AppGroup("users", help="Manage users and their API tokens.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--office", "office_code", help="Office code; required unless --role admin.")
@click.option("--password", help="Password for the dashboard (stored hashed).")
def create_user(name: str, role: str, office_code: str | None, password: str | None) -> None:
    """Create a user; the new API token is printed as the last line."""
    try:
        office = tree.get_by_code(office_code) if office_code else None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if role != "admin" and office is None:
        raise click.ClickException("Only admins may be created without --office.")
    if db.session.execute(select(User.id).where(User.name == name)).first():
        raise click.ClickException(f"User {name!r} already exists.")
    user = User(name=name, role=role, office=office, active=True)
    if password:
        try:
            user.password_hash = accounts.hash_password(password, name)
        except DomainError as error:
            raise click.ClickException(
                "The password must have 12 to 200 characters, not be a common password, "
                f"nor contain the user name ({', '.join(error.details['problems'])})."
            ) from None
    db.session.add(user)
    db.session.flush()
    token = issue_token(user)
    db.session.commit()
    click.echo(f"Created {role} {name!r}" + (f" for office {office.code}" if office else "") + ".")
    click.echo("API token (shown once, keep it secret):")
    click.echo(token)


@users_cli.command("token")
@click.argument("name")
@click.option("--revoke-others", is_flag=True, help="Revoke the user's existing tokens first.")
def new_token(name: str, revoke_others: bool) -> None:
    """Issue a new token for a user; printed as the last line."""
    user = _user(name)
    if revoke_others:
        revoke_tokens(user)
    token = issue_token(user)
    db.session.commit()
    click.echo(token)


@users_cli.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke every token of a user."""
    count = revoke_tokens(_user(name))
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
        accounts.set_active(name, active)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()


def _user(name: str) -> User:
    user = db.session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"No user {name!r}.")
    return user

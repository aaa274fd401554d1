"""`flask --app wsgi stock verify`: do the books balance?"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .verify import problems

stock_cli = AppGroup("stock", help="Check the books.")


@stock_cli.command("verify")
def verify() -> None:
    """Exit non-zero, naming the office, if any balance disagrees with its ledger."""
    found = problems()
    for line in found:
        click.echo(line, err=True)
    if found:
        sys.exit(1)
    click.echo("ok: every balance equals its ledger, custody too, and no transfer is half-applied.")

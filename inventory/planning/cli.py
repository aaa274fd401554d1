"""`flask --app wsgi population import FILE.csv` (all rows or none, every bad row reported by
line) and `flask --app wsgi alerts evaluate` (daily, from cron)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..core.db import db
from . import alerts, custody_alerts, population

population_cli = AppGroup("population", help="Population figures per office (wajib KTP, recorded, backlog).")


@population_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import FILE (columns code,target,recorded,print_backlog,as_of; header on line 1).

    Nothing is written unless every row is good; each bad row is printed as "line N: reason".
    Offices without a row of their own keep taking the sum of the offices below them.
    """
    try:
        report = population.import_csv(file)
    except UnicodeDecodeError as error:
        db.session.rollback()
        raise click.ClickException(f"{file} is not UTF-8 text: {error.reason}.") from None
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(f"Nothing imported: {len(report.errors)} error(s) in {file}.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"Imported {report.rows} office(s) from {file}: {report.created} new, {report.updated} updated."
    )


alerts_cli = AppGroup("alerts", help="Alert maintenance.")


@alerts_cli.command("evaluate")
def evaluate_alerts() -> None:
    """Re-evaluate every office's alerts: run daily from cron, as time moves usage windows and dates.

    Works in short transactions (planning/alerts.py replan_everything), so prints go on meanwhile.
    """
    count = alerts.replan_everything()
    custody_alerts.evaluate_everything()  # cards wait longer every day, with no movement at all
    click.echo(f"Evaluated alerts for {count} office(s).")

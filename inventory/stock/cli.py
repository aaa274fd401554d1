"""`flask --app wsgi stock verify`: do the books balance? `stock settle [--loop]`: bring
ancestors' figures up to date (normally done just after each answer; this is the backstop)."""

from __future__ import annotations

import sys
import threading

import click
from flask.cli import AppGroup

from . import settlement
from .verify import problems

stock_cli = AppGroup("stock", help="Check the books; settle ancestors' figures.")


@stock_cli.command("verify")
def verify() -> None:
    """Exit non-zero, naming the office, if any balance disagrees with its ledger."""
    found = problems()
    for line in found:
        click.echo(line, err=True)
    if found:
        sys.exit(1)
    click.echo("ok: every balance equals its ledger, custody too, and no transfer is half-applied.")


@stock_cli.command("settle")
@click.option("--loop", is_flag=True, help="Keep settling until interrupted (Ctrl-C or SIGTERM).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between looks with --loop.")  # fmt: skip
def settle(loop: bool, interval: float) -> None:
    """Add the shares movements queued for their ancestors (stock/settlement.py) to them.

    Each answer settles its own shares right after it is sent; this takes what a process
    that died in between left queued. With --loop it runs beside the notification worker,
    and no ancestor's figures stay behind longer than its interval.
    """
    stop = threading.Event()
    while True:
        settled = settlement.settle_pending(until_empty=True)  # a backlog of any size
        if not loop:
            click.echo(f"Settled {settled} queued share(s); {settlement.queued_count()} left.")
            return
        if settled:
            click.echo(f"Settled {settled} queued share(s).")
        try:
            if stop.wait(interval):
                return
        except KeyboardInterrupt:
            return

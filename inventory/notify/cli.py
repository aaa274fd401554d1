"""`flask --app wsgi notifications deliver [--loop] [--interval S]`."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from . import delivery

notifications_cli = AppGroup("notifications", help="Deliver alert notifications from the outbox.")


@notifications_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep polling until interrupted (Ctrl-C or SIGTERM).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between polls with --loop [default: NOTIFY_POLL_SECONDS].",
)
def deliver(loop: bool, interval: float | None) -> None:
    """Send the notifications that are due: one pass, or forever with --loop."""
    if not loop:
        click.echo(f"Notifications: {delivery.deliver_due()}.")
        return
    stop = threading.Event()
    _stop_on_signals(stop)
    interval = interval or current_app.config["NOTIFY_POLL_SECONDS"]
    click.echo(f"Delivering notifications every {interval:g} s; Ctrl-C to stop.")
    delivery.deliver_forever(interval, stop, lambda result: click.echo(f"Notifications: {result}."))
    click.echo("Stopped.")


def _stop_on_signals(stop: threading.Event) -> None:
    """The first Ctrl-C or SIGTERM finishes the notification in hand, then stops; a
    second one stops at once (the claimed notification is retried when its lease ends)."""
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread (e.g. not in tests)

    def handle(signum, frame):
        stop.set()
        for name in (signal.SIGINT, signal.SIGTERM):
            signal.signal(name, signal.SIG_DFL if name == signal.SIGTERM else signal.default_int_handler)

    for name in (signal.SIGINT, signal.SIGTERM):
        signal.signal(name, handle)

"""Command-line tools: `flask --app wsgi users|offices|stock|population|alerts|notifications|seed`.

Each capability keeps its own group beside its code; this only gathers them.
"""

from __future__ import annotations

from flask import Flask

from .auth.cli import users_cli
from .demo import seed_command
from .notify.cli import notifications_cli
from .offices.cli import offices_cli
from .planning.cli import alerts_cli, population_cli
from .stock.cli import stock_cli


def register_cli(app: Flask) -> None:
    for group in (users_cli, offices_cli, stock_cli, alerts_cli, notifications_cli, population_cli):
        app.cli.add_command(group)
    app.cli.add_command(seed_command)

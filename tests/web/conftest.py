"""The dashboard's world: the API's, with a password for each user (tests/web/dashboard.py)."""

from __future__ import annotations

from datetime import date

import pytest

from inventory.core.db import db
from inventory.offices import tree as offices
from inventory.planning import population
from tests.web.dashboard import set_password

DASHBOARD_USERS = ("admin", "manager", "warehouse", "operator", "baamang_operator", "kobar_manager",
                   "kobar_warehouse")  # fmt: skip


@pytest.fixture
def web(api):
    for name in DASHBOARD_USERS:
        set_password(api.app, name)
    return api


@pytest.fixture
def shortfall(web):
    """Baamang (62.02.05) needs blanks and has none: stock-out alerts there and above."""
    with web.app.app_context():
        office = offices.get_by_code("62.02.05")
        population.set_population(
            office, {"target": 1000, "recorded": 900, "print_backlog": 0, "as_of": date(2024, 1, 1)}
        )
        db.session.commit()
    return web

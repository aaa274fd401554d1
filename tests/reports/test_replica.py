"""Reports read from DATABASE_REPLICA_URL when it is set (issue 11, "Beyond one machine").

The replica here is the test's own database opened read-only (PostgreSQL:
default_transaction_read_only; SQLite: mode=ro), so a report that tried to write would
fail, and statements are counted per engine to see who read where.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

from inventory.core.db import REPLICA, db
from tests.conftest import make_app
from tests.helpers import deliver, print_card


def read_only(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    return parsed.update_query_dict({"options": "-c default_transaction_read_only=on"}).render_as_string(
        hide_password=False
    )


@pytest.fixture
def app(database_url, tmp_path) -> Flask:
    app = make_app(database_url, tmp_path, DATABASE_REPLICA_URL=read_only(database_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    app.extensions[REPLICA].dispose()


def statements_per_engine(app, work) -> dict[str, int]:
    with app.app_context():
        engines = {"primary": db.engine, "replica": app.extensions[REPLICA]}
    counts = dict.fromkeys(engines, 0)
    listeners = {}
    for name, engine in engines.items():

        def count(*_args, name=name):
            counts[name] += 1

        listeners[name] = count
        event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])
    return counts


def test_reports_read_the_replica_and_the_books_read_the_primary(api):
    deliver(api, "62.02.05", 50)
    print_card(api, "62.02.05", as_="baamang_operator")
    responses = {}

    def report():
        responses["stock"] = api.get("/reports/stock?under=62.02&level=district", as_="manager")
        responses["consumption"] = api.get("/reports/consumption?under=62.02&bucket=day", as_="manager")

    on_report = statements_per_engine(api.app, report)
    on_books = statements_per_engine(api.app, lambda: api.get("/offices/62.02.05/stock", as_="manager"))

    assert responses["stock"].status_code == 200, responses["stock"].json
    assert responses["consumption"].status_code == 200, responses["consumption"].json
    rows = {row["office"]: row for row in responses["stock"].json["rows"]}
    assert rows["62.02.05"]["on_hand"] == 49  # the replica's figures (here: the same database)
    assert on_report["replica"] >= 4
    assert on_books["replica"] == 0 and on_books["primary"] > 0

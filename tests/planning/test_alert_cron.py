"""`flask alerts evaluate` (daily, from cron) never stalls printing (issue 11).

It surveys offices in read-only transactions and re-evaluates, in short transactions of a
few offices each, only those whose alerts would change.
"""

from __future__ import annotations

import threading

from sqlalchemy import event, select, update

from inventory.core.db import db
from inventory.offices.models import Office
from inventory.planning import alerts
from tests.helpers import books_problems, deliver, print_card
from tests.test_cli import run

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


def statements_of(app, work) -> list[str]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(WRITES) or "FOR UPDATE" in s.upper()]


def unresolved_kinds(api, code: str) -> set[str]:
    items = api.get(f"/alerts?office={code}&status=unresolved", as_="admin").json["items"]
    return {alert["kind"] for alert in items if alert["office"] == code}


def test_the_evaluation_writes_nothing_when_no_alert_changes_and_only_what_changes_otherwise(api):
    deliver(api, "62.02.05", 20)
    deliver(api, "62.02.06", 20)
    print_card(api, "62.02.05", as_="baamang_operator")

    quiet = statements_of(api.app, lambda: run(api.app, "alerts", "evaluate"))
    assert writes(quiet) == []  # a survey only: no lock, and on SQLite no write lock either

    with api.app.app_context():  # behind the app's back: 62.02.06 is now below its minimum
        db.session.execute(update(Office).where(Office.code == "62.02.06").values(min_stock=50))
        db.session.commit()
    assert "low_stock" not in unresolved_kinds(api, "62.02.06")

    changed = statements_of(api.app, lambda: run(api.app, "alerts", "evaluate"))

    assert "low_stock" in unresolved_kinds(api, "62.02.06")
    inserts = [s for s in writes(changed) if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "alerts" in inserts[0]  # the one alert that opened
    if api.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert sum(s.startswith("BEGIN IMMEDIATE") for s in changed) == 1  # one short write transaction
    assert writes(statements_of(api.app, lambda: run(api.app, "alerts", "evaluate"))) == []


def test_prints_go_on_while_the_evaluation_runs_and_nothing_deadlocks(api):
    for code in ("62.02", "62.02.05", "62.02.06", "62.01"):
        deliver(api, code, 100, as_="kobar_warehouse" if code == "62.01" else "warehouse")
    with api.app.app_context():  # every office's alerts out of date, so the cron writes many
        db.session.execute(update(Office).values(min_stock=1000))
        db.session.commit()
    results, errors = [], []

    def printing():
        for n in range(30):
            code = ("62.02.05", "62.02.06", "62.02")[n % 3]
            results.append(api.post(f"/offices/{code}/prints", {"outcome": "printed", "reason": "new_record"},
                                    as_="operator").status_code)  # fmt: skip

    def evaluating():
        try:
            with api.app.app_context():
                alerts.replan_everything(survey=3, batch=1)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=printing), threading.Thread(target=evaluating)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert results == [201] * 30
    assert books_problems(api) == []
    with api.app.app_context():
        office_ids = db.session.execute(select(Office.id)).scalars().all()
        alerts.replan_everything()
        assert alerts.stale(office_ids) == []
    assert "low_stock" in unresolved_kinds(api, "62.02.06")


def test_two_hosts_may_run_the_evaluation_at_once(api):
    """Cron on two hosts by mistake: each office's re-evaluation takes its rows first, so the
    second waits, then finds the alerts already right: no error, no alert twice."""
    for code in ("62.02.05", "62.02.06"):
        deliver(api, code, 10)
    with api.app.app_context():
        db.session.execute(update(Office).values(min_stock=100))
        db.session.commit()
    errors = []

    def evaluating():
        try:
            with api.app.app_context():
                alerts.replan_everything(survey=2, batch=1)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=evaluating) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    items = api.get("/alerts?status=unresolved&kind=low_stock", as_="admin").json["items"]
    offices = [alert["office"] for alert in items]
    assert sorted(offices) == sorted(set(offices))  # never two of one kind for one office
    assert {"62.02.05", "62.02.06"} <= set(offices)

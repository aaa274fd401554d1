"""What one print costs in SQL statements must not grow with the ledger (cf. InvenTree's query counts)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, insert, update

from inventory.auth.models import User
from inventory.core.db import db
from inventory.offices.models import Office
from inventory.stock import rollups
from inventory.stock.models import Balance, Movement

PRINT = {"outcome": "printed", "reason": "new_record"}
# The token lookup; then the print's writes: on SQLite the guarded balance UPDATE ...
# RETURNING, the movement INSERT, the daily-usage upsert and the subtree rollup UPDATE, on
# PostgreSQL all four as one statement (inventory/stock/print_sql.py); then the alert evaluation
# of the office and its ancestors: their settings, rollups, usage window and open alerts.
# The first print at an office also looks the office up (offices.place_by_code remembers
# it). Transaction control (SQLite's explicit BEGIN IMMEDIATE) is not counted. A print naming
# no serial first reads whether its office requires one (stock/serial_prints.py: one statement
# the print's own guard could carry instead, once print_sql.py knows of serials).
PRINT_STATEMENTS = {"sqlite": 7, "postgresql": 4}


@contextmanager
def counting_statements(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def fill_ledger(app, code: str, movements: int, on_hand: int = 1000) -> None:
    """Write `movements` ledger lines straight into the ledger, ending on `on_hand` blanks.

    A delivery of `on_hand`, then pairs of -1 / +1 corrections: offices with short and
    long histories end in the same state, so only the length of the ledger differs.
    """
    quantities = [on_hand] + [-1, 1] * ((movements - 1) // 2)
    with app.app_context():
        office_id, office_path = db.session.query(Office.id, Office.path).filter_by(code=code).one()
        actor_id = db.session.query(User.id).filter_by(name="warehouse").scalar()
        now = datetime.now(UTC)
        balance, rows = 0, []
        for quantity in quantities:
            balance += quantity
            rows.append({"office_id": office_id, "kind": "correction", "quantity": quantity,
                         "balance_after": balance, "actor_id": actor_id, "reason": "load",
                         "occurred_at": now, "recorded_at": now})  # fmt: skip
        db.session.execute(insert(Movement), rows)
        db.session.execute(update(Balance).where(Balance.office_id == office_id).values(on_hand=balance))
        rollups.shift({office_path: (balance, 0)})
        db.session.commit()


def statements_for_one_print(api, code: str) -> list[str]:
    with counting_statements(api.app) as statements:
        response = api.post(f"/offices/{code}/prints", PRINT, as_="operator")
    assert response.status_code == 201, response.json
    return statements


def test_a_print_costs_the_same_statements_with_ten_or_ten_thousand_movements(api, backend):
    fill_ledger(api.app, "62.02.05", 11)
    fill_ledger(api.app, "62.02.06", 10_001)

    first = [statements_for_one_print(api, code) for code in ("62.02.05", "62.02.06")]
    short = statements_for_one_print(api, "62.02.05")
    long = statements_for_one_print(api, "62.02.06")

    assert [len(statements) for statements in first] == [PRINT_STATEMENTS[backend] + 1] * 2
    assert len(short) == len(long) == PRINT_STATEMENTS[backend], short
    assert short == long


def test_reading_stock_costs_the_same_with_ten_or_ten_thousand_movements(api):
    fill_ledger(api.app, "62.02.05", 11)
    fill_ledger(api.app, "62.02.06", 10_001)

    with counting_statements(api.app) as short:
        assert api.get("/offices/62.02.05/stock", as_="manager").status_code == 200
    with counting_statements(api.app) as long:
        assert api.get("/offices/62.02.06/stock", as_="manager").status_code == 200

    assert len(short) == len(long)
    assert not any("movements" in statement for statement in long)  # balances, never the ledger

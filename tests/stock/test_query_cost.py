"""What one print costs in SQL statements must not grow with the ledger (cf. InvenTree's query counts)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import event, insert, update

from inventory.auth.models import User
from inventory.core.db import db
from inventory.offices.models import Office
from inventory.stock import rollups, settlement
from inventory.stock.models import Balance, Movement

PRINT = {"outcome": "printed", "reason": "new_record"}
# The token lookup; then the print's writes: on SQLite the guarded balance UPDATE ...
# RETURNING, the movement INSERT, the daily-usage upsert, the office's rollup UPDATE and the
# INSERT of its queued share, on PostgreSQL all five as one statement
# (inventory/stock/print_sql.py). With on_hand above min_stock nothing else: the office's
# alerts follow with the settler (stock/prints.py _alerts_now). The first print at an
# office also looks the office up (offices.place_by_code remembers it). Transaction control
# (SQLite's explicit BEGIN IMMEDIATE) is not counted. Nothing an ancestor owns is read,
# written or locked before the answer.
PRINT_STATEMENTS = {"sqlite": 6, "postgresql": 2}
# After the answer, the settler (stock/settlement.py): is anything queued, take the queue,
# the offices' paths, the ancestors' usage upsert, their rollups (PostgreSQL: locked first),
# the alert evaluation of them and of the printing office, together. It does not look
# again: its batch was not full, so what is queued now came after it (settlement._settle).
SETTLER_STATEMENTS = {"sqlite": 6, "postgresql": 8}


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
    """The print's statements up to its answer (the response is left open: no settler yet)."""
    headers = {"Authorization": f"Bearer {api.tokens['operator']}"}
    with counting_statements(api.app) as statements, FlaskClient(api.app) as client:
        response = client.post(f"/api/v1/offices/{code}/prints", json=PRINT, headers=headers)
    assert response.status_code == 201, response.json
    return statements


def settler_statements(api) -> list[str]:
    with counting_statements(api.app) as statements, api.app.app_context():
        assert settlement.settle_pending() == 1
    return statements


def test_a_print_costs_the_same_statements_with_ten_or_ten_thousand_movements(api, backend):
    fill_ledger(api.app, "62.02.05", 11)
    fill_ledger(api.app, "62.02.06", 10_001)

    first = [statements_for_one_print(api, code) for code in ("62.02.05", "62.02.06")]
    with api.app.app_context():
        settlement.settle_pending()
    short = statements_for_one_print(api, "62.02.05")
    settling_short = settler_statements(api)
    long = statements_for_one_print(api, "62.02.06")
    settling_long = settler_statements(api)

    assert [len(statements) for statements in first] == [PRINT_STATEMENTS[backend] + 1] * 2
    assert len(short) == len(long) == PRINT_STATEMENTS[backend], short
    assert short == long
    assert len(settling_short) == len(settling_long) == SETTLER_STATEMENTS[backend], settling_short
    assert settling_short == settling_long


def test_reading_stock_costs_the_same_with_ten_or_ten_thousand_movements(api):
    fill_ledger(api.app, "62.02.05", 11)
    fill_ledger(api.app, "62.02.06", 10_001)

    with counting_statements(api.app) as short:
        assert api.get("/offices/62.02.05/stock", as_="manager").status_code == 200
    with counting_statements(api.app) as long:
        assert api.get("/offices/62.02.06/stock", as_="manager").status_code == 200

    assert len(short) == len(long)
    assert not any("movements" in statement for statement in long)  # balances, never the ledger

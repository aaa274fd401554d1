"""What one print costs in SQL statements must not grow with the ledger (cf. InvenTree's query counts)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, insert, update

from inventory.db import db
from inventory.models import Balance, Movement, Office, User

PRINT = {"outcome": "printed", "reason": "new_record"}
# Token lookup, office lookup, guarded balance UPDATE ... RETURNING, movement INSERT.
# (SQLite also gets our explicit BEGIN IMMEDIATE, which is not a query and is not counted.)
PRINT_STATEMENTS = 4


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


def fill_ledger(app, code: str, movements: int) -> None:
    """Write `movements` deliveries of one blank straight into the ledger, balance kept in step."""
    with app.app_context():
        office_id = db.session.query(Office.id).filter_by(code=code).scalar()
        actor_id = db.session.query(User.id).filter_by(name="warehouse").scalar()
        now = datetime.now(UTC)
        rows = [
            {"office_id": office_id, "kind": "delivery", "quantity": 1, "balance_after": n,
             "actor_id": actor_id, "occurred_at": now, "recorded_at": now}
            for n in range(1, movements + 1)
        ]  # fmt: skip
        db.session.execute(insert(Movement), rows)
        db.session.execute(
            update(Balance).where(Balance.office_id == office_id).values(on_hand=Balance.on_hand + movements)
        )
        db.session.commit()


def statements_for_one_print(api, code: str) -> list[str]:
    with counting_statements(api.app) as statements:
        response = api.post(f"/offices/{code}/prints", PRINT, as_="operator")
    assert response.status_code == 201, response.json
    return statements


def test_a_print_costs_the_same_statements_with_ten_or_ten_thousand_movements(api):
    fill_ledger(api.app, "62.02.05", 10)
    fill_ledger(api.app, "62.02.06", 10_000)

    short = statements_for_one_print(api, "62.02.05")
    long = statements_for_one_print(api, "62.02.06")

    assert len(short) == len(long) == PRINT_STATEMENTS, short
    assert short == long


def test_reading_stock_costs_the_same_with_ten_or_ten_thousand_movements(api):
    fill_ledger(api.app, "62.02.05", 10)
    fill_ledger(api.app, "62.02.06", 10_000)

    with counting_statements(api.app) as short:
        assert api.get("/offices/62.02.05/stock", as_="manager").status_code == 200
    with counting_statements(api.app) as long:
        assert api.get("/offices/62.02.06/stock", as_="manager").status_code == 200

    assert len(short) == len(long)
    assert not any("movements" in statement for statement in long)  # balances, never the ledger

"""The floor: the two writes of a print and nothing else, served like the real app.

`gunicorn bench.floor:app` with DATABASE_URL and BENCH_ACTOR_ID set.
No authentication, no validation, no ORM, no rollups or alerts: one guarded UPDATE of
the balance and one INSERT into the ledger in one transaction, with SQLAlchemy Core on
the app's own schema. On SQLite the engine gets the app's own treatment (WAL, busy
timeout, BEGIN IMMEDIATE for writes) from inventory.db.configure_sqlite. Whatever the
real endpoint costs beyond this is the price of the application around the two writes.
The office comes from the path, like the real route, so spreading prints over many offices
spreads the floor's writes the same way; its id is looked up in a dict read at start-up
(the real app's place cache does the same job), not in the database.

BENCH_FLOOR_BURN_TURNS makes it the bench's control (national.py): each print first spins
that many turns of bench/burn.py in the worker, outside the transaction, standing in for what the app does per
print beyond the two writes (auth, validation, serialising, settling) without holding the
balance row any longer. A floor that costs what the app costs shows what spreading can gain
a print of the app's price on this machine.
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import bindparam, create_engine, insert, select, update

from inventory.core.db import configure_sqlite, is_sqlite, utcnow
from inventory.offices.models import Office
from inventory.stock.models import Balance, Movement

from .burn import burn

B = Balance.__table__
M = Movement.__table__

engine = create_engine(os.environ["DATABASE_URL"])
if is_sqlite(engine):
    configure_sqlite(engine, float(os.environ.get("SQLITE_BUSY_TIMEOUT", "30")))
ACTOR_ID = int(os.environ["BENCH_ACTOR_ID"])
BURN_TURNS = int(os.environ.get("BENCH_FLOOR_BURN_TURNS", "0"))
with engine.connect() as _connection:
    OFFICE_IDS = dict(_connection.execute(select(Office.code, Office.id)).tuples().all())

# UPDATE balances SET on_hand = on_hand - 1 WHERE office_id = :id AND on_hand >= 1 RETURNING on_hand
DEBIT = (
    update(B)
    .where(B.c.office_id == bindparam("office"), B.c.on_hand >= 1)
    .values(on_hand=B.c.on_hand - 1)
    .returning(B.c.on_hand)
)

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.post("/api/v1/offices/<code>/prints")
def print_card(code: str) -> tuple[dict, int]:
    """Same URL and body as the real route; the office is the one in the path."""
    office_id = OFFICE_IDS.get(code)
    if office_id is None:
        return {"error": "not_found"}, 404
    body = request.get_json()
    burn(BURN_TURNS)
    with engine.begin() as connection:
        on_hand = connection.execute(DEBIT, {"office": office_id}).scalar_one_or_none()
        if on_hand is None:
            return {"error": "insufficient_stock"}, 409
        now = utcnow()
        connection.execute(
            insert(M).values(
                office_id=office_id,
                kind="print",
                quantity=-1,
                balance_after=on_hand,
                outcome=body["outcome"],
                reason=body["reason"],
                actor_id=ACTOR_ID,
                occurred_at=now,
                recorded_at=now,
            )
        )
    return {"on_hand": on_hand}, 201

"""Subtree figures kept in step with the ledger, so an office's totals cost one row to read.

Stock and usage columns are written only by the stock verbs (books.py, prints.py); the population columns by
inventory/planning/population.py, which takes the same locks first (`lock`). On
PostgreSQL the rollup rows of every office touched are locked in office-id order before
they change, after the balance rows: one global lock order, so no two writers deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..core.db import among, connection, db
from .models import DailyUsage, OfficeRollup

R = OfficeRollup.__table__
U = DailyUsage.__table__


def ancestry(path: str) -> list[int]:
    """Ids from the root down to the office itself: "/1/7/42/" -> [1, 7, 42]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def open_rollup(office_id: int) -> None:
    db.session.execute(R.insert().values(office_id=office_id, on_hand=0, in_transit_in=0))


def shift(changes: dict[str, tuple[int, int]]) -> None:
    """Apply (on_hand, in_transit_in) deltas, given per office path, to each office and its ancestors."""
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for path, (on_hand, in_transit_in) in changes.items():
        for office_id in ancestry(path):
            deltas[office_id][0] += on_hand
            deltas[office_id][1] += in_transit_in
    by_delta: dict[tuple[int, int], list[int]] = defaultdict(list)
    for office_id, (on_hand, in_transit_in) in deltas.items():
        if on_hand or in_transit_in:
            by_delta[(on_hand, in_transit_in)].append(office_id)
    connection_ = connection()
    statements = _statements(connection_.dialect.name)
    _lock(connection_, statements, deltas)
    for (on_hand, in_transit_in), office_ids in sorted(by_delta.items()):
        params = {"ids": office_ids, "on_hand_delta": on_hand, "in_transit_in_delta": in_transit_in}
        connection_.execute(statements.shift, params)


def lock(*paths: str) -> None:
    """Lock the rollup rows of these offices and their ancestors, as a movement there would:
    for writers of anything else an alert is computed from (settings, population figures),
    so alert writes stay serialised per office."""
    connection_ = connection()
    _lock(connection_, _statements(connection_.dialect.name), {i for path in paths for i in ancestry(path)})


def _lock(connection_, statements: _Statements, office_ids) -> None:
    if connection_.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises writers
        connection_.execute(statements.lock, {"ids": sorted(office_ids)})


class _Statements(NamedTuple):
    shift: Update
    lock: Select


@cache
def _statements(dialect: str) -> _Statements:
    """Built once per dialect: they run on every movement (a single print on PostgreSQL has
    its own statement, print_sql.py), and building them cost several times what
    running them does (bench/)."""
    shift = (
        update(R)
        .where(among(R.c.office_id, "ids", dialect))
        .values(
            on_hand=R.c.on_hand + bindparam("on_hand_delta"),
            in_transit_in=R.c.in_transit_in + bindparam("in_transit_in_delta"),
        )
    )
    lock = (
        select(R.c.office_id)
        .where(among(R.c.office_id, "ids", dialect))
        .order_by(R.c.office_id)
        .with_for_update()
    )
    return _Statements(shift, lock)


def add_usage(path: str, day: date, reason: str, printed: int = 0, spoiled: int = 0) -> None:
    """Count consumed blanks on `day` for the office and every ancestor (negative to undo)."""
    rows = [
        {
            "office_id": office_id,
            "day": day,
            "reason": reason,
            "printed": printed,
            "spoiled": spoiled,
        }
        for office_id in sorted(ancestry(path))
    ]
    # One statement, executed for the rows (executemany), so SQLAlchemy compiles it once per
    # process: a multi-row VALUES list has no cache key and was compiled again on every print.
    connection().execute(_usage_upsert(db.engine.dialect.name), rows)


@cache
def _usage_upsert(dialect: str):
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(U)
    return insert.on_conflict_do_update(
        index_elements=[U.c.office_id, U.c.day, U.c.reason],
        set_={
            "printed": U.c.printed + insert.excluded.printed,
            "spoiled": U.c.spoiled + insert.excluded.spoiled,
        },
    )


def rollup_of(office_id: int) -> dict:
    row = db.session.execute(select(R).where(R.c.office_id == office_id)).one()
    return dict(row._mapping)

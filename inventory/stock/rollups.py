"""Subtree figures kept in step with the ledger, so an office's totals cost one row to read.

A movement changes its own office's rollup and daily usage in its transaction and queues
its ancestors' share (pending_rollups), which stock/settlement.py adds to them just after
the answer is sent: rows that every office below shares are never written by a print.

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

from sqlalchemy import Select, Update, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..core.db import among, connection, db
from .models import DailyUsage, OfficeRollup, PendingRollup

R = OfficeRollup.__table__
U = DailyUsage.__table__
P = PendingRollup.__table__


def ancestry(path: str) -> list[int]:
    """Ids from the root down to the office itself: "/1/7/42/" -> [1, 7, 42]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def open_rollup(office_id: int) -> None:
    db.session.execute(R.insert().values(office_id=office_id, on_hand=0, in_transit_in=0))


def shift(changes: dict[str, tuple[int, int]], usage_shares: list[dict] = ()) -> None:
    """Apply (on_hand, in_transit_in) deltas, given per office path, to each office's own rollup
    now, and queue its ancestors' share (settlement.py adds it to them after the answer), with
    the usage shares `add_usage` returned, in one INSERT."""
    own: dict[int, tuple[int, int]] = {}
    stock_shares: dict[int, dict] = {}
    for path, (on_hand, in_transit_in) in changes.items():
        if not (on_hand or in_transit_in):
            continue
        *ancestors, office_id = ancestry(path)
        own[office_id] = (on_hand, in_transit_in)
        if ancestors:
            share = {"office_id": office_id, "on_hand": on_hand, "in_transit_in": in_transit_in}
            stock_shares[office_id] = {**_NOTHING, **share}
    queued = []
    for usage in usage_shares:  # a print's usage rides on its stock share: one row per print
        stock = stock_shares.get(usage["office_id"])
        if stock is not None and stock["day"] is None:
            stock.update(
                day=usage["day"], reason=usage["reason"], printed=usage["printed"], spoiled=usage["spoiled"]
            )
        else:
            queued.append(usage)
    queued += stock_shares.values()
    connection_ = connection()
    if own:
        statements = _statements(connection_.dialect.name)
        _lock(connection_, statements, own)
        for office_id, (on_hand, in_transit_in) in sorted(own.items()):
            params = {"ids": [office_id], "on_hand_delta": on_hand, "in_transit_in_delta": in_transit_in}
            connection_.execute(statements.shift, params)
    if queued:
        connection_.execute(QUEUE, queued)


# An ancestor's share of one movement: `shift` and `add_usage` fill in what changed.
_NOTHING = {"on_hand": 0, "in_transit_in": 0, "day": None, "reason": None, "printed": 0, "spoiled": 0}
QUEUE = insert(P)


def apply_to_ancestors(
    rollup_deltas: dict[int, tuple[int, int]], usage_deltas: dict[tuple[int, date, str], tuple[int, int]]
) -> None:
    """Add settled shares to ancestors: usage rows first, then rollups, each in id order (the
    order a print takes its own rows in), so a settler and a print never deadlock."""
    usage = [
        {"office_id": office_id, "day": day, "reason": reason, "printed": printed, "spoiled": spoiled}
        for (office_id, day, reason), (printed, spoiled) in sorted(usage_deltas.items())
        if printed or spoiled
    ]
    connection_ = connection()
    if usage:
        connection_.execute(_usage_upsert(connection_.dialect.name), usage)
    changed = {office_id: delta for office_id, delta in rollup_deltas.items() if any(delta)}
    if not changed:
        return
    statements = _statements(connection_.dialect.name)
    _lock(connection_, statements, changed)
    by_delta: dict[tuple[int, int], list[int]] = defaultdict(list)
    for office_id, delta in changed.items():
        by_delta[delta].append(office_id)
    for (on_hand, in_transit_in), office_ids in sorted(by_delta.items()):
        params = {"ids": office_ids, "on_hand_delta": on_hand, "in_transit_in_delta": in_transit_in}
        connection_.execute(statements.shift, params)


def lock(*paths: str) -> None:
    """Lock the rollup rows of these offices and their ancestors, as a movement there would:
    for writers of anything else an alert is computed from (settings, population figures),
    so alert writes stay serialised per office."""
    connection_ = connection()
    _lock(connection_, _statements(connection_.dialect.name), {i for path in paths for i in ancestry(path)})


def lock_offices(office_ids: list[int]) -> None:
    """Lock just these offices' rollup rows (not their ancestors'), in id order."""
    connection_ = connection()
    _lock(connection_, _statements(connection_.dialect.name), office_ids)


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


def add_usage(path: str, day: date, reason: str, printed: int = 0, spoiled: int = 0) -> list[dict]:
    """Count consumed blanks on `day` for the office now; returns the ancestors' share, for
    `shift` to queue with the movement's stock share (for the root too: it names the office
    whose projection moved)."""
    office_id = ancestry(path)[-1]
    row = {"office_id": office_id, "day": day, "reason": reason, "printed": printed, "spoiled": spoiled}
    connection_ = connection()
    # One prebuilt statement, compiled once per process (the upsert's text has no cache key).
    connection_.execute(_usage_upsert(connection_.dialect.name), [row])
    # Queued for the root too: a queued print names its office, whose projection-based
    # alerts the settler re-evaluates (prints._alerts_now).
    return [{**_NOTHING, **row}]


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

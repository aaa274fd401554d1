"""The custody block of the usage report: cards awaiting destruction (issue 12 §2), per office.

Switched off until the custody ledger (`custody_movements`, written by inventory/stock)
exists: with CUSTODY_ENABLED False the report has none of these columns and runs no query.
To switch it on: set CUSTODY_ENABLED, and replace the lightweight table below with the
stock package's model (`from ..stock.models import CustodyMovement`, `.__table__`).

How the custody ledger lands in the columns (quantity is signed, as on a stock card):

    custody_opening    sum of every line before the period
    custody_added      added (spoiled prints, returned cards, defective blanks)
    custody_sent       transfer_out, as a positive number
    custody_received   transfer_in, and transfer_return (a cancelled transfer back at its source)
    custody_destroyed  destroyed, as a positive number; a reversal of a destruction is
                       the only reversal custody has, so it lands here with its own sign
    custody_closing    opening + added + received - sent - destroyed
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, Select, String, case, column, func, select, table

from ..core.db import db

CUSTODY_ENABLED = False
CUSTODY_COLUMNS = ("custody_opening", "custody_added", "custody_sent", "custody_received",
                   "custody_destroyed", "custody_closing")  # fmt: skip

CUSTODY = table(
    "custody_movements",
    column("office_id", Integer),
    column("kind", String),
    column("quantity", Integer),
    column("occurred_at", DateTime(timezone=True)),
)
_COLUMN_OF_KIND = {"added": "custody_added", "transfer_out": "custody_sent",
                   "transfer_in": "custody_received", "transfer_return": "custody_received",
                   "destroyed": "custody_destroyed", "reversal": "custody_destroyed"}  # fmt: skip
_OUTFLOW_COLUMNS = frozenset({"custody_sent", "custody_destroyed"})


def custody_columns() -> tuple[str, ...]:
    return CUSTODY_COLUMNS if CUSTODY_ENABLED else ()


def custody_figures(offices: Select, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Custody figures of the offices `offices` (a select of office ids) for [start, end).

    Offices without a custody line get no entry: custody_row gives them zeros.
    """
    if not CUSTODY_ENABLED:
        return {}
    c = CUSTODY.c
    rows = db.session.execute(
        select(
            c.office_id,
            c.kind,
            func.sum(case((c.occurred_at < start, c.quantity), else_=0)),
            func.sum(case(((c.occurred_at >= start) & (c.occurred_at < end), c.quantity), else_=0)),
        )
        .where(c.office_id.in_(offices), c.occurred_at < end)
        .group_by(c.office_id, c.kind)
    ).all()
    sums: dict[int, list[tuple[str, int, int]]] = {}
    for office_id, kind, before, inside in rows:
        sums.setdefault(office_id, []).append((kind, int(before or 0), int(inside or 0)))
    return {office_id: custody_block(lines) for office_id, lines in sums.items()}


def custody_block(lines: list[tuple[str, int, int]]) -> dict[str, int]:
    """(kind, sum before the period, sum inside it) per kind -> the custody columns. Pure."""
    figures = dict.fromkeys(CUSTODY_COLUMNS, 0)
    for kind, before, inside in lines:
        figures["custody_opening"] += before
        name = _COLUMN_OF_KIND[kind]
        figures[name] += -inside if name in _OUTFLOW_COLUMNS else inside
    figures["custody_closing"] = (
        figures["custody_opening"]
        + figures["custody_added"]
        + figures["custody_received"]
        - figures["custody_sent"]
        - figures["custody_destroyed"]
    )
    return figures


def custody_row(found: dict[int, dict[str, int]], office_id: int) -> dict[str, int]:
    if not CUSTODY_ENABLED:
        return {}
    return found.get(office_id) or dict.fromkeys(CUSTODY_COLUMNS, 0)

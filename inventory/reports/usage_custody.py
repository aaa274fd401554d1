"""The custody block of the usage report: cards awaiting destruction (issue 12 §2), per office.

Read from the custody ledger (`custody_movements`, written by inventory/stock/custody.py).
CUSTODY_ENABLED switches the block (its columns and its one query) off, e.g. in a test.

How the custody ledger lands in the columns (quantity is signed, as on a stock card):

    custody_opening    sum of every line before the period
    custody_added      added (spoiled prints, returned cards, defective blanks), less the
                       reversals of those entries (a reversal naming no destruction)
    custody_sent       transfer_out, as a positive number
    custody_received   transfer_in, and transfer_return (a cancelled transfer back at its source)
    custody_destroyed  destroyed, as a positive number; a reversal of a destruction (one
                       naming it) lands here with its own sign
    custody_closing    opening + added + received - sent - destroyed
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, case, func, select

from ..core.db import db
from ..stock.models import CustodyMovement

CUSTODY_ENABLED = True
CUSTODY_COLUMNS = ("custody_opening", "custody_added", "custody_sent", "custody_received",
                   "custody_destroyed", "custody_closing")  # fmt: skip

CUSTODY = CustodyMovement.__table__
_COLUMN_OF_KIND = {"added": "custody_added", "transfer_out": "custody_sent",
                   "transfer_in": "custody_received", "transfer_return": "custody_received",
                   "destroyed": "custody_destroyed", "reversal": "custody_destroyed",
                   "reversal_of_added": "custody_added"}  # fmt: skip
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
    # A reversal of a spoiled print or defective adjustment (it names no destruction) takes
    # back what was added; a reversal of a destruction puts back what was destroyed.
    kind = case(
        ((c.kind == "reversal") & c.destruction_id.is_(None), "reversal_of_added"), else_=c.kind
    ).label("kind")
    rows = db.session.execute(
        select(
            c.office_id,
            kind,
            func.sum(case((c.occurred_at < start, c.quantity), else_=0)),
            func.sum(case(((c.occurred_at >= start) & (c.occurred_at < end), c.quantity), else_=0)),
        )
        .where(c.office_id.in_(offices), c.occurred_at < end)
        .group_by(c.office_id, kind)
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

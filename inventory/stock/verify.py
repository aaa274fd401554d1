"""Books checks: every balance equals its ledger, custody balances equal the custody ledger,
and no transfer is half-applied."""

from __future__ import annotations

from sqlalchemy import case, func, select

from ..core.db import db
from ..offices.models import Office
from .models import Balance, CustodyBalance, CustodyMovement, Movement, Transfer


def problems() -> list[str]:
    """Every inconsistency found, one line each, naming the office or transfer."""
    return (
        _ledger_mismatches()
        + _transit_mismatches()
        + _transfer_movements()
        + _custody_mismatches()
        + _custody_transit_mismatches()
    )


def _ledger_mismatches() -> list[str]:
    ledger = (
        select(Movement.office_id, func.sum(Movement.quantity).label("total"))
        .group_by(Movement.office_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Office.code, Balance.on_hand, func.coalesce(ledger.c.total, 0))
        .join(Balance, Balance.office_id == Office.id)
        .outerjoin(ledger, ledger.c.office_id == Office.id)
        .where(Balance.on_hand != func.coalesce(ledger.c.total, 0))
    ).all()
    return [f"office {code}: on_hand {on_hand} but ledger sums to {total}" for code, on_hand, total in rows]


def _transit_mismatches() -> list[str]:
    found = []
    for column, side in (
        (Balance.in_transit_out, Transfer.from_office_id),
        (Balance.in_transit_in, Transfer.to_office_id),
    ):
        open_qty = (
            select(side.label("office_id"), func.sum(Transfer.quantity).label("total"))
            .where(Transfer.status == "in_transit", Transfer.custody == "stock")
            .group_by(side)
            .subquery()
        )
        rows = db.session.execute(
            select(Office.code, column, func.coalesce(open_qty.c.total, 0))
            .join(Balance, Balance.office_id == Office.id)
            .outerjoin(open_qty, open_qty.c.office_id == Office.id)
            .where(column != func.coalesce(open_qty.c.total, 0))
        ).all()
        found += [
            f"office {code}: {column.key} {held} but open transfers hold {total}"
            for code, held, total in rows
        ]
    return found


def _transfer_movements() -> list[str]:
    """A transfer has one transfer_out, plus one transfer_in or transfer_return once closed,
    on the stock card or, for a custody transfer, on the custody card."""
    expected = case((Transfer.status == "in_transit", 1), else_=2)
    lines = select(Movement.transfer_id).union_all(select(CustodyMovement.transfer_id)).subquery()
    movements = (
        select(lines.c.transfer_id, func.count().label("n"))
        .where(lines.c.transfer_id.is_not(None))
        .group_by(lines.c.transfer_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Transfer.id, Transfer.status, func.coalesce(movements.c.n, 0))
        .outerjoin(movements, movements.c.transfer_id == Transfer.id)
        .where(func.coalesce(movements.c.n, 0) != expected)
    ).all()
    return [f"transfer {tid} ({status}): {n} ledger movements, half-applied" for tid, status, n in rows]


def _custody_mismatches() -> list[str]:
    ledger = (
        select(
            CustodyMovement.office_id,
            CustodyMovement.category,
            func.sum(CustodyMovement.quantity).label("total"),
        )
        .group_by(CustodyMovement.office_id, CustodyMovement.category)
        .subquery()
    )
    total = func.coalesce(ledger.c.total, 0)
    rows = db.session.execute(
        select(Office.code, CustodyBalance.category, CustodyBalance.awaiting, total)
        .join(CustodyBalance, CustodyBalance.office_id == Office.id)
        .outerjoin(
            ledger,
            (ledger.c.office_id == CustodyBalance.office_id) & (ledger.c.category == CustodyBalance.category),
        )
        .where(CustodyBalance.awaiting != total)
        .order_by(Office.code, CustodyBalance.category)
    ).all()
    return [
        f"office {code}: {category} awaiting destruction {awaiting} but custody ledger sums to {summed}"
        for code, category, awaiting, summed in rows
    ]


def _custody_transit_mismatches() -> list[str]:
    open_qty = (
        select(Transfer.to_office_id, Transfer.category, func.sum(Transfer.quantity).label("total"))
        .where(Transfer.status == "in_transit", Transfer.custody == "spoiled")
        .group_by(Transfer.to_office_id, Transfer.category)
        .subquery()
    )
    total = func.coalesce(open_qty.c.total, 0)
    rows = db.session.execute(
        select(Office.code, CustodyBalance.category, CustodyBalance.in_transit_in, total)
        .join(CustodyBalance, CustodyBalance.office_id == Office.id)
        .outerjoin(
            open_qty,
            (open_qty.c.to_office_id == CustodyBalance.office_id)
            & (open_qty.c.category == CustodyBalance.category),
        )
        .where(CustodyBalance.in_transit_in != total)
    ).all()
    return [
        f"office {code}: {category} in_transit_in {held} but open custody transfers hold {summed}"
        for code, category, held, summed in rows
    ]

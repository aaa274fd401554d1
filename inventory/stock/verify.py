"""Books checks: every balance equals its ledger, custody balances equal the custody ledger,
no transfer is half-applied, every subtree rollup equals its offices' balances (counting
shares still queued for it), no serial is held in two places, no office holds more
serialled blanks than blanks, and every serial linked to a destruction was burned by it."""

from __future__ import annotations

from sqlalchemy import case, func, select

from ..core.db import db
from ..offices.models import Office
from .models import (
    Balance,
    CustodyBalance,
    CustodyMovement,
    Destruction,
    Movement,
    OfficeRollup,
    PendingRollup,
    SerialRange,
    Transfer,
)


def problems() -> list[str]:
    """Every inconsistency found, one line each, naming the office or transfer."""
    return (
        _ledger_mismatches()
        + _transit_mismatches()
        + _transfer_movements()
        + _rollup_mismatches()
        + _serials_in_two_places()
        + _tracked_beyond_stock()
        + _ranges_on_closed_transfers()
        + _destroyed_serials_not_burned()
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
    """A transfer has one transfer_out; once closed, lines bringing all of it back to the road's
    end: a transfer_in or a transfer_return (cancelled) of the whole, or, received short
    (receipts.py), a transfer_in of what arrived (none if nothing did) and a transfer_return of
    the rest written off at once as loss_in_transit. On the stock card or, for a custody
    transfer, on the custody card."""
    lines = select(Movement.transfer_id, Movement.kind, Movement.quantity).union_all(
        select(CustodyMovement.transfer_id, CustodyMovement.kind, CustodyMovement.quantity)
    )
    lines = lines.subquery()

    def total(*kinds: str, count: bool = False):
        value = 1 if count else lines.c.quantity
        return func.coalesce(func.sum(case((lines.c.kind.in_(kinds), value), else_=0)), 0)

    per_transfer = (
        select(
            lines.c.transfer_id,
            func.count().label("n"),
            total("transfer_out", count=True).label("outs"),
            total("transfer_out", "transfer_in", "transfer_return").label("net"),
            total("transfer_in", "transfer_return", count=True).label("landings"),
            total("transfer_return").label("returned"),
            total("loss_in_transit").label("lost"),
        )
        .where(lines.c.transfer_id.is_not(None))
        .group_by(lines.c.transfer_id)
        .subquery()
    )
    n = func.coalesce(per_transfer.c.n, 0)
    in_transit = Transfer.status == "in_transit"
    whole = (
        (per_transfer.c.outs == 1)
        & (per_transfer.c.net == 0)
        & (per_transfer.c.landings >= 1)
        & (per_transfer.c.landings <= 2)
    )
    received_short = (Transfer.status == "received") & (per_transfer.c.lost == -per_transfer.c.returned)
    cancelled = (Transfer.status == "cancelled") & (per_transfer.c.lost == 0) & (per_transfer.c.landings == 1)
    # Planned, or called off before it left: it never moved, so no line names it.
    never_left = Transfer.dispatched_by_id.is_(None)
    sound = case((never_left, n == 0), (in_transit, n == 1), else_=whole & (received_short | cancelled))
    rows = db.session.execute(
        select(Transfer.id, Transfer.status, n)
        .outerjoin(per_transfer, per_transfer.c.transfer_id == Transfer.id)
        .where(~sound)
    ).all()
    return [f"transfer {tid} ({status}): {n} ledger movements, half-applied" for tid, status, n in rows]


def _rollup_mismatches() -> list[str]:
    """rollup(X) = sum of the balances of X's subtree - shares queued by offices below X and not
    yet settled (stock/settlement.py). Read in one snapshot (PostgreSQL: REPEATABLE READ is not
    needed: a movement commits its balance and its queued share together)."""
    office = select(Office.id, Office.code, Office.path).subquery("office")
    below = select(Office.id, Office.path).subquery("below")
    balances = (
        select(
            office.c.id,
            func.sum(Balance.on_hand).label("on_hand"),
            func.sum(Balance.in_transit_in).label("in_transit_in"),
        )
        .join(below, below.c.path.startswith(office.c.path))
        .join(Balance, Balance.office_id == below.c.id)
        .group_by(office.c.id)
        .subquery()
    )
    queued = (
        select(
            office.c.id,
            func.sum(PendingRollup.on_hand).label("on_hand"),
            func.sum(PendingRollup.in_transit_in).label("in_transit_in"),
        )
        .join(below, below.c.path.startswith(office.c.path))
        .join(PendingRollup, PendingRollup.office_id == below.c.id)
        .where(below.c.id != office.c.id)
        .group_by(office.c.id)
        .subquery()
    )
    expected_on_hand = balances.c.on_hand - func.coalesce(queued.c.on_hand, 0)
    expected_in_transit = balances.c.in_transit_in - func.coalesce(queued.c.in_transit_in, 0)
    rows = db.session.execute(
        select(
            Office.code,
            OfficeRollup.on_hand,
            expected_on_hand,
            OfficeRollup.in_transit_in,
            expected_in_transit,
        )
        .join(OfficeRollup, OfficeRollup.office_id == Office.id)
        .join(balances, balances.c.id == Office.id)
        .outerjoin(queued, queued.c.id == Office.id)
        .where(
            (OfficeRollup.on_hand != expected_on_hand) | (OfficeRollup.in_transit_in != expected_in_transit)
        )
    ).all()
    return [
        f"office {code}: subtree rollup on_hand {on_hand} in_transit_in {in_transit} but its offices "
        f"hold {want_on_hand} and {want_in_transit} (queued shares counted)"
        for code, on_hand, want_on_hand, in_transit, want_in_transit in rows
    ]


def _serials_in_two_places() -> list[str]:
    """Ranges of one prefix and width overlapping: some serial would have two holders."""
    ordered = select(
        SerialRange.id,
        SerialRange.prefix,
        SerialRange.width,
        SerialRange.first,
        func.lag(SerialRange.last)
        .over(partition_by=(SerialRange.prefix, SerialRange.width), order_by=SerialRange.first)
        .label("previous_last"),
    ).subquery()
    rows = db.session.execute(
        select(ordered.c.id, ordered.c.prefix, ordered.c.width, ordered.c.first).where(
            ordered.c.previous_last >= ordered.c.first
        )
    ).all()
    return [
        f"serial range {rid}: {prefix}{first:0{width}d} is also in the range before it"
        for rid, prefix, width, first in rows
    ]


def _tracked_beyond_stock() -> list[str]:
    """An office cannot hold more serialled blanks than blanks: a count or print without a
    serial took blanks whose serials are still on its books."""
    held = (
        select(SerialRange.office_id, func.sum(SerialRange.last - SerialRange.first + 1).label("n"))
        .where(SerialRange.office_id.is_not(None))
        .group_by(SerialRange.office_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Office.code, Balance.on_hand, held.c.n)
        .join(Balance, Balance.office_id == Office.id)
        .join(held, held.c.office_id == Office.id)
        .where(held.c.n > Balance.on_hand)
    ).all()
    return [f"office {code}: {n} serialled blanks held but on_hand {on_hand}" for code, on_hand, n in rows]


def _ranges_on_closed_transfers() -> list[str]:
    rows = db.session.execute(
        select(SerialRange.id, Transfer.id, Transfer.status)
        .join(Transfer, Transfer.id == SerialRange.transfer_id)
        .where(Transfer.status != "in_transit")
    ).all()
    return [f"serial range {rid}: still on transfer {tid}, which is {status}" for rid, tid, status in rows]


def _destroyed_serials_not_burned() -> list[str]:
    """A serial linked to a destruction record must be a spoiled blank and the record a signed
    one that nothing reversed: else the lookup would name a burning that did not happen."""
    reversal = Destruction.__table__.alias("reversal")
    rows = db.session.execute(
        select(SerialRange.id, Destruction.id)
        .join(Destruction, Destruction.id == SerialRange.destroyed_by_id)
        .outerjoin(Movement, Movement.id == SerialRange.ended_by_id)
        .outerjoin(reversal, reversal.c.reversal_of == Destruction.id)
        .where(
            (Destruction.status == "draft")
            | Destruction.reversal_of.is_not(None)
            | reversal.c.id.is_not(None)
            | (func.coalesce(Movement.outcome, "") != "spoiled")
        )
    ).all()
    return [f"serial range {rid}: linked to destruction {did}, which did not burn it" for rid, did in rows]


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

"""The books' primitives: every stock verb (service.py, prints.py, transfers.py) changes
balances and writes the ledger through these.

Balances change only through guarded UPDATEs evaluated by the database (`on_hand = on_hand
- :n WHERE on_hand >= :n`), never read-modify-write in Python, so concurrent writers cannot
lose updates or drive a balance below zero. Locks are taken in one global order (balance
rows by office id, then rollup rows by office id), so transfers in opposite directions
cannot deadlock. `settle` brings the offices' own rollups in step, queues their ancestors'
share (settlement.py) and announces StockMoved (alerts and their notifications follow:
inventory/handlers.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import bindparam, insert, select, update

from ..core import bus
from ..core.db import connection, db, utcnow
from ..core.errors import Conflict, InsufficientStock
from ..core.principal import Principal
from ..offices.events import OfficeOpened
from ..offices.models import Office
from ..offices.tree import OfficeRef
from . import custody, rollups, settlement
from .events import StockMoved
from .ledger import B, M, movement_out

_O = Office.__table__


# --- balance primitives -------------------------------------------------------


def open_books(event: OfficeOpened) -> None:
    """Every office starts with an empty balance row, custody rows and rollup, created with the office."""
    db.session.execute(insert(B).values(office_id=event.office_id, on_hand=0, updated_at=utcnow()))
    custody.open_custody(event)
    rollups.open_rollup(event.office_id)


def credit(office_id: int, quantity: int, **extra: Any) -> int:
    values = {"on_hand": B.c.on_hand + quantity, "updated_at": utcnow(), **extra}
    stmt = update(B).where(B.c.office_id == office_id).values(values).returning(B.c.on_hand)
    return connection().execute(stmt).scalar_one()


# The debit of every print, built once: building an UPDATE cost more than running it (bench/).
# Same SQL as the general form in debit, which other verbs need for their extra columns.
PLAIN_DEBIT = (
    update(B)
    .where(B.c.office_id == bindparam("office"), B.c.on_hand >= bindparam("quantity"))
    .values(
        on_hand=B.c.on_hand - bindparam("quantity"), updated_at=bindparam("now", type_=B.c.updated_at.type)
    )
    .returning(B.c.on_hand)
)


def debit(office_id: int, quantity: int, **extra: Any) -> int:
    """Take `quantity` off on_hand, or raise InsufficientStock; the database guards the floor."""
    if extra:
        values = {"on_hand": B.c.on_hand - quantity, "updated_at": utcnow(), **extra}
        stmt = (
            update(B)
            .where(B.c.office_id == office_id, B.c.on_hand >= quantity)
            .values(values)
            .returning(B.c.on_hand)
        )
        on_hand = connection().execute(stmt).scalar_one_or_none()
    else:
        params = {"office": office_id, "quantity": quantity, "now": utcnow()}
        on_hand = connection().execute(PLAIN_DEBIT, params).scalar_one_or_none()
    if on_hand is None:
        refuse(office_id, quantity)
    return on_hand


def refuse(office_id: int, quantity: int) -> NoReturn:
    held = db.session.execute(select(B.c.on_hand).where(B.c.office_id == office_id)).scalar() or 0
    raise InsufficientStock(
        f"Not enough blanks: {quantity} needed, {held} on hand.", needed=quantity, on_hand=held
    )


def change(office_id: int, quantity: int) -> int:
    return debit(office_id, -quantity) if quantity < 0 else credit(office_id, quantity)


def lock_balances(*office_ids: int) -> dict[int, int]:
    """Row-lock balances in id order (no-op on SQLite, where BEGIN IMMEDIATE serialises writers)."""
    rows = db.session.execute(
        select(B.c.office_id, B.c.on_hand)
        .where(B.c.office_id.in_(sorted(set(office_ids))))
        .order_by(B.c.office_id)
        .with_for_update()
    ).all()
    return {office_id: on_hand for office_id, on_hand in rows}


INSERT_MOVEMENT = insert(M).returning(M.c.id)


def record(
    office: OfficeRef,
    actor: Principal,
    kind: str,
    quantity: int,
    balance_after: int,
    occurred_at: datetime | None = None,
    **fields: Any,
) -> dict:
    now = utcnow()
    row = {
        "office_id": office.id,
        "kind": kind,
        "quantity": quantity,
        "balance_after": balance_after,
        "actor_id": actor.user_id,
        "occurred_at": occurred_at or now,
        "recorded_at": now,
        **fields,
    }
    # The row as parameters of one prebuilt INSERT: compiled once per set of columns.
    row["id"] = connection().execute(INSERT_MOVEMENT, row).scalar_one()
    return movement_out(row, office.code, actor.name)


def require_active(office: OfficeRef) -> None:
    """A closed office keeps its books (transfers out, counts, reversals) but takes in nothing new.

    `active` is None where it was not read with the office (offices.tree.place_by_code): read now.
    """
    active = office.active
    if active is None:
        active = db.session.execute(select(_O.c.active).where(_O.c.id == office.id)).scalar()
    if not active:
        raise Conflict(f"Office {office.code} is inactive.", error="office_inactive")


def settle(
    changes: dict[str, tuple[int, int]], usage_shares: list[dict] = (), alerts_now: bool = True
) -> None:
    """Bring the offices' own rollups in step and queue their ancestors' share, then announce
    the change: the offices' alerts follow now (unless a print says they need not:
    prints._alerts_now), the ancestors' once settled (settlement.py)."""
    rollups.shift(changes, usage_shares)
    if alerts_now:
        bus.publish(StockMoved(tuple(changes)))
    settlement.settle_after_response()

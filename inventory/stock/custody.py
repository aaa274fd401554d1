"""Custody: cards awaiting destruction, held beside usable stock (issue 12 §2).

A spoiled print, a card a resident surrenders and a factory-defective blank each add to an
office's custody, in its own category; custody moves up the tree by two-step transfers
(transfers.py, `custody = 'spoiled'`) and leaves it when a destruction record is signed
(destructions.py). Balances change only by guarded UPDATEs, never read-modify-write, and
the custody ledger (custody_movements) sums to them, checked by `stock verify`.

Lock order: custody rows come last, by (office id, category), after the stock balance rows
and the rollup rows (books.py): verbs that move both stock and custody settle the stock first,
and PostgreSQL's print statement (print_sql.py) reads the rollup locks before the custody row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import func, insert, select, update

from ..auth.models import User
from ..core import bus
from ..core.db import connection, db, utcnow
from ..core.errors import Conflict
from ..core.principal import Principal
from ..offices.events import OfficeOpened
from ..offices.models import Office
from ..offices.tree import OfficeRef
from .events import CustodyChanged
from .models import CUSTODY_CATEGORIES, CustodyBalance, CustodyMovement

CB = CustodyBalance.__table__
CM = CustodyMovement.__table__


class InsufficientCustody(Conflict):
    error = "insufficient_custody"


def open_custody(event: OfficeOpened) -> None:
    """Every office starts with an empty custody row per category: they change only by UPDATE."""
    db.session.execute(
        insert(CB),
        [
            {"office_id": event.office_id, "category": c, "awaiting": 0, "in_transit_in": 0}
            for c in CUSTODY_CATEGORIES
        ],
    )


def add(office_id: int, category: str, quantity: int) -> int:
    stmt = (
        update(CB)
        .where(CB.c.office_id == office_id, CB.c.category == category)
        .values(awaiting=CB.c.awaiting + quantity)
        .returning(CB.c.awaiting)
    )
    return connection().execute(stmt).scalar_one()


def take(office_id: int, category: str, quantity: int, *, office_code: str = "", error: str = "") -> int:
    """Take `quantity` out of custody, or refuse (409): never more than the office holds."""
    stmt = (
        update(CB)
        .where(CB.c.office_id == office_id, CB.c.category == category, CB.c.awaiting >= quantity)
        .values(awaiting=CB.c.awaiting - quantity)
        .returning(CB.c.awaiting)
    )
    awaiting = connection().execute(stmt).scalar_one_or_none()
    if awaiting is None:
        _refuse(office_id, category, quantity, office_code, error)
    return awaiting


def _refuse(office_id: int, category: str, quantity: int, office_code: str, error: str) -> NoReturn:
    held = (
        db.session.execute(
            select(CB.c.awaiting).where(CB.c.office_id == office_id, CB.c.category == category)
        ).scalar()
        or 0
    )
    where = f" at {office_code}" if office_code else ""
    raise InsufficientCustody(
        f"Not enough {category.replace('_', ' ')} cards awaiting destruction{where}: "
        f"{quantity} needed, {held} held.",
        error=error or None,
        category=category,
        needed=quantity,
        awaiting=held,
    )


def shift_in_transit(office_id: int, category: str, quantity: int) -> None:
    db.session.execute(
        update(CB)
        .where(CB.c.office_id == office_id, CB.c.category == category)
        .values(in_transit_in=CB.c.in_transit_in + quantity)
    )


def lock(*office_ids: int) -> None:
    """Row-lock custody rows in (office id, category) order (no-op on SQLite: BEGIN IMMEDIATE)."""
    db.session.execute(
        select(CB.c.office_id)
        .where(CB.c.office_id.in_(sorted(set(office_ids))))
        .order_by(CB.c.office_id, CB.c.category)
        .with_for_update()
    ).all()


def record(
    office_id: int,
    actor: Principal,
    category: str,
    kind: str,
    quantity: int,
    occurred_at: datetime | None = None,
    **fields: Any,
) -> int:
    now = utcnow()
    row = {
        "office_id": office_id,
        "category": category,
        "kind": kind,
        "quantity": quantity,
        "actor_id": actor.user_id,
        "occurred_at": occurred_at or now,
        "recorded_at": now,
        **fields,
    }
    return connection().execute(insert(CM).returning(CM.c.id), row).scalar_one()


def keep_spoiled_print(office_id: int, actor: Principal, movement: dict) -> int:
    """A spoiled print's card into custody, beside its print. Its office's destruction_overdue
    follows with the settler (settlement.py), not inside the print: weighing it reads the
    office's custody ledger."""
    return add_movement(
        office_id,
        actor,
        "spoiled_print",
        1,
        announce=False,
        movement_id=movement["id"],
        occurred_at=movement["occurred_at"],
    )


def add_movement(
    office_id: int, actor: Principal, category: str, quantity: int, announce: bool = True, **fields: Any
) -> int:
    """Cards into custody (a spoiled print, a returned card, a defective blank), with their line.

    `announce=False` for a print: its office's destruction_overdue follows with the settler
    (settlement.py), not inside the print, since weighing it reads the office's custody ledger.
    """
    add(office_id, category, quantity)
    movement_id = record(office_id, actor, category, "added", quantity, **fields)
    if announce:
        changed(office_id)
    return movement_id


def changed(*office_ids: int) -> None:
    """Announce it: the offices' destruction_overdue alerts follow (inventory/handlers.py)."""
    bus.publish(CustodyChanged(tuple(sorted(set(office_ids)))))


def returned_cards(
    office: OfficeRef,
    actor: Principal,
    quantity: int,
    reason: str,
    note: str | None = None,
    returned_at: datetime | None = None,
) -> dict:
    """Old cards surrendered by residents: into custody, to be destroyed."""
    awaiting = add(office.id, "returned_card", quantity)
    movement_id = record(
        office.id, actor, "returned_card", "added", quantity, returned_at, reason=reason, note=note
    )
    changed(office.id)
    return {"custody_movement": get_custody_movement(movement_id), "awaiting": awaiting}


def undo_for_reversal(office: OfficeRef, actor: Principal, original: dict, reversal_id: int) -> None:
    """A reversed spoiled print or defective adjustment takes its cards back out of custody.

    Refused (409) when they are no longer there: sent up the tree or destroyed.
    """
    category = {"print": "spoiled_print", "defective": "defective_blank"}[original["kind"]]
    quantity = abs(original["quantity"])
    take(office.id, category, quantity, office_code=office.code, error="custody_already_gone")
    record(office.id, actor, category, "reversal", -quantity, movement_id=reversal_id)
    changed(office.id)


def custody_of(office_id: int) -> dict[str, dict]:
    rows = db.session.execute(
        select(CB.c.category, CB.c.awaiting, CB.c.in_transit_in).where(CB.c.office_id == office_id)
    ).all()
    return {row.category: {"awaiting": row.awaiting, "in_transit_in": row.in_transit_in} for row in rows}


def custody_ledger(office_id: int, *, before_id: int | None = None, limit: int = 50) -> list[dict]:
    """The custody card, newest first; keyset on id like the stock card."""
    stmt = _LINES.where(CM.c.office_id == office_id).order_by(CM.c.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(CM.c.id < before_id)
    return [dict(row._mapping) for row in db.session.execute(stmt)]


def get_custody_movement(movement_id: int) -> dict:
    return dict(db.session.execute(_LINES.where(CM.c.id == movement_id)).one()._mapping)


_LINES = (
    select(CM, User.name.label("actor"), Office.code.label("office"))
    .join(User, User.id == CM.c.actor_id)
    .join(Office, Office.id == CM.c.office_id)
)


def alert_figures(office_ids: list[int]) -> list[dict]:
    """What destruction_overdue weighs, per office: cards awaiting, since when the oldest still
    held has waited, and the office's limits. Oldest first: the cards that left (sent up, destroyed,
    reversed) are taken to be the oldest, so the oldest still held is the first inflow that the
    running sum of inflows takes past everything that left."""
    offices = db.session.execute(
        select(
            Office.id,
            Office.code,
            Office.path,
            Office.time_zone,
            Office.destruction_interval_days,
            Office.destruction_max_pending,
            func.coalesce(func.sum(CB.c.awaiting), 0).label("awaiting"),
        )
        .join(CB, CB.c.office_id == Office.id)
        .where(Office.id.in_(office_ids))
        .group_by(Office.id)
        .order_by(Office.id)
    ).all()
    figures = []
    for office in offices:
        row = dict(office._mapping)
        row["awaiting"] = int(row["awaiting"])  # a sum of BIGINTs is NUMERIC on PostgreSQL
        row["waiting_since"] = _waiting_since(office.id) if office.awaiting > 0 else None
        figures.append(row)
    return figures


def _waiting_since(office_id: int) -> datetime | None:
    left = -int(
        db.session.execute(
            select(func.coalesce(func.sum(CM.c.quantity), 0)).where(
                CM.c.office_id == office_id, CM.c.quantity < 0
            )
        ).scalar_one()
    )
    inflows = (
        select(
            CM.c.occurred_at,
            func.sum(CM.c.quantity).over(order_by=(CM.c.occurred_at, CM.c.id)).label("running"),
        )
        .where(CM.c.office_id == office_id, CM.c.quantity > 0)
        .subquery()
    )
    return db.session.execute(
        select(inflows.c.occurred_at).where(inflows.c.running > left).order_by(inflows.c.running).limit(1)
    ).scalar()

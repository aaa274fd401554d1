"""Two-step transfers between offices: dispatched (the blanks leave the source and show as
in transit on both sides), then received at the destination or cancelled back to the source.

A custody transfer (`custody = 'spoiled'`) carries cards awaiting destruction of one
category the same way, through custody balances (custody.py) instead of stock balances."""

from __future__ import annotations

from sqlalchemy import insert, update

from ..core.db import db, utcnow
from ..core.errors import Conflict, Invalid
from ..core.principal import Principal
from ..offices.tree import OfficeRef, office_refs
from . import books, custody
from .ledger import B, T, get_transfer

# --- transfers ------------------------------------------------------------------


def dispatch(
    source: OfficeRef,
    destination: OfficeRef,
    actor: Principal,
    quantity: int,
    note: str | None = None,
    category: str | None = None,
) -> dict:
    """Blanks leave the source at once and show as in transit on both offices.

    With a custody `category`, cards awaiting destruction of that category move instead.
    """
    books.require_active(destination)
    if source.id == destination.id:
        raise Invalid("An office cannot transfer to itself.", error="same_office")
    if category is not None:
        return _dispatch_custody(source, destination, actor, quantity, note, category)
    books.lock_balances(source.id, destination.id)
    on_hand = books.debit(source.id, quantity, in_transit_out=B.c.in_transit_out + quantity)
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in + quantity)
    )
    transfer_id = _insert_transfer(source, destination, actor, quantity, note)
    books.record(
        source,
        actor,
        "transfer_out",
        -quantity,
        on_hand,
        transfer_id=transfer_id,
        reference=f"transfer:{transfer_id}",
        note=note,
    )
    books.settle({source.path: (-quantity, 0), destination.path: (0, quantity)})
    return get_transfer(transfer_id)


def _dispatch_custody(
    source: OfficeRef,
    destination: OfficeRef,
    actor: Principal,
    quantity: int,
    note: str | None,
    category: str,
) -> dict:
    custody.lock(source.id, destination.id)
    custody.take(source.id, category, quantity, office_code=source.code)
    custody.shift_in_transit(destination.id, category, quantity)
    transfer_id = _insert_transfer(
        source, destination, actor, quantity, note, custody="spoiled", category=category
    )
    custody.record(source.id, actor, category, "transfer_out", -quantity, transfer_id=transfer_id, note=note)
    custody.changed(source.id)
    return get_transfer(transfer_id)


def _insert_transfer(
    source: OfficeRef, destination: OfficeRef, actor: Principal, quantity: int, note: str | None, **extra: str
) -> int:
    return db.session.execute(
        insert(T)
        .values(
            from_office_id=source.id,
            to_office_id=destination.id,
            quantity=quantity,
            status="in_transit",
            note=note,
            dispatched_by_id=actor.user_id,
            dispatched_at=utcnow(),
            **extra,
        )
        .returning(T.c.id)
    ).scalar_one()


def receive_transfer(transfer_id: int, actor: Principal) -> dict:
    """The destination counts the blanks in; they leave transit on both sides."""
    return _land(transfer_id, actor, "received")


def cancel_transfer(transfer_id: int, actor: Principal) -> dict:
    """While still in transit, the blanks go back to the source."""
    return _land(transfer_id, actor, "cancelled")


def _land(transfer_id: int, actor: Principal, status: str) -> dict:
    """Blanks in transit come off the road: into the destination, or back into the source."""
    source, destination, quantity, category = _close(transfer_id, actor, status)
    received = status == "received"
    lands_at = destination if received else source
    kind = "transfer_in" if received else "transfer_return"
    if category is not None:  # cards awaiting destruction: custody rows, no stock, no rollups
        custody.lock(source.id, destination.id)
        custody.shift_in_transit(destination.id, category, -quantity)
        custody.add(lands_at.id, category, quantity)
        custody.record(lands_at.id, actor, category, kind, quantity, transfer_id=transfer_id)
        custody.changed(lands_at.id)
        return get_transfer(transfer_id)
    books.lock_balances(source.id, destination.id)
    db.session.execute(
        update(B).where(B.c.office_id == source.id).values(in_transit_out=B.c.in_transit_out - quantity)
    )
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in - quantity)
    )
    on_hand = books.credit(lands_at.id, quantity)
    books.record(
        lands_at, actor, kind, quantity, on_hand, transfer_id=transfer_id, reference=f"transfer:{transfer_id}"
    )
    books.settle(
        {
            destination.path: (quantity if received else 0, -quantity),
            source.path: (0 if received else quantity, 0),
        }
    )
    return get_transfer(transfer_id)


def _close(transfer_id: int, actor: Principal, status: str) -> tuple[OfficeRef, OfficeRef, int, str | None]:
    """Move a transfer out of in_transit exactly once, even when two requests race."""
    closed = db.session.execute(
        update(T)
        .where(T.c.id == transfer_id, T.c.status == "in_transit")
        .values(status=status, closed_by_id=actor.user_id, closed_at=utcnow())
        .returning(T.c.from_office_id, T.c.to_office_id, T.c.quantity, T.c.category)
    ).first()
    if closed is None:
        current = get_transfer(transfer_id)
        raise Conflict(
            f"Transfer {transfer_id} is already {current['status']}.",
            error="transfer_not_in_transit",
            status=current["status"],
        )
    offices = office_refs(closed.from_office_id, closed.to_office_id)
    return offices[closed.from_office_id], offices[closed.to_office_id], closed.quantity, closed.category

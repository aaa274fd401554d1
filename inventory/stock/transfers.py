"""Two-step transfers between offices: dispatched (the blanks leave the source and show as
in transit on both sides), then received at the destination or cancelled back to the source.
A transfer may be planned first (planned.py): it moves nothing until dispatched through here.

A custody transfer (`custody = 'spoiled'`) carries cards awaiting destruction of one
category the same way, through custody balances (custody.py) instead of stock balances."""

from __future__ import annotations

from sqlalchemy import insert, update

from ..core import bus
from ..core.db import db, utcnow
from ..core.errors import Conflict, Invalid
from ..core.principal import Principal
from ..offices.tree import OfficeRef, office_refs
from . import books, custody, serial_ranges
from .events import TransferCancelled, TransferDispatched, TransferReceived
from .ledger import B, T, get_transfer
from .serials import SerialRange, total

# --- transfers ------------------------------------------------------------------


def dispatch(
    source: OfficeRef,
    destination: OfficeRef,
    actor: Principal,
    quantity: int,
    note: str | None = None,
    serials: list[SerialRange] | str | None = None,
    *,
    request_id: int | None = None,
    over_approve: bool = False,
    category: str | None = None,
) -> dict:
    """Blanks leave the source at once and show as in transit on both offices; with `serials`
    (named ranges, or "lowest": the source's lowest-numbered) their ranges travel with them.

    With a custody `category`, cards awaiting destruction of that category move instead.
    """
    refuse_route(source, destination)
    if category is not None:
        if serials is not None or request_id is not None:
            raise Invalid(
                "Cards awaiting destruction travel without serials or a request for blanks.",
                error="custody_transfer_extras",
                field="category",
            )
        return _dispatch_custody(source, destination, actor, quantity, note, category)
    return move_out(
        source, destination, actor, quantity, note, serials, request_id=request_id, over_approve=over_approve
    )


def refuse_route(source: OfficeRef, destination: OfficeRef) -> None:
    """Where no transfer goes: into a closed office, or to the office it leaves."""
    books.require_active(destination)
    if source.id == destination.id:
        raise Invalid("An office cannot transfer to itself.", error="same_office")


def move_out(
    source: OfficeRef,
    destination: OfficeRef,
    actor: Principal,
    quantity: int,
    note: str | None,
    serials: list[SerialRange] | str | None,
    *,
    request_id: int | None = None,
    over_approve: bool = False,
    planned_id: int | None = None,
) -> dict:
    """The blanks leave: debit and in transit on both sides, the transfer_out line, the serials.
    A new transfer row, or the planned one (`planned_id`) whose status its caller just moved."""
    if isinstance(serials, list) and total(serials) != quantity:
        raise Invalid(
            f"The serials name {total(serials)} blanks, the transfer {quantity}.",
            error="serial_count_mismatch",
            field="serials",
            serials=total(serials),
            quantity=quantity,
        )
    books.lock_balances(source.id, destination.id)
    # Its handlers lock the request after the balances and before the rollups (settle), as
    # every transfer and delivery does; before the insert, so an unknown request is refused
    # before its foreign key is.
    bus.publish(TransferDispatched(request_id, source.id, destination.id, quantity, actor, over_approve))
    on_hand = books.debit(source.id, quantity, in_transit_out=B.c.in_transit_out + quantity)
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in + quantity)
    )
    transfer_id = planned_id
    if transfer_id is None:
        transfer_id = _insert_transfer(source, destination, actor, quantity, note, request_id=request_id)
    movement = books.record(
        source,
        actor,
        "transfer_out",
        -quantity,
        on_hand,
        transfer_id=transfer_id,
        reference=f"transfer:{transfer_id}",
        note=note,
    )
    # After the source's balance row is locked: two "lowest" transfers from it take turns.
    if serials == "lowest":
        serial_ranges.take_lowest(source.id, quantity, movement["id"], transfer_id=transfer_id)
    elif serials is not None:
        serial_ranges.take(source.id, serials, movement["id"], transfer_id=transfer_id)
    else:
        serial_ranges.refuse_unnamed_serialled(source.code, source.id, quantity, on_hand)
    books.settle({source.path: (-quantity, 0), destination.path: (0, quantity)})
    return with_serials(transfer_id)


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
    return with_serials(transfer_id)


def _insert_transfer(
    source: OfficeRef, destination: OfficeRef, actor: Principal, quantity: int, note: str | None, **extra
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


def with_serials(transfer_id: int) -> dict:
    """A transfer as the API answers it: with the serial ranges it carries."""
    return {**get_transfer(transfer_id), "serials": serial_ranges.moved_by_transfer(transfer_id)}


def receive_transfer(transfer_id: int, actor: Principal) -> dict:
    """The destination counts the blanks in; they leave transit on both sides."""
    return _land(transfer_id, actor, "received")


def cancel_transfer(transfer_id: int, actor: Principal) -> dict:
    """While still in transit, the blanks go back to the source."""
    return _land(transfer_id, actor, "cancelled")


def _land(transfer_id: int, actor: Principal, status: str) -> dict:
    """Blanks in transit come off the road: into the destination, or back into the source."""
    source, destination, quantity, request_id, category = close(transfer_id, actor, status)
    received = status == "received"
    lands_at = destination if received else source
    kind = "transfer_in" if received else "transfer_return"
    if category is not None:  # cards awaiting destruction: custody rows, no stock, no rollups
        custody.lock(source.id, destination.id)
        custody.shift_in_transit(destination.id, category, -quantity)
        custody.add(lands_at.id, category, quantity)
        custody.record(lands_at.id, actor, category, kind, quantity, transfer_id=transfer_id)
        custody.changed(lands_at.id)
        return with_serials(transfer_id)
    books.lock_balances(source.id, destination.id)
    db.session.execute(
        update(B).where(B.c.office_id == source.id).values(in_transit_out=B.c.in_transit_out - quantity)
    )
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in - quantity)
    )
    on_hand = books.credit(lands_at.id, quantity)
    landed = TransferReceived if received else TransferCancelled
    bus.publish(landed(request_id, quantity, actor))  # after the balances, before the rollups
    movement = books.record(
        lands_at, actor, kind, quantity, on_hand, transfer_id=transfer_id, reference=f"transfer:{transfer_id}"
    )
    serial_ranges.land(transfer_id, lands_at.id, movement["id"])
    books.settle(
        {
            destination.path: (quantity if received else 0, -quantity),
            source.path: (0 if received else quantity, 0),
        }
    )
    return with_serials(transfer_id)


def not_in_transit(transfer: dict) -> Conflict:
    """409 transfer_not_in_transit: it has not left yet (planned), or it was closed already."""
    found = transfer["status"]
    state = "planned, not dispatched yet" if found == "planned" else f"already {found}"
    return Conflict(f"Transfer {transfer['id']} is {state}.", error="transfer_not_in_transit", status=found)


def close(
    transfer_id: int, actor: Principal, status: str
) -> tuple[OfficeRef, OfficeRef, int, int | None, str | None]:
    """Move a transfer out of in_transit exactly once, even when two requests race (receipts.py
    lands a short one itself)."""
    closed = db.session.execute(
        update(T)
        .where(T.c.id == transfer_id, T.c.status == "in_transit")
        .values(status=status, closed_by_id=actor.user_id, closed_at=utcnow())
        .returning(T.c.from_office_id, T.c.to_office_id, T.c.quantity, T.c.request_id, T.c.category)
    ).first()
    if closed is None:
        raise not_in_transit(get_transfer(transfer_id))
    offices = office_refs(closed.from_office_id, closed.to_office_id)
    source, destination = offices[closed.from_office_id], offices[closed.to_office_id]
    return source, destination, closed.quantity, closed.request_id, closed.category

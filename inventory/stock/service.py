"""The only writer of stock: every verb that moves blanks. Deliveries, counts, adjustments and
reversals are here; prints in prints.py, transfers in transfers.py, the primitives they all
use in books.py.

Each verb runs inside the caller's transaction (the request's unit of work, committed
by `inventory.core.unit_of_work.writes`), so a movement, its balance change, its office's
rollup, its ancestors' queued share (settled just after: settlement.py) and what it sets
off (StockMoved: alerts, their notifications; see inventory/handlers.py) land together or
not at all. Balances change only through guarded UPDATEs evaluated by the database
(`on_hand = on_hand - :n WHERE on_hand >= :n`), never read-modify-write in Python, so
concurrent writers cannot lose updates or drive a balance below zero. Locks are taken in
one global order (balance rows by office id, then rollup rows by office id), so transfers
in opposite directions cannot deadlock.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core import bus
from ..core.db import db, utcnow
from ..core.errors import Conflict, Invalid
from ..core.principal import Principal
from ..offices.tree import OfficeRef
from . import books, custody, prints, serial_prints, serial_ranges
from .books import open_books
from .count_rules import needs_confirmation
from .events import DeliveryRecorded
from .ledger import M, get_movement
from .planned import cancel_as, cancel_planned, cancel_transfer, dispatch_planned, plan
from .print_time import refuse_told_time
from .prints import count_usage, time_zone_of
from .receipts import receive_counted
from .serials import SerialRange, total
from .settlement import settle_within_transaction
from .transfers import dispatch, receive_transfer
from .transfers import with_serials as transfer_with_serials

__all__ = [
    "adjust", "cancel_as", "cancel_planned", "cancel_transfer", "consume", "consume_batch", "count",
    "dispatch", "dispatch_planned", "open_books", "plan", "receive", "receive_counted", "receive_transfer",
    "reverse", "settle_within_transaction", "transfer_with_serials",
]  # fmt: skip

# A defective blank (factory fault, a chip that will not encode) leaves usable stock for custody.
ADJUSTMENT_SIGNS = {"loss": -1, "damage": -1, "found": 1, "correction": 0, "defective": -1}
TRANSFER_KINDS = frozenset({"transfer_out", "transfer_in", "transfer_return"})
# A loss in transit is the source's record of a short receipt: blanks that turn up later are
# a find where they turn up, not a reversal at the source.
NOT_REVERSIBLE = TRANSFER_KINDS | {"reversal", "loss_in_transit"}
# The reference of a stocktake whose large difference its actor confirmed (count_rules).
CONFIRMED_COUNT = "confirmed"


def receive(
    office: OfficeRef,
    actor: Principal,
    quantity: int,
    *,
    received_at: datetime | None = None,
    batch_no: str | None = None,
    document_no: str | None = None,
    note: str | None = None,
    serials: list[SerialRange] | None = None,
    request_id: int | None = None,
    over_approve: bool = False,
) -> dict:
    """A delivery of blanks into an office (from the ministry or a province), with the serials of
    the blanks when known (stock/serial_ranges.py): as many as the quantity, none seen before.

    `received_at` is bounded as a print's printed_at is (print_time.py): the stock card's
    balances in event order read only that far around each movement (event_order.py).
    """
    config = current_app.config
    refusal = refuse_told_time(
        "received_at",
        "deliveries",
        received_at,
        utcnow(),
        config["PRINT_BACKDATE_DAYS"],
        config["PRINT_CLOCK_SKEW_MINUTES"],
    )
    if refusal is not None:
        raise Invalid(refusal.message, error=refusal.error, field="received_at")
    books.require_active(office)
    if serials is not None and total(serials) != quantity:
        raise Invalid(
            f"The serials name {total(serials)} blanks, the delivery {quantity}.",
            error="serial_count_mismatch",
            field="serials",
            serials=total(serials),
            quantity=quantity,
        )
    on_hand = books.credit(office.id, quantity)
    # After the balance, before the rollups and the movement (whose foreign key names the request).
    bus.publish(DeliveryRecorded(request_id, office.id, quantity, actor, over_approve))
    movement = books.record(
        office,
        actor,
        "delivery",
        quantity,
        on_hand,
        received_at,
        batch_no=batch_no,
        reference=document_no,
        note=note,
        request_id=request_id,
    )
    if serials is not None:
        serial_ranges.deliver(office.id, movement["id"], serials)
        movement["serials"] = [str(found) for found in serials]
    books.settle({office.path: (quantity, 0)})
    return movement


def consume(
    office: OfficeRef,
    actor: Principal,
    *,
    outcome: str,
    reason: str,
    printed_at: datetime | None = None,
    serial: SerialRange | None = None,
) -> dict:
    """One card print (prints.py); one naming its blank's serial ends the serial (serial_prints.py)."""
    if serial is not None:
        return serial_prints.consume_serialled(
            office, actor, serial, outcome=outcome, reason=reason, printed_at=printed_at
        )
    # Refused with serial_required by the print's own guard where the office asks for serials.
    return prints.consume(office, actor, outcome=outcome, reason=reason, printed_at=printed_at)


def consume_batch(office: OfficeRef, actor: Principal, items: list[dict]) -> list[dict]:
    """A mobile unit's offline prints (prints.py); refused whole where every print needs a serial."""
    prints.refuse_unnamed(office, field="prints")
    return prints.consume_batch(office, actor, items)


# --- stocktakes, adjustments, reversals ------------------------------------------


def count(office: OfficeRef, actor: Principal, counted: int, reason: str, confirmed: bool = False) -> dict:
    """A physical count: the movement is the difference between the count and the books.

    What was counted is the movement's balance_after, what the books said balance_after -
    quantity: stored as figures, not as a sentence, so each reader words it in its language.
    A large difference (count_rules) is recorded only `confirmed`; the movement then carries
    the reference CONFIRMED_COUNT, and its actor is who confirmed.
    """
    on_hand = books.lock_balances(office.id)[office.id]
    difference = counted - on_hand
    large = needs_confirmation(on_hand, counted)
    if large and not confirmed:
        raise Invalid(
            f"The count differs from the books by {difference:+d} blanks ({on_hand} on the books, "
            f"{counted} counted): send it again with confirm: true if that is right.",
            error="confirmation_required",
            field="confirm",
            books=on_hand,
            counted=counted,
            difference=difference,
        )
    movement = books.record(
        office,
        actor,
        "stocktake",
        difference,
        books.change(office.id, difference),
        reason=reason,
        reference=CONFIRMED_COUNT if large else None,
    )
    books.settle({office.path: (difference, 0)})
    return movement


def adjust(office: OfficeRef, actor: Principal, kind: str, quantity: int, reason: str) -> dict:
    """A loss, damage, find or correction, with its sign checked against its kind."""
    sign = ADJUSTMENT_SIGNS[kind]
    if quantity == 0 or (sign and quantity * sign < 0):
        expected = {-1: "negative", 1: "positive", 0: "non-zero"}[sign]
        raise Invalid(f"A {kind} adjustment needs a {expected} quantity.", error="bad_sign", field="quantity")
    movement = books.record(office, actor, kind, quantity, books.change(office.id, quantity), reason=reason)
    books.settle({office.path: (quantity, 0)})
    if kind == "defective":  # kept for destruction, not written off; after the rollups (lock order)
        custody.add_movement(office.id, actor, "defective_blank", -quantity, movement_id=movement["id"])
    return movement


def reverse(movement_id: int, actor: Principal, reason: str) -> dict:
    """Correct a wrong entry by writing its opposite, linked to it; the original stays."""
    original = get_movement(movement_id)
    if original["kind"] in NOT_REVERSIBLE:
        hint = " Cancel the transfer instead." if original["kind"] in TRANSFER_KINDS else ""
        if original["kind"] == "loss_in_transit":
            hint = " Record blanks that turn up as found where they are."
        raise Conflict(f"A {original['kind']} movement cannot be reversed.{hint}", error="not_reversible")
    if db.session.execute(select(M.c.id).where(M.c.reverses_id == movement_id)).first():
        raise Conflict(f"Movement {movement_id} has already been reversed.", error="already_reversed")
    office = OfficeRef(original["office_id"], original["office_code"], original["office_path"])
    quantity = -original["quantity"]
    try:
        movement = books.record(
            office,
            actor,
            "reversal",
            quantity,
            books.change(office.id, quantity),
            reverses_id=movement_id,
            reason=reason,
            reference=f"movement:{movement_id}",
        )
    except IntegrityError:  # a concurrent reversal won the unique index; the caller rolls back
        raise Conflict(
            f"Movement {movement_id} has already been reversed.", error="already_reversed"
        ) from None
    serial_ranges.undo(original, movement["id"])
    usage_shares = []
    if original["kind"] == "print":
        # Off the local day it was counted on; should the office's zone have changed in between,
        # off the day the zone now gives (no print records the zone it was counted in).
        usage_shares = count_usage(office.path, time_zone_of(office.id), [original], sign=-1)
    books.settle({office.path: (quantity, 0)}, usage_shares)
    if original["kind"] == "defective" or original["outcome"] == "spoiled":
        custody.undo_for_reversal(office, actor, original, movement["id"])  # after the rollups (lock order)
    return movement

"""The only writer of stock. Every movement and balance change goes through these verbs.

Each verb runs inside the caller's transaction (the request's unit of work, committed
by `inventory.core.unit_of_work.writes`), so a movement, its balance change, the subtree
rollups and what it sets off (StockMoved: alerts, their notifications; see
inventory/handlers.py) land together or not at all. Balances change only
through guarded UPDATEs evaluated by the database (`on_hand = on_hand - :n WHERE
on_hand >= :n`), never read-modify-write in Python, so concurrent writers cannot lose
updates or drive a balance below zero. Locks are taken in one global order (balance
rows by office id, then rollup rows by office id), so transfers in opposite
directions cannot deadlock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import current_app
from sqlalchemy import bindparam, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..core import bus
from ..core.db import connection, db, utcnow
from ..core.errors import Conflict, InsufficientStock, Invalid
from ..core.principal import Principal
from ..offices.events import OfficeOpened
from ..offices.models import Office
from ..offices.time_zones import local_day, local_days
from ..offices.tree import OfficeRef, office_refs
from . import rollups
from .events import StockMoved
from .ledger import B, M, T, get_movement, get_transfer, movement_out
from .print_sql import PRINT_ONE
from .print_time import PrintTimeRefusal, refuse_print_time

_O = Office.__table__
ADJUSTMENT_SIGNS = {"loss": -1, "damage": -1, "found": 1, "correction": 0}
TRANSFER_KINDS = frozenset({"transfer_out", "transfer_in", "transfer_return"})
NOT_REVERSIBLE = TRANSFER_KINDS | {"reversal"}


# --- balance primitives -------------------------------------------------------


def open_books(event: OfficeOpened) -> None:
    """Every office starts with an empty balance row and rollup, created with the office."""
    db.session.execute(insert(B).values(office_id=event.office_id, on_hand=0, updated_at=utcnow()))
    rollups.open_rollup(event.office_id)


def _credit(office_id: int, quantity: int, **extra: Any) -> int:
    values = {"on_hand": B.c.on_hand + quantity, "updated_at": utcnow(), **extra}
    stmt = update(B).where(B.c.office_id == office_id).values(values).returning(B.c.on_hand)
    return connection().execute(stmt).scalar_one()


# The debit of every print, built once: building an UPDATE cost more than running it (bench/).
# Same SQL as the general form in _debit, which other verbs need for their extra columns.
_PLAIN_DEBIT = (
    update(B)
    .where(B.c.office_id == bindparam("office"), B.c.on_hand >= bindparam("quantity"))
    .values(
        on_hand=B.c.on_hand - bindparam("quantity"), updated_at=bindparam("now", type_=B.c.updated_at.type)
    )
    .returning(B.c.on_hand)
)


def _debit(office_id: int, quantity: int, **extra: Any) -> int:
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
        on_hand = connection().execute(_PLAIN_DEBIT, params).scalar_one_or_none()
    if on_hand is None:
        _refuse(office_id, quantity)
    return on_hand


def _refuse(office_id: int, quantity: int) -> NoReturn:
    held = db.session.execute(select(B.c.on_hand).where(B.c.office_id == office_id)).scalar() or 0
    raise InsufficientStock(
        f"Not enough blanks: {quantity} needed, {held} on hand.", needed=quantity, on_hand=held
    )


def _change(office_id: int, quantity: int) -> int:
    return _debit(office_id, -quantity) if quantity < 0 else _credit(office_id, quantity)


def _lock_balances(*office_ids: int) -> dict[int, int]:
    """Row-lock balances in id order (no-op on SQLite, where BEGIN IMMEDIATE serialises writers)."""
    rows = db.session.execute(
        select(B.c.office_id, B.c.on_hand)
        .where(B.c.office_id.in_(sorted(set(office_ids))))
        .order_by(B.c.office_id)
        .with_for_update()
    ).all()
    return {office_id: on_hand for office_id, on_hand in rows}


_INSERT_MOVEMENT = insert(M).returning(M.c.id)


def _record(
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
    row["id"] = connection().execute(_INSERT_MOVEMENT, row).scalar_one()
    return movement_out(row, office.code, actor.name)


def _require_active(office: OfficeRef) -> None:
    """A closed office keeps its books (transfers out, counts, reversals) but takes in nothing new.

    `active` is None where it was not read with the office (offices.tree.place_by_code): read now.
    """
    active = office.active
    if active is None:
        active = db.session.execute(select(_O.c.active).where(_O.c.id == office.id)).scalar()
    if not active:
        raise Conflict(f"Office {office.code} is inactive.", error="office_inactive")


def _settle(changes: dict[str, tuple[int, int]]) -> None:
    """Bring subtree rollups in step, then announce the change (alerts up the tree follow)."""
    rollups.shift(changes)
    bus.publish(StockMoved(tuple(changes)))


# --- deliveries and prints ----------------------------------------------------


def receive(
    office: OfficeRef,
    actor: Principal,
    quantity: int,
    *,
    received_at: datetime | None = None,
    batch_no: str | None = None,
    document_no: str | None = None,
    note: str | None = None,
) -> dict:
    """A delivery of blanks into an office (from the ministry or a province)."""
    _require_active(office)
    on_hand = _credit(office.id, quantity)
    movement = _record(
        office,
        actor,
        "delivery",
        quantity,
        on_hand,
        received_at,
        batch_no=batch_no,
        reference=document_no,
        note=note,
    )
    _settle({office.path: (quantity, 0)})
    return movement


def consume(
    office: OfficeRef, actor: Principal, *, outcome: str, reason: str, printed_at: datetime | None = None
) -> dict:
    """One card print; a spoiled print uses up a blank too.

    Whether the office is open is read with the debit, not taken from `office`: prints
    look their office up by its remembered place (offices.tree.place_by_code).
    """
    refusal = _print_time_refusal(printed_at)
    if refusal is not None:
        raise Invalid(refusal.message, error=refusal.error, field="printed_at")
    if connection().dialect.name == "postgresql":
        movement = _print_in_one_statement(office, actor, printed_at, outcome, reason)
        bus.publish(StockMoved((office.path,)))
        return movement
    debited = (
        connection().execute(_PRINT_DEBIT, {"office": office.id, "quantity": 1, "now": utcnow()}).first()
    )
    if debited is None:
        _refuse_print(office)
    on_hand, time_zone = debited
    movement = _record(office, actor, "print", -1, on_hand, printed_at, outcome=outcome, reason=reason)
    _count_usage(office.path, time_zone, [movement])
    _settle({office.path: (-1, 0)})
    return movement


# SQLite's debit of a print: the guard also holds while the office is closed. It returns
# the office's time zone too: the print counts on the office's local day (_count_usage).
_PRINT_DEBIT = _PLAIN_DEBIT.where(
    exists().where(_O.c.id == bindparam("office"), _O.c.active.is_(True))
).returning(select(_O.c.time_zone).where(_O.c.id == bindparam("office")).scalar_subquery())


def _refuse_print(office: OfficeRef) -> NoReturn:
    """Which guard held: the office closed (read afresh), else no blank left."""
    _require_active(replace(office, active=None))
    _refuse(office.id, 1)


def _print_in_one_statement(
    office: OfficeRef, actor: Principal, printed_at: datetime | None, outcome: str, reason: str
) -> dict:
    """PostgreSQL: debit, ledger line, usage and rollups of one print at once (see print_sql)."""
    now = utcnow()
    row = {"office_id": office.id, "kind": "print", "quantity": -1, "outcome": outcome, "reason": reason,
           "actor_id": actor.user_id, "occurred_at": printed_at or now, "recorded_at": now}  # fmt: skip
    spoiled = outcome == "spoiled"
    days = {f"day_{zone.lower()}": day for zone, day in local_days(row["occurred_at"]).items()}
    params = {**row, **days, "printed": int(not spoiled), "spoiled": int(spoiled),
              "ancestors": sorted(rollups.ancestry(office.path))}  # fmt: skip
    written = connection().execute(PRINT_ONE, params).first()
    if written is None:  # a guard held: no blank left or the office closed; nothing written
        _refuse_print(office)
    row["id"], row["balance_after"] = written
    return movement_out(row, office.code, actor.name)


def _print_time_refusal(printed_at: datetime | None) -> PrintTimeRefusal | None:
    config = current_app.config
    return refuse_print_time(
        printed_at, datetime.now(UTC), config["PRINT_BACKDATE_DAYS"], config["PRINT_CLOCK_SKEW_MINUTES"]
    )


def _count_usage(path: str, time_zone: str, prints: list[dict], sign: int = 1) -> None:
    """Daily usage per subtree: the window behind spoilage, replacement and daily-use rates.

    Each print counts on the printing office's local day, for its ancestors too, whatever
    zone they keep: an area's usage is the sum of its offices' days.
    """
    per_day: Counter = Counter()
    for item in prints:
        per_day[(local_day(item["occurred_at"], time_zone), item["reason"], item["outcome"])] += 1
    for day, reason in sorted({(day, reason) for day, reason, _ in per_day}):
        rollups.add_usage(
            path,
            day,
            reason,
            printed=sign * per_day[(day, reason, "printed")],
            spoiled=sign * per_day[(day, reason, "spoiled")],
        )


def _time_zone(office_id: int) -> str:
    return db.session.execute(select(_O.c.time_zone).where(_O.c.id == office_id)).scalar_one()


def consume_batch(office: OfficeRef, actor: Principal, items: list[dict]) -> list[dict]:
    """Prints a unit made offline, each with its own client_id, in the order they were made.

    Returns one result per item: recorded, already_recorded (client_id seen before,
    also earlier in the same batch) or refused (no blank left, or a printed_at too far
    ahead or too old: print_time). The balance row is
    locked first, so a concurrent resend of the same batch waits and then finds every
    client_id recorded instead of tripping over the unique index.
    """
    _require_active(office)
    on_hand = _lock_balances(office.id)[office.id]
    known = dict(
        db.session.execute(
            select(M.c.client_id, M.c.id).where(
                M.c.office_id == office.id, M.c.client_id.in_([item["client_id"] for item in items])
            )
        ).all()
    )
    results, fresh = [], []
    for item in items:
        client_id = item["client_id"]
        refusal = _print_time_refusal(item.get("printed_at"))
        if client_id in known:
            results.append(
                {"client_id": client_id, "status": "already_recorded", "movement_id": known[client_id]}
            )
        elif refusal is not None:
            results.append(
                {
                    "client_id": client_id,
                    "status": "refused",
                    "error": refusal.error,
                    "message": refusal.message,
                }
            )
        elif len(fresh) >= on_hand:
            results.append(
                {
                    "client_id": client_id,
                    "status": "refused",
                    "error": "insufficient_stock",
                    "message": "No blank left for this print.",
                }
            )
        else:
            known[client_id] = None  # a repeat later in this batch is a duplicate
            fresh.append(item)
            results.append({"client_id": client_id, "status": "recorded"})
    if fresh:
        ids = _insert_prints(office, actor, fresh, on_hand)
        for result in results:
            # Recorded ones, and repeats of them later in this batch (known as None until now).
            if result["status"] != "refused" and result.get("movement_id") is None:
                result["movement_id"] = ids[result["client_id"]]
    return results


def _insert_prints(office: OfficeRef, actor: Principal, fresh: list[dict], on_hand: int) -> dict[str, int]:
    _debit(office.id, len(fresh))
    now = utcnow()
    rows = [
        {
            "office_id": office.id,
            "kind": "print",
            "quantity": -1,
            "balance_after": on_hand - n,
            "outcome": item["outcome"],
            "reason": item["reason"],
            "client_id": item["client_id"],
            "actor_id": actor.user_id,
            "occurred_at": item.get("printed_at") or now,
            "recorded_at": now,
            "transfer_id": None,
            "reverses_id": None,
            "reference": None,
            "batch_no": None,
            "note": None,
        }
        for n, item in enumerate(fresh, start=1)
    ]
    db.session.execute(insert(M), rows)
    _count_usage(office.path, _time_zone(office.id), rows)
    _settle({office.path: (-len(fresh), 0)})
    new_ids = select(M.c.client_id, M.c.id).where(
        M.c.office_id == office.id, M.c.client_id.in_([item["client_id"] for item in fresh])
    )
    return dict(db.session.execute(new_ids).all())


# --- transfers ------------------------------------------------------------------


def dispatch(
    source: OfficeRef, destination: OfficeRef, actor: Principal, quantity: int, note: str | None = None
) -> dict:
    """Blanks leave the source at once and show as in transit on both offices."""
    _require_active(destination)
    if source.id == destination.id:
        raise Invalid("An office cannot transfer to itself.", error="same_office")
    _lock_balances(source.id, destination.id)
    on_hand = _debit(source.id, quantity, in_transit_out=B.c.in_transit_out + quantity)
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in + quantity)
    )
    transfer_id = db.session.execute(
        insert(T)
        .values(
            from_office_id=source.id,
            to_office_id=destination.id,
            quantity=quantity,
            status="in_transit",
            note=note,
            dispatched_by_id=actor.user_id,
            dispatched_at=utcnow(),
        )
        .returning(T.c.id)
    ).scalar_one()
    _record(
        source,
        actor,
        "transfer_out",
        -quantity,
        on_hand,
        transfer_id=transfer_id,
        reference=f"transfer:{transfer_id}",
        note=note,
    )
    _settle({source.path: (-quantity, 0), destination.path: (0, quantity)})
    return get_transfer(transfer_id)


def receive_transfer(transfer_id: int, actor: Principal) -> dict:
    """The destination counts the blanks in; they leave transit on both sides."""
    return _land(transfer_id, actor, "received")


def cancel_transfer(transfer_id: int, actor: Principal) -> dict:
    """While still in transit, the blanks go back to the source."""
    return _land(transfer_id, actor, "cancelled")


def _land(transfer_id: int, actor: Principal, status: str) -> dict:
    """Blanks in transit come off the road: into the destination, or back into the source."""
    source, destination, quantity = _close(transfer_id, actor, status)
    received = status == "received"
    lands_at = destination if received else source
    _lock_balances(source.id, destination.id)
    db.session.execute(
        update(B).where(B.c.office_id == source.id).values(in_transit_out=B.c.in_transit_out - quantity)
    )
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in - quantity)
    )
    on_hand = _credit(lands_at.id, quantity)
    kind = "transfer_in" if received else "transfer_return"
    _record(
        lands_at, actor, kind, quantity, on_hand, transfer_id=transfer_id, reference=f"transfer:{transfer_id}"
    )
    _settle(
        {
            destination.path: (quantity if received else 0, -quantity),
            source.path: (0 if received else quantity, 0),
        }
    )
    return get_transfer(transfer_id)


def _close(transfer_id: int, actor: Principal, status: str) -> tuple[OfficeRef, OfficeRef, int]:
    """Move a transfer out of in_transit exactly once, even when two requests race."""
    closed = db.session.execute(
        update(T)
        .where(T.c.id == transfer_id, T.c.status == "in_transit")
        .values(status=status, closed_by_id=actor.user_id, closed_at=utcnow())
        .returning(T.c.from_office_id, T.c.to_office_id, T.c.quantity)
    ).first()
    if closed is None:
        current = get_transfer(transfer_id)
        raise Conflict(
            f"Transfer {transfer_id} is already {current['status']}.",
            error="transfer_not_in_transit",
            status=current["status"],
        )
    offices = office_refs(closed.from_office_id, closed.to_office_id)
    return offices[closed.from_office_id], offices[closed.to_office_id], closed.quantity


# --- stocktakes, adjustments, reversals ------------------------------------------


def count(office: OfficeRef, actor: Principal, counted: int, reason: str) -> dict:
    """A physical count: the movement is the difference between the count and the books.

    What was counted is the movement's balance_after, what the books said balance_after -
    quantity: stored as figures, not as a sentence, so each reader words it in its language.
    """
    on_hand = _lock_balances(office.id)[office.id]
    difference = counted - on_hand
    movement = _record(
        office,
        actor,
        "stocktake",
        difference,
        _change(office.id, difference),
        reason=reason,
    )
    _settle({office.path: (difference, 0)})
    return movement


def adjust(office: OfficeRef, actor: Principal, kind: str, quantity: int, reason: str) -> dict:
    """A loss, damage, find or correction, with its sign checked against its kind."""
    sign = ADJUSTMENT_SIGNS[kind]
    if quantity == 0 or (sign and quantity * sign < 0):
        expected = {-1: "negative", 1: "positive", 0: "non-zero"}[sign]
        raise Invalid(f"A {kind} adjustment needs a {expected} quantity.", error="bad_sign", field="quantity")
    movement = _record(office, actor, kind, quantity, _change(office.id, quantity), reason=reason)
    _settle({office.path: (quantity, 0)})
    return movement


def reverse(movement_id: int, actor: Principal, reason: str) -> dict:
    """Correct a wrong entry by writing its opposite, linked to it; the original stays."""
    original = get_movement(movement_id)
    if original["kind"] in NOT_REVERSIBLE:
        hint = " Cancel the transfer instead." if original["kind"] in TRANSFER_KINDS else ""
        raise Conflict(f"A {original['kind']} movement cannot be reversed.{hint}", error="not_reversible")
    if db.session.execute(select(M.c.id).where(M.c.reverses_id == movement_id)).first():
        raise Conflict(f"Movement {movement_id} has already been reversed.", error="already_reversed")
    office = OfficeRef(original["office_id"], original["office_code"], original["office_path"])
    quantity = -original["quantity"]
    try:
        movement = _record(
            office,
            actor,
            "reversal",
            quantity,
            _change(office.id, quantity),
            reverses_id=movement_id,
            reason=reason,
            reference=f"movement:{movement_id}",
        )
    except IntegrityError:  # a concurrent reversal won the unique index; the caller rolls back
        raise Conflict(
            f"Movement {movement_id} has already been reversed.", error="already_reversed"
        ) from None
    if original["kind"] == "print":
        # Off the local day it was counted on; should the office's zone have changed in between,
        # off the day the zone now gives (no print records the zone it was counted in).
        _count_usage(office.path, _time_zone(office.id), [original], sign=-1)
    _settle({office.path: (quantity, 0)})
    return movement

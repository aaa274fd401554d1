"""The only writer of stock. Every movement and balance change goes through these verbs.

Each verb runs inside the caller's transaction (the request's unit of work, committed
by `inventory.api.transaction`), so a movement and its balance change land together or
not at all. Balances change only through guarded UPDATEs evaluated by the database
(`on_hand = on_hand - :n WHERE on_hand >= :n`), never read-modify-write in Python, so
concurrent writers cannot lose updates or drive a balance below zero. Where two balance
rows change together, they are locked in office-id order so transfers in opposite
directions cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .db import db
from .errors import Conflict, InsufficientStock, Invalid, NotFound
from .models import Balance, Movement, Transfer, User, utcnow
from .permissions import Principal

B = Balance.__table__
M = Movement.__table__
T = Transfer.__table__

ADJUSTMENT_SIGNS = {"loss": -1, "damage": -1, "found": 1, "correction": 0}
TRANSFER_KINDS = frozenset({"transfer_out", "transfer_in", "transfer_return"})
NOT_REVERSIBLE = TRANSFER_KINDS | {"reversal"}


@dataclass(frozen=True)
class OfficeRef:
    id: int
    code: str


# --- balance primitives -------------------------------------------------------


def open_balance(office_id: int) -> None:
    """Every office starts with an empty balance row, created with the office."""
    db.session.execute(insert(B).values(office_id=office_id, on_hand=0, updated_at=utcnow()))


def _credit(office_id: int, quantity: int, **extra: Any) -> int:
    values = {"on_hand": B.c.on_hand + quantity, "updated_at": utcnow(), **extra}
    stmt = update(B).where(B.c.office_id == office_id).values(values).returning(B.c.on_hand)
    return db.session.execute(stmt).scalar_one()


def _debit(office_id: int, quantity: int, **extra: Any) -> int:
    """Take `quantity` off on_hand, or raise InsufficientStock; the database guards the floor."""
    values = {"on_hand": B.c.on_hand - quantity, "updated_at": utcnow(), **extra}
    stmt = (
        update(B)
        .where(B.c.office_id == office_id, B.c.on_hand >= quantity)
        .values(values)
        .returning(B.c.on_hand)
    )
    on_hand = db.session.execute(stmt).scalar_one_or_none()
    if on_hand is None:
        held = db.session.execute(select(B.c.on_hand).where(B.c.office_id == office_id)).scalar()
        raise InsufficientStock(
            f"Not enough blanks: {quantity} needed, {held or 0} on hand.",
            needed=quantity,
            on_hand=held or 0,
        )
    return on_hand


def _lock_balances(*office_ids: int) -> dict[int, int]:
    """Row-lock balances in id order (no-op on SQLite, where BEGIN IMMEDIATE serialises writers)."""
    rows = db.session.execute(
        select(B.c.office_id, B.c.on_hand)
        .where(B.c.office_id.in_(sorted(set(office_ids))))
        .order_by(B.c.office_id)
        .with_for_update()
    ).all()
    return {office_id: on_hand for office_id, on_hand in rows}


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
    row["id"] = db.session.execute(insert(M).values(row).returning(M.c.id)).scalar_one()
    return _movement_out(row, office.code, actor.name)


def _movement_out(row: dict, office_code: str, actor_name: str) -> dict:
    out = {column: row.get(column) for column in MOVEMENT_FIELDS}
    out["office"] = office_code
    out["actor"] = actor_name
    return out


MOVEMENT_FIELDS = (
    "id", "kind", "quantity", "balance_after", "outcome", "reason", "transfer_id",
    "reverses_id", "client_id", "reference", "batch_no", "note", "occurred_at", "recorded_at",
)  # fmt: skip


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
    on_hand = _credit(office.id, quantity)
    return _record(
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


def consume(
    office: OfficeRef, actor: Principal, *, outcome: str, reason: str, printed_at: datetime | None = None
) -> dict:
    """One card print; a spoiled print uses up a blank too."""
    on_hand = _debit(office.id, 1)
    return _record(office, actor, "print", -1, on_hand, printed_at, outcome=outcome, reason=reason)


def consume_batch(office: OfficeRef, actor: Principal, items: list[dict]) -> list[dict]:
    """Prints a unit made offline, each with its own client_id, in the order they were made.

    Returns one result per item: recorded, already_recorded (client_id seen before,
    also earlier in the same batch) or refused (no blank left). The balance row is
    locked first, so a concurrent resend of the same batch waits and then finds every
    client_id recorded instead of tripping over the unique index.
    """
    on_hand = _lock_balances(office.id)[office.id]
    client_ids = [item["client_id"] for item in items]
    known = dict(
        db.session.execute(
            select(M.c.client_id, M.c.id).where(M.c.office_id == office.id, M.c.client_id.in_(client_ids))
        ).all()
    )
    results, fresh = [], []
    for item in items:
        client_id = item["client_id"]
        if client_id in known:
            results.append(
                {"client_id": client_id, "status": "already_recorded", "movement_id": known[client_id]}
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
        _insert_prints(office, actor, fresh, on_hand)
        ids = dict(
            db.session.execute(
                select(M.c.client_id, M.c.id).where(
                    M.c.office_id == office.id, M.c.client_id.in_([i["client_id"] for i in fresh])
                )
            ).all()
        )
        for result in results:
            if result["status"] == "recorded":
                result["movement_id"] = ids[result["client_id"]]
    return results


def _insert_prints(office: OfficeRef, actor: Principal, fresh: list[dict], on_hand: int) -> None:
    new_on_hand = _debit(office.id, len(fresh))
    assert new_on_hand == on_hand - len(fresh)
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


# --- transfers ------------------------------------------------------------------


def dispatch(
    source: OfficeRef, destination: OfficeRef, actor: Principal, quantity: int, note: str | None = None
) -> dict:
    """Blanks leave the source at once and show as in transit on both offices."""
    if source.id == destination.id:
        raise Invalid("An office cannot transfer to itself.", error="same_office")
    _lock_balances(source.id, destination.id)
    on_hand = _debit(source.id, quantity, in_transit_out=B.c.in_transit_out + quantity)
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in + quantity)
    )
    now = utcnow()
    transfer_id = db.session.execute(
        insert(T)
        .values(
            from_office_id=source.id,
            to_office_id=destination.id,
            quantity=quantity,
            status="in_transit",
            note=note,
            dispatched_by_id=actor.user_id,
            dispatched_at=now,
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
    return transfer_out(transfer_id)


def receive_transfer(transfer_id: int, actor: Principal) -> dict:
    """The destination counts the blanks in; they leave transit on both sides."""
    transfer = _close(transfer_id, actor, "received")
    source, destination, quantity = transfer["source"], transfer["destination"], transfer["quantity"]
    _lock_balances(source.id, destination.id)
    db.session.execute(
        update(B).where(B.c.office_id == source.id).values(in_transit_out=B.c.in_transit_out - quantity)
    )
    on_hand = _credit(destination.id, quantity, in_transit_in=B.c.in_transit_in - quantity)
    _record(
        destination,
        actor,
        "transfer_in",
        quantity,
        on_hand,
        transfer_id=transfer_id,
        reference=f"transfer:{transfer_id}",
    )
    return transfer_out(transfer_id)


def cancel_transfer(transfer_id: int, actor: Principal) -> dict:
    """While still in transit, the blanks go back to the source."""
    transfer = _close(transfer_id, actor, "cancelled")
    source, destination, quantity = transfer["source"], transfer["destination"], transfer["quantity"]
    _lock_balances(source.id, destination.id)
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in - quantity)
    )
    on_hand = _credit(source.id, quantity, in_transit_out=B.c.in_transit_out - quantity)
    _record(
        source,
        actor,
        "transfer_return",
        quantity,
        on_hand,
        transfer_id=transfer_id,
        reference=f"transfer:{transfer_id}",
    )
    return transfer_out(transfer_id)


def _close(transfer_id: int, actor: Principal, status: str) -> dict:
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
    codes = _office_codes(closed.from_office_id, closed.to_office_id)
    return {
        "source": OfficeRef(closed.from_office_id, codes[closed.from_office_id]),
        "destination": OfficeRef(closed.to_office_id, codes[closed.to_office_id]),
        "quantity": closed.quantity,
    }


def _office_codes(*office_ids: int) -> dict[int, str]:
    from .models import Office

    return dict(db.session.execute(select(Office.id, Office.code).where(Office.id.in_(office_ids))).all())


def get_transfer(transfer_id: int) -> dict:
    rows = list_transfers(transfer_id=transfer_id)
    if not rows:
        raise NotFound(f"No transfer {transfer_id}.")
    return rows[0]


transfer_out = get_transfer


def list_transfers(
    *,
    transfer_id: int | None = None,
    office_id: int | None = None,
    status: str | None = None,
    area_path: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict]:
    from .models import Office

    source, destination = Office.__table__.alias("source"), Office.__table__.alias("destination")
    dispatcher, closer = User.__table__.alias("dispatcher"), User.__table__.alias("closer")
    stmt = (
        select(
            T,
            source.c.code.label("from"),
            destination.c.code.label("to"),
            dispatcher.c.name.label("dispatched_by"),
            closer.c.name.label("closed_by"),
        )
        .join(source, source.c.id == T.c.from_office_id)
        .join(destination, destination.c.id == T.c.to_office_id)
        .join(dispatcher, dispatcher.c.id == T.c.dispatched_by_id)
        .outerjoin(closer, closer.c.id == T.c.closed_by_id)
        .order_by(T.c.id.desc())
        .limit(limit)
    )
    if transfer_id is not None:
        stmt = stmt.where(T.c.id == transfer_id)
    if office_id is not None:
        stmt = stmt.where((T.c.from_office_id == office_id) | (T.c.to_office_id == office_id))
    if status is not None:
        stmt = stmt.where(T.c.status == status)
    if area_path is not None:
        stmt = stmt.where(source.c.path.startswith(area_path) | destination.c.path.startswith(area_path))
    if before_id is not None:
        stmt = stmt.where(T.c.id < before_id)
    return [dict(row._mapping) for row in db.session.execute(stmt)]


# --- stocktakes, adjustments, reversals ------------------------------------------


def count(office: OfficeRef, actor: Principal, counted: int, reason: str) -> dict:
    """A physical count: the movement is the difference between the count and the books."""
    on_hand = _lock_balances(office.id)[office.id]
    difference = counted - on_hand
    new_on_hand = _debit(office.id, -difference) if difference < 0 else _credit(office.id, difference)
    return _record(
        office,
        actor,
        "stocktake",
        difference,
        new_on_hand,
        reason=reason,
        note=f"counted {counted}, books said {on_hand}",
    )


def adjust(office: OfficeRef, actor: Principal, kind: str, quantity: int, reason: str) -> dict:
    """A loss, damage, find or correction, with its sign checked against its kind."""
    sign = ADJUSTMENT_SIGNS[kind]
    if quantity == 0 or (sign and quantity * sign < 0):
        expected = {-1: "negative", 1: "positive", 0: "non-zero"}[sign]
        raise Invalid(f"A {kind} adjustment needs a {expected} quantity.", error="bad_sign", field="quantity")
    on_hand = _debit(office.id, -quantity) if quantity < 0 else _credit(office.id, quantity)
    return _record(office, actor, kind, quantity, on_hand, reason=reason)


def get_movement(movement_id: int) -> dict:
    from .models import Office

    row = db.session.execute(
        select(M, Office.code.label("office_code"), Office.path.label("office_path"))
        .join(Office, Office.id == M.c.office_id)
        .where(M.c.id == movement_id)
    ).first()
    if row is None:
        raise NotFound(f"No movement {movement_id}.")
    return dict(row._mapping)


def reverse(movement_id: int, actor: Principal, reason: str) -> dict:
    """Correct a wrong entry by writing its opposite, linked to it; the original stays."""
    original = get_movement(movement_id)
    if original["kind"] in NOT_REVERSIBLE:
        hint = " Cancel the transfer instead." if original["kind"] in TRANSFER_KINDS else ""
        raise Conflict(f"A {original['kind']} movement cannot be reversed.{hint}", error="not_reversible")
    office = OfficeRef(original["office_id"], original["office_code"])
    if db.session.execute(select(M.c.id).where(M.c.reverses_id == movement_id)).first():
        raise Conflict(f"Movement {movement_id} has already been reversed.", error="already_reversed")
    quantity = -original["quantity"]
    on_hand = _debit(office.id, -quantity) if quantity < 0 else _credit(office.id, quantity)
    try:
        return _record(
            office,
            actor,
            "reversal",
            quantity,
            on_hand,
            reverses_id=movement_id,
            reason=reason,
            reference=f"movement:{movement_id}",
        )
    except IntegrityError:  # a concurrent reversal won the unique index; caller rolls back
        raise Conflict(
            f"Movement {movement_id} has already been reversed.", error="already_reversed"
        ) from None


# --- reading ------------------------------------------------------------------------


def balance_of(office_id: int) -> dict:
    row = db.session.execute(
        select(B.c.on_hand, B.c.in_transit_in, B.c.in_transit_out).where(B.c.office_id == office_id)
    ).one()
    return dict(row._mapping)


def subtree_on_hand(path: str) -> int:
    from .models import Office

    return db.session.execute(
        select(func.coalesce(func.sum(B.c.on_hand), 0))
        .join(Office, Office.id == B.c.office_id)
        .where(Office.path.startswith(path))
    ).scalar_one()


def ledger(
    office: OfficeRef,
    *,
    kinds: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[dict]:
    """The stock card, newest first; keyset on id so page 1,000 costs what page 1 does."""
    stmt = (
        select(M, User.name.label("actor"))
        .join(User, User.id == M.c.actor_id)
        .where(M.c.office_id == office.id)
        .order_by(M.c.id.desc())
        .limit(limit)
    )
    if kinds:
        stmt = stmt.where(M.c.kind.in_(list(kinds)))
    if since is not None:
        stmt = stmt.where(M.c.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(M.c.occurred_at < until)
    if before_id is not None:
        stmt = stmt.where(M.c.id < before_id)
    return [_movement_out(dict(row._mapping), office.code, row.actor) for row in db.session.execute(stmt)]

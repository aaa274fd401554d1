"""Planned transfers (issue 15, redistribution): someone decides that blanks should go from one
office to another, and warehouse staff dispatch them once packed.

A planned transfer is only a row: no movement, no balance, nothing in transit, so the books,
the projection, the alerts and the reports do not see it (they count balances and movements).
It carries no serials (the dispatcher chooses them), no request for blanks (a request's
shipment is counted when it leaves: blank_requests.fulfilment) and no cards for destruction.

Dispatching it is the ordinary dispatch (transfers.move_out) on the existing row, after a
guarded UPDATE moved it out of `planned`: of two dispatches at once, one finds it planned and
the other gets 409 transfer_not_planned; a refusal after that (not enough stock, a serial not
held) rolls the status back with everything else. The dispatcher is recorded as such, so the
receipt rule (receipts.refuse_self_receipt: who dispatched does not receive) names them, not
the planner.
"""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy import insert, update

from ..auth import permissions
from ..core.db import db, utcnow
from ..core.errors import Conflict, Invalid
from ..core.principal import Principal
from ..offices.tree import OfficeRef, office_refs
from .ledger import T, get_transfer
from .serials import SerialRange
from .transfers import cancel_transfer as cancel_in_transit
from .transfers import move_out, refuse_route, with_serials


def plan(
    source: OfficeRef,
    destination: OfficeRef,
    actor: Principal,
    quantity: int,
    note: str | None = None,
    *,
    serials: list[SerialRange] | str | None = None,
    request_id: int | None = None,
    category: str | None = None,
) -> dict:
    """A transfer decided but not sent: refused where a dispatch would be (a closed destination,
    the same office), and with what only a dispatch carries."""
    refuse_route(source, destination)
    for field, value, what in (
        ("serials", serials, "The dispatcher chooses the serials when the blanks leave"),
        ("request_id", request_id, "A request for blanks is filled by blanks that leave"),
        ("category", category, "Cards awaiting destruction are sent, not planned"),
    ):
        if value is not None:
            raise Invalid(f"{what}: a planned transfer has no {field}.", error="not_plannable", field=field)
    now = utcnow()
    transfer_id = db.session.execute(
        insert(T)
        .values(
            from_office_id=source.id,
            to_office_id=destination.id,
            quantity=quantity,
            status="planned",
            note=note,
            planned_by_id=actor.user_id,
            planned_at=now,
        )
        .returning(T.c.id)
    ).scalar_one()
    return with_serials(transfer_id)


def dispatch_planned(
    transfer_id: int, actor: Principal, serials: list[SerialRange] | str | None = None
) -> dict:
    """The planned blanks leave now, as any dispatch: 409 transfer_not_planned unless it is
    still planned (dispatched or cancelled meanwhile)."""
    row = db.session.execute(
        update(T)
        .where(T.c.id == transfer_id, T.c.status == "planned")
        .values(status="in_transit", dispatched_by_id=actor.user_id, dispatched_at=utcnow())
        .returning(T.c.from_office_id, T.c.to_office_id, T.c.quantity, T.c.note)
    ).first()
    if row is None:
        _refuse_not_planned(transfer_id)
    offices = office_refs(row.from_office_id, row.to_office_id)
    source, destination = offices[row.from_office_id], offices[row.to_office_id]
    refuse_route(source, destination)  # the destination may have closed since it was planned
    return move_out(source, destination, actor, row.quantity, row.note, serials, planned_id=transfer_id)


def cancel_planned(transfer_id: int, actor: Principal) -> dict:
    """Call off a planned transfer: nothing moved, so nothing moves back. 409
    transfer_not_planned once it has left (or was called off already)."""
    if not _call_off(transfer_id, actor):
        _refuse_not_planned(transfer_id)
    return with_serials(transfer_id)


def cancel_transfer(transfer_id: int, actor: Principal) -> dict:
    """Cancel whatever the transfer is now: called off while planned, called back in transit."""
    if _call_off(transfer_id, actor):
        return with_serials(transfer_id)
    return cancel_in_transit(transfer_id, actor)


def cancel_as(transfer: dict, actor: Principal, source_path: str, plan_only: bool = False) -> dict:
    """POST /transfers/{id}/cancel, from the API and the dashboard alike. Warehouse of the
    source (TRANSFER) cancels whatever the transfer is now; a planner (PLAN) only calls off a
    plan, even if it leaves meanwhile, and a second click on one called off already is 409
    transfer_not_planned, as for the warehouse, not 403. One on the road is TRANSFER's alone.

    `plan_only` (the dashboard's "Cancel the plan", shown on a plan): only ever calls off the
    plan, for the warehouse too. A page left open while someone dispatched the plan would
    otherwise call back a shipment where its user meant to drop a plan: 409
    transfer_not_planned instead, and nothing moves."""
    if plan_only:
        if not permissions.may(actor, permissions.TRANSFER, source_path):
            permissions.require_any(actor, permissions.PLANNERS, source_path)
        return cancel_planned(transfer["id"], actor)
    planner_may = transfer["status"] in ("planned", "cancelled")
    if planner_may and not permissions.may(actor, permissions.TRANSFER, source_path):
        permissions.require_any(actor, permissions.PLANNERS, source_path)
        return cancel_planned(transfer["id"], actor)
    permissions.require(actor, permissions.TRANSFER, source_path)
    return cancel_transfer(transfer["id"], actor)


def _call_off(transfer_id: int, actor: Principal) -> bool:
    called_off = db.session.execute(
        update(T)
        .where(T.c.id == transfer_id, T.c.status == "planned")
        .values(status="cancelled", closed_by_id=actor.user_id, closed_at=utcnow())
        .returning(T.c.id)
    ).first()
    return called_off is not None


def _refuse_not_planned(transfer_id: int) -> NoReturn:
    current = get_transfer(transfer_id)  # 404 for no such transfer
    raise Conflict(
        f"Transfer {transfer_id} is {current['status']}, not planned.",
        error="transfer_not_planned",
        status=current["status"],
    )

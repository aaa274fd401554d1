"""A request's shipped, received and outstanding quantities follow the transfers and deliveries
that carry its id. Handlers of stock's events (see inventory/handlers.py): they run inside the
stock verb's transaction, so a refusal here (over the quota, the wrong offices, a request not
approved) rolls the transfer or delivery back with it: nothing is written."""

from __future__ import annotations

from sqlalchemy import update

from ..auth import permissions
from ..core.db import db, utcnow
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.principal import Principal
from ..stock.events import DeliveryRecorded, TransferCancelled, TransferDispatched, TransferReceived
from . import rules
from .lead_time import refresh_lead_time
from .service import R, announce, locked, record, refresh_on_order, state_of


def on_transfer_dispatched(event: TransferDispatched) -> None:
    if event.request_id is None:
        return
    row = _shippable(event.request_id)
    if (event.from_office_id, event.to_office_id) != (row.supplier_id, row.office_id):
        raise Conflict(
            f"Request {row.id} is filled by transfers from its supplier to the office that asked.",
            error="not_this_request",
        )
    _ship(row, event.quantity, event.actor, event.over_approve, received=False)


def on_delivery_recorded(event: DeliveryRecorded) -> None:
    """A delivery into the requesting office (a BAST from outside the tree): shipped and received."""
    if event.request_id is None:
        return
    row = _shippable(event.request_id)
    if event.office_id != row.office_id:
        raise Conflict(
            f"Request {row.id} is filled by deliveries to the office that asked.", error="not_this_request"
        )
    _ship(row, event.quantity, event.actor, event.over_approve, received=True)


def on_transfer_received(event: TransferReceived) -> None:
    if event.request_id is None:
        return
    row = locked(event.request_id)
    after = rules.receive(state_of(row), event.quantity)
    _save(row, after, "receive", event.quantity, event.actor)


def on_transfer_cancelled(event: TransferCancelled) -> None:
    """A transfer called back stops counting as shipped."""
    if event.request_id is None:
        return
    row = locked(event.request_id)
    after = rules.call_back(state_of(row), event.quantity)
    _save(row, after, "call_back", event.quantity, event.actor)


def _shippable(request_id: int):
    try:
        return locked(request_id)
    except NotFound:
        # Named as the field it came in: the request is the client's input, not the route.
        raise Invalid(f"No request {request_id}.", error="request_not_found", field="request_id") from None


def _ship(row, quantity: int, actor: Principal, over_approve: bool, *, received: bool) -> None:
    supplier_manager = permissions.may(actor, permissions.OVER_APPROVE) and (
        actor.is_admin or actor.office_id == row.supplier_id
    )
    if over_approve and not supplier_manager:
        raise Forbidden(
            "Only the supplier's managers may ship past a request's quota.", error="not_your_request"
        )
    after = rules.ship(state_of(row), quantity, over_approve=over_approve)
    if received:
        after = rules.receive(after, quantity)
    _save(row, after, "deliver" if received else "ship", quantity, actor)


def _save(row, after: rules.State, action: str, quantity: int, actor: Principal) -> None:
    db.session.execute(
        update(R)
        .where(R.c.id == row.id)
        .values(status=after.status, shipped=after.shipped, received=after.received, updated_at=utcnow())
    )
    record(row.id, action, after.status, actor, quantity=quantity)
    refresh_on_order(row.office_id)
    if after.status == "fulfilled" and row.status != "fulfilled":
        refresh_lead_time(row.office_id)
        announce("request_fulfilled", row, after)

"""Writing requests for blanks: creating one, and its transitions (submit, approve, reject,
cancel, close). Each runs in the request's unit of work; the row is locked first, so of two
concurrent transitions of one request exactly one finds it in the state it leaves from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select, update

from ..auth import permissions
from ..core import bus
from ..core.db import db, utcnow
from ..core.errors import Forbidden, Invalid, NotFound
from ..core.principal import Principal
from ..offices import tree
from ..offices.models import Office
from . import rules
from .events import RequestChanged
from .models import BlankRequest, RequestEvent, RequestStep
from .suggestion import suggested_quantity

R = BlankRequest.__table__
S = RequestStep.__table__
H = RequestEvent.__table__


def create(
    office: Office,
    supplier: Office | None,
    via: list[Office],
    actor: Principal,
    *,
    quantity: int,
    justification: str | None = None,
    needed_by: date | None = None,
    emergency: bool = False,
) -> int:
    """A draft request from `office` to `supplier` (by default its parent), decided by each
    office of `via` in turn and then by the supplier."""
    if supplier is None:
        if office.parent is None:
            raise Invalid("The national office has no parent to ask.", error="bad_supplier", field="supplier")
        supplier = office.parent
    rules.check_supplier(office.path, supplier.path)
    rules.check_route(office.path, [step.path for step in via], supplier.path)
    if _decides(actor, [step.id for step in [*via, supplier]]):
        raise Forbidden("An office that decides a request cannot also ask it.", error="not_your_request")
    suggested = suggested_quantity(office)
    rules.needs_justification(quantity, suggested, justification)
    now = utcnow()
    request_id = db.session.execute(
        insert(R)
        .values(
            office_id=office.id,
            supplier_id=supplier.id,
            quantity=quantity,
            suggested_quantity=suggested,
            shipped=0,
            received=0,
            status="draft",
            step=0,
            justification=justification,
            needed_by=needed_by,
            emergency=emergency,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        .returning(R.c.id)
    ).scalar_one()
    db.session.execute(
        insert(S),
        [
            {"request_id": request_id, "position": position, "office_id": step.id}
            for position, step in enumerate([*via, supplier])
        ],
    )
    record(request_id, "create", "draft", actor, quantity=quantity, note=justification)
    return request_id


def act(
    request_id: int,
    action: str,
    actor: Principal,
    *,
    approved_quantity: int | None = None,
    note: str | None = None,
) -> None:
    """submit, approve, reject, cancel or close: who, when and the note go to the history."""
    row = locked(request_id)
    deciding = row.step_office_id
    _require_side(actor, action, row)
    before = state_of(row)
    after = rules.transition(before, action, approved_quantity=approved_quantity, note=note)
    values = {
        "status": after.status,
        "step": after.step,
        "approved_quantity": after.approved_quantity,
        "updated_at": utcnow(),
    }
    if action == "submit":
        values["submitted_at"] = values["updated_at"]
    db.session.execute(update(R).where(R.c.id == request_id).values(**values))
    quantity = after.approved_quantity if action == "approve" else None
    office_id = deciding if action in ("approve", "reject") else None
    record(request_id, action, after.status, actor, quantity=quantity, note=note, office_id=office_id)
    if after.status in ("approved", "closed"):  # what the office is owed changed
        refresh_on_order(row.office_id)
    event = NOTIFIED.get((action, after.status))
    if event:
        announce(event, row, after, note=note)


# Which transitions are announced (as RequestChanged). A step of a route approving passes the
# request on: to the next office it is submitted; it is approved once the last step grants it,
# when blanks may be shipped.
NOTIFIED = {
    ("submit", "submitted"): "request_submitted",
    ("approve", "submitted"): "request_submitted",
    ("approve", "approved"): "request_approved",
    ("reject", "rejected"): "request_rejected",
}


def announce(event: str, row, after: rules.State, *, note: str | None = None) -> None:
    """Publish RequestChanged for `row` (read by row_of) now in state `after`."""
    awaiting = None
    if after.status == "submitted":
        awaiting = db.session.execute(
            select(Office.code, Office.path)
            .join(S, S.c.office_id == Office.id)
            .where(S.c.request_id == row.id, S.c.position == after.step)
        ).one()
    bus.publish(
        RequestChanged(
            event=event,
            request_id=row.id,
            office_code=row.office_code,
            office_path=row.office_path,
            supplier_code=row.supplier_code,
            supplier_path=row.supplier_path,
            status=after.status,
            quantity=after.quantity,
            approved_quantity=after.approved_quantity,
            shipped=after.shipped,
            received=after.received,
            needed_by=row.needed_by,
            note=note,
            awaiting_code=awaiting.code if awaiting else None,
            awaiting_path=awaiting.path if awaiting else None,
        )
    )


def refresh_on_order(office_id: int) -> None:
    """The office's approved-but-not-received blanks, and the earliest needed_by among them,
    for the projection (offices.on_order): after every change to what it is owed."""
    open_ = R.c.status.in_(sorted(rules.OPEN_FOR_SHIPPING))
    owed = R.c.approved_quantity - R.c.received
    quantity, due = db.session.execute(
        select(func.coalesce(func.sum(owed), 0), func.min(R.c.needed_by)).where(
            R.c.office_id == office_id, open_, owed > 0
        )
    ).one()
    tree.set_on_order(office_id, int(quantity), due)


def _require_side(actor: Principal, action: str, row) -> None:
    """The requester's side acts in its area, as every write does, unless it decides the request
    (a province does not ask itself on a regency's behalf). A decision is the deciding office's
    own (or an admin's): a manager above it deciding in its stead would make the approval at
    each step of a route one person's."""
    side = rules.SIDE[action]
    permission = permissions.REQUEST_BLANKS if side == "requester" else permissions.DECIDE_REQUESTS
    permissions.require(actor, permission)  # the role first: 403 forbidden names it
    if side == "requester":
        allowed = permissions.in_area(actor, row.office_path) and not _decides(actor, _deciders(row.id))
        who = "the requesting office's managers"
    else:
        office_id = row.step_office_id if side == "step" else row.supplier_id
        allowed = actor.is_admin or actor.office_id == office_id
        who = f"managers of {row.step_office_code}" if side == "step" else "the supplier's managers"
    if not allowed:
        raise Forbidden(f"Only {who} may {action} this request.", error="not_your_request")


def _deciders(request_id: int) -> list[int]:
    return list(db.session.execute(select(S.c.office_id).where(S.c.request_id == request_id)).scalars())


def _decides(actor: Principal, office_ids: list[int]) -> bool:
    return not actor.is_admin and actor.office_id in office_ids


def locked(request_id: int):
    """The request with its offices' paths and the office its current step awaits, row locked
    until the transaction ends (PostgreSQL; SQLite's writers are one at a time anyway)."""
    db.session.execute(select(R.c.id).where(R.c.id == request_id).with_for_update()).first()
    return row_of(request_id)


def row_of(request_id: int):
    route = S.alias("route")
    requester, supplier, deciding = (
        Office.__table__.alias(name) for name in ("requester", "supplier", "deciding")
    )
    row = db.session.execute(
        select(
            R,
            requester.c.code.label("office_code"),
            requester.c.path.label("office_path"),
            supplier.c.code.label("supplier_code"),
            supplier.c.path.label("supplier_path"),
            deciding.c.id.label("step_office_id"),
            deciding.c.path.label("step_office_path"),
            deciding.c.code.label("step_office_code"),
            select(func.count()).where(route.c.request_id == R.c.id).scalar_subquery().label("steps"),
        )
        .join(requester, requester.c.id == R.c.office_id)
        .join(supplier, supplier.c.id == R.c.supplier_id)
        .join(S, (S.c.request_id == R.c.id) & (S.c.position == R.c.step))
        .join(deciding, deciding.c.id == S.c.office_id)
        .where(R.c.id == request_id)
    ).first()
    if row is None:
        raise NotFound(f"No request {request_id}.", error="request_not_found")
    return row


def state_of(row) -> rules.State:
    return rules.State(
        status=row.status,
        quantity=row.quantity,
        approved_quantity=row.approved_quantity,
        shipped=row.shipped,
        received=row.received,
        step=row.step,
        steps=row.steps,
    )


def record(
    request_id: int,
    action: str,
    status: str,
    actor: Principal,
    *,
    quantity: int | None = None,
    note: str | None = None,
    office_id: int | None = None,
) -> None:
    db.session.execute(
        insert(H).values(
            request_id=request_id,
            action=action,
            status=status,
            office_id=office_id,
            quantity=quantity,
            note=note,
            actor_id=actor.user_id,
            at=utcnow(),
        )
    )

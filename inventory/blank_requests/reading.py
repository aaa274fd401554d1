"""Reading requests: one with its route, history, transfers and deliveries; lists for the
requester and for the approver, scoped to what the reader may see."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..auth import permissions
from ..auth.models import User
from ..core.db import db
from ..core.principal import Principal
from ..offices.models import Office
from ..planning.figures import figures_for
from ..stock.ledger import M, list_transfers
from . import rules
from .models import BlankRequest, RequestEvent, RequestStep
from .service import row_of, state_of
from .suggestion import position

R = BlankRequest.__table__
S = RequestStep.__table__
H = RequestEvent.__table__
O = Office.__table__  # noqa: E741


def readable(principal: Principal, row) -> bool:
    """The requester's area, the supplier's, and every deciding office's read a request: a
    lender reads the loan a sibling asked for, though the borrower is outside its subtree."""
    paths = [row.office_path, row.supplier_path, *(step["path"] for step in _steps(row.id))]
    return any(permissions.may(principal, permissions.READ, path) for path in paths)


def require_readable(principal: Principal, request_id: int):
    row = row_of(request_id)
    if not readable(principal, row):
        permissions.require(principal, permissions.READ, row.office_path)  # says why: outside your area
    return row


def get_request(request_id: int) -> dict:
    row = row_of(request_id)
    out = summary(row, _codes(row.office_id, row.supplier_id))
    out["route"] = _steps(request_id)
    out["history"] = _history(request_id)
    out["transfers"] = list_transfers(request_id=request_id, limit=1000)
    out["deliveries"] = _deliveries(row)
    return out


def summary(row, codes: dict[int, str]) -> dict:
    state = state_of(row)
    return {
        "id": row.id,
        "office": codes[row.office_id],
        "supplier": codes[row.supplier_id],
        "status": row.status,
        "quantity": row.quantity,
        "suggested_quantity": row.suggested_quantity,
        "approved_quantity": row.approved_quantity,
        "shipped": row.shipped,
        "received": row.received,
        "outstanding": rules.outstanding(state),
        "awaiting": row.step_office_code if row.status == "submitted" else None,
        "justification": row.justification,
        "needed_by": row.needed_by,
        "emergency": row.emergency,
        "created_at": row.created_at,
        "submitted_at": row.submitted_at,
        "updated_at": row.updated_at,
    }


def list_requests(
    principal: Principal,
    *,
    office: Office | None = None,
    supplier: Office | None = None,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[dict]:
    """Newest first. Each carries the requester's figures, and the supplier's stock and cover
    after granting it, so a province can share a thin stock among its regencies fairly."""
    requester, giver = O.alias("requester"), O.alias("giver")
    stmt = (
        select(R.c.id)
        .join(requester, requester.c.id == R.c.office_id)
        .join(giver, giver.c.id == R.c.supplier_id)
        .order_by(R.c.id.desc())
        .limit(limit)
    )
    if not principal.is_admin:
        area = principal.office_path or "//"  # no office: nothing
        deciders = select(S.c.request_id).join(O, O.c.id == S.c.office_id).where(O.c.path.startswith(area))
        stmt = stmt.where(
            or_(requester.c.path.startswith(area), giver.c.path.startswith(area), R.c.id.in_(deciders))
        )
    if office is not None:
        stmt = stmt.where(R.c.office_id == office.id)
    if supplier is not None:
        stmt = stmt.where(R.c.supplier_id == supplier.id)
    if status is not None:
        stmt = stmt.where(R.c.status == status)
    if before_id is not None:
        stmt = stmt.where(R.c.id < before_id)
    rows = [row_of(request_id) for request_id in db.session.execute(stmt).scalars()]
    if not rows:
        return []
    office_ids = sorted({row.office_id for row in rows} | {row.supplier_id for row in rows})
    figures = {f.office_id: f for f in figures_for(office_ids)}
    codes = {office_id: f.code for office_id, f in figures.items()}
    items = []
    for row in rows:
        item = summary(row, codes)
        item["requester"] = position(figures[row.office_id])
        item["supplier_after"] = _after_granting(figures[row.supplier_id], row)
        items.append(item)
    return items


def _after_granting(supplier, row) -> dict:
    """The supplier's own stock and its cover once this request's quota (or ask) has left it."""
    grant = row.approved_quantity if row.approved_quantity is not None else row.quantity
    remaining = row.shipped if row.status in rules.OPEN_FOR_SHIPPING else 0
    on_hand = supplier.own_on_hand - max(grant - remaining, 0)
    daily = supplier.projection.average_daily_use
    return {
        "on_hand": on_hand,
        "days_of_cover": round(on_hand / daily, 1) if daily > 0 else None,
    }


def _codes(*office_ids: int) -> dict[int, str]:
    return dict(db.session.execute(select(O.c.id, O.c.code).where(O.c.id.in_(office_ids))).all())


def _steps(request_id: int) -> list[dict]:
    rows = db.session.execute(
        select(S.c.position, O.c.code, O.c.path)
        .join(O, O.c.id == S.c.office_id)
        .where(S.c.request_id == request_id)
        .order_by(S.c.position)
    )
    return [{"position": r.position, "office": r.code, "path": r.path} for r in rows]


def _history(request_id: int) -> list[dict]:
    rows = db.session.execute(
        select(H, User.name.label("actor"), O.c.code.label("office"))
        .join(User, User.id == H.c.actor_id)
        .outerjoin(O, O.c.id == H.c.office_id)
        .where(H.c.request_id == request_id)
        .order_by(H.c.id)
    )
    return [
        {
            "action": r.action,
            "status": r.status,
            "office": r.office,
            "quantity": r.quantity,
            "note": r.note,
            "actor": r.actor,
            "at": r.at,
        }
        for r in rows
    ]


def _deliveries(row) -> list[dict]:
    # Through the office's deliveries (an index the stock card has), not an index of its own.
    rows = db.session.execute(
        select(M.c.id, M.c.quantity, M.c.reference, M.c.occurred_at).where(
            M.c.office_id == row.office_id, M.c.kind == "delivery", M.c.request_id == row.id
        )
    )
    return [
        {
            "movement_id": r.id,
            "quantity": r.quantity,
            "document_no": r.reference,
            "occurred_at": r.occurred_at,
        }
        for r in rows
    ]

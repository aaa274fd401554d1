"""Offices: the tree of regency offices, district service points and mobile units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from . import ledger, rollups, stock
from .db import db
from .errors import Conflict, Invalid, NotFound
from .models import Office

# Which kind of office may sit under which; mobile units go under any office.
PARENT_KINDS = {
    "national": (None,),
    "province": ("national",),
    "regency": ("province",),
    "district": ("regency",),
    "mobile": ("national", "province", "regency", "district"),
}


def get_by_code(code: str) -> Office:
    office = db.session.execute(select(Office).where(Office.code == code)).scalar_one_or_none()
    if office is None:
        raise NotFound(f"No office with code {code!r}.", error="office_not_found")
    return office


def create(code: str, name: str, kind: str, parent_code: str | None = None) -> Office:
    parent = get_by_code(parent_code) if parent_code else None
    allowed = PARENT_KINDS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        wanted = " or ".join(k or "no parent" for k in allowed)
        raise Invalid(
            f"A {kind} office must sit under {wanted}, not {parent_kind or 'nothing'}.",
            error="bad_parent",
            field="parent_code",
        )
    if db.session.execute(select(Office.id).where(Office.code == code)).first():
        raise Conflict(f"Office {code!r} already exists.", error="office_exists")
    office = Office(code=code, name=name, kind=kind, parent=parent, path="", min_stock=0, active=True)
    db.session.add(office)
    db.session.flush()  # the id is part of the path
    office.path = f"{parent.path if parent else '/'}{office.id}/"
    stock.open_balance(office.id)
    return office


def update(office: Office, changes: dict[str, Any]) -> Office:
    for field in ("name", "min_stock", "active"):
        if field in changes:
            setattr(office, field, changes[field])
    return office


def list_offices(
    *, parent: str | None, kind: str | None, area_path: str | None, page: int, per_page: int
) -> tuple[list[Office], int]:
    stmt = select(Office)
    if parent:
        stmt = stmt.where(Office.parent_id == get_by_code(parent).id)
    if kind:
        stmt = stmt.where(Office.kind == kind)
    if area_path:
        stmt = stmt.where(Office.path.startswith(area_path))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        db.session.execute(stmt.order_by(Office.code).limit(per_page).offset((page - 1) * per_page))
        .scalars()
        .all()
    )
    return list(rows), total


def stock_of(office: Office) -> dict:
    figures = ledger.balance_of(office.id)
    figures["subtree_on_hand"] = rollups.rollup_of(office.id)["on_hand"]
    figures["office"] = office.code
    return figures

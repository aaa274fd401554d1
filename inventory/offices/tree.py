"""The office tree: finding offices by code, opening them, changing their settings, listing them.

Opening an office and changing a setting the projection reads have consequences in higher
packages (a balance to open, alerts to re-evaluate): they are published as events, and
inventory/handlers.py says who handles them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy import update as update_
from sqlalchemy.exc import IntegrityError

from ..core import bus
from ..core.db import connection, db
from ..core.errors import Conflict, Invalid, NotFound
from .events import OfficeOpened, PlanningSettingsChanged
from .models import Office
from .time_zones import DEFAULT_ZONE, today_in, zone_for_code

# Which kind of office may sit under which; mobile units go under any office.
PARENT_KINDS = {
    "national": (None,),
    "province": ("national",),
    "regency": ("province",),
    "district": ("regency",),
    "mobile": ("national", "province", "regency", "district"),
}


@dataclass(frozen=True)
class OfficeRef:
    """What stock verbs need of an office: its id, its public code and its place in the tree."""

    id: int
    code: str
    path: str
    active: bool | None = True  # None: not read (place_by_code)

    @classmethod
    def of(cls, office: Office) -> OfficeRef:
        return cls(office.id, office.code, office.path, office.active)


def get_by_code(code: str) -> Office:
    office = db.session.execute(select(Office).where(Office.code == code)).scalar_one_or_none()
    if office is None:
        raise NotFound(f"No office with code {code!r}.", error="office_not_found")
    return office


# Built once, on the table: the stock routes (prints above all) need only these three
# columns, and loading an Office (with its parent, eagerly joined) cost 5x as much (bench/).
_O = Office.__table__
_REF_BY_CODE = select(_O.c.id, _O.c.code, _O.c.path, _O.c.active).where(_O.c.code == bindparam("code"))


def ref_by_code(code: str) -> OfficeRef:
    """What stock verbs need of an office (id, code, path), without loading the Office."""
    row = connection().execute(_REF_BY_CODE, {"code": code}).first()
    if row is None:
        raise NotFound(f"No office with code {code!r}.", error="office_not_found")
    return OfficeRef(*row)


def place_by_code(code: str) -> OfficeRef:
    """The office's id, code and path, remembered by the app once read: every print needs them.

    They never change once the office exists (no route moves, renames the code of or deletes
    an office). Whether it is open does: `active` is left as None, and the verb that needs it
    reads it with its write (stock.service.consume).
    """
    places = current_app.extensions.setdefault("blangko.office_places", {})
    place = places.get(code)
    if place is None:
        office = ref_by_code(code)
        place = places[code] = OfficeRef(office.id, office.code, office.path, None)
    return place


def create(
    code: str, name: str, kind: str, parent_code: str | None = None, time_zone: str | None = None
) -> Office:
    lock_tree()
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
    if _exists(code):
        raise Conflict(f"Office {code!r} already exists.", error="office_exists")
    if kind == "national":
        _refuse_second_national()
    # A mobile unit's code names no province: it keeps the days of the office it sits under.
    time_zone = time_zone or zone_for_code(code) or (parent.time_zone if parent else DEFAULT_ZONE)
    office = Office(
        code=code, name=name, kind=kind, parent=parent, path="", min_stock=0, active=True, time_zone=time_zone
    )
    try:
        # A savepoint: on PostgreSQL a concurrent creation of the same code passes the check
        # above, waits on the unique index and fails here; the transaction must survive to say why.
        with db.session.begin_nested():
            db.session.add(office)
            db.session.flush()  # the id is part of the path
    except IntegrityError:
        if _exists(code):
            raise Conflict(f"Office {code!r} already exists.", error="office_exists") from None
        if kind == "national":
            _refuse_second_national()
        raise
    opened(office, parent)
    return office


def lock_tree() -> None:
    """Offices are created one transaction at a time (PostgreSQL: a transaction-level advisory
    lock; SQLite's one write lock already does it). Two region imports, or an import and an
    admin's new office, would otherwise both find a code (or the national office) missing and
    both insert it; the second would then meet the unique index. Creating offices is an
    admin's rare act, so making them wait for each other costs nothing that matters."""
    if connection().dialect.name == "postgresql":
        connection().execute(_LOCK_TREE)


# Any constant shared by every creator of offices; the idempotency keys' locks are hashes of
# a user and a key (core/unit_of_work.py), so a collision would only make one wait.
_LOCK_TREE = text("SELECT pg_advisory_xact_lock(7305202)")


def _exists(code: str) -> bool:
    return db.session.execute(select(Office.id).where(Office.code == code)).first() is not None


def national_office() -> Office | None:
    """The root of the tree, if it has been created (the database allows one)."""
    return db.session.execute(select(Office).where(Office.kind == "national")).scalar_one_or_none()


def _refuse_second_national() -> None:
    """The tree has one root: every total, report and quota adds up to it. A second national
    office would start a country of its own that nothing above it sees."""
    existing = national_office()
    if existing is not None:
        raise Conflict(
            f"There is already a national office ({existing.code}); the tree has one.",
            error="national_exists",
        )


def opened(office: Office, parent: Office | None) -> None:
    """A new office, flushed (it has its id), takes its place in the tree and is announced."""
    office.path = f"{parent.path if parent else '/'}{office.id}/"
    bus.publish(OfficeOpened(office.id))


# Settings the projection reads: changing one can open or resolve a planning alert.
PLANNING_SETTINGS = ("target_date", "lead_time_days", "safety_days", "print_capacity_per_day")
# When cards awaiting destruction are overdue (alert destruction_overdue).
DESTRUCTION_SETTINGS = ("destruction_interval_days", "destruction_max_pending")
LETTERHEAD = ("address", "head_name", "head_nip")
PUBLIC_BOARD = ("public_quantity", "public_stale_days")
RECEIPT_SETTINGS = ("allow_self_receipt",)


def _refuse_past_target(office: Office, changes: dict[str, Any]) -> None:
    """A new target date must not be behind us; one already set that has passed stays (shown as passed).

    Today is the office's own day (its zone, or the one this change gives it): from 17:00 UTC
    it is already tomorrow in WIB, so the UTC day would let a date already past there through.
    """
    target_date: date | None = changes.get("target_date")
    if target_date is None or target_date == office.target_date:
        return
    today = today_in(changes.get("time_zone") or office.time_zone or DEFAULT_ZONE)
    if target_date < today:
        raise Invalid(
            f"The target date {target_date.isoformat()} has passed; give today ({today.isoformat()}) "
            "or a later day, or null for none.",
            error="target_date_past",
            field="target_date",
        )


def set_on_order(office_id: int, quantity: int, due: date | None) -> None:
    """What requests for blanks have approved for the office and not yet delivered; the
    projection counts it as on order, so its alerts are re-evaluated when it changes."""
    changed = db.session.execute(
        update_(Office)
        .where(Office.id == office_id, or_(Office.on_order != quantity, _differs(Office.on_order_due, due)))
        .values(on_order=quantity, on_order_due=due)
        .returning(Office.path)
    ).first()
    if changed is not None:
        bus.publish(PlanningSettingsChanged(changed.path))


def set_measured_lead_time(office_id: int, days: int | None) -> None:
    """The lead time the office's own fulfilled requests show (None: too few yet); its
    alerts are re-evaluated when it changes, as for a planning setting."""
    changed = db.session.execute(
        update_(Office)
        .where(Office.id == office_id, _differs(Office.measured_lead_time_days, days))
        .values(measured_lead_time_days=days)
        .returning(Office.path)
    ).first()
    if changed is not None:
        bus.publish(PlanningSettingsChanged(changed.path))


def _differs(column, value):
    """NULL-aware `column <> value`."""
    return column.is_not(None) if value is None else or_(column.is_(None), column != value)


def update(office: Office, changes: dict[str, Any]) -> Office:
    _refuse_past_target(office, changes)
    # A new threshold or setting can open or clear an alert at once, before any movement.
    replan = any(
        field in changes and changes[field] != getattr(office, field)
        for field in ("min_stock", "time_zone", *PLANNING_SETTINGS, *DESTRUCTION_SETTINGS)  # zone: "today"
    )
    for field in (
        "name",
        "min_stock",
        "active",
        "time_zone",
        "serials_required",
        *PLANNING_SETTINGS,
        *DESTRUCTION_SETTINGS,
        *LETTERHEAD,
        *PUBLIC_BOARD,
        *RECEIPT_SETTINGS,
    ):
        if field in changes:
            setattr(office, field, changes[field])
    if replan:
        db.session.flush()  # alert evaluation reads the settings back from the database
        bus.publish(PlanningSettingsChanged(office.path))
    return office


def list_offices(
    *,
    area_path: str | None,
    page: int,
    per_page: int,
    # Optional filters: the query schema passes them only when the client sent them.
    parent: str | None = None,
    kind: str | None = None,
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


def roots() -> list[Office]:
    """The offices at the top of the tree (the national office, in a tree built from the regions)."""
    return list(
        db.session.execute(select(Office).where(Office.parent_id.is_(None)).order_by(Office.code)).scalars()
    )


def office_refs(*office_ids: int) -> dict[int, OfficeRef]:
    rows = db.session.execute(
        select(Office.id, Office.code, Office.path, Office.active).where(Office.id.in_(office_ids))
    )
    return {row.id: OfficeRef(*row) for row in rows}

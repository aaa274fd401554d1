"""Reading stock: the stock card, transfers and balances. The verbs that write are in service.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from ..auth.models import User
from ..core.db import db
from ..core.errors import NotFound
from ..offices.models import Office
from ..offices.tree import OfficeRef
from .models import Balance, Movement, Transfer

B = Balance.__table__
M = Movement.__table__
T = Transfer.__table__


def movement_out(row: dict, office_code: str, actor_name: str) -> dict:
    out = {column: row.get(column) for column in MOVEMENT_FIELDS}
    out["office"] = office_code
    out["actor"] = actor_name
    return out


MOVEMENT_FIELDS = (
    "id", "kind", "quantity", "balance_after", "outcome", "reason", "transfer_id",
    "reverses_id", "client_id", "reference", "batch_no", "note", "request_id", "occurred_at", "recorded_at",
)  # fmt: skip


def get_transfer(transfer_id: int) -> dict:
    rows = list_transfers(transfer_id=transfer_id)
    if not rows:
        raise NotFound(f"No transfer {transfer_id}.")
    return rows[0]


def list_transfers(
    *,
    transfer_id: int | None = None,
    office_id: int | None = None,
    status: str | None = None,
    area_path: str | None = None,
    request_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict]:
    source, destination = Office.__table__.alias("source"), Office.__table__.alias("destination")
    dispatcher, closer = User.__table__.alias("dispatcher"), User.__table__.alias("closer")
    stmt = (
        select(
            T,
            source.c.code.label("from"),
            destination.c.code.label("to"),
            source.c.name.label("from_name"),  # for the dashboard, which names offices by name
            destination.c.name.label("to_name"),
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
    if request_id is not None:
        stmt = stmt.where(T.c.request_id == request_id)
    if area_path is not None:
        stmt = stmt.where(source.c.path.startswith(area_path) | destination.c.path.startswith(area_path))
    if before_id is not None:
        stmt = stmt.where(T.c.id < before_id)
    return [dict(row._mapping) for row in db.session.execute(stmt)]


def get_movement(movement_id: int) -> dict:
    row = db.session.execute(
        select(M, Office.code.label("office_code"), Office.path.label("office_path"))
        .join(Office, Office.id == M.c.office_id)
        .where(M.c.id == movement_id)
    ).first()
    if row is None:
        raise NotFound(f"No movement {movement_id}.")
    return dict(row._mapping)


def balance_of(office_id: int) -> dict:
    row = db.session.execute(
        select(B.c.on_hand, B.c.in_transit_in, B.c.in_transit_out).where(B.c.office_id == office_id)
    ).one()
    return dict(row._mapping)


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
    return [movement_out(dict(row._mapping), office.code, row.actor) for row in db.session.execute(stmt)]

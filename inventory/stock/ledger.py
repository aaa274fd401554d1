"""Reading stock: the stock card, transfers and balances. The verbs that write are in service.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, literal, select, union_all

from ..auth.models import User
from ..core.db import db
from ..core.errors import NotFound
from ..offices.models import Office
from ..offices.tree import OfficeRef
from . import event_order
from .event_order import Bounds
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
    "reverses_id", "client_id", "reference", "batch_no", "note", "occurred_at", "recorded_at",
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
    """The stock card, newest first in the order things happened (occurred_at, id), each row
    with `balance`, the office's balance after it in that order (event_order.py).

    Keyset on (occurred_at, id), named by the id of the last row seen (`before_id`), so page
    1,000 costs what page 1 does; an id that is not on this office's card ends the card.
    """
    page = select(M).where(M.c.office_id == office.id)
    if kinds:
        page = page.where(M.c.kind.in_(list(kinds)))
    if since is not None:
        page = page.where(M.c.occurred_at >= since)
    if until is not None:
        page = page.where(M.c.occurred_at < until)
    newest_first = (M.c.occurred_at.desc(), M.c.id.desc())
    if before_id is None:
        return _card(page.order_by(*newest_first).limit(limit), office)
    # After the row seen: the rest of its instant, then earlier instants. Two index seeks; a
    # row-value comparison (occurred_at, id) < (...) is one only on PostgreSQL, while SQLite
    # would walk every movement of that instant (a bulk load has thousands at one).
    seen = select(M.c.occurred_at).where(M.c.id == before_id, M.c.office_id == office.id).scalar_subquery()
    same_instant = page.where(M.c.occurred_at == seen, M.c.id < before_id)
    earlier = page.where(M.c.occurred_at < seen)
    both = union_all(
        *(select(part.order_by(*newest_first).limit(limit).subquery()) for part in (same_instant, earlier))
    ).subquery("after_seen")
    return _card(select(both).order_by(both.c.occurred_at.desc(), both.c.id.desc()).limit(limit), office)


def movement_on_card(office: OfficeRef, movement_id: int) -> dict:
    """One movement as its office's stock card shows it, its event-order balance included."""
    found = _card(select(M).where(M.c.id == movement_id, M.c.office_id == office.id), office)
    if not found:
        raise NotFound(f"No movement {movement_id}.")
    return found[0]


def _card(rows: Select, office: OfficeRef) -> list[dict]:
    page = rows.subquery("page")
    dialect = db.session.get_bind().dialect.name
    stmt = (
        select(
            page,
            User.name.label("actor"),
            event_order.balance(page, dialect, Bounds.configured()).label("balance"),
        )
        .join(User, User.id == page.c.actor_id)
        .order_by(page.c.occurred_at.desc(), page.c.id.desc())
    )
    out = []
    for row in db.session.execute(stmt):
        item = movement_out(dict(row._mapping), office.code, row.actor)
        item["balance"] = row.balance
        out.append(item)
    return out


def balances_at(office_id: int, moments: list[datetime]) -> list[tuple[int | None, int]]:
    """The office's balance at each moment, counting what happened before it, in one query:
    each moment's last movement before it (an index seek) and that movement's balance in event
    order (event_order.py), so a chart of 90 days costs 90 seeks however long the ledger.

    Returns (that movement's id, or None before the first one; the balance) per moment.
    """
    if not moments:
        return []
    ends = union_all(
        *(
            select(
                literal(n).label("n"),
                select(M.c.id)
                .where(M.c.office_id == office_id, M.c.occurred_at < moment)
                .order_by(M.c.occurred_at.desc(), M.c.id.desc())
                .limit(1)
                .scalar_subquery()
                .label("movement_id"),
            )
            for n, moment in enumerate(moments)
        )
    ).subquery("ends")
    last = M.alias("last")
    dialect = db.session.get_bind().dialect.name
    stmt = (
        select(ends.c.n, ends.c.movement_id, event_order.balance(last, dialect, Bounds.configured()))
        .select_from(ends)
        .outerjoin(last, last.c.id == ends.c.movement_id)
        .order_by(ends.c.n)
    )
    return [(movement_id, balance or 0) for _, movement_id, balance in db.session.execute(stmt)]

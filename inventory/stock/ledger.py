"""Reading stock: the stock card, transfers and balances. The verbs that write are in service.py."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Integer, Select, bindparam, func, select, text, union_all
from sqlalchemy.dialects.postgresql import ARRAY

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
    planner = User.__table__.alias("planner")
    stmt = (
        select(
            T,
            source.c.code.label("from"),
            destination.c.code.label("to"),
            source.c.name.label("from_name"),  # for the dashboard, which names offices by name
            destination.c.name.label("to_name"),
            dispatcher.c.name.label("dispatched_by"),
            planner.c.name.label("planned_by"),
            closer.c.name.label("closed_by"),
        )
        .join(source, source.c.id == T.c.from_office_id)
        .join(destination, destination.c.id == T.c.to_office_id)
        .outerjoin(dispatcher, dispatcher.c.id == T.c.dispatched_by_id)  # none while planned
        .outerjoin(planner, planner.c.id == T.c.planned_by_id)
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
    """The stock card, newest first in the order things happened (occurred_at, id), each row
    with `balance`, the office's balance after it in that order (event_order.py).

    Keyset on (occurred_at, id), named by the id of the last row seen (`before_id`), so page
    1,000 costs what page 1 does; an id that is not on this office's card ends the card.
    """
    kinds = list(kinds or ())
    dialect = db.session.get_bind().dialect.name
    shape = CardShape(bool(kinds), since is not None, until is not None, before_id is not None)
    params = {"office": office.id, "kinds": kinds, "since": since, "until": until, "seen": before_id,
              "limit": limit, **Bounds.configured().parameters(dialect)}  # fmt: skip
    return _card(_card_statement(dialect, shape), params, office)


def _plain_plans(dialect: str) -> None:
    """No JIT nor parallel workers for the card's and the chart's reads on PostgreSQL: the
    planner cannot know how few rows each balance's windows hold, guesses hundreds to
    thousands a row, and would JIT-compile a query of a millisecond for 50-600 ms, or start
    workers for 50 ms (measured at 300 k movements). For this transaction only."""
    if dialect == "postgresql":
        db.session.execute(_PLAIN_PLANS)


_PLAIN_PLANS = text(
    "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)"
)


def movement_on_card(office: OfficeRef, movement_id: int) -> dict:
    """One movement as its office's stock card shows it, its event-order balance included."""
    dialect = db.session.get_bind().dialect.name
    params = {"office": office.id, "movement": movement_id, **Bounds.configured().parameters(dialect)}
    found = _card(_card_statement(dialect, None), params, office)
    if not found:
        raise NotFound(f"No movement {movement_id}.")
    return found[0]


def _card(stmt: Select, params: dict, office: OfficeRef) -> list[dict]:
    _plain_plans(db.session.get_bind().dialect.name)
    out = []
    for row in db.session.execute(stmt, {key: value for key, value in params.items() if value is not None}):
        item = movement_out(dict(row._mapping), office.code, row.actor)
        item["balance"] = row.balance
        out.append(item)
    return out


class CardShape(NamedTuple):
    kinds: bool
    since: bool
    until: bool
    after_seen: bool


@cache
def _card_statement(dialect: str, shape: CardShape | None) -> Select:
    """A page of the card of one shape (which filters it has), or one movement (None): built
    once, since building it costs more than running it."""
    rows = select(M).where(M.c.office_id == bindparam("office"))
    one = rows.where(M.c.id == bindparam("movement"))
    page = (one if shape is None else _page(rows, shape)).subquery("page")
    return (
        select(page, User.name.label("actor"), event_order.balance(page, dialect).label("balance"))
        .join(User, User.id == page.c.actor_id)
        .order_by(page.c.occurred_at.desc(), page.c.id.desc())
    )


def _page(rows: Select, shape: CardShape) -> Select:
    moment = M.c.occurred_at.type
    if shape.kinds:
        rows = rows.where(M.c.kind.in_(bindparam("kinds", expanding=True)))
    if shape.since:
        rows = rows.where(M.c.occurred_at >= bindparam("since", type_=moment))
    if shape.until:
        rows = rows.where(M.c.occurred_at < bindparam("until", type_=moment))
    newest_first = (M.c.occurred_at.desc(), M.c.id.desc())
    limit = bindparam("limit", type_=Integer)
    if not shape.after_seen:
        return rows.order_by(*newest_first).limit(limit)
    # After the row seen: the rest of its instant, then earlier instants. Two index seeks; a
    # row-value comparison (occurred_at, id) < (...) is one only on PostgreSQL, while SQLite
    # would walk every movement of that instant (a bulk load has thousands at one).
    seen_id = bindparam("seen", type_=M.c.id.type)
    seen = select(M.c.occurred_at).where(M.c.id == seen_id, M.c.office_id == bindparam("office"))
    same_instant = rows.where(M.c.occurred_at == seen.scalar_subquery(), M.c.id < seen_id)
    earlier = rows.where(M.c.occurred_at < seen.scalar_subquery())
    both = union_all(
        *(select(part.order_by(*newest_first).limit(limit).subquery()) for part in (same_instant, earlier))
    ).subquery("after_seen")
    return select(both).order_by(both.c.occurred_at.desc(), both.c.id.desc()).limit(limit)


def balances_at(office_id: int, moments: list[datetime]) -> list[tuple[int | None, int]]:
    """The office's balance at each moment, counting what happened before it, in one query:
    each moment's last movement before it (an index seek) and that movement's balance in event
    order (event_order.py), so a chart of 90 days costs 90 seeks however long the ledger.

    Returns (that movement's id, or None before the first one; the balance) per moment.
    """
    if not moments:
        return []
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":  # a JSON list of times as SQLite stores them (json_each reads it)
        stored = M.c.occurred_at.type.dialect_impl(db.engine.dialect).bind_processor(db.engine.dialect)
        listed = json.dumps([stored(moment) for moment in moments])
    else:
        listed = list(moments)
    params = {"office": office_id, "moments": listed, **Bounds.configured().parameters(dialect)}
    _plain_plans(dialect)
    found = db.session.execute(_balances_statement(dialect), params).all()
    by_n = {n: (movement_id, balance or 0) for n, movement_id, balance in found}
    return [by_n[n] for n in range(len(moments))]


@cache
def _balances_statement(dialect: str) -> Select:
    """One row per moment of the list passed as `moments`: planned once however many there are
    (a UNION of 92 seeks took PostgreSQL 70 ms to plan)."""
    if dialect == "sqlite":
        listed = func.json_each(bindparam("moments")).table_valued("key", "value").alias("moments")
        n, moment = listed.c.key, listed.c.value
    else:
        moments = bindparam("moments", type_=ARRAY(M.c.occurred_at.type))
        listed = func.unnest(moments).table_valued("moment", with_ordinality="n").render_derived("moments")
        n, moment = listed.c.n - 1, listed.c.moment
    last_before = (
        select(M.c.id)
        .where(M.c.office_id == bindparam("office"), M.c.occurred_at < moment)
        .order_by(M.c.occurred_at.desc(), M.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    ends = select(n.label("n"), last_before.label("movement_id")).select_from(listed).subquery("ends")
    last = M.alias("last")
    return (
        select(ends.c.n, ends.c.movement_id, event_order.balance(last, dialect))
        .select_from(ends)
        .outerjoin(last, last.c.id == ends.c.movement_id)
    )


def reversed_among(movement_ids: Iterable[int]) -> set[int]:
    """Which of these movements a reversal already undoes (the stock card offers no second one)."""
    ids = list(movement_ids)
    if not ids:
        return set()
    found = db.session.execute(select(M.c.reverses_id).where(M.c.reverses_id.in_(ids))).scalars()
    return set(found)

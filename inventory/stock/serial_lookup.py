"""One serial's story (GET /serials/{serial}): the range holding it, its holder (an office, a
transfer on the road, or the print that ended it, and the destruction record that burned it)
and its trail, oldest first: every movement that carried it, then any record that burned it
or gave it back. Each part is read by index from the serial's own delivered range, so the
cost does not grow with the country's history."""

from __future__ import annotations

import heapq

from sqlalchemy import and_, select

from ..auth.models import User
from ..core.db import connection
from ..core.errors import NotFound
from ..offices.models import Office
from . import destruction_serials
from .ledger import M, T
from .serial_ranges import SM, as_range, containing
from .serials import SerialRange as Range
from .serials import parse_serial

_O = Office.__table__
_U = User.__table__


def find(serial: str) -> dict:
    """Where one serial is, and how it got there. `_paths` are the offices whose readers may
    see it: its holder's, the transfer's two ends, or where it was spoiled and burned."""
    prefix, width, number = parse_serial(serial)
    row = containing(prefix, width, number)
    if row is None:
        raise NotFound(f"No blank with serial {serial} was delivered.", error="serial_not_found")
    found = as_range(row)
    answer: dict = {"serial": found.serial(number), "range": str(found), "office": None,
                    "transfer_id": None, "ended_by": None, "destroyed_by": None}  # fmt: skip
    paths: list[str] = []
    if row.office_id is not None:
        code, path = connection().execute(select(_O.c.code, _O.c.path).where(_O.c.id == row.office_id)).one()
        answer["office"], paths = code, [path]
    elif row.transfer_id is not None:
        answer["transfer_id"] = row.transfer_id
        source, destination = _O.alias("source"), _O.alias("destination")
        paths = list(
            connection()
            .execute(
                select(source.c.path, destination.c.path)
                .select_from(T)
                .join(source, source.c.id == T.c.from_office_id)
                .join(destination, destination.c.id == T.c.to_office_id)
                .where(T.c.id == row.transfer_id)
            )
            .one()
        )
    root = row.root_id or row.id
    answer["trail"] = list(
        heapq.merge(
            _moves_of(root, number, found),
            destruction_serials.trail_of(root, number, found),
            key=lambda step: step["_at"],
        )
    )
    if row.ended_by_id is not None:
        ended = next(step for step in answer["trail"] if step["movement_id"] == row.ended_by_id)
        answer["ended_by"] = {key: ended[key] for key in ("movement_id", "kind", "outcome", "office")}
        paths = [ended["_path"]]
    if row.destroyed_by_id is not None:
        answer["destroyed_by"] = destruction_serials.destroyed_by(row.destroyed_by_id)
        paths.append(answer["destroyed_by"].pop("_path"))
    for step in answer["trail"]:
        step.pop("_path", None)
        step.pop("_at", None)
    return {**answer, "_paths": paths}


def _moves_of(root_id: int, number: int, found: Range) -> list[dict]:
    """The movements that carried the serial, in the order they were recorded."""
    rows = (
        connection()
        .execute(
            select(
                M.c.id,
                M.c.kind,
                M.c.outcome,
                M.c.occurred_at,
                M.c.recorded_at,
                M.c.reference,
                M.c.transfer_id,
                _O.c.code,
                _O.c.path,
                _U.c.name,
                SM.c.first,
                SM.c.last,
            )
            .select_from(SM)
            .join(M, M.c.id == SM.c.movement_id)
            .join(_O, _O.c.id == M.c.office_id)
            .join(_U, _U.c.id == M.c.actor_id)
            .where(and_(SM.c.root_id == root_id, SM.c.first <= number, SM.c.last >= number))
            .order_by(M.c.id)
        )
        .all()
    )
    return [
        {
            "movement_id": row.id,
            "destruction_id": None,
            "kind": row.kind,
            "outcome": row.outcome,
            "office": row.code,
            "occurred_at": row.occurred_at,
            "actor": row.name,
            "document_no": row.reference,
            "transfer_id": row.transfer_id,
            "range": str(Range(found.prefix, found.width, row.first, row.last)),
            "_path": row.path,
            "_at": row.recorded_at,
        }
        for row in rows
    ]

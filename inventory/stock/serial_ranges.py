"""Serial custody: which office holds which serialled blanks, in ranges (models.SerialRange).

The stock verbs call these after their balance change, so the locks keep the global order
(balances first, then ranges). A range is split only where a movement splits it: the part
taken keeps the row (and its id) with its new holder, what is left stays with the office as
new rows of the same delivered range. Every change is guarded by the holder and the bounds
it was read with, so two writers can never take one serial; and since every taker of an
office's ranges has locked the office's balance row first, "lowest" never even races.

Every movement that carries a range writes a SerialMove per range: the serial's trail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import func, insert, select, text, tuple_, update
from sqlalchemy.engine import Row

from ..core.db import connection
from ..core.errors import Conflict, Invalid
from .ledger import M, T
from .models import SerialMove, SerialRange
from .serials import SerialRange as Range
from .serials import carve

R = SerialRange.__table__
SM = SerialMove.__table__
LOWEST_BATCH = 200


def as_range(row: Row) -> Range:
    return Range(row.prefix, row.width, row.first, row.last)


# --- entering the country ---------------------------------------------------------


def deliver(office_id: int, movement_id: int, ranges: list[Range]) -> None:
    """Ranges arriving with a delivery: refused (409 serial_overlap) if any serial of them was
    ever delivered before, anywhere; every range ever delivered is still a row (held, on the
    road or ended), so one index probe per range tells."""
    _lock_serial_space(ranges)
    for wanted in sorted(ranges):
        clash = _clash(wanted)
        if clash is not None:
            raise Conflict(
                f"Serials {wanted} overlap {clash}, delivered before: a serial enters the country once.",
                error="serial_overlap",
                serials=str(wanted),
                clashing=str(clash),
            )
    rows = [
        {"prefix": r.prefix, "width": r.width, "first": r.first, "last": r.last, "office_id": office_id}
        for r in ranges
    ]
    ids = (
        connection().execute(insert(R).returning(R.c.id, sort_by_parameter_order=True), rows).scalars().all()
    )
    _trail(movement_id, [(root, r.first, r.last) for root, r in zip(ids, ranges, strict=True)])


def _lock_serial_space(ranges: Iterable[Range]) -> None:
    """PostgreSQL: deliveries of the same prefix and width wait for each other, so two overlapping
    ones cannot both pass the overlap check (SQLite has one writer at a time anyway). Taken after
    the balance row, in key order: the global lock order holds."""
    if connection().dialect.name != "postgresql":
        return
    keys = sorted({_space_key(r.prefix, r.width) for r in ranges})
    for key in keys:
        connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _space_key(prefix: str, width: int) -> int:
    digest = hashlib.sha256(f"blangko-serials:{prefix}:{width}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _clash(wanted: Range) -> Range | None:
    """The range of the same prefix and width overlapping `wanted`, if any: rows never overlap,
    so it can only be the last one starting at or before wanted's end."""
    row = (
        connection()
        .execute(
            select(R.c.prefix, R.c.width, R.c.first, R.c.last)
            .where(R.c.prefix == wanted.prefix, R.c.width == wanted.width, R.c.first <= wanted.last)
            .order_by(R.c.first.desc())
            .limit(1)
        )
        .first()
    )
    return as_range(row) if row is not None and row.last >= wanted.first else None


# --- taking ranges from an office -----------------------------------------------------


def take(office_id: int, wanted: list[Range], movement_id: int, **holder: int | None) -> list[Range]:
    """Named ranges leave the office for `holder` (a transfer, or the movement that ends them).

    The office's balance row is locked by the caller (its debit), so this reads settled ranges.
    409 serial_not_held naming the first range the office does not hold whole."""
    for range_ in sorted(wanted):
        # A range may span rows a movement split earlier (sent, then returned): take it row by row.
        start = range_.first
        while start <= range_.last:
            row = containing(range_.prefix, range_.width, start)
            if row is None or row.office_id != office_id:
                raise _not_held(range_)
            part = Range(range_.prefix, range_.width, start, min(row.last, range_.last))
            _hand_over(row, part, office_id, movement_id, holder)
            start = part.last + 1
    return sorted(wanted)


def take_lowest(office_id: int, quantity: int, movement_id: int, **holder: int | None) -> list[Range]:
    """The office's lowest-numbered serials, `quantity` of them, leave for `holder`: the office's
    ranges are read in serial order a few at a time, so the cost is that of the ranges taken."""
    chosen: list[tuple[Row, Range]] = []
    needed, after = quantity, None
    while needed > 0:
        stmt = (
            select(R)
            .where(R.c.office_id == office_id)
            .order_by(R.c.prefix, R.c.width, R.c.first)
            .limit(LOWEST_BATCH)
        )
        if after is not None:
            stmt = stmt.where(tuple_(R.c.prefix, R.c.width, R.c.first) > tuple_(*after))
        rows = connection().execute(stmt).all()
        if not rows:
            break
        for row in rows:
            part = as_range(row)
            if part.count > needed:
                part = Range(part.prefix, part.width, part.first, part.first + needed - 1)
            chosen.append((row, part))
            needed -= part.count
            if not needed:
                break
        after = (rows[-1].prefix, rows[-1].width, rows[-1].first)
    if needed:
        held = quantity - needed
        raise Conflict(
            f"{quantity} serialled blanks needed, the office holds {held}.",
            error="serial_not_held",
            needed=quantity,
            held=held,
        )
    for row, part in chosen:
        _hand_over(row, part, office_id, movement_id, holder)
    return [part for _, part in chosen]


def containing(prefix: str, width: int, number: int) -> Row | None:
    """The one row holding this serial, if any (rows of a prefix and width never overlap)."""
    row = (
        connection()
        .execute(
            select(R)
            .where(R.c.prefix == prefix, R.c.width == width, R.c.first <= number)
            .order_by(R.c.first.desc())
            .limit(1)
        )
        .first()
    )
    return row if row is not None and row.last >= number else None


def _hand_over(row: Row, part: Range, office_id: int, movement_id: int, holder: dict) -> None:
    """Carve `part` out of `row`: the row becomes the part with its new holder, the rest stays."""
    root = row.root_id or row.id
    moved = connection().execute(
        update(R)
        .where(R.c.id == row.id, R.c.office_id == office_id, R.c.first == row.first, R.c.last == row.last)
        .values(first=part.first, last=part.last, office_id=None, **holder)
    )
    if moved.rowcount != 1:  # taken meanwhile: the guard, should a caller not hold the balance lock
        raise _not_held(part)
    rest = [
        {"prefix": r.prefix, "width": r.width, "first": r.first, "last": r.last,
         "office_id": office_id, "root_id": root}
        for r in carve(as_range(row), part)
    ]  # fmt: skip
    if rest:
        connection().execute(insert(R), rest)
    _trail(movement_id, [(root, part.first, part.last)])


def _not_held(range_: Range) -> Conflict:
    return Conflict(f"The office does not hold {range_}.", error="serial_not_held", serials=str(range_))


def end(office_id: int, wanted: list[Range], movement_id: int) -> list[Range]:
    """Serials used up (a print or spoiled print), or destroyed: they leave custody for good.

    A destruction record (berita acara) may call this with the movement it writes."""
    return take(office_id, wanted, movement_id, ended_by_id=movement_id)


def undo(original: dict, reversal_id: int) -> None:
    """A reversal's serials. A reversed print gives its blank's serial back to the office (the
    print was a mistake: the blank is still on the shelf). A reversed delivery ends its ranges,
    which must all still be at the office (409 serial_not_held): they never came, yet stay
    on record, so the same serials are still refused if delivered again."""
    if original["kind"] == "print":
        back = (
            connection()
            .execute(
                update(R)
                .where(R.c.ended_by_id == original["id"], R.c.destroyed_by_id.is_(None))
                .values(ended_by_id=None, office_id=original["office_id"])
                .returning(R.c.id, R.c.root_id, R.c.first, R.c.last)
            )
            .all()
        )
        # Guarded above, checked after: a destruction signed meanwhile is seen either way.
        still_ended = select(R.c.destroyed_by_id).where(R.c.ended_by_id == original["id"])
        burned = connection().execute(still_ended).scalar()
        if burned is not None:  # the card is ash: its blank cannot be back on the shelf (rolled back)
            raise Conflict(
                f"The spoiled card of movement {original['id']} was destroyed (destruction {burned}): "
                "reverse the destruction first.",
                error="serial_destroyed",
                destruction_id=burned,
            )
        _trail(reversal_id, [(row.root_id or row.id, row.first, row.last) for row in back])
    elif original["kind"] == "delivery":
        roots = (
            connection()
            .execute(
                select(R.c.prefix, R.c.width, SM.c.first, SM.c.last)
                .select_from(SM)
                .join(R, R.c.id == SM.c.root_id)
                .where(SM.c.movement_id == original["id"])
            )
            .all()
        )
        if roots:
            end(original["office_id"], [as_range(row) for row in roots], reversal_id)


# --- transfers ---------------------------------------------------------------------


def land(transfer_id: int, office_id: int, movement_id: int) -> None:
    """The ranges on the road with a transfer arrive (received) or come back (cancelled)."""
    landed = (
        connection()
        .execute(
            update(R)
            .where(R.c.transfer_id == transfer_id)
            .values(transfer_id=None, office_id=office_id)
            .returning(R.c.id, R.c.root_id, R.c.first, R.c.last)
        )
        .all()
    )
    _trail(movement_id, [(row.root_id or row.id, row.first, row.last) for row in landed])


def fall_short(transfer_id: int, wanted: list[Range], office_id: int, movement_id: int) -> None:
    """Named serials of a transfer that did not arrive come back onto the source's books
    (`office_id`, under its return `movement_id`), to be ended there by the loss that follows;
    the rest stays on the road for `land`. 422 serial_not_in_transfer naming the first range
    the transfer does not carry whole."""
    for range_ in sorted(wanted):
        start = range_.first
        while start <= range_.last:
            row = containing(range_.prefix, range_.width, start)
            if row is None or row.transfer_id != transfer_id:
                raise Invalid(
                    f"Transfer {transfer_id} does not carry {range_}.",
                    error="serial_not_in_transfer",
                    field="missing_serials",
                    serials=str(range_),
                )
            part = Range(range_.prefix, range_.width, start, min(row.last, range_.last))
            connection().execute(
                update(R)
                .where(R.c.id == row.id, R.c.transfer_id == transfer_id)
                .values(first=part.first, last=part.last, transfer_id=None, office_id=office_id)
            )
            root = row.root_id or row.id
            rest = [
                {"prefix": r.prefix, "width": r.width, "first": r.first, "last": r.last,
                 "transfer_id": transfer_id, "root_id": root}
                for r in carve(as_range(row), part)
            ]  # fmt: skip
            if rest:
                connection().execute(insert(R), rest)
            _trail(movement_id, [(root, part.first, part.last)])
            start = part.last + 1


def moved_by_transfer(transfer_id: int) -> list[str]:
    """The ranges a transfer carried, as dispatched (empty for blanks without serials)."""
    root = R.alias("root")
    rows = (
        connection()
        .execute(
            select(root.c.prefix, root.c.width, SM.c.first, SM.c.last)
            .join(M, M.c.id == SM.c.movement_id)
            .join(root, root.c.id == SM.c.root_id)
            .where(M.c.transfer_id == transfer_id, M.c.kind == "transfer_out")
            .order_by(root.c.prefix, root.c.width, SM.c.first)
        )
        .all()
    )
    return [str(as_range(row)) for row in rows]


def _trail(movement_id: int, parts: list[tuple[int, int, int]]) -> None:
    if parts:
        rows = [{"root_id": root, "movement_id": movement_id, "first": first, "last": last}
                for root, first, last in parts]  # fmt: skip
        connection().execute(insert(SM), rows)


# --- reading ---------------------------------------------------------------------


def refuse_unnamed_serialled(
    office_code: str, office_id: int, quantity: int, on_hand_after: int, what: str = "transfer"
) -> None:
    """A transfer (or print) that names no serials takes blanks without serials. When the office
    would be left with more serialled blanks than blanks, some of those taken had serials, and
    which ones nobody said: refused (409 serials_needed; the caller's transaction is rolled
    back), so the ranges never stay on the books of an office that no longer holds them (verify)."""
    held = tracked(office_id)
    if held > on_hand_after:
        plain = max(on_hand_after + quantity - held, 0)
        advice = (
            "name the serial of the blank it was printed on (`serial`)."
            if what == "print"
            else f'name the serials of the {quantity} to send, or send "serials": "lowest".'
        )
        raise Conflict(
            f"Only {plain} of office {office_code}'s blanks have no recorded serials: {advice}",
            error="serials_needed",
            field="serial" if what == "print" else "serials",
            without_serials=plain,
            quantity=quantity,
        )


def held_expression(office_id):
    """How many blanks with recorded serials the office holds, as a scalar subquery (0 for none)."""
    return (
        select(func.coalesce(func.sum(R.c.last - R.c.first + 1), 0))
        .where(R.c.office_id == office_id)
        .scalar_subquery()
    )


def tracked(office_id: int) -> int:
    """How many of the office's blanks on hand are serial-tracked."""
    return int(connection().execute(select(held_expression(office_id))).scalar_one())


def held_by(office_id: int, limit: int) -> dict:
    """The ranges an office holds, and those in transit to it, in serial order."""
    held = (
        connection()
        .execute(
            select(R)
            .where(R.c.office_id == office_id)
            .order_by(R.c.prefix, R.c.width, R.c.first)
            .limit(limit)
        )
        .all()
    )
    coming = (
        connection()
        .execute(
            select(R, T.c.id.label("transfer"))
            .join(T, T.c.id == R.c.transfer_id)
            .where(T.c.to_office_id == office_id, T.c.status == "in_transit")
            .order_by(R.c.prefix, R.c.width, R.c.first)
            .limit(limit)
        )
        .all()
    )
    coming_count = (
        connection()
        .execute(
            select(func.coalesce(func.sum(R.c.last - R.c.first + 1), 0))
            .join(T, T.c.id == R.c.transfer_id)
            .where(T.c.to_office_id == office_id, T.c.status == "in_transit")
        )
        .scalar_one()
    )
    return {
        "held_count": tracked(office_id),
        "in_transit_count": int(coming_count),
        "held": [_range_out(row) for row in held],
        "in_transit": [{**_range_out(row), "transfer_id": row.transfer} for row in coming],
    }


def _range_out(row: Row) -> dict:
    found = as_range(row)
    return {"range": str(found), "first": found.serial(found.first), "last": found.serial(found.last),
            "count": found.count}  # fmt: skip

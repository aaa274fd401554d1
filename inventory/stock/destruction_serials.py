"""The serialled blanks a destruction record burns: linked when it is signed, unlinked when it
is reversed (issue 12).

A spoiled print that names its blank's serial ends the serial's range (serial_ranges.end) and
puts one card into its office's custody. Custody travels up the tree by count, not by serial
(districts send their spoiled cards to the regency to be burned), so a record signed at an
office may name the serials of cards spoiled there or at any office below it. Each one is
linked on the range row the serial lookup already reads (serial_ranges.destroyed_by_id: one
index seek, however long the history), and every link and unlink is a row of
destruction_serials, the serial's trail past its print, read like serial_moves.

Blanks are linked here before the record's counts leave custody (destructions.py): range
rows first, then custody rows, the order in which a spoiled print and its reversal lock them.
"""

from __future__ import annotations

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Row

from ..auth.models import User
from ..core.db import connection
from ..core.errors import Conflict, Invalid
from ..offices.models import Office
from ..offices.tree import OfficeRef
from .ledger import M
from .models import Destruction, DestructionSerial
from .serial_ranges import R
from .serials import NotationError, parse_notations, total
from .serials import SerialRange as Range

D = Destruction.__table__
DS = DestructionSerial.__table__
_O = Office.__table__
_U = User.__table__


def named(serials: list[str]) -> list[Range]:
    """The ranges a record names (stored as typed, read as every other notation), or 422."""
    try:
        return parse_notations(serials) if serials else []
    except NotationError as error:
        raise Invalid(str(error), error="invalid_serial", field="serials") from None


def check_count(serials: list[str], spoiled_print: int) -> None:
    """A record names at most as many serials as the spoiled prints it burns: only spoiled
    prints carry a serial into custody (422 serial_count_mismatch otherwise)."""
    count = total(named(serials))
    if count > spoiled_print:
        raise Invalid(
            f"The record names {count} serials but burns {spoiled_print} spoiled prints: "
            "only a spoiled print's blank is named by its serial.",
            error="serial_count_mismatch",
            field="serials",
            serials=count,
            spoiled_print=spoiled_print,
        )


def link(destruction_id: int, office: OfficeRef, serials: list[str]) -> None:
    """Each serial named must be a blank spoiled at the office or below it (409
    serial_not_in_custody) and not destroyed already (409 serial_already_destroyed)."""
    parts = []
    for wanted in sorted(named(serials)):
        number = wanted.first
        while number <= wanted.last:
            row = _ended_row(wanted.prefix, wanted.width, number)
            serial = wanted.serial(number)
            _require_in_custody(row, serial, office)
            if row.first < wanted.first or row.last > wanted.last:  # a spoiled print ends one serial
                raise _not_in_custody(serial, office, "it is part of a longer range")
            linked = connection().execute(
                update(R)
                .where(R.c.id == row.id, R.c.ended_by_id == row.ended_by_id, R.c.destroyed_by_id.is_(None))
                .values(destroyed_by_id=destruction_id)
            )
            if linked.rowcount != 1:  # burned or reversed meanwhile: say which, as read now
                _require_in_custody(_ended_row(wanted.prefix, wanted.width, number), serial, office)
                raise _already_destroyed(serial, None)
            parts.append((row.root_id or row.id, row.first, row.last))
            number = row.last + 1
    _trail(destruction_id, parts)


def unlink(destruction_id: int, reversal_id: int) -> None:
    """A reversed record gives its serials back to custody: they may be burned by another."""
    back = (
        connection()
        .execute(
            update(R)
            .where(R.c.destroyed_by_id == destruction_id)
            .values(destroyed_by_id=None)
            .returning(R.c.id, R.c.root_id, R.c.first, R.c.last)
        )
        .all()
    )
    _trail(reversal_id, [(row.root_id or row.id, row.first, row.last) for row in back])


def _ended_row(prefix: str, width: int, number: int) -> Row | None:
    """The range row holding this serial, with the movement that ended it, if any."""
    row = (
        connection()
        .execute(
            select(R, M.c.kind, M.c.outcome, _O.c.code.label("ended_at"), _O.c.path.label("ended_path"))
            .outerjoin(M, M.c.id == R.c.ended_by_id)
            .outerjoin(_O, _O.c.id == M.c.office_id)
            .where(R.c.prefix == prefix, R.c.width == width, R.c.first <= number)
            .order_by(R.c.first.desc())
            .limit(1)
        )
        .first()
    )
    return row if row is not None and row.last >= number else None


def _require_in_custody(row: Row | None, serial: str, office: OfficeRef) -> None:
    if row is None:
        raise _not_in_custody(serial, office, "no blank with it was delivered")
    if row.destroyed_by_id is not None:
        raise _already_destroyed(serial, row.destroyed_by_id)
    if row.ended_by_id is None:
        where = "on the road" if row.transfer_id is not None else "still a usable blank"
        raise _not_in_custody(serial, office, f"it is {where}")
    if (row.kind, row.outcome) != ("print", "spoiled"):
        raise _not_in_custody(serial, office, "its blank was not spoiled in printing")
    if not row.ended_path.startswith(office.path):
        raise _not_in_custody(serial, office, f"it was spoiled at {row.ended_at}, outside {office.code}")


def _not_in_custody(serial: str, office: OfficeRef, why: str) -> Conflict:
    return Conflict(
        f"Serial {serial} is not a spoiled card in the custody of {office.code}: {why}.",
        error="serial_not_in_custody",
        serial=serial,
        office=office.code,
    )


def _already_destroyed(serial: str, destruction_id: int | None) -> Conflict:
    return Conflict(
        f"Serial {serial} has already been destroyed"
        + (f" (destruction {destruction_id})." if destruction_id else "."),
        error="serial_already_destroyed",
        serial=serial,
        destruction_id=destruction_id,
    )


def _trail(destruction_id: int, parts: list[tuple[int, int, int]]) -> None:
    if parts:
        rows = [{"destruction_id": destruction_id, "root_id": root, "first": first, "last": last}
                for root, first, last in parts]  # fmt: skip
        connection().execute(insert(DS), rows)


# --- reading ---------------------------------------------------------------------


def destroyed_by(destruction_id: int) -> dict:
    """What the serial lookup says of the record that burned a blank, and where it was kept."""
    row = (
        connection()
        .execute(
            select(D.c.id, D.c.document_no, D.c.destroyed_on, _O.c.path)
            .join(_O, _O.c.id == D.c.office_id)
            .where(D.c.id == destruction_id)
        )
        .one()
    )
    return {"id": row.id, "document_no": row.document_no, "destroyed_on": row.destroyed_on, "_path": row.path}


def trail_of(root_id: int, number: int, found: Range) -> list[dict]:
    """The destruction records (and reversals of them) that named this serial, oldest first:
    steps of its trail, shaped as the movements' steps (serial_lookup.py)."""
    rows = (
        connection()
        .execute(
            select(
                D.c.id,
                D.c.document_no,
                D.c.signed_at,
                D.c.reversal_of,
                _O.c.code,
                _O.c.path,
                _U.c.name,
                DS.c.first,
                DS.c.last,
            )
            .select_from(DS)
            .join(D, D.c.id == DS.c.destruction_id)
            .join(_O, _O.c.id == D.c.office_id)
            .join(_U, _U.c.id == D.c.signed_by_id)
            .where(and_(DS.c.root_id == root_id, DS.c.first <= number, DS.c.last >= number))
            .order_by(DS.c.id)
        )
        .all()
    )
    return [
        {
            "movement_id": None,
            "destruction_id": row.id,
            "kind": "destruction" if row.reversal_of is None else "destruction_reversal",
            "outcome": None,
            "office": row.code,
            "occurred_at": row.signed_at,
            "actor": row.name,
            "document_no": row.document_no,
            "transfer_id": None,
            "range": str(Range(found.prefix, found.width, row.first, row.last)),
            "_path": row.path,
            "_at": row.signed_at,
        }
        for row in rows
    ]

"""Prints that name their blank's serial, and offices that require it.

Kept apart from prints.py, whose one-statement path (print_sql.py) knows nothing of serials: a
print with a serial takes the general path on both databases (the guarded debit, the ledger
line, the usage counts), then ends the serial's range, so the balance row is locked before any
range (the global lock order); a spoiled one then goes into custody, whose rows come last."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..core.errors import Invalid
from ..core.principal import Principal
from ..offices.models import Office
from ..offices.tree import OfficeRef
from . import books, custody, serial_ranges
from .prints import _print_time_refusal as print_time_refusal  # shared with prints.consume
from .prints import count_usage, time_zone_of
from .serials import SerialRange

_O = Office.__table__


def consume_serialled(
    office: OfficeRef,
    actor: Principal,
    serial: SerialRange,
    *,
    outcome: str,
    reason: str,
    printed_at: datetime | None = None,
) -> dict:
    """One card printed (or spoiled) on the blank with this serial, which the office must hold
    (409 serial_not_held); the serial leaves the office's ranges, ended by the print."""
    refusal = print_time_refusal(printed_at)
    if refusal is not None:
        raise Invalid(refusal.message, error=refusal.error, field="printed_at")
    books.require_active(replace(office, active=None))
    on_hand = books.debit(office.id, 1)
    movement = books.record(office, actor, "print", -1, on_hand, printed_at, outcome=outcome, reason=reason)
    serial_ranges.end(office.id, [serial], movement["id"])
    usage_shares = count_usage(office.path, time_zone_of(office.id), [movement])
    books.settle({office.path: (-1, 0)}, usage_shares)
    if outcome == "spoiled":  # kept for destruction, as any spoiled print (prints.consume)
        custody.keep_spoiled_print(office.id, actor, movement)
    movement["serials"] = [str(serial)]
    return movement

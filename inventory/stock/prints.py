"""Prints: one card at the counter (`consume`) and a mobile unit's offline batch
(`consume_batch`). Every printed or spoiled card uses up one blank, counted on the office's
local day in the daily usage of the office and its ancestors."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import NoReturn

from flask import current_app
from sqlalchemy import bindparam, exists, insert, select

from ..core import bus
from ..core.db import connection, db, utcnow
from ..core.errors import Invalid
from ..core.principal import Principal
from ..offices.models import Office
from ..offices.time_zones import local_day, local_days
from ..offices.tree import OfficeRef
from . import books, custody, rollups, serial_ranges, settlement
from .events import StockMoved
from .ledger import M, movement_out
from .print_sql import PRINT_ONE
from .print_time import PrintTimeRefusal, refuse_print_time

_O = Office.__table__


def consume(
    office: OfficeRef, actor: Principal, *, outcome: str, reason: str, printed_at: datetime | None = None
) -> dict:
    """One card print; a spoiled print uses up a blank too.

    Whether the office is open is read with the debit, not taken from `office`: prints
    look their office up by its remembered place (offices.tree.place_by_code).
    """
    refusal = _print_time_refusal(printed_at)
    if refusal is not None:
        raise Invalid(refusal.message, error=refusal.error, field="printed_at")
    if connection().dialect.name == "postgresql":
        movement, min_stock = _print_in_one_statement(office, actor, printed_at, outcome, reason)
        if _alerts_now(movement["balance_after"], min_stock):
            bus.publish(StockMoved((office.path,)))
        settlement.settle_after_response()
        return movement
    debited = (
        connection().execute(_PRINT_DEBIT, {"office": office.id, "quantity": 1, "now": utcnow()}).first()
    )
    if debited is None:
        _refuse_print(office)
    on_hand, time_zone, min_stock = debited
    movement = books.record(office, actor, "print", -1, on_hand, printed_at, outcome=outcome, reason=reason)
    usage_shares = count_usage(office.path, time_zone, [movement])
    books.settle({office.path: (-1, 0)}, usage_shares, alerts_now=_alerts_now(on_hand, min_stock))
    if outcome == "spoiled":  # kept for destruction (custody.py); custody rows are locked last
        custody.keep_spoiled_print(office.id, actor, movement)
    return movement


def _alerts_now(on_hand: int, min_stock: int) -> bool:
    """Whether the print's own transaction re-evaluates the office's alerts.

    A print only takes a blank away, so it can open or move the office's low-stock and
    stock-out alerts only once on_hand is at or under min_stock (0 included): then they
    follow exactly, in this transaction. Above it, what a print changes is the projection
    (demand, cover), whose alerts follow with the settler, within SETTLE_INTERVAL_SECONDS
    (settlement.py): every print's queued share names its office. Re-evaluating every
    print's office in its own transaction cost a third of a print (bench/RESULTS.md).
    """
    return on_hand <= min_stock


# SQLite's debit of a print: the guard also holds while the office is closed, or requires
# every print to name its serial (such prints take serial_prints.py), or has only blanks
# with recorded serials left (a print naming none could not say which it took). It returns
# the office's time zone too (the print counts on the office's local day: count_usage) and
# its min_stock (whether its alerts follow now: _alerts_now).
_PRINT_DEBIT = books.PLAIN_DEBIT.where(
    exists().where(_O.c.id == bindparam("office"), _O.c.active.is_(True), _O.c.serials_required.is_(False)),
    books.B.c.on_hand - 1 >= serial_ranges.held_expression(bindparam("office")),
).returning(
    select(_O.c.time_zone).where(_O.c.id == bindparam("office")).scalar_subquery(),
    select(_O.c.min_stock).where(_O.c.id == bindparam("office")).scalar_subquery(),
)


def _refuse_print(office: OfficeRef) -> NoReturn:
    """Which guard held: the office closed (read afresh), its prints needing a serial (this one
    named none: serial_prints.py takes those that do), every blank left having a recorded
    serial (409 serials_needed), else no blank left."""
    books.require_active(replace(office, active=None))
    refuse_unnamed(office)
    on_hand = books.lock_balances(office.id)[office.id]
    if on_hand >= 1:
        serial_ranges.refuse_unnamed_serialled(office.code, office.id, 1, on_hand - 1, what="print")
    books.refuse(office.id, 1)


def refuse_unnamed(office: OfficeRef, field: str = "serial") -> None:
    """422 serial_required where the office has set that every print names its serial."""
    required = connection().execute(select(_O.c.serials_required).where(_O.c.id == office.id)).scalar()
    if required:
        raise Invalid(
            f"Office {office.code} records the serial of every print: send `serial`.",
            error="serial_required",
            field=field,
        )


def _print_in_one_statement(
    office: OfficeRef, actor: Principal, printed_at: datetime | None, outcome: str, reason: str
) -> tuple[dict, int]:
    """PostgreSQL: debit, ledger line, usage and rollups of one print at once (see print_sql)."""
    now = utcnow()
    row = {"office_id": office.id, "kind": "print", "quantity": -1, "outcome": outcome, "reason": reason,
           "actor_id": actor.user_id, "occurred_at": printed_at or now, "recorded_at": now}  # fmt: skip
    spoiled = outcome == "spoiled"
    days = {f"day_{zone.lower()}": day for zone, day in local_days(row["occurred_at"]).items()}
    params = {**row, **days, "printed": int(not spoiled), "spoiled": int(spoiled)}
    written = connection().execute(PRINT_ONE, params).first()
    if written is None:  # a guard held: no blank left or the office closed; nothing written
        _refuse_print(office)
    row["id"], row["balance_after"], min_stock = written
    return movement_out(row, office.code, actor.name), min_stock


def _print_time_refusal(printed_at: datetime | None) -> PrintTimeRefusal | None:
    config = current_app.config
    return refuse_print_time(
        printed_at, utcnow(), config["PRINT_BACKDATE_DAYS"], config["PRINT_CLOCK_SKEW_MINUTES"]
    )


def count_usage(path: str, time_zone: str, prints: list[dict], sign: int = 1) -> list[dict]:
    """Daily usage per subtree: the window behind spoilage, replacement and daily-use rates.

    Each print counts on the printing office's local day, for its ancestors too, whatever
    zone they keep: an area's usage is the sum of its offices' days. Returns the ancestors'
    share, for books.settle to queue.
    """
    per_day: Counter = Counter()
    for item in prints:
        per_day[(local_day(item["occurred_at"], time_zone), item["reason"], item["outcome"])] += 1
    shares = []
    for day, reason in sorted({(day, reason) for day, reason, _ in per_day}):
        shares += rollups.add_usage(
            path,
            day,
            reason,
            printed=sign * per_day[(day, reason, "printed")],
            spoiled=sign * per_day[(day, reason, "spoiled")],
        )
    return shares


def time_zone_of(office_id: int) -> str:
    return db.session.execute(select(_O.c.time_zone).where(_O.c.id == office_id)).scalar_one()


def consume_batch(office: OfficeRef, actor: Principal, items: list[dict]) -> list[dict]:
    """Prints a unit made offline, each with its own client_id, in the order they were made.

    Returns one result per item: recorded, already_recorded (client_id seen before,
    also earlier in the same batch) or refused (no blank left, or a printed_at too far
    ahead or too old: print_time). The balance row is
    locked first, so a concurrent resend of the same batch waits and then finds every
    client_id recorded instead of tripping over the unique index.
    """
    books.require_active(office)
    on_hand = books.lock_balances(office.id)[office.id]
    known = dict(
        db.session.execute(
            select(M.c.client_id, M.c.id).where(
                M.c.office_id == office.id, M.c.client_id.in_([item["client_id"] for item in items])
            )
        ).all()
    )
    results, fresh = [], []
    for item in items:
        client_id = item["client_id"]
        refusal = _print_time_refusal(item.get("printed_at"))
        if client_id in known:
            results.append(
                {"client_id": client_id, "status": "already_recorded", "movement_id": known[client_id]}
            )
        elif refusal is not None:
            results.append(
                {
                    "client_id": client_id,
                    "status": "refused",
                    "error": refusal.error,
                    "message": refusal.message,
                }
            )
        elif len(fresh) >= on_hand:
            results.append(
                {
                    "client_id": client_id,
                    "status": "refused",
                    "error": "insufficient_stock",
                    "message": "No blank left for this print.",
                }
            )
        else:
            known[client_id] = None  # a repeat later in this batch is a duplicate
            fresh.append(item)
            results.append({"client_id": client_id, "status": "recorded"})
    if fresh:
        ids = _insert_prints(office, actor, fresh, on_hand)
        for result in results:
            # Recorded ones, and repeats of them later in this batch (known as None until now).
            if result["status"] != "refused" and result.get("movement_id") is None:
                result["movement_id"] = ids[result["client_id"]]
    return results


def _insert_prints(office: OfficeRef, actor: Principal, fresh: list[dict], on_hand: int) -> dict[str, int]:
    books.debit(office.id, len(fresh))
    now = utcnow()
    rows = [
        {
            "office_id": office.id,
            "kind": "print",
            "quantity": -1,
            "balance_after": on_hand - n,
            "outcome": item["outcome"],
            "reason": item["reason"],
            "client_id": item["client_id"],
            "actor_id": actor.user_id,
            "occurred_at": item.get("printed_at") or now,
            "recorded_at": now,
            "transfer_id": None,
            "reverses_id": None,
            "reference": None,
            "batch_no": None,
            "note": None,
        }
        for n, item in enumerate(fresh, start=1)
    ]
    db.session.execute(insert(M), rows)
    usage_shares = count_usage(office.path, time_zone_of(office.id), rows)
    new_ids = select(M.c.client_id, M.c.id).where(
        M.c.office_id == office.id, M.c.client_id.in_([item["client_id"] for item in fresh])
    )
    ids = dict(db.session.execute(new_ids).all())
    books.settle({office.path: (-len(fresh), 0)}, usage_shares)
    _keep_spoiled(
        office, actor, [row | {"id": ids[row["client_id"]]} for row in rows if row["outcome"] == "spoiled"]
    )
    return ids


def _keep_spoiled(office: OfficeRef, actor: Principal, spoiled: list[dict]) -> None:
    """The batch's spoiled cards go into custody, one line each naming its print."""
    if not spoiled:
        return
    custody.add(office.id, "spoiled_print", len(spoiled))
    now = utcnow()
    db.session.execute(
        insert(custody.CM),
        [{"office_id": office.id, "category": "spoiled_print", "kind": "added", "quantity": 1,
          "movement_id": row["id"], "actor_id": actor.user_id, "occurred_at": row["occurred_at"],
          "recorded_at": now, "reason": None, "transfer_id": None, "destruction_id": None, "note": None}
         for row in spoiled],
    )  # fmt: skip
    # destruction_overdue follows with the settler, which sees the batch's spoiled count.

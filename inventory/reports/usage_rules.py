"""The arithmetic of the usage report: its period, and one office's row from its ledger sums. Pure.

How the ledger lands in the columns (the stock card's kinds, inventory/stock/models.py):

* delivery -> received; transfer_in -> transfers_in; transfer_return (a cancelled transfer
  back at its source, or the part of one that did not arrive) -> transfers_returned;
  transfer_out -> transfers_out; print -> printed_<reason> or spoiled; stocktake, loss,
  damage, found, correction, defective, loss_in_transit (what did not arrive, written off at
  the source) -> adjustment_<kind>, signed as on the stock card (a loss of 3 is -3).
* A reversal lands in the column of the movement it undoes, with the opposite sign, in
  the period the reversal was recorded in (its own date on the stock card): reversing a
  delivery of 100 made last month shows as received -100 this month. So a column is the
  net of the stock card's lines in the period, and a row always adds up:

      opening + total_in - total_out = closing

  where total_in = received + transfers_in + transfers_returned + the adjustment kinds that
  came out positive, and total_out = transfers_out + printed + spoiled + those that came out
  negative (as positive numbers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

# defective: blanks moved from usable stock into custody for destruction (stock/custody.py).
ADJUSTMENT_KINDS = ("stocktake", "loss", "damage", "found", "correction", "defective", "loss_in_transit")
PLAIN_COLUMNS = {"delivery": "received", "transfer_in": "transfers_in",
                 "transfer_return": "transfers_returned", "transfer_out": "transfers_out"}  # fmt: skip
# Kinds whose sum is an outflow, shown as a positive number.
OUTFLOWS = frozenset({"transfer_out", "print"})


def last_full_month(today: date) -> tuple[date, date]:
    """The calendar month before the one `today` is in."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def default_period(today: date, first: date | None, last: date | None) -> tuple[date, date]:
    """Both ends given, or the last full month; one end alone: `to` defaults to today, `from` to the
    first day of `to`'s month."""
    if first is None and last is None:
        return last_full_month(today)
    last = last or max(today, first)  # type: ignore[type-var]
    return first or last.replace(day=1), last


def figure_columns(reasons: Iterable[str]) -> tuple[str, ...]:
    """The figures of a row, in the order the files show them."""
    return (
        "opening", "received", "transfers_in", "transfers_returned", "transfers_out",
        *(f"printed_{reason}" for reason in reasons), "printed", "spoiled",
        *(f"adjustment_{kind}" for kind in ADJUSTMENT_KINDS), "adjustments",
        "total_in", "total_out", "closing",
    )  # fmt: skip


def office_figures(
    on_hand: int,
    since_start: int,
    sums: Iterable[tuple[str, str | None, str | None, int]],
    reasons: list[str],
) -> dict[str, int]:
    """One office's figures.

    on_hand      its balance now
    since_start  the sum of every ledger line from the start of the period on (to now)
    sums         (kind, outcome, reason, sum of quantity) over the lines inside the period,
                 a reversal already under the kind, outcome and reason of what it undoes
    """
    figures = dict.fromkeys(figure_columns(reasons), 0)
    for kind, outcome, reason, quantity in sums:
        if kind == "print":
            if outcome == "spoiled":
                figures["spoiled"] -= quantity
            else:
                figures[f"printed_{reason}"] -= quantity
        elif kind in PLAIN_COLUMNS:
            figures[PLAIN_COLUMNS[kind]] += -quantity if kind in OUTFLOWS else quantity
        else:
            figures[f"adjustment_{kind}"] += quantity
    figures["printed"] = sum(figures[f"printed_{reason}"] for reason in reasons)
    adjustments = [figures[f"adjustment_{kind}"] for kind in ADJUSTMENT_KINDS]
    figures["adjustments"] = sum(adjustments)
    figures["total_in"] = (
        figures["received"]
        + figures["transfers_in"]
        + figures["transfers_returned"]
        + sum(a for a in adjustments if a > 0)
    )
    figures["total_out"] = (
        figures["transfers_out"]
        + figures["printed"]
        + figures["spoiled"]
        - sum(a for a in adjustments if a < 0)
    )
    figures["opening"] = on_hand - since_start
    figures["closing"] = figures["opening"] + figures["total_in"] - figures["total_out"]
    return figures


def totals(rows: Iterable[Mapping[str, object]], columns: Iterable[str]) -> dict[str, int]:
    """Column sums of a level's rows (each row adds up, so the totals do too)."""
    rows = list(rows)
    return {column: sum(int(row[column]) for row in rows) for column in columns}  # type: ignore[call-overload]

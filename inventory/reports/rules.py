"""The arithmetic of reports: an office's status, spoilage rates, calendar buckets. Pure: no I/O.

Kept apart from the queries so the dashboard (and anything else that colours offices)
judges an office exactly as the stock report does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

STATUSES = ("ok", "low", "shortfall", "out")  # worst last
BUCKETS = ("day", "week", "month")


def office_status(
    *,
    remaining: int,
    projected_demand: int,
    shortfall: int,
    own_on_hand: int,
    min_stock: int,
    reorder_now: bool = False,
    children_out: int = 0,
    children_short: int = 0,
) -> str:
    """One word for how an office stands, worst first.

    out        nothing left in the subtree (nor on the way) while blanks are still needed
    shortfall  the projection says the subtree will run short before the horizon, or offices
               directly under it are out or short: blanks in its own store do not print
               cards at its districts, so a regency whose districts are empty is not "ok"
    low        its own shelf is at or below its minimum, or it should reorder now
               (an unresolved reorder_now alert: cover shorter than the re-supply time)
    ok         none of these

    `children_out` and `children_short`: how many offices directly under it are out, or short,
    each judged on its own subtree's figures (children_status).
    """
    if remaining <= 0 and projected_demand > 0:
        return "out"
    if shortfall > 0 or children_out > 0 or children_short > 0:
        return "shortfall"
    if (min_stock > 0 and own_on_hand <= min_stock) or reorder_now:
        return "low"
    return "ok"


def children_status(*, remaining: int, projected_demand: int, shortfall: int) -> str | None:
    """How a child office counts in its parent's status: "out", "short" or None (neither)."""
    if remaining <= 0 and projected_demand > 0:
        return "out"
    return "short" if shortfall > 0 else None


def spoilage_rate(printed: int, spoiled: int) -> float | None:
    """Share of consumed blanks that were spoiled; None when nothing was consumed (not 0: unknown)."""
    consumed = printed + spoiled
    return round(spoiled / consumed, 4) if consumed else None


# --- calendar buckets ------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    label: str  # 2024-05-06, 2024-W19 (ISO week, Monday first) or 2024-05
    start: date  # first day inside the requested range
    end: date  # last day inside the requested range (a partial bucket at either edge is clipped)


def bucket_start(day: date, bucket: str) -> date:
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown bucket {bucket!r}")


def _next_start(start: date, bucket: str) -> date:
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _label(start: date, bucket: str) -> str:
    if bucket == "week":
        year, week, _ = start.isocalendar()  # the ISO year: 2024-12-30 is in 2025-W01
        return f"{year}-W{week:02d}"
    if bucket == "month":
        return f"{start:%Y-%m}"
    return start.isoformat()


def buckets(first: date, last: date, bucket: str) -> Iterator[Bucket]:
    """Every bucket from `first` to `last` inclusive, empty ones too, so a chart has no gaps."""
    start = bucket_start(first, bucket)
    while start <= last:
        following = _next_start(start, bucket)
        yield Bucket(_label(start, bucket), max(start, first), min(following - timedelta(days=1), last))
        start = following

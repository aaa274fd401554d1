"""Demand projection: will the blanks last? Pure arithmetic, no I/O, every figure explained.

    remaining        = on_hand + in_transit_in                      (whole subtree)
    unrecorded       = target - recorded
    spoilage         = spoiled / (printed + spoiled)                 over the usage window
    replacements/day = printed replacement + data_change cards / window days
    demand           = (unrecorded + backlog + replacements/day x horizon) / (1 - spoilage)
    daily use        = (printed + spoiled) / window days             blanks consumed per day
    days of cover    = remaining / daily use                         (none without use)
    stock-out date   = as_of + days of cover                         (none beyond MAX_COVER_DAYS)
    shortfall        = demand - remaining, when positive
    daily demand     = max(daily use, demand / horizon)
    suggested order  = max(shortfall, daily demand x (lead time + safety days) - remaining, 0)

With a target date and a print capacity (cards per day for the whole office):
    waiting          = (unrecorded + backlog) / (1 - spoilage)       blanks, spoils included
    days to print    = waiting / capacity
    runs out first   = "blanks" when remaining < waiting, else "capacity" when the days to
                       print go past the target date, else "neither".
Where there is no print history, spoilage defaults to DEFAULT_SPOILAGE and replacements to 0.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta

DEFAULT_SPOILAGE = 0.02  # ~2 %: printers run at 160-170 C and a ribbon spoils a few cards
DEFAULT_HORIZON_DAYS = 90
MAX_SPOILAGE = 0.5  # beyond this the history is noise, not a rate to plan with
# A century of cover is no date to plan by, and far enough out it is past the calendar's end.
MAX_COVER_DAYS = 36_500


@dataclass(frozen=True)
class Usage:
    """Prints over the measuring window (blanks consumed, by outcome and reason)."""

    window_days: int
    printed: int = 0
    spoiled: int = 0
    replacement: int = 0  # printed cards with reason replacement or data_change

    @property
    def consumed(self) -> int:
        return self.printed + self.spoiled


@dataclass(frozen=True)
class Inputs:
    as_of: date
    on_hand: int
    in_transit_in: int
    target: int
    recorded: int
    print_backlog: int
    usage: Usage
    horizon_days: int = DEFAULT_HORIZON_DAYS
    lead_time_days: int = 0
    safety_days: int = 0
    target_date: date | None = None
    print_capacity_per_day: int | None = None


@dataclass(frozen=True)
class Projection:
    remaining: int
    unrecorded: int
    backlog: int
    spoilage_rate: float
    spoilage_source: str  # "measured" or "default"
    replacements_per_day: float
    projected_demand: int
    average_daily_use: float
    days_of_cover: float | None
    stockout_date: date | None
    shortfall: int
    suggested_order: int
    days_to_target: int | None
    days_to_print_everyone: float | None
    runs_out_first: str | None  # "blanks", "capacity", "neither"; None without target/capacity

    def as_dict(self) -> dict:
        return asdict(self)


def spoilage_rate(usage: Usage) -> tuple[float, str]:
    if usage.consumed == 0:
        return DEFAULT_SPOILAGE, "default"
    return min(usage.spoiled / usage.consumed, MAX_SPOILAGE), "measured"


def project(inputs: Inputs) -> Projection:
    usage, horizon = inputs.usage, max(inputs.horizon_days, 1)
    remaining = inputs.on_hand + inputs.in_transit_in
    unrecorded = max(inputs.target - inputs.recorded, 0)
    spoilage, source = spoilage_rate(usage)
    replacements_per_day = usage.replacement / usage.window_days if usage.window_days else 0.0
    demand = math.ceil(
        (unrecorded + inputs.print_backlog + replacements_per_day * horizon) / (1 - spoilage) - 1e-9
    )
    daily_use = usage.consumed / usage.window_days if usage.window_days else 0.0
    cover = remaining / daily_use if daily_use > 0 else None
    shortfall = max(demand - remaining, 0)
    daily_demand = max(daily_use, demand / horizon)
    buffer = math.ceil(daily_demand * (inputs.lead_time_days + inputs.safety_days) - 1e-9)
    return Projection(
        remaining=remaining,
        unrecorded=unrecorded,
        backlog=inputs.print_backlog,
        spoilage_rate=round(spoilage, 4),
        spoilage_source=source,
        replacements_per_day=round(replacements_per_day, 2),
        projected_demand=demand,
        average_daily_use=round(daily_use, 2),
        days_of_cover=round(cover, 1) if cover is not None else None,
        stockout_date=_stockout_date(inputs.as_of, cover),
        shortfall=shortfall,
        suggested_order=max(shortfall, buffer - remaining, 0),
        **_capacity(inputs, remaining, unrecorded, spoilage),
    )


def _stockout_date(as_of: date, cover: float | None) -> date | None:
    if cover is None or cover > MAX_COVER_DAYS:
        return None
    return as_of + timedelta(days=math.floor(cover))


def _capacity(inputs: Inputs, remaining: int, unrecorded: int, spoilage: float) -> dict:
    days_to_target = (inputs.target_date - inputs.as_of).days if inputs.target_date else None
    capacity = inputs.print_capacity_per_day
    if not capacity:
        return {"days_to_target": days_to_target, "days_to_print_everyone": None, "runs_out_first": None}
    waiting = (unrecorded + inputs.print_backlog) / (1 - spoilage)
    days_needed = round(waiting / capacity, 1)
    if remaining < math.ceil(waiting - 1e-9):
        first = "blanks"
    elif days_to_target is not None and days_needed > days_to_target:
        first = "capacity"
    else:
        first = "neither"
    return {"days_to_target": days_to_target, "days_to_print_everyone": days_needed, "runs_out_first": first}


def horizon_for(as_of: date, horizon_days: int | None, target_date: date | None) -> int:
    """An explicit horizon wins; else up to the target date; else the default."""
    if horizon_days:
        return horizon_days
    if target_date and target_date > as_of:
        return (target_date - as_of).days
    return DEFAULT_HORIZON_DAYS

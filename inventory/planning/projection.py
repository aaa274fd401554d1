"""Demand projection: will the blanks last? Pure arithmetic, no I/O, every figure explained.

    remaining        = on_hand + in_transit_in                      (whole subtree)
    unrecorded       = target - recorded
    spoilage         = spoiled / (printed + spoiled)                 over the rates' window
    replacement share= printed replacement + data_change cards / printed   over the rates' window
    replacements/day = replacement share x printed / window days     (the office's own prints)
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
The rates (spoilage, replacement share) come from the office's own window when it holds at
least `min_sample` prints (printed + spoiled), else from the nearest ancestor's window that
does, else spoilage defaults to DEFAULT_SPOILAGE and replacements to 0: an operator's first
day (1 printed, 1 spoiled) is no rate to plan a district by. `spoilage_source` says which.

A target date already past is kept and reported as passed (`target_passed`); the horizon
then falls back to the default and the capacity check ignores the date.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta

DEFAULT_SPOILAGE = 0.02  # ~2 %: printers run at 160-170 C and a ribbon spoils a few cards
DEFAULT_HORIZON_DAYS = 90
MIN_SAMPLE_PRINTS = 50  # fewer prints than this in a window say little about a rate
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
class Rates:
    """Spoilage and replacement share, and where they were measured."""

    spoilage: float
    replacement_share: float  # of printed cards, those that replace a card someone holds
    source: str  # "measured" (the office's own window), "ancestor" or "default"
    office: str | None = None  # the office whose window gave them; None for the default
    sample: int = 0  # prints (printed + spoiled) behind them


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
    # Approved by requests for blanks and not yet received: the suggested order leaves it out.
    on_order: int = 0
    # The windows of the office's ancestors, nearest first, as (code, usage): where the rates
    # come from when the office's own window is too small a sample.
    ancestors_usage: tuple[tuple[str, Usage], ...] = ()
    min_sample: int = MIN_SAMPLE_PRINTS
    code: str | None = None


@dataclass(frozen=True)
class Projection:
    remaining: int
    unrecorded: int
    backlog: int
    spoilage_rate: float
    spoilage_source: str  # "measured", "ancestor" or "default"
    rates_office: str | None  # whose window gave the rates
    rates_sample: int  # prints in that window
    replacement_share: float
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
    target_passed: bool  # the target date is set and already behind as_of

    def as_dict(self) -> dict:
        return asdict(self)


def rates_for(
    own: Usage,
    ancestors: tuple[tuple[str, Usage], ...] = (),
    min_sample: int = MIN_SAMPLE_PRINTS,
    code: str | None = None,
) -> Rates:
    """The nearest window, the office's own first, with at least `min_sample` prints; else the default."""
    min_sample = max(min_sample, 1)
    for source, office, usage in (("measured", code, own), *(("ancestor", c, u) for c, u in ancestors)):
        if usage.consumed >= min_sample:
            spoilage = min(usage.spoiled / usage.consumed, MAX_SPOILAGE)
            share = usage.replacement / usage.printed if usage.printed else 0.0
            return Rates(spoilage, share, source, office, usage.consumed)
    return Rates(DEFAULT_SPOILAGE, 0.0, "default")


def project(inputs: Inputs) -> Projection:
    usage, horizon = inputs.usage, max(inputs.horizon_days, 1)
    remaining = inputs.on_hand + inputs.in_transit_in
    unrecorded = max(inputs.target - inputs.recorded, 0)
    rates = rates_for(usage, inputs.ancestors_usage, inputs.min_sample, inputs.code)
    spoilage = rates.spoilage
    printed_per_day = usage.printed / usage.window_days if usage.window_days else 0.0
    replacements_per_day = rates.replacement_share * printed_per_day
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
        spoilage_source=rates.source,
        rates_office=rates.office,
        rates_sample=rates.sample,
        replacement_share=round(rates.replacement_share, 4),
        replacements_per_day=round(replacements_per_day, 2),
        projected_demand=demand,
        average_daily_use=round(daily_use, 2),
        days_of_cover=round(cover, 1) if cover is not None else None,
        stockout_date=_stockout_date(inputs.as_of, cover),
        shortfall=shortfall,
        suggested_order=max(max(shortfall, buffer - remaining, 0) - inputs.on_order, 0),
        **_capacity(inputs, remaining, unrecorded, spoilage),
    )


def _stockout_date(as_of: date, cover: float | None) -> date | None:
    if cover is None or cover > MAX_COVER_DAYS:
        return None
    return as_of + timedelta(days=math.floor(cover))


def _capacity(inputs: Inputs, remaining: int, unrecorded: int, spoilage: float) -> dict:
    days_to_target = (inputs.target_date - inputs.as_of).days if inputs.target_date else None
    passed = days_to_target is not None and days_to_target < 0
    capacity = inputs.print_capacity_per_day
    if not capacity:
        return {"days_to_target": days_to_target, "days_to_print_everyone": None, "runs_out_first": None,
                "target_passed": passed}  # fmt: skip
    waiting = (unrecorded + inputs.print_backlog) / (1 - spoilage)
    days_needed = round(waiting / capacity, 1)
    if remaining < math.ceil(waiting - 1e-9):
        first = "blanks"
    elif days_to_target is not None and not passed and days_needed > days_to_target:
        first = "capacity"
    else:  # a date already past is no deadline to print against
        first = "neither"
    return {"days_to_target": days_to_target, "days_to_print_everyone": days_needed, "runs_out_first": first,
            "target_passed": passed}  # fmt: skip


def horizon_basis(as_of: date, horizon_days: int | None, target_date: date | None) -> str:
    """Which rule sets the horizon: "requested", "target_date", "target_passed" or "default"."""
    if horizon_days:
        return "requested"
    if target_date is None:
        return "default"
    return "target_date" if target_date >= as_of else "target_passed"


def horizon_for(as_of: date, horizon_days: int | None, target_date: date | None) -> int:
    """An explicit horizon wins; else up to the target date (one day on the day itself); else the
    default, also when the target date has passed (horizon_basis says so: it is not hidden)."""
    basis = horizon_basis(as_of, horizon_days, target_date)
    if basis == "requested":
        return horizon_days
    if basis == "target_date":
        return max((target_date - as_of).days, 1)
    return DEFAULT_HORIZON_DAYS

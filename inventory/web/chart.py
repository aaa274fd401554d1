"""The balance chart: an office's balance over time and its projected run-out, as inline SVG geometry.

`balance_points` reads the stock card (end-of-day balances); `build` is pure arithmetic,
so the chart renders server-side with nothing to download.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ..offices.time_zones import ZONES
from ..stock import ledger

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36
HISTORY_DAYS = 90
MIN_FUTURE_DAYS = 30
MIN_TICK_GAP = 80  # pixels between date labels


@dataclass(frozen=True)
class Chart:
    history: str  # polyline points
    projection: tuple[float, float, float, float] | None  # x1, y1, x2, y2 (dashed)
    today_x: float
    minimum_y: float | None
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[tuple[float, date]] = field(default_factory=list)
    stockout_date: date | None = None
    reaches_zero: bool = False  # the run-out falls inside the frame
    target_date: date | None = None
    target_x: float | None = None  # None when there is no target date, or it lies past the frame
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT


def balance_points(
    office_id: int, today: date, on_hand: int, time_zone: str, days: int = HISTORY_DAYS
) -> list[tuple[date, int]]:
    """The balance at the end of each of the office's local days with movements, from `days`
    ago up to today, in the order the movements happened, whatever the order they were
    recorded in.

    Each day's end is read on its own (stock.ledger.balances_at: the day's last movement and
    its balance in event order), so the whole window is drawn at the cost of one seek a day,
    however many movements the office has. It starts with the balance just before the
    window (or at zero, the day before an office's first movement).
    """
    first_day = today - timedelta(days=days)
    starts = [first_day + timedelta(days=n) for n in range(days + 2)]  # up to tomorrow's start
    moments = [
        datetime.combine(day, datetime.min.time(), tzinfo=ZONES[time_zone]).astimezone(UTC) for day in starts
    ]
    ends = ledger.balances_at(office_id, moments)
    by_day: dict[date, int] = {}
    (before, balance), last_seen = ends[0], ends[0][0]
    if before is not None:
        by_day[first_day] = balance
    for day, (movement_id, balance) in zip(starts, ends[1:], strict=False):
        if movement_id == last_seen:
            continue  # no movement that day
        if last_seen is None:  # the office started empty: draw the day before its first movement at zero
            by_day[day - timedelta(days=1)] = 0
        by_day[day] = balance
        last_seen = movement_id
    return sorted(by_day.items())


def build(
    points: list[tuple[date, int]],
    today: date,
    on_hand: int,
    stockout: date | None,
    minimum: int = 0,
    target: date | None = None,
) -> Chart:
    """Scale the history and the dashed run-out line (today's balance down to zero) into the
    frame, and mark the target date (election day, say) where it falls inside it."""
    first = points[0][0] if points else today - timedelta(days=7)
    first = min(first, today - timedelta(days=7))
    # The run-out line takes at most as much room as the history (30 days at least); a later
    # run-out is drawn to the edge, and its date written in the legend.
    future = max((today - first).days, MIN_FUTURE_DAYS)
    last = today + timedelta(days=14)
    if stockout is not None:
        last = max(last, min(stockout, today + timedelta(days=future)))
    if target is not None and today <= target:
        # The frame reaches the target as it reaches a run-out: at most as far ahead as the
        # history goes back; a later one is named in the legend only.
        last = max(last, min(target, today + timedelta(days=future)))
    top_value = max([on_hand, minimum, *(balance for _, balance in points)], default=0)
    top_value = _nice(max(top_value, 10))
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span, 1)

    def y(value: float) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top_value), 1)

    steps, previous = [], None
    for day, balance in [*points, (today, on_hand)]:
        if previous is not None:
            steps.append(f"{x(day)},{y(previous)}")  # a step: level until the day it changed
        steps.append(f"{x(day)},{y(balance)}")
        previous = balance
    projection = None
    if stockout is not None and on_hand > 0:
        end = min(stockout, last)
        days_total = max((stockout - today).days, 1)
        left_at_end = on_hand * (1 - (end - today).days / days_total)
        projection = (x(today), y(on_hand), x(end), y(max(left_at_end, 0)))
    return Chart(
        history=" ".join(steps),
        projection=projection,
        today_x=x(today),
        minimum_y=y(minimum) if minimum > 0 else None,
        y_ticks=[(y(v), v) for v in (0, top_value // 2, top_value)],
        x_ticks=_spread([(x(d), d) for d in sorted({first, today, last})], x(today)),
        stockout_date=stockout,
        reaches_zero=projection is not None and stockout is not None and stockout <= last,
        target_date=target,
        target_x=x(target) if target is not None and first <= target <= last else None,
    )


def _spread(ticks: list[tuple[float, date]], keep: float) -> list[tuple[float, date]]:
    """Drop date labels that would overlap today's."""
    return [(x, d) for x, d in ticks if x == keep or abs(x - keep) >= MIN_TICK_GAP]


def _nice(value: int) -> int:
    """Round an axis maximum up to 1, 2 or 5 times a power of ten."""
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude

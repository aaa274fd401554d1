"""When a print (or a delivery) may say it happened. Pure: a time and the server's clock in, a
refusal or nothing out.

A print's `printed_at` orders the stock card and picks the usage day its rates count on. A
clock a few minutes fast is a clock; a time further ahead is a wrong clock, and one older
than the backdate limit is a late upload whose day's rates and alerts have long been acted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PRINT_BACKDATE_DAYS = 31
PRINT_CLOCK_SKEW_MINUTES = 5


@dataclass(frozen=True)
class PrintTimeRefusal:
    error: str  # "printed_at_future" or "printed_at_too_old" (received_at_... for a delivery)
    message: str


def refuse_print_time(
    printed_at: datetime | None,
    now: datetime,
    backdate_days: int = PRINT_BACKDATE_DAYS,
    skew_minutes: int = PRINT_CLOCK_SKEW_MINUTES,
) -> PrintTimeRefusal | None:
    """Why `printed_at` cannot be recorded at `now` (both aware), or None when it can (or is unset)."""
    return refuse_told_time("printed_at", "prints", printed_at, now, backdate_days, skew_minutes)


def refuse_told_time(
    field: str,
    what: str,
    moment: datetime | None,
    now: datetime,
    backdate_days: int = PRINT_BACKDATE_DAYS,
    skew_minutes: int = PRINT_CLOCK_SKEW_MINUTES,
) -> PrintTimeRefusal | None:
    """The same bounds for any movement that says when it happened (a print's printed_at, a
    delivery's received_at): the stock card's balances in event order rely on them
    (stock/event_order.py). `what` names the movements in the message."""
    if moment is None:
        return None
    if moment > now + timedelta(minutes=skew_minutes):
        return PrintTimeRefusal(
            f"{field}_future",
            f"{field} {moment.isoformat()} is ahead of the server's clock ({now.isoformat()}) "
            f"by more than {skew_minutes} minutes: check the device's clock.",
        )
    if moment < now - timedelta(days=backdate_days):
        return PrintTimeRefusal(
            f"{field}_too_old",
            f"{field} {moment.isoformat()} is more than {backdate_days} days ago: {what} are "
            "recorded within that many days; record an older one as a stocktake correction.",
        )
    return None

"""How the public board words an office's stock for residents. Pure: no I/O.

A resident asks one thing: will there be a blank for me if I go today? So the board judges
the blanks on the office's own shelf (not its subtree's), and vouches only for figures that
are fresh: an office whose stock has neither moved nor been confirmed for `stale_days`
says "not updated" whatever its last figures were, rather than a stale "available".
"""

from __future__ import annotations

from datetime import date

PUBLIC_STATUSES = ("available", "limited", "out", "stale")


def days_of_cover(on_hand: int, used_in_window: int, window_days: int) -> int | None:
    """Whole days the shelf lasts at the recent pace; None without recent use (no estimate)."""
    if used_in_window <= 0 or window_days <= 0:
        return None
    return int(on_hand * window_days // used_in_window)


def age_in_days(last_update: date | None, today: date) -> int | None:
    """Days since the stock last moved or was confirmed, on the office's calendar."""
    return None if last_update is None else max((today - last_update).days, 0)


def public_status(
    *,
    on_hand: int,
    min_stock: int,
    cover: int | None,
    age_days: int | None,
    stale_days: int,
    limited_days: int,
) -> str:
    """available / limited / out / stale, for the blanks on the office's own shelf.

    stale      never updated, or not moved nor confirmed for `stale_days` days or more
    out        nothing on the shelf
    limited    at or below the office's minimum, or fewer than `limited_days` days of cover
    available  otherwise
    """
    if age_days is None or age_days >= stale_days:
        return "stale"
    if on_hand <= 0:
        return "out"
    if on_hand <= min_stock or (cover is not None and cover < limited_days):
        return "limited"
    return "available"

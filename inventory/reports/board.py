"""The public stock board: for each office, whether a resident will find a blank there today.

Read by anyone, without logging in, so it selects only what may be public: an office's name,
code and kind, a status (board_rules), an estimate of days of cover, when its stock last moved,
and the number of blanks only where the office opts in (`public_quantity`). No user, note,
alert, population figure or movement detail is read, so none can leak.

It reads through `reader()` (the replica when one is configured) in a fixed number of
statements however many offices: the offices with their balance and the time of their last
movement (one index seek each), then their usage over the window. Answers are kept for
PUBLIC_BOARD_CACHE_SECONDS per app, so a crowd refreshing the national board costs one read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, or_, select

from ..core.db import reader
from ..offices.models import Office
from ..offices.time_zones import local_day, todays
from ..stock.models import Balance, DailyUsage, Movement
from .board_rules import age_in_days, days_of_cover, public_status

OFFICE, BALANCE, USAGE, MOVEMENT = (
    Office.__table__,
    Balance.__table__,
    DailyUsage.__table__,
    Movement.__table__,
)
PARENT = Office.__table__.alias("parent")
SEARCH_LIMIT = 50
_CACHE_KEY = "blangko.public_board"
_CACHE_SIZE = 256
T = TypeVar("T")

# The time of the office's latest movement: its last row by id (index office_id, id).
_LAST_MOVED = (
    select(MOVEMENT.c.recorded_at)
    .where(MOVEMENT.c.office_id == OFFICE.c.id)
    .order_by(MOVEMENT.c.id.desc())
    .limit(1)
    .correlate(OFFICE)
    .scalar_subquery()
)


class _Cache:
    """Answers by key for a few seconds; a lock so that a cold key is read once, not by every caller
    (re-entrant: a cached answer may be built from another, as the feed's body from its rows)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.items: OrderedDict[tuple, tuple[float, object]] = OrderedDict()

    def get(self, key: tuple, seconds: float, read: Callable[[], T]) -> T:
        with self.lock:
            found = self.items.get(key)
            if found and time.monotonic() - found[0] < seconds:
                self.items.move_to_end(key)
                return found[1]  # type: ignore[return-value]
            value = read()
            if seconds > 0:
                self.items[key] = (time.monotonic(), value)
                while len(self.items) > _CACHE_SIZE:
                    self.items.popitem(last=False)
            return value


def cached(key: tuple, read: Callable[[], T]) -> T:
    """`read()`, or its answer of less than PUBLIC_BOARD_CACHE_SECONDS ago for the same key."""
    cache = current_app.extensions.setdefault(_CACHE_KEY, _Cache())
    return cache.get(key, current_app.config["PUBLIC_BOARD_CACHE_SECONDS"], read)


def rows(*where) -> list[dict]:
    """The public row of each open office `where` selects, by code."""
    selected = (
        select(
            OFFICE.c.id,
            OFFICE.c.code,
            OFFICE.c.name,
            OFFICE.c.kind,
            PARENT.c.code.label("parent"),
            OFFICE.c.time_zone,
            OFFICE.c.min_stock,
            OFFICE.c.public_quantity,
            OFFICE.c.public_stale_days,
            BALANCE.c.on_hand,
            _LAST_MOVED.label("last_moved"),
        )
        .join(BALANCE, BALANCE.c.office_id == OFFICE.c.id)
        .outerjoin(PARENT, PARENT.c.id == OFFICE.c.parent_id)
        .where(OFFICE.c.active.is_(True), OFFICE.c.kind != "national", *where)
        .order_by(OFFICE.c.code)
    )
    offices = reader().execute(selected).all()
    if not offices:
        return []
    todays_ = todays()
    window = current_app.config["USAGE_WINDOW_DAYS"]
    used = _used_in_window(where, min(todays_.values()), window)
    config = current_app.config
    return [_row(o, todays_[o.time_zone], used.get(o.id, 0), window, config) for o in offices]


def _used_in_window(where: tuple, as_of, window: int) -> dict[int, int]:
    """Blanks consumed (printed or spoiled) by each office and the units it supplies, over the window."""
    ids = select(OFFICE.c.id).where(OFFICE.c.active.is_(True), *where)
    found = reader().execute(
        select(USAGE.c.office_id, func.sum(USAGE.c.printed + USAGE.c.spoiled))
        .where(USAGE.c.office_id.in_(ids), USAGE.c.day > as_of - timedelta(days=window), USAGE.c.day <= as_of)
        .group_by(USAGE.c.office_id)
    )
    return {office_id: int(total or 0) for office_id, total in found}


def _row(o, today, used: int, window: int, config) -> dict:
    cover = days_of_cover(o.on_hand, used, window)
    last_day = local_day(o.last_moved, o.time_zone) if o.last_moved else None
    status = public_status(
        on_hand=o.on_hand,
        min_stock=o.min_stock,
        cover=cover,
        age_days=age_in_days(last_day, today),
        stale_days=o.public_stale_days,
        limited_days=config["PUBLIC_LIMITED_COVER_DAYS"],
    )
    return {
        "code": o.code,
        "name": o.name,
        "kind": o.kind,
        "parent": o.parent,
        "status": status,
        # Only where the office opts in; and never a figure the board does not vouch for.
        "quantity": o.on_hand if o.public_quantity and status != "stale" else None,
        "days_of_cover": cover if status in ("available", "limited") else None,
        "last_updated": o.last_moved,
        "time_zone": o.time_zone,
    }


def office_board(code: str) -> dict | None:
    """One office and the open offices directly under it; None if there is no such open office."""

    def read() -> dict | None:
        office = (
            reader()
            .execute(
                select(OFFICE.c.id, OFFICE.c.path).where(OFFICE.c.code == code, OFFICE.c.active.is_(True))
            )
            .first()
        )
        if office is None:
            return None
        found = rows(or_(OFFICE.c.id == office.id, OFFICE.c.parent_id == office.id))
        own = [r for r in found if r["code"] == code]
        return {"office": own[0] if own else None, "below": [r for r in found if r["code"] != code]}

    return cached(("office", code), read)


def top() -> list[dict]:
    """The first offices a resident chooses among: the provinces (or whatever is at the top)."""
    parents = select(OFFICE.c.id).where(OFFICE.c.parent_id.is_(None))
    return cached(("top",), lambda: rows(or_(OFFICE.c.parent_id.in_(parents), OFFICE.c.parent_id.is_(None))))


def search(words: str) -> list[dict]:
    """Open offices whose name or code contains `words` (any case), at most SEARCH_LIMIT."""
    words = " ".join(words.split())[:100]
    if not words:
        return []
    pattern = "%" + words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matching = or_(
        func.lower(OFFICE.c.name).like(pattern, escape="\\"),
        func.lower(OFFICE.c.code).like(pattern, escape="\\"),
    )
    ids = (
        select(OFFICE.c.id)
        .where(matching, OFFICE.c.active.is_(True))
        .order_by(OFFICE.c.code)
        .limit(SEARCH_LIMIT)
    )
    return cached(("search", words.lower()), lambda: rows(OFFICE.c.id.in_(ids)))


def feed(under: str | None) -> list[dict] | None:
    """Every open office at or under `under` (the whole country without it); None if no such office."""

    def read() -> list[dict] | None:
        if under is None:
            return rows()
        path = (
            reader()
            .execute(select(OFFICE.c.path).where(OFFICE.c.code == under, OFFICE.c.active.is_(True)))
            .scalar()
        )
        return None if path is None else rows(OFFICE.c.path.startswith(path))

    return cached(("feed", under), read)

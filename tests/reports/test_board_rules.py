"""How the public board words an office's shelf (inventory/reports/board_rules.py)."""

from __future__ import annotations

from datetime import date

import pytest

from inventory.reports.board_rules import age_in_days, days_of_cover, public_status


def status(on_hand=100, min_stock=0, cover=None, age_days=0, stale_days=3, limited_days=7):
    return public_status(
        on_hand=on_hand, min_stock=min_stock, cover=cover, age_days=age_days, stale_days=stale_days,
        limited_days=limited_days,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ({}, "available"),
        ({"cover": 7}, "available"),
        ({"cover": 6}, "limited"),
        ({"min_stock": 100}, "limited"),
        ({"min_stock": 99}, "available"),
        ({"on_hand": 0}, "out"),
        ({"on_hand": 0, "min_stock": 10}, "out"),
        ({"age_days": 2}, "available"),
        ({"age_days": 3}, "stale"),
        ({"age_days": 3, "stale_days": 4}, "available"),
        ({"age_days": None}, "stale"),
        ({"on_hand": 0, "age_days": 5}, "stale"),  # the board vouches for no old figure, "out" neither
    ],
)
def test_the_status_in_words(figures, expected):
    assert status(**figures) == expected


def test_days_of_cover_at_the_recent_pace():
    assert days_of_cover(100, 30, 30) == 100
    assert days_of_cover(100, 60, 30) == 50
    assert days_of_cover(10, 31, 30) == 9  # whole days, rounded down
    assert days_of_cover(100, 0, 30) is None  # no recent use: no estimate, not "forever"


def test_age_is_counted_in_the_office_days():
    assert age_in_days(date(2026, 12, 1), date(2026, 12, 4)) == 3
    assert age_in_days(None, date(2026, 12, 4)) is None
    assert age_in_days(date(2026, 12, 5), date(2026, 12, 4)) == 0

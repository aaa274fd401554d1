"""Which zone an office keeps its days in, and which day a moment falls on there (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from inventory.offices.time_zones import local_day, local_days, zone_for_code

WIB = [*range(11, 37), 61, 62]
WITA = [51, 52, 53, 63, 64, 65, *range(71, 77)]
WIT = [81, 82, *range(91, 97)]


@pytest.mark.parametrize(
    ("provinces", "zone"), [(WIB, "WIB"), (WITA, "WITA"), (WIT, "WIT")], ids=["WIB", "WITA", "WIT"]
)
def test_every_province_code_and_everything_under_it_has_its_zone(provinces, zone):
    for province in provinces:
        for code in (f"{province}", f"{province}.02", f"{province}.02.05", f"{province}.02-JB1"):
            assert zone_for_code(code) == zone, code


def test_codes_that_name_no_province_have_no_zone_of_their_own():
    named = set(WIB) | set(WITA) | set(WIT)
    for number in set(range(100)) - named:
        assert zone_for_code(f"{number:02d}") is None
        assert zone_for_code(f"{number:02d}.01") is None
    for code in ("ID", "", "6", "620", "6202.05", "x62", "MU-1"):
        assert zone_for_code(code) is None, code


def test_a_moment_falls_on_the_local_day_of_each_zone():
    # 23:30 UTC on 2 Jan is 06:30 WIB, 07:30 WITA and 08:30 WIT on 3 Jan.
    moment = datetime(2026, 1, 2, 23, 30, tzinfo=UTC)
    assert local_days(moment) == dict.fromkeys(("WIB", "WITA", "WIT"), date(2026, 1, 3))
    # 15:30 UTC is 22:30 WIB and 23:30 WITA the same day, 00:30 WIT the next.
    evening = datetime(2026, 1, 2, 15, 30, tzinfo=UTC)
    assert local_days(evening) == {"WIB": date(2026, 1, 2), "WITA": date(2026, 1, 2), "WIT": date(2026, 1, 3)}
    # Naive times (as SQLite returns them) are UTC; other offsets are converted.
    assert local_day(datetime(2026, 1, 2, 16, 59), "WIB") == date(2026, 1, 2)
    assert local_day(datetime(2026, 1, 2, 17, 0), "WIB") == date(2026, 1, 3)
    wita = timezone(timedelta(hours=8))
    assert local_day(datetime(2026, 1, 3, 0, 30, tzinfo=wita), "WIB") == date(2026, 1, 2)

"""The counter's pure rules: who may undo a print, and an end-of-day tally as numbered prints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from inventory.offices.time_zones import ZONES
from inventory.web.counter_rules import day_client_id, day_prints, may_undo

NOW = datetime(2024, 3, 15, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta


def movement(**changes):
    return {
        "kind": "print",
        "office_id": 7,
        "actor_id": 3,
        "recorded_at": NOW - timedelta(seconds=30),
        **changes,
    }


def test_only_ones_own_fresh_print_here_may_be_undone():
    assert may_undo(movement(), 7, 3, NOW)
    assert may_undo(movement(recorded_at=(NOW - timedelta(seconds=120)).replace(tzinfo=None)), 7, 3, NOW)
    assert not may_undo(movement(recorded_at=NOW - timedelta(seconds=121)), 7, 3, NOW)
    assert not may_undo(movement(recorded_at=NOW + timedelta(seconds=5)), 7, 3, NOW)
    assert not may_undo(movement(actor_id=4), 7, 3, NOW)
    assert not may_undo(movement(office_id=8), 7, 3, NOW)
    assert not may_undo(movement(kind="delivery"), 7, 3, NOW)


def test_a_day_becomes_numbered_prints_dated_noon_or_now():
    day = date(2024, 3, 14)
    counts = {("new_record", "printed"): 2, ("other", "spoiled"): 1, ("replacement", "printed"): 0}
    prints = day_prints("62.02.05", day, counts, ZONES["WIB"], NOW)
    assert [p["client_id"] for p in prints] == [
        "eod:62.02.05:20240314:np:1",
        "eod:62.02.05:20240314:np:2",
        "eod:62.02.05:20240314:os:1",
    ]
    assert {p["printed_at"] for p in prints} == {datetime(2024, 3, 14, 5, 0, tzinfo=UTC)}
    # Today before noon: now, never the future.
    assert day_prints("62.02.05", date(2024, 3, 15), counts, ZONES["WIB"], NOW)[0]["printed_at"] == NOW
    # The longest office code still fits a client_id (64 characters).
    assert len(day_client_id("9" * 32, day, "replacement", "spoiled", 1000)) <= 64

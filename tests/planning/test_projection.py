"""The projection arithmetic, on cases worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inventory.planning.projection import DEFAULT_SPOILAGE, Inputs, Usage, horizon_for, project

TODAY = date(2023, 11, 20)
NO_HISTORY = Usage(window_days=30)


def kotim(**changes) -> Inputs:
    """Kotawaringin Timur, November 2023: 310,785 to hold a card, 308,289 recorded, 5,000 blanks."""
    figures = dict(as_of=TODAY, on_hand=5000, in_transit_in=0, target=310_785, recorded=308_289,
                   print_backlog=0, usage=NO_HISTORY)  # fmt: skip
    return Inputs(**{**figures, **changes})


def test_kotim_without_history_has_enough_blanks_for_everyone_unrecorded():
    result = project(kotim())

    assert result.unrecorded == 2496
    assert result.spoilage_rate == DEFAULT_SPOILAGE and result.spoilage_source == "default"
    assert result.projected_demand == 2547  # 2,496 / 0.98 = 2,546.9, rounded up
    assert result.remaining == 5000
    assert result.shortfall == 0
    assert result.days_of_cover is None and result.stockout_date is None  # nothing printed yet
    assert result.suggested_order == 0


# A month of history: 2,970 printed (900 of them replacements or data changes), 30 spoiled.
HISTORY = Usage(window_days=30, printed=2970, spoiled=30, replacement=900)


def test_kotim_with_a_backlog_and_a_month_of_prints_falls_short():
    result = project(kotim(print_backlog=1000, usage=HISTORY, lead_time_days=14, safety_days=7))

    assert result.spoilage_rate == 0.01  # 30 of 3,000
    assert result.replacements_per_day == 30  # 900 / 30 days
    # (2,496 + 1,000 + 30 x 90) / 0.99 = 6,258.6
    assert result.projected_demand == 6259
    assert result.average_daily_use == 100
    assert result.days_of_cover == 50
    assert result.stockout_date == TODAY + timedelta(days=50)
    assert result.shortfall == 1259
    # daily demand max(100, 6,259 / 90) = 100; 100 x 21 days = 2,100 < 5,000 held: the shortfall rules
    assert result.suggested_order == 1259


def test_blanks_in_transit_count_as_remaining():
    result = project(kotim(on_hand=4000, in_transit_in=1000, print_backlog=1000, usage=HISTORY))
    assert result.remaining == 5000
    assert result.shortfall == 1259


def test_suggested_order_covers_lead_time_and_safety_when_that_needs_more():
    result = project(kotim(on_hand=500, target=308_289, usage=HISTORY, lead_time_days=20, safety_days=10))

    # demand = 30 x 90 / 0.99 = 2,727.3 -> 2,728; shortfall 2,228; 100/day x 30 days - 500 = 2,500
    assert result.projected_demand == 2728
    assert result.shortfall == 2228
    assert result.suggested_order == 2500


def test_capacity_or_blanks_whichever_runs_out_first():
    waiting = dict(print_backlog=1000, usage=HISTORY, target_date=TODAY + timedelta(days=60))

    fast = project(kotim(print_capacity_per_day=400, **waiting))
    slow = project(kotim(print_capacity_per_day=50, **waiting))
    short = project(kotim(on_hand=3000, print_capacity_per_day=400, **waiting))

    # (2,496 + 1,000) / 0.99 = 3,531.3 blanks for everyone waiting
    assert fast.days_to_target == 60
    assert fast.days_to_print_everyone == 8.8 and fast.runs_out_first == "neither"
    assert slow.days_to_print_everyone == 70.6 and slow.runs_out_first == "capacity"
    assert short.runs_out_first == "blanks"


def test_no_capacity_means_no_capacity_verdict():
    result = project(kotim(target_date=TODAY + timedelta(days=10)))
    assert result.days_to_target == 10
    assert result.days_to_print_everyone is None and result.runs_out_first is None


def test_recorded_above_target_never_makes_negative_demand():
    assert project(kotim(recorded=320_000)).unrecorded == 0


@pytest.mark.parametrize(
    ("horizon", "target_date", "expected"),
    [
        (30, None, 30),
        (None, TODAY + timedelta(days=86), 86),
        (None, TODAY - timedelta(days=1), 90),
        (None, None, 90),
    ],
)
def test_horizon_is_explicit_or_up_to_the_target_date(horizon, target_date, expected):
    assert horizon_for(TODAY, horizon, target_date) == expected


def test_cover_beyond_a_century_has_no_stockout_date():
    # A store of a million blanks that printed one card in a month: 30 million days of cover,
    # a date past the end of the calendar.
    result = project(kotim(on_hand=1_000_000, usage=Usage(window_days=30, printed=1)))

    assert result.days_of_cover == 30_000_000
    assert result.stockout_date is None

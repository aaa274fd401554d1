"""The projection arithmetic, on cases worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inventory.planning.projection import (
    DEFAULT_SPOILAGE,
    MIN_SAMPLE_PRINTS,
    Inputs,
    Usage,
    horizon_basis,
    horizon_for,
    project,
    rates_for,
)

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
        (None, TODAY, 1),
        (None, TODAY - timedelta(days=1), 90),
        (None, None, 90),
    ],
)
def test_horizon_is_explicit_or_up_to_the_target_date(horizon, target_date, expected):
    assert horizon_for(TODAY, horizon, target_date) == expected


@pytest.mark.parametrize(
    ("horizon", "target_date", "basis"),
    [
        (30, TODAY - timedelta(days=5), "requested"),
        (None, TODAY + timedelta(days=1), "target_date"),
        (None, TODAY, "target_date"),
        (None, TODAY - timedelta(days=1), "target_passed"),
        (None, TODAY - timedelta(days=400), "target_passed"),
        (None, None, "default"),
    ],
)
def test_the_horizon_says_which_rule_chose_it(horizon, target_date, basis):
    assert horizon_basis(TODAY, horizon, target_date) == basis


def test_a_passed_target_date_is_reported_as_passed_and_sets_no_deadline():
    passed = project(kotim(target_date=TODAY - timedelta(days=3), print_capacity_per_day=10, usage=HISTORY))
    ahead = project(kotim(target_date=TODAY + timedelta(days=3), print_capacity_per_day=10, usage=HISTORY))

    assert passed.target_passed and passed.days_to_target == -3
    # 2,521 blanks waiting at 10 a day: 252 days; a date 3 days ago is no deadline to miss
    assert passed.runs_out_first == "neither"
    assert not ahead.target_passed and ahead.runs_out_first == "capacity"
    assert not project(kotim()).target_passed


# --- small samples -----------------------------------------------------------------


FIRST_DAY = Usage(window_days=1, printed=1, spoiled=1)  # an operator's first day
DISTRICT_MONTH = Usage(window_days=30, printed=588, spoiled=12, replacement=147)  # 2 % spoiled, 1/4 replace


def test_an_operators_first_day_does_not_double_the_demand():
    alone = project(kotim(usage=FIRST_DAY))

    assert alone.spoilage_source == "default" and alone.spoilage_rate == DEFAULT_SPOILAGE
    assert alone.rates_office is None and alone.rates_sample == 0
    assert alone.projected_demand == 2547  # as with no history: 2,496 / 0.98, not 2,496 / 0.5
    assert alone.average_daily_use == 2  # consumption is still what it was


def test_a_small_sample_borrows_the_nearest_ancestors_rates():
    regency = ("62.02", DISTRICT_MONTH)
    province = ("62", Usage(window_days=30, printed=9000, spoiled=1000))
    result = project(kotim(code="62.02.05", usage=FIRST_DAY, ancestors_usage=(regency, province)))

    assert result.spoilage_source == "ancestor" and result.rates_office == "62.02"
    assert result.rates_sample == 600 and result.spoilage_rate == 0.02
    assert result.replacement_share == 0.25
    # replacements follow the office's own prints: 1/4 of 1 printed a day, over 90 days
    assert result.replacements_per_day == 0.25
    assert result.projected_demand == 2570  # (2,496 + 0.25 x 90) / 0.98 = 2,569.9


def test_ancestors_too_small_are_skipped_for_one_further_up():
    parent = ("62.02.05", Usage(window_days=3, printed=40, spoiled=9))
    grandparent = ("62.02", DISTRICT_MONTH)
    rates = rates_for(FIRST_DAY, (parent, grandparent), code="62.02.05.m1")
    assert (rates.source, rates.office, rates.sample) == ("ancestor", "62.02", 600)


@pytest.mark.parametrize(
    ("consumed", "source"), [(MIN_SAMPLE_PRINTS - 1, "default"), (MIN_SAMPLE_PRINTS, "measured")]
)
def test_the_own_window_counts_from_the_minimum_sample(consumed, source):
    usage = Usage(window_days=5, printed=consumed - 1, spoiled=1)
    assert rates_for(usage).source == source


def test_the_minimum_sample_is_configurable():
    assert rates_for(FIRST_DAY, min_sample=2).source == "measured"
    assert rates_for(FIRST_DAY, min_sample=3).source == "default"


def test_measured_replacements_per_day_are_unchanged_by_the_share():
    result = project(kotim(usage=HISTORY))
    assert result.replacement_share == round(900 / 2970, 4)
    assert result.replacements_per_day == 30  # 900 / 30 days, as before


def test_cover_beyond_a_century_has_no_stockout_date():
    # A store of a million blanks that printed one card in a month: 30 million days of cover,
    # a date past the end of the calendar.
    result = project(kotim(on_hand=1_000_000, usage=Usage(window_days=30, printed=1)))

    assert result.days_of_cover == 30_000_000
    assert result.stockout_date is None

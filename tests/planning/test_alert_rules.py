"""Which alerts an office's figures call for: pure rules, figures in, verdicts out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inventory.planning.alert_rules import Situation, verdicts
from inventory.planning.projection import Inputs, Usage, project

TODAY = date(2023, 11, 20)
BUSY = Usage(window_days=30, printed=2970, spoiled=30)  # 100 a day


def situation(on_hand: int, *, min_stock=0, lead_time_days=0, target_in_days=None, unrecorded=2496):
    target_date = TODAY + timedelta(days=target_in_days) if target_in_days is not None else None
    inputs = Inputs(as_of=TODAY, on_hand=on_hand, in_transit_in=0, target=310_785,
                    recorded=310_785 - unrecorded, print_backlog=0, usage=BUSY,
                    lead_time_days=lead_time_days, target_date=target_date)  # fmt: skip
    return Situation("62.02.05", on_hand, min_stock, lead_time_days, target_date, project(inputs))


def test_an_empty_office_gets_one_stockout_alert_not_one_per_symptom():
    empty = situation(0, min_stock=100, lead_time_days=14, target_in_days=60)

    found = verdicts(empty)

    assert list(found) == ["stockout"]
    assert found["stockout"].severity == "critical"


def test_the_same_office_with_a_few_blanks_left_gets_each_condition_that_holds():
    thin = situation(20, min_stock=100, lead_time_days=14, target_in_days=60)

    expected = {"low_stock", "projected_shortfall", "reorder_now", "stockout_before_target"}
    assert set(verdicts(thin)) == expected


@pytest.mark.parametrize("unrecorded", [0, 10])
def test_nothing_needed_and_nothing_left_is_no_stockout(unrecorded):
    # Nobody left to record and no prints: an empty store is no alarm; ten waiting make it one.
    idle = Situation("62.02.05", 0, 0, 0, None, project(Inputs(
        as_of=TODAY, on_hand=0, in_transit_in=0, target=100, recorded=100 - unrecorded,
        print_backlog=0, usage=Usage(window_days=30))))  # fmt: skip
    assert ("stockout" in verdicts(idle)) == (unrecorded > 0)

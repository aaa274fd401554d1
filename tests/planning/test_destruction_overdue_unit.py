"""The destruction_overdue rule (planning/alert_rules.py): pure, figures in, verdict out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inventory.planning.alert_rules import CustodySituation, destruction_overdue

TODAY = date(2026, 12, 2)


def situation(awaiting=10, waited=5, interval=30, max_pending=500):
    since = TODAY - timedelta(days=waited) if waited is not None else None
    return CustodySituation("62.02", awaiting, since, TODAY, interval, max_pending)


def test_nothing_waiting_is_never_overdue():
    assert destruction_overdue(situation(awaiting=0, waited=400)) is None


def test_within_both_limits_is_no_alert():
    assert destruction_overdue(situation(waited=30, awaiting=500)) is None


@pytest.mark.parametrize(
    ("waited", "awaiting", "severity"),
    [(31, 10, "warning"), (60, 10, "warning"), (61, 10, "critical"),
     (0, 501, "warning"), (0, 1000, "warning"), (0, 1001, "critical"), (31, 501, "warning")],
)  # fmt: skip
def test_over_either_limit_warns_and_twice_over_is_critical(waited, awaiting, severity):
    verdict = destruction_overdue(situation(waited=waited, awaiting=awaiting))
    assert verdict is not None
    assert (verdict.kind, verdict.severity) == ("destruction_overdue", severity)
    assert verdict.figures["awaiting"] == awaiting and verdict.figures["days_waited"] == waited


def test_the_message_says_which_limit_was_passed():
    old = destruction_overdue(situation(waited=45))
    many = destruction_overdue(situation(awaiting=600))
    assert "waited 45 days (limit 30)" in old.message and "limit 500" not in old.message
    assert "600 are waiting (limit 500)" in many.message and "days" not in many.message


def test_an_unknown_start_counts_only_the_pile():
    assert destruction_overdue(situation(waited=None)) is None
    assert destruction_overdue(situation(waited=None, awaiting=501)).figures["waiting_since"] is None

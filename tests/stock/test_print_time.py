"""A print's printed_at: a few minutes fast is a clock, further ahead or older than the backdate
limit is refused with a clear error, one print or a batch, and nothing is written for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inventory.stock.print_time import refuse_print_time
from tests.helpers import PRINTED, deliver, ok, print_batch, refused, stock

NOW = datetime(2024, 2, 14, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "error"),
    [
        (timedelta(minutes=5), None),
        (timedelta(minutes=5, seconds=1), "printed_at_future"),
        (timedelta(days=400), "printed_at_future"),
        (timedelta(0), None),
        (-timedelta(days=31), None),
        (-timedelta(days=31, seconds=1), "printed_at_too_old"),
        (-timedelta(days=3000), "printed_at_too_old"),
    ],
)
def test_how_far_ahead_and_back_a_print_may_be(offset, error):
    refusal = refuse_print_time(NOW + offset, NOW, backdate_days=31, skew_minutes=5)
    assert (refusal.error if refusal else None) == error


def test_no_printed_at_is_now():
    assert refuse_print_time(None, NOW) is None


def at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


@pytest.mark.parametrize(
    ("delta", "error"),
    [
        (timedelta(hours=1), "printed_at_future"),
        (timedelta(days=365), "printed_at_future"),
        (-timedelta(days=32), "printed_at_too_old"),
        (-timedelta(days=3650), "printed_at_too_old"),
    ],
)
def test_a_print_from_a_wrong_clock_is_refused_and_writes_nothing(api, delta, error):
    deliver(api, "62.02", 5)

    body = refused(api.post("/offices/62.02/prints", {**PRINTED, "printed_at": at(delta)}, as_="operator"),
                   422, error)  # fmt: skip

    assert "printed_at" in body["errors"]["json"] and "printed_at" in body["message"]
    assert stock(api, "62.02")["on_hand"] == 5


def test_a_clock_a_little_fast_or_a_print_from_last_week_is_recorded(api):
    deliver(api, "62.02", 5)
    for delta in (timedelta(minutes=2), -timedelta(days=7), -timedelta(days=30)):
        ok(api.post("/offices/62.02/prints", {**PRINTED, "printed_at": at(delta)}, as_="operator"), 201)
    assert stock(api, "62.02")["on_hand"] == 2


def test_the_backdate_limit_is_configurable(api):
    api.app.config["PRINT_BACKDATE_DAYS"] = 3
    deliver(api, "62.02", 5)
    late = {**PRINTED, "printed_at": at(-timedelta(days=4))}
    refused(api.post("/offices/62.02/prints", late, as_="operator"), 422, "printed_at_too_old")


def test_a_batch_refuses_only_the_prints_with_a_wrong_time(api):
    deliver(api, "62.02-JB1", 5)
    items = [
        {"client_id": "ok-1", **PRINTED, "printed_at": at(-timedelta(days=2))},
        {"client_id": "future", **PRINTED, "printed_at": at(timedelta(days=1))},
        {"client_id": "old", **PRINTED, "printed_at": at(-timedelta(days=60))},
        {"client_id": "ok-2", **PRINTED},
    ]

    result = print_batch(api, "62.02-JB1", items)

    found = {r["client_id"]: (r["status"], r.get("error")) for r in result["results"]}
    assert found == {
        "ok-1": ("recorded", None),
        "future": ("refused", "printed_at_future"),
        "old": ("refused", "printed_at_too_old"),
        "ok-2": ("recorded", None),
    }
    assert (result["recorded"], result["refused"], result["on_hand"]) == (2, 2, 3)
    assert stock(api, "62.02-JB1")["on_hand"] == 3

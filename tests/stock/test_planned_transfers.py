"""Planned transfers through the HTTP API (issue 15): planned moves nothing, dispatch moves it
once however many press at once, cancel calls it off, and who may do which where."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.helpers import books_problems, deliver, ok, refused, stock, whole_ledger, world
from tests.stock.test_concurrency import run_together


def plan(api, source="62.02", destination="62.02.05", quantity=30, as_="manager", **extra):
    body = {"from": source, "to": destination, "quantity": quantity, "planned": True, **extra}
    return api.post("/transfers", body, as_=as_)


def planned(api, *args, **kwargs) -> dict:
    return ok(plan(api, *args, **kwargs), 201)


def figures(api, code):
    """What a planned transfer must not change: the balance, projection and report of an office."""
    balance = stock(api, code)
    projection = ok(api.get(f"/offices/{code}/projection", as_="admin"))
    projection.pop("as_of", None)
    report = ok(api.get("/reports/stock", query_string={"under": "62.02"}, as_="admin"))
    return (
        balance,
        projection["inputs"],
        projection["outputs"],
        report,
    )


def test_plan_dispatch_receive_with_the_balances_at_each_step(api):
    deliver(api, "62.02", 100)
    before = {code: figures(api, code) for code in ("62.02", "62.02.05")}
    alerts = ok(api.get("/alerts", as_="admin"))

    transfer = planned(api)

    assert transfer["status"] == "planned" and transfer["quantity"] == 30
    assert (transfer["planned_by"], transfer["dispatched_by"], transfer["dispatched_at"]) == (
        "manager",
        None,
        None,
    )
    assert transfer["serials"] == [] and transfer["planned_at"]
    # Nothing moved: balances, in transit, the projection and the report are as they were.
    assert {code: figures(api, code) for code in ("62.02", "62.02.05")} == before
    assert ok(api.get("/alerts", as_="admin")) == alerts
    assert whole_ledger(api, "62.02")[0]["kind"] == "delivery"
    assert books_problems(api) == []
    # Visible: on its own, and in the source's and the destination's lists.
    assert ok(api.get(f"/transfers/{transfer['id']}", as_="baamang_warehouse"))["status"] == "planned"
    for code in ("62.02", "62.02.05"):
        listed = ok(api.get("/transfers", query_string={"office": code, "status": "planned"}, as_="admin"))
        assert [t["id"] for t in listed["items"]] == [transfer["id"]]
    assert ok(api.get("/transfers", query_string={"status": "in_transit"}, as_="admin"))["items"] == []
    # Not received before it leaves.
    refused(
        api.post(f"/transfers/{transfer['id']}/receive", as_="baamang_warehouse"),
        409,
        "transfer_not_in_transit",
    )
    refused(
        api.post(f"/transfers/{transfer['id']}/receive", {"counted": 20}, as_="baamang_warehouse"),
        409,
        "transfer_not_in_transit",
    )

    sent = ok(api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"))

    assert (sent["id"], sent["status"], sent["dispatched_by"], sent["planned_by"]) == (
        transfer["id"], "in_transit", "warehouse", "manager",
    )  # fmt: skip
    assert (stock(api, "62.02")["on_hand"], stock(api, "62.02")["in_transit_out"]) == (70, 30)
    assert stock(api, "62.02.05")["in_transit_in"] == 30
    out = whole_ledger(api, "62.02")[0]
    assert (out["kind"], out["quantity"], out["transfer_id"], out["actor"]) == (
        "transfer_out", -30, transfer["id"], "warehouse",
    )  # fmt: skip
    refused(api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"), 409, "transfer_not_planned")
    # The dispatcher, not the planner, may not receive it.
    refused(api.post(f"/transfers/{transfer['id']}/receive", as_="warehouse"), 403, "same_person")

    received = ok(api.post(f"/transfers/{transfer['id']}/receive", as_="baamang_warehouse"))

    assert received["status"] == "received"
    assert stock(api, "62.02.05")["on_hand"] == 30 and stock(api, "62.02.05")["in_transit_in"] == 0
    assert (stock(api, "62.02")["on_hand"], stock(api, "62.02")["in_transit_out"]) == (70, 0)
    assert books_problems(api) == []


def test_a_planner_who_dispatches_is_the_dispatcher_and_a_planner_who_did_not_may_receive(api):
    deliver(api, "62.02", 10)
    mine = planned(api, quantity=4, as_="warehouse")
    assert mine["planned_by"] == "warehouse"
    ok(api.post(f"/transfers/{mine['id']}/dispatch", as_="admin"))
    # The admin dispatched it; the warehouse, who only planned it, may count it in.
    assert ok(api.post(f"/transfers/{mine['id']}/receive", as_="warehouse"))["status"] == "received"


def test_two_dispatches_of_one_planned_transfer_at_once_send_it_once(api):
    deliver(api, "62.02", 100)
    transfer = planned(api, quantity=40)

    responses = run_together(6, lambda _: api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"))

    assert Counter(r.status_code for r in responses) == {200: 1, 409: 5}
    assert all(r.json["error"] == "transfer_not_planned" for r in responses if r.status_code == 409)
    assert (stock(api, "62.02")["on_hand"], stock(api, "62.02")["in_transit_out"]) == (60, 40)
    assert [m["kind"] for m in whole_ledger(api, "62.02")] == ["transfer_out", "delivery"]
    assert books_problems(api) == []


def test_a_dispatch_and_a_cancel_at_once_do_one_or_the_other(api):
    deliver(api, "62.02", 100)
    transfer = planned(api, quantity=40)
    paths = ["dispatch", "cancel"]

    responses = run_together(
        2, lambda i: api.post(f"/transfers/{transfer['id']}/{paths[i]}", as_="warehouse")
    )

    statuses = [r.status_code for r in responses]
    assert 200 in statuses
    final = ok(api.get(f"/transfers/{transfer['id']}", as_="admin"))["status"]
    # A cancel after the dispatch calls it back (in transit): the books agree either way.
    assert final in {"in_transit", "cancelled"}
    assert stock(api, "62.02")["on_hand"] + stock(api, "62.02")["in_transit_out"] == 100
    assert books_problems(api) == []


def test_a_dispatch_without_the_blanks_writes_nothing(api):
    deliver(api, "62.02", 10)
    transfer = planned(api, quantity=30)  # a plan may be ahead of the shelf
    before = world(api)

    refused(api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"), 409, "insufficient_stock")
    refused(
        api.post(f"/transfers/{transfer['id']}/dispatch", {"serials": "lowest"}, as_="warehouse"),
        409,
        "insufficient_stock",
    )

    assert world(api) == before
    assert before["transfers"][0]["status"] == "planned"
    deliver(api, "62.02", 20)
    assert ok(api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"))["status"] == "in_transit"


def test_a_planned_transfer_dispatched_with_the_lowest_serials_carries_them(api):
    body = {"quantity": 20, "serials": ["KTP0001000-KTP0001019"]}
    ok(api.post("/offices/62.02/deliveries", body, as_="warehouse"), 201)
    transfer = planned(api, quantity=5)

    refused(
        api.post(
            f"/transfers/{transfer['id']}/dispatch", {"serials": ["KTP0001000-KTP0001003"]}, as_="warehouse"
        ),
        422,
        "serial_count_mismatch",
    )
    sent = ok(api.post(f"/transfers/{transfer['id']}/dispatch", {"serials": "lowest"}, as_="warehouse"))

    assert sent["serials"] == ["KTP0001000-KTP0001004"]
    held = ok(api.get("/offices/62.02.05/serials", as_="admin"))
    assert held["in_transit_count"] == 5
    assert books_problems(api) == []


def test_a_planned_transfer_is_called_off_with_no_movement(api):
    deliver(api, "62.02", 50)
    transfer = planned(api)
    before = world(api)

    cancelled = ok(api.post(f"/transfers/{transfer['id']}/cancel", as_="manager"))

    assert (cancelled["status"], cancelled["closed_by"], cancelled["dispatched_by"]) == (
        "cancelled",
        "manager",
        None,
    )
    after = world(api)
    assert after["stock"] == before["stock"] and after["ledgers"] == before["ledgers"]
    refused(api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"), 409, "transfer_not_planned")
    refused(api.post(f"/transfers/{transfer['id']}/cancel", as_="warehouse"), 409, "transfer_not_in_transit")
    # The manager's second click: the plan is called off already, which is a 409, not a 403.
    refused(api.post(f"/transfers/{transfer['id']}/cancel", as_="manager"), 409, "transfer_not_planned")
    assert books_problems(api) == []
    # The warehouse calls off one planned too; an in-transit one keeps today's rule (TRANSFER only).
    other = planned(api, quantity=5)
    assert ok(api.post(f"/transfers/{other['id']}/cancel", as_="warehouse"))["status"] == "cancelled"
    third = planned(api, quantity=5)
    ok(api.post(f"/transfers/{third['id']}/dispatch", as_="warehouse"))
    refused(api.post(f"/transfers/{third['id']}/cancel", as_="manager"), 403, "forbidden")
    assert ok(api.get(f"/transfers/{third['id']}", as_="warehouse"))["status"] == "in_transit"
    assert ok(api.post(f"/transfers/{third['id']}/cancel", as_="warehouse"))["status"] == "cancelled"
    assert stock(api, "62.02")["on_hand"] == 50
    assert books_problems(api) == []


def test_who_may_plan_dispatch_and_cancel_where(api):
    deliver(api, "62.02", 50)
    deliver(api, "62.01", 50, as_="kobar_warehouse")
    refused(plan(api, as_="operator"), 403, "forbidden")
    refused(plan(api, as_="baamang_operator"), 403, "forbidden")
    refused(plan(api, as_="kobar_manager"), 403, "outside_area")
    refused(plan(api, as_="kobar_warehouse"), 403, "outside_area")
    refused(plan(api, as_="baamang_warehouse"), 403, "outside_area")  # the destination's, not the source's
    # Out of their own area, into another's: as POST /transfers allows a sender.
    assert planned(api, "62.01", "62.02", 5, as_="kobar_manager")["status"] == "planned"
    transfer = planned(api, as_="manager")
    tid = transfer["id"]

    dispatchers = (("manager", "forbidden"), ("operator", "forbidden"), ("kobar_warehouse", "outside_area"),
                   ("kobar_manager", "forbidden"), ("baamang_warehouse", "outside_area"))  # fmt: skip
    for name, error in dispatchers:
        refused(api.post(f"/transfers/{tid}/dispatch", as_=name), 403, error)
    cancellers = (("operator", "forbidden"), ("kobar_manager", "outside_area"),
                  ("kobar_warehouse", "outside_area"), ("baamang_warehouse", "outside_area"))  # fmt: skip
    for name, error in cancellers:
        refused(api.post(f"/transfers/{tid}/cancel", as_=name), 403, error)
    assert stock(api, "62.02")["on_hand"] == 50
    assert ok(api.get(f"/transfers/{tid}", as_="admin"))["status"] == "planned"
    refused(api.get(f"/transfers/{tid}", as_="kobar_manager"), 403, "outside_area")

    assert ok(api.post(f"/transfers/{tid}/dispatch", as_="warehouse"))["status"] == "in_transit"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"serials": "lowest"}, "serials"),
        ({"serials": ["KTP0001000-KTP0001029"]}, "serials"),
        ({"custody": "spoiled", "category": "spoiled_print"}, "category"),
        ({"request_id": 1}, "request_id"),
    ],
)
def test_what_only_a_dispatch_carries_is_refused_on_a_plan(api, extra, field):
    deliver(api, "62.02", 50)
    body = refused(plan(api, as_="admin", **extra), 422, "not_plannable")
    assert field in body["errors"]["json"], body
    assert ok(api.get("/transfers", as_="admin"))["items"] == []


def test_a_plan_is_refused_where_a_dispatch_is(api):
    refused(plan(api, destination="62.02"), 422, "same_office")
    ok(api.patch("/offices/62.02.06", {"active": False}, as_="admin"))
    refused(plan(api, destination="62.02.06"), 409, "office_inactive")
    transfer = planned(api, destination="62.02.05")
    deliver(api, "62.02", 50)
    ok(api.patch("/offices/62.02.05", {"active": False}, as_="admin"))
    # Closed since it was planned: it cannot leave for there, and nothing is written.
    refused(api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"), 409, "office_inactive")
    assert ok(api.get(f"/transfers/{transfer['id']}", as_="admin"))["status"] == "planned"
    assert stock(api, "62.02")["on_hand"] == 50
    assert books_problems(api) == []


@pytest.mark.parametrize(
    "body",
    [
        {"planned": "yes"},
        {"planned": 1},
        {"planned": None},
        {"quantity": 0},
        {"quantity": 2**70},
        {"quantity": "30"},
        {"quantity": 1_000_001},
        {"from": "62.02\x00"},
        {"to": ["62.02.05"]},
        {"note": "stok\x00"},
    ],
)
def test_bad_plans_are_422_and_write_nothing(api, body):
    base = {"from": "62.02", "to": "62.02.05", "quantity": 30, "planned": True}
    response = api.post("/transfers", {**base, **body}, as_="manager")
    assert response.status_code == 422, response.json
    assert ok(api.get("/transfers", as_="admin"))["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"serials": "highest"},
        {"serials": 5},
        {"serials": ["\x00"]},
        {"serials": [2**70]},
        {"serials": "lowest", "quantity": 3},
        [],
        "lowest",
    ],
)
def test_bad_dispatch_bodies_are_422_and_leave_it_planned(api, body):
    assert_refused_leaves_it_planned(api, "dispatch", body)


def assert_refused_leaves_it_planned(api, action: str, body) -> None:
    deliver(api, "62.02", 50)
    transfer = planned(api)
    response = api.post(f"/transfers/{transfer['id']}/{action}", body, as_="warehouse")
    assert response.status_code == 422, response.json
    assert ok(api.get(f"/transfers/{transfer['id']}", as_="admin"))["status"] == "planned"
    assert stock(api, "62.02")["on_hand"] == 50


@pytest.mark.parametrize("who", ["warehouse", "manager"])
def test_a_plan_only_cancel_never_calls_back_a_plan_that_has_left(api, who):
    deliver(api, "62.02", 50)
    transfer = planned(api)
    ok(api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse"))

    body = refused(
        api.post(f"/transfers/{transfer['id']}/cancel", {"plan_only": True}, as_=who),
        409,
        "transfer_not_planned",
    )

    assert body["details"]["status"] == "in_transit"
    assert ok(api.get(f"/transfers/{transfer['id']}", as_="admin"))["status"] == "in_transit"
    assert (stock(api, "62.02")["on_hand"], stock(api, "62.02.05")["in_transit_in"]) == (20, 30)
    other = planned(api, quantity=5)
    called_off = ok(api.post(f"/transfers/{other['id']}/cancel", {"plan_only": True}, as_=who))
    assert called_off["status"] == "cancelled"
    refused(
        api.post(f"/transfers/{other['id']}/cancel", {"plan_only": True}, as_="operator"), 403, "forbidden"
    )
    assert books_problems(api) == []


@pytest.mark.parametrize(
    "body", [{"plan_only": 1}, {"plan_only": "yes"}, {"plan_only": None}, {"other": True}, []]
)
def test_bad_cancel_bodies_are_422_and_change_nothing(api, body):
    assert_refused_leaves_it_planned(api, "cancel", body)


def test_a_retried_dispatch_with_its_idempotency_key_replays_the_answer(api):
    deliver(api, "62.02", 50)
    transfer = planned(api)
    key = {"Idempotency-Key": "dispatch-planned-1"}

    first = api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse", headers=key)
    again = api.post(f"/transfers/{transfer['id']}/dispatch", as_="warehouse", headers=key)

    assert first.status_code == again.status_code == 200
    assert again.json == first.json
    assert stock(api, "62.02")["on_hand"] == 20
    assert [m["kind"] for m in whole_ledger(api, "62.02")] == ["transfer_out", "delivery"]

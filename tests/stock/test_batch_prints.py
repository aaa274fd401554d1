"""A mobile unit back online uploads what it printed: each client_id counts once, in order."""

from __future__ import annotations

import pytest

from tests.helpers import (
    PRINTED,
    SPOILED,
    batch_items,
    books_problems,
    deliver,
    ledger,
    ok,
    print_batch,
    refused,
    stock,
    whole_ledger,
    world,
)


def post_batch(api, items, code="62.02-JB1", as_="operator"):
    return api.post(f"/offices/{code}/prints/batch", {"prints": items}, as_=as_)


def statuses(result):
    return [(r["index"], r["client_id"], r["status"]) for r in result["results"]]


def prints_on_card(api, code="62.02-JB1"):
    return [m for m in whole_ledger(api, code) if m["kind"] == "print"]


def test_a_day_offline_is_recorded_once_refused_where_no_blank_was_left(api):
    deliver(api, "62.02-JB1", 3)
    items = [
        {"client_id": "jb1-001", **PRINTED},
        {"client_id": "jb1-001", **PRINTED},  # sent twice by a flaky sync
        {"client_id": "jb1-002", "outcome": "smudged", "reason": "new_record"},
        {"client_id": "jb1-003", **SPOILED},
        {"outcome": "printed", "reason": "new_record"},  # no client_id
        {"client_id": "jb1-004", **PRINTED},
        {"client_id": "jb1-005", **PRINTED},
    ]

    result = print_batch(api, "62.02-JB1", items)

    assert (result["recorded"], result["already_recorded"], result["refused"]) == (3, 1, 3)
    assert result["on_hand"] == 0 == stock(api, "62.02-JB1")["on_hand"]
    assert statuses(result) == [
        (0, "jb1-001", "recorded"),
        (1, "jb1-001", "already_recorded"),
        (2, "jb1-002", "refused"),
        (3, "jb1-003", "recorded"),
        (4, None, "refused"),
        (5, "jb1-004", "recorded"),
        (6, "jb1-005", "refused"),
    ]
    first, repeat, smudged, _, anonymous, _, late = result["results"]
    assert repeat["movement_id"] == first["movement_id"] is not None  # the repeat names the one print
    assert (smudged["error"], list(smudged["errors"])) == ("validation_error", ["outcome"])
    assert (anonymous["error"], list(anonymous["errors"])) == ("validation_error", ["client_id"])
    assert (late["error"], late["message"]) == ("insufficient_stock", "No blank left for this print.")
    assert "movement_id" not in late
    card = prints_on_card(api)
    assert sorted(m["client_id"] for m in card) == ["jb1-001", "jb1-003", "jb1-004"]
    assert {m["id"] for m in card} == {
        r["movement_id"] for r in result["results"] if r["status"] == "recorded"
    }
    assert [m["outcome"] for m in card if m["client_id"] == "jb1-003"] == ["spoiled"]


def test_sending_the_same_batch_again_records_nothing_twice(api):
    deliver(api, "62.02-JB1", 2)
    items = batch_items("jb1", 3)
    first = print_batch(api, "62.02-JB1", items)
    card = whole_ledger(api, "62.02-JB1")

    again = print_batch(api, "62.02-JB1", items)

    assert [r["status"] for r in first["results"]] == ["recorded", "recorded", "refused"]
    assert [r["status"] for r in again["results"]] == ["already_recorded", "already_recorded", "refused"]
    assert [r.get("movement_id") for r in again["results"]] == [
        r.get("movement_id") for r in first["results"]
    ]
    assert whole_ledger(api, "62.02-JB1") == card

    deliver(api, "62.02-JB1", 5)  # the refill arrives; the refused print can now be booked
    third = print_batch(api, "62.02-JB1", items)

    assert [r["status"] for r in third["results"]] == ["already_recorded", "already_recorded", "recorded"]
    assert len(prints_on_card(api)) == 3
    assert stock(api, "62.02-JB1")["on_hand"] == 4
    assert books_problems(api) == []


def test_balances_follow_the_order_of_the_items(api):
    deliver(api, "62.02-JB1", 5)
    items = [{"client_id": f"z-{n}", **PRINTED} for n in "edcba"]  # not in client_id order

    result = print_batch(api, "62.02-JB1", items)

    ids = [r["movement_id"] for r in result["results"]]
    assert ids == sorted(ids)  # recorded in the order they were printed
    card = {m["id"]: m for m in prints_on_card(api)}
    assert [(card[i]["client_id"], card[i]["balance_after"]) for i in ids] == [
        ("z-e", 4),
        ("z-d", 3),
        ("z-c", 2),
        ("z-b", 1),
        ("z-a", 0),
    ]


def test_each_print_keeps_the_time_it_was_made(api):
    api.app.config["PRINT_BACKDATE_DAYS"] = 3650  # fixed times, long past
    deliver(api, "62.02-JB1", 2)
    items = [
        {"client_id": "t-1", **PRINTED, "printed_at": "2023-11-20T09:12:00+07:00"},
        {"client_id": "t-2", **PRINTED, "printed_at": "2023-11-20T03:00:00Z"},
    ]

    print_batch(api, "62.02-JB1", items)

    when = {m["client_id"]: m["occurred_at"] for m in prints_on_card(api)}
    assert when == {"t-1": "2023-11-20T02:12:00+00:00", "t-2": "2023-11-20T03:00:00+00:00"}
    window = ledger(api, "62.02-JB1", since="2023-11-20T02:30:00Z", until="2023-11-20T04:00:00Z")
    assert [m["client_id"] for m in window["items"]] == ["t-2"]


def test_a_client_id_names_a_print_of_one_office(api):
    deliver(api, "62.02-JB1", 1)
    deliver(api, "62.02", 1)

    print_batch(api, "62.02-JB1", batch_items("same", 1))
    other = print_batch(api, "62.02", batch_items("same", 1))

    assert other["recorded"] == 1
    assert (stock(api, "62.02-JB1")["on_hand"], stock(api, "62.02")["on_hand"]) == (0, 0)


def test_a_repeat_of_a_refused_print_is_refused_too(api):
    deliver(api, "62.02-JB1", 1)

    result = print_batch(api, "62.02-JB1", batch_items("a", 1) + batch_items("b", 1) * 2)

    assert [r["status"] for r in result["results"]] == ["recorded", "refused", "refused"]
    assert len(prints_on_card(api)) == 1


def test_a_thousand_prints_go_in_one_batch(api):
    deliver(api, "62.02-JB1", 1000)
    items = batch_items("jb1", 990) + batch_items("sp", 10, SPOILED)

    result = print_batch(api, "62.02-JB1", items)

    assert (result["recorded"], result["already_recorded"], result["refused"]) == (1000, 0, 0)
    assert result["on_hand"] == 0
    card = prints_on_card(api)
    assert len(card) == 1000
    assert len({m["client_id"] for m in card}) == 1000
    assert sorted(m["balance_after"] for m in card) == list(range(1000))
    assert sum(m["outcome"] == "spoiled" for m in card) == 10
    assert books_problems(api) == []


@pytest.mark.parametrize(
    "body",
    [
        {"prints": batch_items("jb1", 1001)},
        {"prints": []},
        {},
        {"prints": "jb1-001"},
        {"prints": [{"client_id": "jb1-001", **PRINTED}, "jb1-002"]},  # an item that is not an object
        {"prints": batch_items("jb1", 1), "device": "tablet-3"},
    ],
    ids=["1001-items", "empty", "missing", "not-a-list", "not-an-object", "unknown-field"],
)
def test_a_batch_that_is_not_a_list_of_up_to_1000_prints_is_refused_whole(api, body):
    deliver(api, "62.02-JB1", 2000)
    before = world(api)

    refused(api.post("/offices/62.02-JB1/prints/batch", body, as_="operator"), 422, "validation_error")

    assert world(api) == before


def test_only_operators_of_the_area_upload_prints(api):
    deliver(api, "62.02", 5)
    items = batch_items("x", 2)
    before = world(api)

    refused(post_batch(api, items, "62.02", as_="warehouse"), 403, "forbidden")
    refused(post_batch(api, items, "62.02", as_="manager"), 403, "forbidden")
    refused(post_batch(api, items, "62.02", as_="baamang_operator"), 403, "outside_area")
    refused(post_batch(api, items, "62.99"), 404, "office_not_found")
    refused(api.post("/offices/62.02/prints/batch", {"prints": items}), 401, "missing_token")
    assert world(api) == before

    assert ok(post_batch(api, items, "62.02"))["recorded"] == 2

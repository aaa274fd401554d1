"""Managers correct the books: counted stocktakes, signed adjustments and linked reversals."""

from __future__ import annotations

import pytest

from tests.helpers import (
    PRINTED,
    adjust,
    books_problems,
    deliver,
    dispatch,
    ok,
    print_card,
    refused,
    reverse,
    stock,
    whole_ledger,
    world,
)


def post_adjustment(api, code="62.02", as_="manager", **body):
    return api.post(f"/offices/{code}/adjustments", body, as_=as_)


def movement(api, movement_id, as_="manager"):
    return ok(api.get(f"/movements/{movement_id}", as_=as_))


# --- stocktakes -------------------------------------------------------------------------


def test_a_count_books_the_difference_whichever_way_it_goes(api):
    deliver(api, "62.02", 10)

    short = adjust(api, "62.02", counted=7, reason="Stock opname 30 Nov")
    even = adjust(api, "62.02", counted=7, reason="Stock opname 1 Dec")
    more = adjust(api, "62.02", counted=12, reason="Box found behind the printer")

    assert [(m["movement"]["quantity"], m["on_hand"]) for m in (short, even, more)] == [
        (-3, 7),
        (0, 7),
        (5, 12),
    ]
    assert short["movement"]["kind"] == "stocktake"
    assert short["movement"]["reason"] == "Stock opname 30 Nov"
    # What was counted and what the books said are figures of the movement, not English text.
    counted = short["movement"]["balance_after"]
    assert (counted, counted - short["movement"]["quantity"]) == (7, 10)
    assert short["movement"]["note"] is None
    assert short["movement"]["actor"] == "manager"
    assert stock(api, "62.02")["on_hand"] == 12
    assert books_problems(api) == []


def test_a_count_of_nothing_empties_the_shelf_and_a_negative_count_is_refused(api):
    deliver(api, "62.02.05", 4)

    assert adjust(api, "62.02.05", counted=0, reason="All stolen")["movement"]["quantity"] == -4
    body = refused(post_adjustment(api, "62.02.05", counted=-1, reason="Impossible"), 422, "validation_error")
    assert "counted" in body["errors"]["json"]


@pytest.mark.parametrize(
    ("books", "counted", "large"),
    [
        (1000, 950, False),  # 5 % of the books: not more
        (1000, 949, True),
        (1000, 1050, False),
        (1000, 1051, True),
        (5000, 4900, False),  # 100 blanks: not more
        (5000, 4899, True),  # 101 blanks, though only 2 % of the books
        (20, 19, False),
        (20, 18, True),
        (0, 1, True),  # anything found on an empty shelf
        (0, 0, False),
    ],
)
def test_a_large_difference_is_recorded_only_when_confirmed(api, books, counted, large):
    if books:
        deliver(api, "62.02", books)

    unconfirmed = post_adjustment(api, "62.02", counted=counted, reason="Stock opname")

    if not large:
        assert ok(unconfirmed, 201)["movement"]["reference"] is None
        return
    body = refused(unconfirmed, 422, "confirmation_required")
    assert body["errors"] == {"json": {"confirm": [body["message"]]}}
    assert body["details"] | {"field": None} == {
        "field": None, "books": books, "counted": counted, "difference": counted - books,
    }  # fmt: skip
    assert stock(api, "62.02")["on_hand"] == books  # nothing written
    refused(post_adjustment(api, "62.02", counted=counted, reason="Stock opname", confirm=False), 422,
            "confirmation_required")  # fmt: skip

    confirmed = ok(post_adjustment(api, "62.02", counted=counted, reason="Stock opname", confirm=True), 201)

    # Who confirmed is the movement's actor; its reference says the difference was confirmed.
    assert (confirmed["on_hand"], confirmed["movement"]["quantity"]) == (counted, counted - books)
    assert (confirmed["movement"]["actor"], confirmed["movement"]["reference"]) == ("manager", "confirmed")


def test_confirm_goes_with_a_count_only(api):
    deliver(api, "62.02", 10)
    body = refused(
        post_adjustment(api, kind="loss", quantity=-1, reason="Lost", confirm=True), 422, "validation_error"
    )
    assert "confirm" in body["errors"]["json"]
    refused(post_adjustment(api, counted=5, reason="Count", confirm="yes"), 422, "validation_error")


# --- signed adjustments --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "quantity", "on_hand"),
    [("loss", -2, 8), ("damage", -1, 9), ("found", 3, 13), ("correction", -4, 6), ("correction", 4, 14)],
)
def test_an_adjustment_with_the_right_sign_moves_the_stock(api, kind, quantity, on_hand):
    deliver(api, "62.02", 10)

    result = adjust(api, "62.02", kind=kind, quantity=quantity, reason="Checked by the head of office")

    assert (result["movement"]["kind"], result["movement"]["quantity"]) == (kind, quantity)
    assert result["on_hand"] == result["movement"]["balance_after"] == on_hand
    assert whole_ledger(api, "62.02")[0]["id"] == result["movement"]["id"]


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [("loss", 2), ("damage", 1), ("found", -3), ("correction", 0), ("loss", 0), ("found", 0)],
)
def test_an_adjustment_with_the_wrong_sign_is_refused(api, kind, quantity):
    deliver(api, "62.02", 10)
    before = world(api)

    body = refused(post_adjustment(api, kind=kind, quantity=quantity, reason="Wrong sign"), 422, "bad_sign")

    assert body["details"] == {"field": "quantity"}
    assert body["errors"] == {"json": {"quantity": [body["message"]]}}
    assert world(api) == before


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "loss", "quantity": -1},  # no reason
        {"kind": "loss", "quantity": -1, "reason": "no"},  # too short to explain anything
        {"kind": "loss", "quantity": -1, "reason": "x" * 501},
        {"counted": 5},
        {"counted": 5, "kind": "loss", "quantity": -1, "reason": "Both forms"},
        {"counted": 5, "quantity": -1, "reason": "Both forms"},
        {"reason": "Neither form"},
        {"kind": "loss", "reason": "Kind without quantity"},
        {"quantity": -1, "reason": "Quantity without kind"},
        {"kind": "theft", "quantity": -1, "reason": "Unknown kind"},
        {"kind": "loss", "quantity": -1_000_001, "reason": "Too many"},
    ],
)
def test_an_incomplete_or_ambiguous_adjustment_is_refused(api, body):
    deliver(api, "62.02", 10)
    before = world(api)

    refused(post_adjustment(api, **body), 422, "validation_error")

    assert world(api) == before


def test_a_loss_beyond_the_stock_is_refused_and_writes_nothing(api):
    deliver(api, "62.02", 3)
    before = world(api)

    body = refused(
        post_adjustment(api, kind="loss", quantity=-4, reason="Flooded store"), 409, "insufficient_stock"
    )

    assert body["details"] == {"needed": 4, "on_hand": 3}
    assert world(api) == before


def test_only_managers_of_the_area_adjust(api):
    deliver(api, "62.02.05", 5)
    body = {"kind": "found", "quantity": 1, "reason": "Found in a drawer"}

    refused(post_adjustment(api, "62.02.05", as_="warehouse", **body), 403, "forbidden")
    refused(post_adjustment(api, "62.02.05", as_="operator", **body), 403, "forbidden")
    refused(post_adjustment(api, "62.02.05", as_="kobar_manager", **body), 403, "outside_area")
    assert stock(api, "62.02.05")["on_hand"] == 5

    assert adjust(api, "62.02.05", **body)["on_hand"] == 6  # a district below the manager's regency
    assert adjust(api, "62.02.05", as_="admin", **body)["on_hand"] == 7


# --- reversals --------------------------------------------------------------------------------


def test_a_wrong_delivery_is_reversed_by_an_opposite_linked_movement(api):
    wrong = deliver(api, "62.02", 40, document_no="BAST-119")["movement"]
    deliver(api, "62.02", 5)
    original = movement(api, wrong["id"])

    reversal = ok(reverse(api, wrong["id"], "Delivered to Kobar, not here"), 201)

    assert reversal["on_hand"] == 5
    assert reversal["movement"]["kind"] == "reversal"
    assert reversal["movement"]["quantity"] == -40
    assert reversal["movement"]["reverses_id"] == wrong["id"]
    assert reversal["movement"]["reference"] == f"movement:{wrong['id']}"
    assert reversal["movement"]["reason"] == "Delivered to Kobar, not here"
    assert movement(api, wrong["id"]) == original  # the wrong entry stays on the card as it was
    assert [m["kind"] for m in whole_ledger(api, "62.02")] == ["reversal", "delivery", "delivery"]
    assert books_problems(api) == []


@pytest.mark.parametrize(
    ("record", "undone"),
    [
        (lambda api: print_card(api, "62.02"), 1),
        (lambda api: print_card(api, "62.02", {"outcome": "spoiled", "reason": "replacement"}), 1),
        (lambda api: adjust(api, "62.02", kind="loss", quantity=-3, reason="Lost in the post"), 3),
        (lambda api: adjust(api, "62.02", kind="found", quantity=2, reason="Found in a drawer"), -2),
        (lambda api: adjust(api, "62.02", counted=4, reason="Miscounted"), 6),
    ],
    ids=["print", "spoiled", "loss", "found", "stocktake"],
)
def test_prints_and_adjustments_are_reversed_too(api, record, undone):
    deliver(api, "62.02", 10)
    recorded = record(api)

    reversal = ok(reverse(api, recorded["movement"]["id"]), 201)

    assert reversal["movement"]["quantity"] == undone == -recorded["movement"]["quantity"]
    assert reversal["on_hand"] == stock(api, "62.02")["on_hand"] == 10
    assert books_problems(api) == []


def test_a_movement_is_reversed_once(api):
    delivery = deliver(api, "62.02", 10)["movement"]
    ok(reverse(api, delivery["id"]), 201)
    before = world(api)

    refused(reverse(api, delivery["id"]), 409, "already_reversed")

    assert world(api) == before


def test_transfer_movements_and_reversals_cannot_be_reversed(api):
    deliver(api, "62.02", 10)
    received = dispatch(api, "62.02", "62.02.05", 3)
    ok(api.post(f"/transfers/{received['id']}/receive", as_="baamang_warehouse"))
    cancelled = dispatch(api, "62.02", "62.02.05", 2)
    ok(api.post(f"/transfers/{cancelled['id']}/cancel", as_="warehouse"))
    print_id = print_card(api, "62.02")["movement"]["id"]
    reversal_id = ok(reverse(api, print_id), 201)["movement"]["id"]
    transfer_lines = [
        m for m in whole_ledger(api, "62.02") + whole_ledger(api, "62.02.05") if m["transfer_id"]
    ]
    before = world(api)

    assert sorted(m["kind"] for m in transfer_lines) == [
        "transfer_in",
        "transfer_out",
        "transfer_out",
        "transfer_return",
    ]
    for line in transfer_lines:
        body = refused(reverse(api, line["id"]), 409, "not_reversible")
        assert "Cancel the transfer instead" in body["message"]
    refused(reverse(api, reversal_id), 409, "not_reversible")
    assert world(api) == before


def test_a_reversal_that_would_take_the_stock_below_zero_is_refused(api):
    delivery = deliver(api, "62.02", 5)["movement"]
    first_print = print_card(api, "62.02")["movement"]
    print_card(api, "62.02")
    print_card(api, "62.02")
    before = world(api)

    body = refused(reverse(api, delivery["id"]), 409, "insufficient_stock")

    assert body["details"] == {"needed": 5, "on_hand": 2}
    assert world(api) == before
    assert ok(reverse(api, first_print["id"]), 201)["on_hand"] == 3  # a print can still be undone


def test_only_managers_of_the_area_reverse_and_a_reason_is_required(api):
    delivery = deliver(api, "62.02.05", 5)["movement"]
    before = world(api)

    refused(reverse(api, delivery["id"], as_="warehouse"), 403, "forbidden")
    refused(reverse(api, delivery["id"], as_="operator"), 403, "forbidden")
    refused(reverse(api, delivery["id"], as_="baamang_operator"), 403, "forbidden")
    refused(reverse(api, delivery["id"], as_="kobar_manager"), 403, "outside_area")
    refused(reverse(api, delivery["id"], reason=""), 422, "validation_error")
    refused(api.post(f"/movements/{delivery['id']}/reverse", {}, as_="manager"), 422, "validation_error")
    refused(reverse(api, 999_999), 404, "not_found")
    assert world(api) == before

    assert ok(reverse(api, delivery["id"]), 201)["on_hand"] == 0


def test_one_movement_is_read_by_id_inside_the_area(api):
    deliver(api, "62.02", 3)
    printed = print_card(api, "62.02", PRINTED)["movement"]
    deliver(api, "62.02", 1)

    found = movement(api, printed["id"], as_="operator")

    # The same line, as it was answered when it was recorded, with its place on the stock card:
    # the balance after it in the order movements happened (a write's answer has no such field).
    assert {key: value for key, value in found.items() if key != "balance"} == printed
    assert found["balance"] == 2
    assert (found["kind"], found["quantity"], found["balance_after"], found["office"]) == (
        "print",
        -1,
        2,
        "62.02",
    )
    assert (found["outcome"], found["reason"], found["actor"]) == ("printed", "new_record", "operator")
    refused(api.get(f"/movements/{printed['id']}", as_="baamang_operator"), 403, "outside_area")
    refused(api.get(f"/movements/{printed['id']}", as_="kobar_manager"), 403, "outside_area")
    refused(api.get("/movements/999999", as_="manager"), 404, "not_found")

"""The whole flow through the HTTP API: offices, deliveries, prints, transfers and the stock card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import (
    PRINTED,
    SPOILED,
    adjust,
    batch_items,
    books_problems,
    deliver,
    dispatch,
    ledger,
    ok,
    print_batch,
    print_card,
    refused,
    stock,
    whole_ledger,
    world,
)

REGENCY_AREA = {"62.02", "62.02.05", "62.02.06", "62.02-JB1"}
EMPTY = {"on_hand": 0, "in_transit_in": 0, "in_transit_out": 0, "subtree_on_hand": 0, "serial_tracked": 0}


def create_office(api, code, kind, parent, as_="admin"):
    return api.post(
        "/offices", {"code": code, "name": f"Kantor {code}", "kind": kind, "parent_code": parent}, as_=as_
    )


def codes(page):
    return [office["code"] for office in page["items"]]


def list_offices(api, as_="admin", **query):
    return ok(api.get("/offices", query_string=query, as_=as_))


# --- offices ------------------------------------------------------------------------


def test_an_admin_builds_the_office_tree_from_province_down_to_a_mobile_unit(api):
    for code, kind, parent in (
        ("63", "province", "ID"),
        ("63.01", "regency", "63"),
        ("63.01.01", "district", "63.01"),
        ("63.01.01-JB", "mobile", "63.01.01"),
        ("63-JB", "mobile", "63"),
        ("ID-JB", "mobile", "ID"),
    ):
        created = ok(create_office(api, code, kind, parent), 201)
        assert (created["code"], created["kind"], created["parent_code"]) == (code, kind, parent)
        assert created["active"] is True
        assert created["stock"] == {**EMPTY, "office": code}

    assert set(codes(list_offices(api, parent="63"))) == {"63.01", "63-JB"}


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        ("national", "ID"),  # the national office has no parent
        ("province", None),
        ("province", "62"),
        ("regency", "ID"),
        ("regency", "62.02"),
        ("district", "62"),
        ("district", "62.02.05"),
        ("mobile", "62.02-JB1"),  # a mobile unit goes under an office, not under another unit
        ("mobile", None),
    ],
)
def test_an_office_in_the_wrong_place_is_refused(api, kind, parent):
    body = refused(create_office(api, "99.99", kind, parent), 422, "bad_parent")

    assert body["details"]["field"] == "parent_code"
    refused(api.get("/offices/99.99", as_="admin"), 404, "office_not_found")


def test_an_office_code_is_taken_once_and_only_admins_create_offices(api):
    refused(create_office(api, "62.02.05", "district", "62.02"), 409, "office_exists")
    refused(create_office(api, "62.02.07", "district", "62.02", as_="manager"), 403, "forbidden")
    refused(create_office(api, "62.02.07", "district", "99"), 404, "office_not_found")

    assert list_offices(api)["total"] == 7


@pytest.mark.parametrize("code", ["ID", "ID2", "NAT"])
def test_the_tree_has_one_national_office(api, code):
    refused(
        create_office(api, code, "national", None),
        409,
        "office_exists" if code == "ID" else "national_exists",
    )

    assert list_offices(api)["total"] == 7
    assert codes(list_offices(api, kind="national")) == ["ID"]


def test_offices_are_listed_by_parent_and_kind(api):
    assert list_offices(api)["total"] == 7
    assert set(codes(list_offices(api, parent="62.02"))) == {"62.02.05", "62.02.06", "62.02-JB1"}
    assert set(codes(list_offices(api, kind="district"))) == {"62.02.05", "62.02.06"}
    assert codes(list_offices(api, parent="62.02", kind="mobile")) == ["62.02-JB1"]
    assert codes(list_offices(api, parent="62", kind="district")) == []
    refused(api.get("/offices?parent=99", as_="admin"), 404, "office_not_found")


def test_office_pages_cover_every_office_once(api):
    everything = codes(list_offices(api))
    pages = [list_offices(api, page=n, per_page=3) for n in (1, 2, 3, 4)]

    assert [len(page["items"]) for page in pages] == [3, 3, 1, 0]
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    assert {(page["per_page"], page["total"]) for page in pages} == {(3, 7)}
    assert [code for page in pages for code in codes(page)] == everything
    assert len(set(everything)) == 7


@pytest.mark.parametrize(
    ("user", "area"),
    [
        ("manager", REGENCY_AREA),
        ("warehouse", REGENCY_AREA),
        ("kobar_manager", {"62.01"}),
        ("baamang_operator", {"62.02.05"}),
    ],
)
def test_everyone_lists_only_the_offices_of_their_area(api, user, area):
    page = list_offices(api, as_=user)

    assert set(codes(page)) == area
    assert page["total"] == len(area)


def test_a_manager_sees_only_its_own_regency_among_the_province_children(api):
    assert codes(list_offices(api, as_="manager", parent="62")) == ["62.02"]
    assert codes(list_offices(api, as_="manager", parent="62.01")) == []


def test_one_office_is_read_with_its_stock_inside_the_area_only(api):
    deliver(api, "62.02.05", 12)

    office = ok(api.get("/offices/62.02.05", as_="manager"))

    assert (office["code"], office["name"], office["kind"]) == ("62.02.05", "Baamang", "district")
    assert office["parent_code"] == "62.02"
    assert office["stock"]["on_hand"] == 12
    refused(api.get("/offices/62.02.05", as_="kobar_manager"), 403, "outside_area")
    refused(api.get("/offices/62.02", as_="baamang_operator"), 403, "outside_area")
    refused(api.get("/offices/62.99", as_="manager"), 404, "office_not_found")


def test_a_manager_sets_the_threshold_in_its_area_and_only_an_admin_renames_or_deactivates(api):
    assert ok(api.patch("/offices/62.02.05", {"min_stock": 25}, as_="manager"))["min_stock"] == 25
    refused(api.patch("/offices/62.02.05", {"min_stock": 30}, as_="kobar_manager"), 403, "outside_area")
    refused(api.patch("/offices/62.02.05", {"min_stock": 30}, as_="warehouse"), 403, "forbidden")
    refused(api.patch("/offices/62.02.05", {"name": "Baamang Baru"}, as_="manager"), 403, "forbidden")
    refused(api.patch("/offices/62.02.05", {"active": False}, as_="manager"), 403, "forbidden")
    mixed = {"min_stock": 40, "name": "Baamang Baru"}
    refused(api.patch("/offices/62.02.05", mixed, as_="manager"), 403, "forbidden")

    office = ok(api.get("/offices/62.02.05", as_="manager"))
    assert (office["name"], office["min_stock"], office["active"]) == ("Baamang", 25, True)

    renamed = ok(api.patch("/offices/62.02.05", {"name": "Baamang Baru", "active": False}, as_="admin"))
    assert (renamed["name"], renamed["active"]) == ("Baamang Baru", False)
    assert ok(api.get("/offices/62.02.05", as_="manager"))["name"] == "Baamang Baru"


# --- deliveries and prints --------------------------------------------------------------


def test_a_delivery_is_printed_and_spoiled_until_nothing_is_left(api):
    delivered = deliver(api, "62.02", 3, batch_no="PURA-2023-09", document_no="BAST-118")
    assert delivered["on_hand"] == 3
    assert delivered["movement"]["reference"] == "BAST-118"
    assert delivered["movement"]["batch_no"] == "PURA-2023-09"

    balances = [print_card(api, "62.02", body)["on_hand"] for body in (PRINTED, SPOILED, PRINTED)]
    assert balances == [2, 1, 0]  # a spoiled card uses up a blank too

    card = whole_ledger(api, "62.02")
    response = api.post("/offices/62.02/prints", PRINTED, as_="operator")

    body = refused(response, 409, "insufficient_stock")
    assert body["details"] == {"needed": 1, "on_hand": 0}
    assert whole_ledger(api, "62.02") == card
    assert stock(api, "62.02")["on_hand"] == 0
    assert [(m["kind"], m["quantity"], m["outcome"]) for m in card] == [
        ("print", -1, "printed"),
        ("print", -1, "spoiled"),
        ("print", -1, "printed"),
        ("delivery", 3, None),
    ]
    assert [m["actor"] for m in card] == ["operator", "operator", "operator", "warehouse"]


def test_operators_print_for_their_office_and_the_units_below_it(api):
    deliver(api, "62.02-JB1", 2)
    deliver(api, "62.02", 2)

    assert print_card(api, "62.02-JB1", as_="operator")["movement"]["office"] == "62.02-JB1"
    refused(api.post("/offices/62.02/prints", PRINTED, as_="baamang_operator"), 403, "outside_area")
    refused(api.post("/offices/62.02/prints", PRINTED, as_="warehouse"), 403, "forbidden")
    refused(api.post("/offices/62.02/deliveries", {"quantity": 1}, as_="operator"), 403, "forbidden")
    assert (stock(api, "62.02")["on_hand"], stock(api, "62.02-JB1")["on_hand"]) == (2, 1)


# --- transfers ------------------------------------------------------------------------------


def close(api, transfer, action, user):
    return api.post(f"/transfers/{transfer['id']}/{action}", as_=user)


def lines(api, code):
    return [(m["kind"], m["quantity"], m["transfer_id"]) for m in whole_ledger(api, code)]


def transit(api, code):
    figures = stock(api, code)
    return figures["on_hand"], figures["in_transit_in"], figures["in_transit_out"], figures["subtree_on_hand"]


def test_a_transfer_shows_in_transit_on_both_offices_until_it_is_received(api):
    deliver(api, "62.02", 10)

    transfer = dispatch(api, "62.02", "62.02.05", 4)

    assert (transfer["from"], transfer["to"], transfer["quantity"]) == ("62.02", "62.02.05", 4)
    assert (transfer["status"], transfer["closed_by"]) == ("in_transit", None)
    assert transfer["dispatched_by"] == "warehouse"
    assert transit(api, "62.02") == (6, 0, 4, 6)  # the 4 on the road are on no shelf
    assert transit(api, "62.02.05") == (0, 4, 0, 0)
    assert stock(api, "62")["subtree_on_hand"] == 6

    received = ok(close(api, transfer, "receive", "baamang_warehouse"))

    assert (received["status"], received["closed_by"]) == ("received", "baamang_warehouse")
    assert received["closed_at"] is not None
    assert transit(api, "62.02") == (6, 0, 0, 10)
    assert transit(api, "62.02.05") == (4, 0, 0, 4)
    assert lines(api, "62.02")[0] == ("transfer_out", -4, transfer["id"])
    assert lines(api, "62.02.05") == [("transfer_in", 4, transfer["id"])]

    again = refused(close(api, transfer, "receive", "baamang_warehouse"), 409, "transfer_not_in_transit")
    assert again["details"] == {"status": "received"}
    refused(close(api, transfer, "cancel", "warehouse"), 409, "transfer_not_in_transit")
    assert transit(api, "62.02.05") == (4, 0, 0, 4)
    assert books_problems(api) == []


def test_a_cancelled_transfer_puts_the_blanks_back_on_the_source_shelf(api):
    deliver(api, "62.02", 10)
    transfer = dispatch(api, "62.02", "62.01", 7)

    cancelled = ok(close(api, transfer, "cancel", "warehouse"))

    assert (cancelled["status"], cancelled["closed_by"]) == ("cancelled", "warehouse")
    assert transit(api, "62.02") == (10, 0, 0, 10)
    assert transit(api, "62.01") == (0, 0, 0, 0)
    assert [m["kind"] for m in whole_ledger(api, "62.02")] == ["transfer_return", "transfer_out", "delivery"]
    assert whole_ledger(api, "62.01") == []
    refused(close(api, transfer, "receive", "kobar_warehouse"), 409, "transfer_not_in_transit")
    assert books_problems(api) == []


def test_dispatch_and_cancel_belong_to_the_source_and_receive_to_the_destination(api):
    deliver(api, "62.02", 10)
    deliver(api, "62.01", 10, as_="kobar_warehouse")
    before = world(api)

    def send(source, destination, quantity, user):
        return api.post("/transfers", {"from": source, "to": destination, "quantity": quantity}, as_=user)

    refused(send("62.01", "62.02", 1, "warehouse"), 403, "outside_area")
    refused(send("62.02", "62.01", 1, "baamang_warehouse"), 403, "outside_area")
    refused(send("62.02", "62.01", 1, "manager"), 403, "forbidden")
    refused(send("62.02", "62.01", 11, "warehouse"), 409, "insufficient_stock")
    refused(send("62.02", "62.02", 1, "warehouse"), 422, "same_office")
    refused(send("62.02", "99", 1, "warehouse"), 404, "office_not_found")
    assert world(api) == before

    transfer = dispatch(api, "62.02", "62.01", 3)
    refused(close(api, transfer, "receive", "warehouse"), 403, "outside_area")
    refused(close(api, transfer, "cancel", "kobar_warehouse"), 403, "outside_area")
    assert ok(close(api, transfer, "receive", "kobar_warehouse"))["status"] == "received"
    assert (stock(api, "62.02")["on_hand"], stock(api, "62.01")["on_hand"]) == (7, 13)


def transfer_ids(api, as_="admin", **query):
    return [t["id"] for t in ok(api.get("/transfers", query_string=query, as_=as_))["items"]]


def test_transfers_are_listed_newest_first_by_office_and_status_within_the_area(api):
    deliver(api, "62.02", 30)
    to_baamang = dispatch(api, "62.02", "62.02.05", 5)["id"]
    to_mentawa = dispatch(api, "62.02", "62.02.06", 5)["id"]
    to_kobar = dispatch(api, "62.02", "62.01", 5)["id"]
    ok(api.post(f"/transfers/{to_baamang}/receive", as_="baamang_warehouse"))
    ok(api.post(f"/transfers/{to_kobar}/cancel", as_="warehouse"))

    assert transfer_ids(api) == [to_kobar, to_mentawa, to_baamang]
    assert transfer_ids(api, status="in_transit") == [to_mentawa]
    assert transfer_ids(api, office="62.02.05") == [to_baamang]
    assert transfer_ids(api, office="62.02", status="cancelled") == [to_kobar]
    assert transfer_ids(api, as_="kobar_manager") == [to_kobar]
    assert transfer_ids(api, as_="baamang_operator") == [to_baamang]
    refused(api.get("/transfers?office=62.01", as_="manager"), 403, "outside_area")
    refused(api.get(f"/transfers/{to_mentawa}", as_="kobar_manager"), 403, "outside_area")
    assert ok(api.get(f"/transfers/{to_kobar}", as_="kobar_manager"))["status"] == "cancelled"

    first = ok(api.get("/transfers?limit=2", as_="admin"))
    rest = ok(api.get(f"/transfers?limit=2&before={first['next_before']}", as_="admin"))
    assert [t["id"] for t in first["items"] + rest["items"]] == [to_kobar, to_mentawa, to_baamang]
    assert rest["next_before"] is None


# --- the stock card ----------------------------------------------------------------------------


def a_busy_week(api):
    """Deliveries, prints, a count, transfers both ways: every kind of line on 62.02's card."""
    deliver(api, "62.02", 20)
    print_batch(api, "62.02", batch_items("jb", 9) + batch_items("sp", 3, SPOILED))
    adjust(api, "62.02", counted=7, reason="Stock opname")
    deliver(api, "62.02", 15)
    back = dispatch(api, "62.02", "62.02.05", 4)
    ok(api.post(f"/transfers/{back['id']}/cancel", as_="warehouse"))
    ok(api.post(f"/transfers/{dispatch(api, '62.02', '62.02.05', 6)['id']}/receive", as_="baamang_warehouse"))
    adjust(api, "62.02", kind="damage", quantity=-2, reason="Water damage")
    print_card(api, "62.02")


def test_the_card_is_newest_first_and_each_balance_follows_from_the_one_before(api):
    a_busy_week(api)

    card = whole_ledger(api, "62.02")

    ids = [m["id"] for m in card]
    assert ids == sorted(ids, reverse=True)
    balance = 0
    for movement in reversed(card):
        balance += movement["quantity"]
        assert movement["balance_after"] == balance, movement
    assert card[0]["balance_after"] == stock(api, "62.02")["on_hand"] == 13
    for code in ("62.02", "62.02.05", "62.02.06", "62.02-JB1"):
        assert sum(m["quantity"] for m in whole_ledger(api, code)) == stock(api, code)["on_hand"]
    assert stock(api, "62.02")["subtree_on_hand"] == 13 + 6
    assert books_problems(api) == []


@pytest.mark.parametrize("limit", [1, 5, 7, 25])
def test_following_next_before_walks_the_whole_card_without_gaps_or_repeats(api, limit):
    a_busy_week(api)
    everything = [m["id"] for m in ledger(api, "62.02", limit=500)["items"]]
    assert len(everything) == 20

    walked, before, pages = [], None, 0
    while True:
        page = ledger(api, "62.02", limit=limit, **({"before": before} if before else {}))
        assert len(page["items"]) <= limit
        walked += [m["id"] for m in page["items"]]
        before, pages = page["next_before"], pages + 1
        if before is None:
            break
        assert before == page["items"][-1]["id"]

    assert walked == everything
    assert pages == 20 // limit + 1  # a full last page still points at an (empty) next page


def test_the_card_filters_by_kind(api):
    a_busy_week(api)

    prints = ledger(api, "62.02", kind="print")["items"]
    moved = ledger(api, "62.02", kind=["transfer_out", "transfer_return"])["items"]

    assert len(prints) == 13 and {m["kind"] for m in prints} == {"print"}
    assert sum(m["outcome"] == "spoiled" for m in prints) == 3
    assert [m["kind"] for m in moved] == ["transfer_out", "transfer_return", "transfer_out"]
    refused(api.get("/offices/62.02/ledger?kind=theft", as_="manager"), 422, "validation_error")


def test_the_card_filters_by_when_it_happened_in_any_time_zone(api):
    # Deliveries say when they were received, within the backdate limit (stock/print_time.py).
    today = datetime.now(UTC).date()
    day = {n: (today - timedelta(days=n)).isoformat() for n in (20, 11, 1)}
    for days_ago, quantity in ((20, 1), (11, 2), (1, 4)):
        deliver(api, "62.02", quantity, received_at=f"{day[days_ago]}T09:00:00+07:00")

    def quantities(**window):
        return [m["quantity"] for m in ledger(api, "62.02", **window)["items"]]

    assert ledger(api, "62.02")["items"][-1]["occurred_at"] == f"{day[20]}T02:00:00+00:00"
    assert quantities(since=f"{day[11]}T02:00:00Z") == [4, 2]  # since is inclusive
    assert quantities(until=f"{day[11]}T09:00:00+07:00") == [1]  # until is exclusive
    assert quantities(since=f"{day[20]}T03:00:00Z", until=f"{day[1]}T00:00:00Z") == [2]
    assert quantities(since=f"{day[1]}T09:00:01+07:00") == []
    assert quantities(since=f"{day[1]}T08:59:59+07:00", kind="delivery") == [4]


def test_the_card_is_read_in_the_area_only(api):
    deliver(api, "62.02.05", 5)

    assert len(ledger(api, "62.02.05", as_="baamang_operator")["items"]) == 1
    assert len(ledger(api, "62.02.05", as_="warehouse")["items"]) == 1
    refused(api.get("/offices/62.02/ledger", as_="baamang_operator"), 403, "outside_area")
    refused(api.get("/offices/62.02.05/ledger", as_="kobar_manager"), 403, "outside_area")

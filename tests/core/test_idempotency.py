"""Retries are safe: the same Idempotency-Key and body get the first answer back and change nothing."""

from __future__ import annotations

import pytest

from tests.helpers import PRINTED, deliver, dispatch, ok, print_card, refused, stock, whole_ledger, world


def with_key(key):
    return {"Idempotency-Key": key}


def send(api, request, key):
    method, path, body, user = request
    return api.call(method, path, json=body, as_=user, headers=with_key(key))


# Each write that takes a key, set up on a stocked regency: (method, path, body, user).
def delivery(api):
    return "POST", "/offices/62.02/deliveries", {"quantity": 40, "document_no": "BAST-118"}, "warehouse"


def single_print(api):
    return "POST", "/offices/62.02/prints", PRINTED, "operator"


def batch_print(api):
    return "POST", "/offices/62.02/prints/batch", {"prints": [{"client_id": "jb-1", **PRINTED}]}, "operator"


def transfer_dispatch(api):
    return "POST", "/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 4}, "warehouse"


def transfer_receive(api):
    return (
        "POST",
        f"/transfers/{dispatch(api, '62.02', '62.02.05', 4)['id']}/receive",
        None,
        "baamang_warehouse",
    )


def transfer_cancel(api):
    return "POST", f"/transfers/{dispatch(api, '62.02', '62.02.05', 4)['id']}/cancel", None, "warehouse"


def stocktake(api):
    return (
        "POST",
        "/offices/62.02/adjustments",
        {"counted": 7, "reason": "Stock opname", "confirm": True},
        "manager",
    )


def signed_adjustment(api):
    return "POST", "/offices/62.02/adjustments", {"kind": "loss", "quantity": -2, "reason": "Lost"}, "manager"


def reversal(api):
    movement_id = print_card(api, "62.02")["movement"]["id"]
    return "POST", f"/movements/{movement_id}/reverse", {"reason": "Printed on the wrong form"}, "manager"


WRITES = [
    delivery,
    single_print,
    batch_print,
    transfer_dispatch,
    transfer_receive,
    transfer_cancel,
    stocktake,
    signed_adjustment,
    reversal,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_a_retry_gets_the_first_answer_and_changes_nothing(api, write):
    deliver(api, "62.02", 20)
    request = write(api)
    first = send(api, request, "retry-1")
    assert first.status_code in (200, 201), first.json
    assert "Idempotent-Replayed" not in first.headers
    after_first = world(api)

    retry = send(api, request, "retry-1")

    assert retry.status_code == first.status_code
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json == first.json  # the same movement, transfer or batch result, ids included
    assert world(api) == after_first


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(api):
    first = send(api, delivery(api), "BAST-118")
    before = world(api)

    other = ("POST", "/offices/62.02/deliveries", {"quantity": 41, "document_no": "BAST-118"}, "warehouse")
    body = refused(send(api, other, "BAST-118"), 409, "idempotency_key_reused")

    assert "different request" in body["message"]
    assert world(api) == before
    assert stock(api, "62.02")["on_hand"] == first.json["on_hand"] == 40


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("/offices/62.02/prints", PRINTED), ("/offices/62.02/prints", {**PRINTED, "outcome": "spoiled"})),
        (("/offices/62.02/prints", PRINTED), ("/offices/62.02-JB1/prints", PRINTED)),  # another office
        (
            ("/offices/62.02/prints", PRINTED),
            ("/offices/62.02/prints/batch", {"prints": [{"client_id": "p7", **PRINTED}]}),
        ),
    ],
)
def test_a_key_belongs_to_one_request_path_and_body(api, first, second):
    deliver(api, "62.02", 5)
    deliver(api, "62.02-JB1", 5)
    ok(send(api, ("POST", *first, "operator"), "print-7"), 201)
    before = world(api)

    refused(send(api, ("POST", *second, "operator"), "print-7"), 409, "idempotency_key_reused")

    assert world(api) == before


def test_receiving_another_transfer_with_the_same_key_is_refused(api):
    deliver(api, "62.02", 10)
    one, two = dispatch(api, "62.02", "62.02.05", 3), dispatch(api, "62.02", "62.02.05", 4)
    ok(send(api, ("POST", f"/transfers/{one['id']}/receive", None, "baamang_warehouse"), "terima"))

    refused(
        send(api, ("POST", f"/transfers/{two['id']}/receive", None, "baamang_warehouse"), "terima"),
        409,
        "idempotency_key_reused",
    )

    assert ok(api.get(f"/transfers/{two['id']}", as_="warehouse"))["status"] == "in_transit"


def test_keys_are_per_user(api):
    same_key = with_key("BAST-2023-118")

    by_regency = api.post("/offices/62.02.05/deliveries", {"quantity": 10}, as_="warehouse", headers=same_key)
    by_district = api.post(
        "/offices/62.02.05/deliveries", {"quantity": 10}, as_="baamang_warehouse", headers=same_key
    )

    assert ok(by_regency, 201)["movement"]["id"] != ok(by_district, 201)["movement"]["id"]
    assert "Idempotent-Replayed" not in by_district.headers
    assert stock(api, "62.02.05")["on_hand"] == 20


def test_a_refused_request_is_not_remembered_so_its_retry_runs_again(api):
    refused(send(api, single_print(api), "print-1"), 409, "insufficient_stock")
    deliver(api, "62.02", 1)

    retry = send(api, single_print(api), "print-1")

    assert ok(retry, 201)["on_hand"] == 0
    assert "Idempotent-Replayed" not in retry.headers
    assert [m["kind"] for m in whole_ledger(api, "62.02")] == ["print", "delivery"]


def test_an_invalid_or_forbidden_request_is_not_remembered_either(api):
    key = "delivery-9"
    refused(
        send(api, ("POST", "/offices/62.02/deliveries", {"quantity": 0}, "warehouse"), key),
        422,
        "validation_error",
    )
    refused(
        send(api, ("POST", "/offices/62.01/deliveries", {"quantity": 9}, "warehouse"), key),
        403,
        "outside_area",
    )

    assert ok(send(api, ("POST", "/offices/62.02/deliveries", {"quantity": 9}, "warehouse"), key), 201)
    assert stock(api, "62.02")["on_hand"] == 9


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_a_key_must_be_1_to_200_characters(api, key):
    before = world(api)

    body = refused(send(api, delivery(api), key), 422, "bad_idempotency_key")

    assert body["errors"] == {"headers": {"Idempotency-Key": [body["message"]]}}
    assert world(api) == before


def test_a_200_character_key_is_fine(api):
    first = send(api, delivery(api), "k" * 200)
    retry = send(api, delivery(api), "k" * 200)

    assert ok(retry, 201) == ok(first, 201)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert stock(api, "62.02")["on_hand"] == 40


def test_a_retry_whose_json_was_written_differently_is_still_the_same_request(api):
    deliver(api, "62.02", 10)
    headers = {**with_key("print-2023-11-20-17"), "Content-Type": "application/json"}
    first = api.call(
        "POST",
        "/offices/62.02/prints",
        data='{"outcome": "printed", "reason": "new_record"}',
        as_="operator",
        headers=headers,
    )
    again = api.call(
        "POST",
        "/offices/62.02/prints",
        data='{"reason":"new_record","outcome":"printed"}',
        as_="operator",
        headers=headers,
    )

    assert first.status_code == again.status_code == 201
    assert again.json["movement"]["id"] == first.json["movement"]["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stock(api, "62.02")["on_hand"] == 9


@pytest.mark.parametrize("key", ["BAST-1,BAST-2", "BAST-1, BAST-2", ","])
def test_a_key_with_a_comma_is_refused_as_two_headers_joined(api, key):
    """Two Idempotency-Key headers reach the app joined by a comma; a retry sending only one of
    them would not be recognised as the same request, so such a key is refused: nothing runs."""
    response = api.post("/offices/62.02/deliveries", {"quantity": 5}, as_="warehouse",
                        headers={"Idempotency-Key": key})  # fmt: skip
    assert response.status_code == 422 and response.json["error"] == "bad_idempotency_key"
    assert stock(api, "62.02")["on_hand"] == 0


def test_an_id_in_other_digits_is_no_id(api):
    """Arabic-Indic or full-width digits would spell the same id a second way (a second request
    to replay); only ASCII digits name a movement or transfer."""
    deliver(api, "62.02", 5)
    assert api.get("/movements/1", as_="warehouse").status_code == 200
    for spelled in ("\u0661", "\uff11"):
        assert api.get(f"/movements/{spelled}", as_="warehouse").status_code == 404

"""POST /transfers/{id}/receive with the count of what arrived: a shortfall is a loss at the destination."""

from __future__ import annotations

from tests.helpers import books_problems, deliver, dispatch, ledger, ok, refused, stock


def sent(api, quantity=40):
    deliver(api, "62.02", 100)
    return dispatch(api, "62.02", "62.02.05", quantity)["id"]


def receive(api, transfer_id, body=None, as_="warehouse"):
    return api.post(f"/transfers/{transfer_id}/receive", body, as_=as_)


def test_a_short_receipt_lands_the_transfer_and_writes_off_the_difference(api):
    transfer_id = sent(api)
    answer = ok(receive(api, transfer_id, {"counted": 37, "note": "one box wet"}))
    assert answer["status"] == "received" and answer["counted"] == 37
    assert answer["loss"]["kind"] == "loss" and answer["loss"]["quantity"] == -3
    assert stock(api, "62.02.05")["on_hand"] == 37 and stock(api, "62.02")["on_hand"] == 60
    loss, landed = ledger(api, "62.02.05")["items"][:2]
    assert (landed["kind"], landed["quantity"]) == ("transfer_in", 40)
    assert loss["reason"] == f"3 of 40 blanks missing on receipt of transfer {transfer_id}. one box wet"
    assert books_problems(api) == []


def test_no_body_or_the_full_count_is_a_plain_receipt(api):
    first, second = sent(api, 10), dispatch(api, "62.02", "62.02.05", 5)["id"]
    assert "loss" not in ok(receive(api, first))
    assert "loss" not in ok(receive(api, second, {"counted": 5, "note": None}))
    assert [m["kind"] for m in ledger(api, "62.02.05")["items"]] == ["transfer_in", "transfer_in"]


def test_bad_counts_are_refused_and_write_nothing(api):
    transfer_id = sent(api)
    refused(receive(api, transfer_id, {"counted": 41}), 422, "counted_exceeds_sent")
    bad = [{"counted": -1}, {"counted": 2**63}, {"counted": "3"}, {"note": "x" * 401}, {"note": "a\x00"}]
    for body in [*bad, {"counted": 1, "extra": True}]:
        assert receive(api, transfer_id, body).status_code == 422, body
    assert receive(api, transfer_id, {"counted": 1}, as_="operator").status_code == 403
    assert ok(api.get(f"/transfers/{transfer_id}", as_="admin"))["status"] == "in_transit"
    assert stock(api, "62.02.05")["on_hand"] == 0 and ledger(api, "62.02.05")["items"] == []


def test_a_transfer_with_serials_must_name_its_missing_cards(api):
    deliver(api, "62.02", 100, serials=["KTP0001000-KTP0001099"])
    body = {"from": "62.02", "to": "62.02.05", "quantity": 10, "serials": "lowest"}
    transfer_id = ok(api.post("/transfers", body, as_="warehouse"), 201)["id"]
    refused(receive(api, transfer_id, {"counted": 8}), 409, "missing_cards_need_naming")
    assert ok(receive(api, transfer_id, {"counted": 10}))["serials"] == ["KTP0001000-KTP0001009"]

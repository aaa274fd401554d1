"""Warehouse receipts on the dashboard: a transfer received as counted, the shortfall written off."""

from __future__ import annotations

from tests.helpers import books_problems, deliver, dispatch, ledger
from tests.web.dashboard import browser


def sent(web, quantity=40):
    deliver(web, "62.02", 100)
    return dispatch(web, "62.02", "62.02.05", quantity)["id"]


def test_a_shortfall_lands_what_arrived_and_writes_off_the_rest_with_the_note(web):
    transfer_id = sent(web)
    w = browser(web, "warehouse")
    page = w.text("/offices/62.02.05")
    # The receipt form comes first, naming the source office.
    assert page.index(f'id="receipt-{transfer_id}"') < page.index('class="totals"')
    assert "Dari Kab. Kotawaringin Timur" in page
    response = w.post(f"/transfers/{transfer_id}/receive", {"counted": "37", "note": "dus sobek"})
    assert response.status_code == 302
    assert "Kiriman " + str(transfer_id) + ": 37 dari 40 tiba; 3 dicatat hilang." in w.text(
        "/offices/62.02.05"
    )
    assert web.on_hand("62.02.05") == 37 and web.on_hand("62.02") == 60
    loss, landed = ledger(web, "62.02.05")["items"][:2]
    assert landed["kind"] == "transfer_in" and landed["quantity"] == 40
    assert loss["kind"] == "loss" and loss["quantity"] == -3
    assert loss["reason"] == f"3 of 40 blanks missing on receipt of transfer {transfer_id}. dus sobek"
    assert web.get(f"/transfers/{transfer_id}", as_="admin").json["status"] == "received"
    assert books_problems(web) == []


def test_all_arrived_or_no_count_is_a_plain_receipt(web):
    transfer_id = sent(web, 10)
    w = browser(web, "warehouse")
    w.text("/offices/62.02.05")
    assert w.post(f"/transfers/{transfer_id}/receive", {"counted": "10"}).status_code == 302
    assert web.on_hand("62.02.05") == 10
    other = dispatch(web, "62.02", "62.02.05", 5)["id"]
    assert w.post(f"/transfers/{other}/receive").status_code == 302  # the old button: all arrived
    assert web.on_hand("62.02.05") == 15
    assert [m["kind"] for m in ledger(web, "62.02.05")["items"]] == ["transfer_in", "transfer_in"]


def test_a_count_above_what_was_sent_or_not_a_count_writes_nothing(web):
    transfer_id = sent(web)
    w = browser(web, "warehouse")
    w.text("/offices/62.02.05")
    assert w.post(f"/transfers/{transfer_id}/receive", {"counted": "41"}).status_code == 302
    assert "Terhitung 41, padahal kiriman membawa 40 blangko." in w.text("/offices/62.02.05")
    assert w.post(f"/transfers/{transfer_id}/receive", {"counted": "\x00"}).status_code == 422
    for counted in ("-1", "abc", "9" * 30):
        assert w.post(f"/transfers/{transfer_id}/receive", {"counted": counted}).status_code == 302
        assert "isi blangko yang tiba" in w.text("/offices/62.02.05")
    assert web.get(f"/transfers/{transfer_id}", as_="admin").json["status"] == "in_transit"
    assert web.on_hand("62.02.05") == 0 and ledger(web, "62.02.05")["items"] == []
    # The note is bounded as the stock card's reason is.
    assert w.post(f"/transfers/{transfer_id}/receive", {"counted": "1", "note": "x" * 401}).status_code == 302
    assert web.on_hand("62.02.05") == 0
    # An operator does not receive.
    assert (
        browser(web, "operator").post(f"/transfers/{transfer_id}/receive", {"counted": "1"}).status_code
        == 403
    )


def test_a_transfer_with_serials_is_not_received_short_by_a_count(web):
    deliver(web, "62.02", 100, serials=["KTP0001000-KTP0001099"])
    moved = web.post(
        "/transfers",
        {"from": "62.02", "to": "62.02.05", "quantity": 10, "serials": "lowest"},
        as_="warehouse",
    )
    transfer_id = moved.json["id"]
    w = browser(web, "warehouse")
    w.text("/offices/62.02.05")
    w.post(f"/transfers/{transfer_id}/receive", {"counted": "8"})
    assert "Kiriman ini membawa kartu bernomor" in w.text("/offices/62.02.05")
    assert web.get(f"/transfers/{transfer_id}", as_="admin").json["status"] == "in_transit"
    assert web.on_hand("62.02.05") == 0

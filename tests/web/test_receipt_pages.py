"""Warehouse receipts on the dashboard: a transfer received as counted, the shortfall a loss in
transit at the source; who sent a transfer does not count it in."""

from __future__ import annotations

import pytest

from tests.helpers import books_problems, deliver, dispatch, ledger
from tests.web.dashboard import browser, set_password


@pytest.fixture(autouse=True)
def baamang_warehouse(web):
    """Baamang's own warehouse user, who counts in what the regency sends (the one who sent it may not)."""
    set_password(web.app, "baamang_warehouse")


def sent(web, quantity=40):
    deliver(web, "62.02", 100)
    return dispatch(web, "62.02", "62.02.05", quantity)["id"]


def test_a_shortfall_lands_what_arrived_and_the_source_writes_off_the_rest_with_the_note(web):
    transfer_id = sent(web)
    w = browser(web, "baamang_warehouse")
    page = w.text("/offices/62.02.05")
    # The receipt form comes first, naming the source office.
    assert page.index(f'id="receipt-{transfer_id}"') < page.index('class="totals"')
    assert "Dari Kab. Kotawaringin Timur" in page
    response = w.post(f"/transfers/{transfer_id}/receive", {"counted": "37", "note": "dus sobek"})
    assert response.status_code == 302
    said = f"Kiriman {transfer_id}: 37 dari 40 tiba; 3 dicatat hilang dalam perjalanan di Kab. Kotawaringin"
    assert said in w.text("/offices/62.02.05")
    assert web.on_hand("62.02.05") == 37 and web.on_hand("62.02") == 60
    assert [(m["kind"], m["quantity"]) for m in ledger(web, "62.02.05")["items"]] == [("transfer_in", 37)]
    loss = ledger(web, "62.02")["items"][0]
    assert (loss["kind"], loss["quantity"], loss["note"]) == ("loss_in_transit", -3, "dus sobek")
    assert web.get(f"/transfers/{transfer_id}", as_="admin").json["status"] == "received"
    # The source's stock card says it in the reader's language, and its managers' alert too.
    manager = browser(web, "manager")
    regency = manager.text("/offices/62.02")
    assert f"Tidak tiba bersama kiriman {transfer_id} · dus sobek" in regency
    alerts = manager.text("/alerts")
    assert "Hilang dalam perjalanan" in alerts
    assert "3 blangko yang dikirim Kab. Kotawaringin Timur" in alerts and f"(kiriman {transfer_id})" in alerts
    (alert,) = web.get("/alerts", query_string={"kind": "loss_in_transit"}, as_="admin").json["items"]
    assert manager.post(f"/alerts/{alert['id']}/acknowledge", {"note": "Dilaporkan"}).status_code == 302
    assert web.get(f"/alerts/{alert['id']}", as_="admin").json["status"] == "resolved"
    assert books_problems(web) == []


def test_who_sent_the_transfer_sees_no_receipt_form_and_cannot_post_one(web):
    transfer_id = sent(web)
    w = browser(web, "warehouse")
    page = w.text("/offices/62.02.05")
    assert f'id="receipt-{transfer_id}"' in page and "Anda mengirim kiriman ini" in page
    assert f'action="/transfers/{transfer_id}/receive"' not in page
    refusal = w.post(f"/transfers/{transfer_id}/receive", {"counted": "40"})
    assert refusal.status_code == 403  # as the API's 403 same_person, saying why
    assert "Anda mengirim kiriman ini" in refusal.get_data(as_text=True)
    assert web.get(f"/transfers/{transfer_id}", as_="admin").json["status"] == "in_transit"
    assert web.on_hand("62.02.05") == 0


def test_all_arrived_or_no_count_is_a_plain_receipt(web):
    transfer_id = sent(web, 10)
    w = browser(web, "baamang_warehouse")
    w.text("/offices/62.02.05")
    assert w.post(f"/transfers/{transfer_id}/receive", {"counted": "10"}).status_code == 302
    assert web.on_hand("62.02.05") == 10
    other = dispatch(web, "62.02", "62.02.05", 5)["id"]
    assert w.post(f"/transfers/{other}/receive").status_code == 302  # the old button: all arrived
    assert web.on_hand("62.02.05") == 15
    assert [m["kind"] for m in ledger(web, "62.02.05")["items"]] == ["transfer_in", "transfer_in"]


def test_a_count_above_what_was_sent_or_not_a_count_writes_nothing(web):
    transfer_id = sent(web)
    w = browser(web, "baamang_warehouse")
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


def serialled(web):
    deliver(web, "62.02", 100, serials=["KTP0001000-KTP0001099"])
    body = {"from": "62.02", "to": "62.02.05", "quantity": 10, "serials": "lowest"}
    return web.post("/transfers", body, as_="warehouse").json["id"]


def test_a_transfer_with_serials_is_received_short_by_naming_the_missing_serials(web):
    transfer_id = serialled(web)
    w = browser(web, "baamang_warehouse")
    page = w.text("/offices/62.02.05")
    assert "KTP0001000-KTP0001009" in page and 'name="missing_serials"' in page
    # A short count without the serials, or serials it does not carry, or unreadable ones: nothing.
    w.post(f"/transfers/{transfer_id}/receive", {"counted": "8"})
    assert "sebutkan 2 nomor seri yang hilang" in w.text("/offices/62.02.05")
    w.post(f"/transfers/{transfer_id}/receive", {"counted": "10", "missing_serials": "KTP0001050"})
    assert "Kiriman ini tidak membawa KTP0001050" in w.text("/offices/62.02.05")
    w.post(f"/transfers/{transfer_id}/receive", {"counted": "10", "missing_serials": "KTP0001005-KTP0001001"})
    assert "nomor seri yang hilang tidak terbaca" in w.text("/offices/62.02.05")
    assert web.get(f"/transfers/{transfer_id}", as_="admin").json["status"] == "in_transit"
    # The count left as sent and two serials named: eight arrived.
    body = {"counted": "10", "missing_serials": "KTP0001003, KTP0001007", "note": "2 kartu tercecer"}
    assert w.post(f"/transfers/{transfer_id}/receive", body).status_code == 302
    assert "8 dari 10 tiba; 2 dicatat hilang" in w.text("/offices/62.02.05")
    assert web.on_hand("62.02.05") == 8
    lost = web.get("/serials/KTP0001007", as_="admin").json
    assert lost["ended_by"]["kind"] == "loss_in_transit"
    assert books_problems(web) == []

"""Planned transfers on the office page: listed at both ends, dispatched by the source's warehouse
staff (once, however often the form is sent), called off by them or its managers; refused to
others as the API refuses them."""

from __future__ import annotations

import re

import pytest

from tests.helpers import books_problems, deliver, ok, stock
from tests.web.dashboard import NONCE, browser, set_password


@pytest.fixture(autouse=True)
def baamang_warehouse(web):
    set_password(web.app, "baamang_warehouse")


def planned(web, quantity=30, as_="manager") -> int:
    body = {"from": "62.02", "to": "62.02.05", "quantity": quantity, "planned": True}
    return ok(web.post("/transfers", body, as_=as_), 201)["id"]


def dispatch_nonce(page: str, transfer_id: int) -> str:
    form = re.search(rf'<form[^>]*action="/transfers/{transfer_id}/dispatch".*?</form>', page, re.S)
    assert form, page
    return NONCE.search(form.group(0)).group(1)


def test_the_warehouse_dispatches_a_planned_transfer_from_the_office_page_once(web):
    deliver(web, "62.02", 100)
    transfer_id = planned(web)
    w = browser(web, "warehouse")
    page = w.text("/offices/62.02")
    assert f'id="planned-{transfer_id}"' in page and "Kiriman yang direncanakan" in page
    assert "Ke Baamang" in page and "30 blangko, direncanakan oleh manager" in page
    assert 'name="lowest_serials"' not in page  # the regency tracks no serials
    nonce = dispatch_nonce(page, transfer_id)

    response = w.post(f"/transfers/{transfer_id}/dispatch", {"nonce": nonce})

    assert response.status_code == 302 and response.location.endswith("/offices/62.02")
    page = w.text("/offices/62.02")
    assert f"Kiriman {transfer_id} dikirim: 30 blangko dalam perjalanan ke Baamang (62.02.05)." in page
    assert f'id="planned-{transfer_id}"' not in page
    sent = ok(web.get(f"/transfers/{transfer_id}", as_="admin"))
    assert (sent["status"], sent["dispatched_by"], sent["planned_by"]) == (
        "in_transit",
        "warehouse",
        "manager",
    )
    assert (stock(web, "62.02")["on_hand"], stock(web, "62.02.05")["in_transit_in"]) == (70, 30)
    # The same form again (a double click, a resent page) records nothing twice.
    w.post(f"/transfers/{transfer_id}/dispatch", {"nonce": nonce})
    assert "Formulir ini sudah dikirim" in w.text("/offices/62.02")
    assert stock(web, "62.02")["on_hand"] == 70
    # The destination counts it in as any other.
    b = browser(web, "baamang_warehouse")
    assert f'id="receipt-{transfer_id}"' in b.text("/offices/62.02.05")
    assert b.post(f"/transfers/{transfer_id}/receive", {"counted": "30"}).status_code == 302
    assert stock(web, "62.02.05")["on_hand"] == 30
    assert books_problems(web) == []


def test_each_end_and_each_role_sees_what_it_may_do(web):
    transfer_id = planned(web)
    manager = browser(web, "manager").text("/offices/62.02")
    assert f'id="planned-{transfer_id}"' in manager
    assert f'action="/transfers/{transfer_id}/dispatch"' not in manager
    assert "Petugas gudang Kab. Kotawaringin Timur yang mengirimnya." in manager
    assert f'action="/transfers/{transfer_id}/cancel"' in manager
    destination = browser(web, "baamang_warehouse").text("/offices/62.02.05")
    assert "Dari Kab. Kotawaringin Timur" in destination and "Belum ada yang dikirim" in destination
    assert f'action="/transfers/{transfer_id}/dispatch"' not in destination
    assert f'action="/transfers/{transfer_id}/cancel"' not in destination
    operator = browser(web, "operator").text("/offices/62.02")
    assert f'id="planned-{transfer_id}"' in operator and "/dispatch" not in operator
    assert f'action="/transfers/{transfer_id}/cancel"' not in operator


def test_others_may_not_dispatch_or_cancel_it_and_nothing_moves(web):
    deliver(web, "62.02", 100)
    transfer_id = planned(web)
    for name in ("manager", "operator", "kobar_warehouse", "baamang_warehouse"):
        b = browser(web, name)
        b.get("/")
        assert (
            b.post(f"/transfers/{transfer_id}/dispatch", {"nonce": f"nonce-{name}-1"}).status_code == 403
        ), name
    for name in ("operator", "kobar_warehouse", "kobar_manager", "baamang_warehouse"):
        b = browser(web, name)
        b.get("/")
        assert b.post(f"/transfers/{transfer_id}/cancel").status_code == 403, name
    assert ok(web.get(f"/transfers/{transfer_id}", as_="admin"))["status"] == "planned"
    assert stock(web, "62.02")["on_hand"] == 100


def test_a_manager_calls_off_a_plan_but_not_a_transfer_on_the_road(web):
    deliver(web, "62.02", 100)
    transfer_id = planned(web)
    m = browser(web, "manager")
    m.get("/offices/62.02")
    assert m.post(f"/transfers/{transfer_id}/cancel").status_code == 302
    assert f"Kiriman {transfer_id} dibatalkan." in m.text("/offices/62.02")
    cancelled = ok(web.get(f"/transfers/{transfer_id}", as_="admin"))
    assert (cancelled["status"], cancelled["closed_by"]) == ("cancelled", "manager")
    assert stock(web, "62.02")["on_hand"] == 100
    # A second click on Cancel: called off already, flashed as the API's 409, nothing changes.
    assert m.post(f"/transfers/{transfer_id}/cancel").status_code == 302
    assert ok(web.get(f"/transfers/{transfer_id}", as_="admin"))["closed_by"] == "manager"

    other = planned(web)
    ok(web.post(f"/transfers/{other}/dispatch", as_="warehouse"))
    assert m.post(f"/transfers/{other}/cancel").status_code == 403  # in transit: the warehouse's to call back
    assert ok(web.get(f"/transfers/{other}", as_="admin"))["status"] == "in_transit"
    assert books_problems(web) == []


@pytest.mark.parametrize("who", ["warehouse", "manager"])
def test_a_plan_dispatched_while_its_page_was_open_is_not_called_back_by_its_cancel(web, who):
    """The plan's Cancel button calls off a plan only: clicked on a page shown before someone
    dispatched it, it is refused as the API's 409, and the blanks stay on the road."""
    deliver(web, "62.02", 100)
    transfer_id = planned(web)
    b = browser(web, who)
    page = b.text("/offices/62.02")
    form = re.search(rf'<form[^>]*action="/transfers/{transfer_id}/cancel".*?</form>', page, re.S)
    assert form and 'name="only" value="planned"' in form.group(0), page
    ok(web.post(f"/transfers/{transfer_id}/dispatch", as_="warehouse"))

    assert b.post(f"/transfers/{transfer_id}/cancel", {"only": "planned"}).status_code == 302

    assert "Kiriman ini tidak lagi berstatus rencana (Dalam perjalanan)." in b.text("/offices/62.02")
    assert ok(web.get(f"/transfers/{transfer_id}", as_="admin"))["status"] == "in_transit"
    assert (stock(web, "62.02")["on_hand"], stock(web, "62.02.05")["in_transit_in"]) == (70, 30)
    assert books_problems(web) == []


def test_a_dispatch_without_the_blanks_is_flashed_and_writes_nothing(web):
    deliver(web, "62.02", 10)
    transfer_id = planned(web)
    w = browser(web, "warehouse")
    nonce = dispatch_nonce(w.text("/offices/62.02"), transfer_id)
    assert w.post(f"/transfers/{transfer_id}/dispatch", {"nonce": nonce}).status_code == 302
    assert "Blangko tidak cukup" in w.text("/offices/62.02")
    assert ok(web.get(f"/transfers/{transfer_id}", as_="admin"))["status"] == "planned"
    assert stock(web, "62.02")["on_hand"] == 10


def test_where_serials_are_required_the_dispatch_takes_the_lowest(web):
    body = {"quantity": 20, "serials": ["KTP0001000-KTP0001019"]}
    ok(web.post("/offices/62.02/deliveries", body, as_="warehouse"), 201)
    ok(web.patch("/offices/62.02", {"serials_required": True}, as_="manager"))
    transfer_id = planned(web, quantity=5)
    w = browser(web, "warehouse")
    page = w.text("/offices/62.02")
    assert f'id="lowest-serials-{transfer_id}"' in page and "Dengan nomor seri terendah" in page
    nonce = dispatch_nonce(page, transfer_id)

    assert (
        w.post(f"/transfers/{transfer_id}/dispatch", {"nonce": nonce, "lowest_serials": "y"}).status_code
        == 302
    )

    assert ok(web.get(f"/transfers/{transfer_id}", as_="admin"))["serials"] == ["KTP0001000-KTP0001004"]
    assert books_problems(web) == []

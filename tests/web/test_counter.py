"""The print counter through the dashboard's forms, as a browser without script and as its script."""

from __future__ import annotations

import re
from datetime import timedelta

import inventory.web.counter as counter
from inventory.offices.time_zones import today_in
from tests.helpers import books_problems, deliver, ledger
from tests.web.dashboard import NONCE, browser

JSON = {"Accept": "application/json"}
UNDO = re.compile(r'name="movement" value="(\d+)"')


def press(b, outcome="printed", reason="new_record", nonce=None, code="62.02", serial=None, **kwargs):
    data = {
        "outcome": outcome,
        "reason": reason,
        "nonce": nonce or NONCE.search(b.text(f"/offices/{code}/counter")).group(1),
    }
    if serial is not None:
        data["serial"] = serial
    return b.post(f"/offices/{code}/counter/prints", data, **kwargs)


def test_an_operator_lands_on_the_counter_and_records_prints(web):
    deliver(web, "62.02", 10)
    b = browser(web)
    b.get("/login")
    response = b.post("/login", {"username": "operator", "password": "pw-operator"})
    assert response.headers["Location"] == "/offices/62.02/counter"
    page = b.text("/offices/62.02/counter")
    # The action comes before the tally, the end-of-day form and the link to the stock card.
    assert page.index('id="print-button"') < page.index('id="tally"') < page.index('id="day-form"')

    assert press(b, reason="replacement").status_code == 302
    page = b.text("/offices/62.02/counter")
    # The reason is kept for the next card; the tally counts it.
    assert re.search(r'checked[^>]*value="replacement"|value="replacement"[^>]*checked', page)
    assert '<dd id="tally-replacement">1</dd>' in page and '<dd id="tally-left">9</dd>' in page

    answer = press(b, "spoiled", "replacement", headers=JSON)
    assert answer.status_code == 200
    assert answer.json["messages"] == [["success", "Kartu rusak tercatat."]]
    assert '<dd id="tally-spoiled">1</dd>' in answer.json["tally"] and answer.json["on_hand"] == 8
    assert [m["outcome"] for m in ledger(web, "62.02")["items"][:2]] == ["spoiled", "printed"]


def test_the_same_press_twice_records_once(web):
    deliver(web, "62.02", 5)
    b = browser(web, "operator")
    assert press(b, nonce="n" * 16, headers=JSON).status_code == 200
    again = press(b, nonce="n" * 16, headers=JSON)
    assert again.status_code == 409 and again.json["messages"][0][0] == "info"
    assert web.on_hand("62.02") == 4


def test_refusals_and_bad_input_answer_without_writing(web):
    b = browser(web, "operator")
    refused = press(b, headers=JSON)  # no blank left
    assert refused.status_code == 409 and refused.json["messages"][0][0] == "error"
    assert press(b, outcome="lost", nonce="x" * 16).status_code == 422
    assert press(b, reason="\x00", nonce="y" * 16, headers=JSON).status_code == 422
    no_token = b.post("/offices/62.02/counter/prints", {"outcome": "printed", "reason": "other"}, csrf=False)
    assert no_token.status_code == 400
    # Outside the operator's area, and a role that does not print.
    assert browser(web, "baamang_operator").get("/offices/62.02/counter").status_code == 403
    assert browser(web, "warehouse").get("/offices/62.02/counter").status_code == 403
    assert web.on_hand("62.02") == 0 and ledger(web, "62.02")["items"] == []


def test_a_print_is_undone_as_a_reversal_by_its_operator_only_in_time(web, monkeypatch):
    deliver(web, "62.02", 5)
    b = browser(web, "operator")
    press(b)
    movement = UNDO.search(b.text("/offices/62.02/counter")).group(1)
    # Someone else cannot undo it; a made-up id is refused, not a crash.
    deliver(web, "62.02.05", 1)
    other = browser(web, "baamang_operator")
    assert (
        other.post("/offices/62.02.05/counter/undo", {"movement": movement, "nonce": "o" * 16}).status_code
        == 409
    )
    assert b.post("/offices/62.02/counter/undo", {"movement": "9" * 30, "nonce": "z" * 16}).status_code == 422
    unknown = b.post("/offices/62.02/counter/undo", {"movement": "999999", "nonce": "w" * 16}, headers=JSON)
    assert unknown.status_code == 409 and unknown.json["messages"][0][0] == "error"

    answer = b.post("/offices/62.02/counter/undo", {"movement": movement, "nonce": "u" * 16}, headers=JSON)
    assert answer.status_code == 200 and web.on_hand("62.02") == 5
    assert (
        '<dd id="tally-new_record">0</dd>' in answer.json["tally"]
        and 'id="undo-form"' not in answer.json["tally"]
    )
    reversal = ledger(web, "62.02")["items"][0]
    assert reversal["kind"] == "reversal" and reversal["reverses_id"] == int(movement)
    again = b.post("/offices/62.02/counter/undo", {"movement": movement, "nonce": "v" * 16})
    assert again.status_code == 409 and web.on_hand("62.02") == 5

    # Past the window: a manager's reversal, not the counter's undo.
    press(b)
    late = UNDO.search(b.text("/offices/62.02/counter")).group(1)
    real_now = counter.utcnow
    monkeypatch.setattr(counter, "utcnow", lambda: real_now() + timedelta(minutes=3))
    assert b.post("/offices/62.02/counter/undo", {"movement": late, "nonce": "l" * 16}).status_code == 409
    assert web.on_hand("62.02") == 4


def day_form(day, nonce="d" * 16, **counts):
    return {"day": day.isoformat(), **{k: str(v) for k, v in counts.items()}}


def test_end_of_day_counts_are_recorded_once(web):
    deliver(web, "62.02", 30)
    b = browser(web, "operator")
    b.text("/offices/62.02/counter")
    yesterday = today_in("WIB") - timedelta(days=1)
    form = day_form(yesterday, printed_new_record=6, printed_replacement=2, spoiled_new_record=1)
    assert b.post("/offices/62.02/counter/day", form).status_code == 302
    assert "9 kartu tercatat, 0 sudah tercatat, 0 ditolak" in b.text("/offices/62.02/counter")
    assert web.on_hand("62.02") == 21
    # The same day again records nothing; a higher count adds the difference only.
    assert b.post("/offices/62.02/counter/day", form).status_code == 302
    assert web.on_hand("62.02") == 21
    form["printed_new_record"] = "8"
    b.post("/offices/62.02/counter/day", form)
    assert web.on_hand("62.02") == 19
    prints = [m for m in ledger(web, "62.02", limit=50)["items"] if m["kind"] == "print"]
    assert len(prints) == 11
    assert {m["client_id"] for m in prints} >= {f"eod:62.02:{yesterday:%Y%m%d}:np:{n}" for n in range(1, 9)}
    assert all(m["occurred_at"].startswith(yesterday.isoformat()) for m in prints)


def test_end_of_day_refuses_bad_days_and_counts(web):
    deliver(web, "62.02", 5)
    b = browser(web, "operator")
    b.text("/offices/62.02/counter")
    today = today_in("WIB")
    for form in (
        day_form(today + timedelta(days=1), printed_other=1),
        day_form(today - timedelta(days=400), printed_other=1),
        day_form(today),  # nothing counted
        day_form(today, printed_other=-1),
        day_form(today, printed_other=10**30),
        {"day": "2024-02-30", "printed_other": "1"},
        {"day": "\x00", "printed_other": "1"},
    ):
        assert b.post("/offices/62.02/counter/day", form).status_code == 422, form
    assert web.on_hand("62.02") == 5
    # More cards than blanks: the ones beyond the stock are refused and said so.
    b.post("/offices/62.02/counter/day", day_form(today, printed_other=7))
    assert "5 kartu tercatat, 0 sudah tercatat, 2 ditolak" in b.text("/offices/62.02/counter")
    assert web.on_hand("62.02") == 0


def test_where_blanks_have_serials_the_counter_takes_the_blanks_serial(web):
    """One blank without a serial and two with: a press may name none once; then the counter
    asks which blank (409 serials_needed, nothing written) and takes it by its serial."""
    deliver(web, "62.02", 2, serials=["C01-C02"])
    deliver(web, "62.02", 1)
    b = browser(web, "operator")
    assert 'name="serial"' in b.text("/offices/62.02/counter")
    assert press(b, headers=JSON).status_code == 200

    refused = press(b, headers=JSON)
    assert refused.status_code == 409 and refused.json["on_hand"] == 2
    assert refused.json["messages"][0][0] == "error"
    assert "Hanya 0 blangko di sini yang nomor serinya tidak tercatat" in refused.json["messages"][0][1]
    assert press(b, serial="C0\u00001", headers=JSON).status_code == 422  # refused before any view
    for bad in ("C01-C02", "x" * 65, "C02+2"):
        unreadable = press(b, serial=bad, headers=JSON)
        assert unreadable.status_code == 422, (bad, unreadable.status_code)
        assert unreadable.json, (bad, unreadable.get_data()[:400])
        assert "Nomor seri tidak terbaca" in unreadable.json["messages"][0][1], bad
    assert press(b, serial="C09", headers=JSON).status_code == 409  # not held here
    assert web.on_hand("62.02") == 2

    answer = press(b, serial=" C02 ", headers=JSON)
    assert answer.status_code == 200 and answer.json["on_hand"] == 1
    ended = web.get("/serials/C02", as_="admin").json["ended_by"]
    assert (ended["kind"], ended["outcome"], ended["movement_id"]) == (
        "print",
        "printed",
        ledger(web, "62.02")["items"][0]["id"],
    )
    assert books_problems(web) == []


def test_an_office_without_serials_shows_no_serial_box(web):
    deliver(web, "62.02", 3)
    assert 'name="serial"' not in browser(web, "operator").text("/offices/62.02/counter")

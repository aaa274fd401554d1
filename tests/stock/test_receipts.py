"""POST /transfers/{id}/receive with the count of what arrived: a shortfall is a loss in transit at
the source, with an alert for its managers; and who dispatched a transfer does not receive it."""

from __future__ import annotations

from datetime import date, timedelta

from tests.helpers import books_problems, deliver, dispatch, ledger, ok, refused, stock


def sent(api, quantity=40):
    deliver(api, "62.02", 100)
    return dispatch(api, "62.02", "62.02.05", quantity)["id"]


def receive(api, transfer_id, body=None, as_="baamang_warehouse"):
    return api.post(f"/transfers/{transfer_id}/receive", body, as_=as_)


def subscribe(api, office="62.02", as_="manager"):
    body = {"office": office, "channel": "email", "email": "kepala@disdukcapil.example"}
    return ok(api.post("/subscriptions", body, as_=as_), 201)["id"]


def loss_alerts(api, office="62.02", status=None):
    query = {"kind": "loss_in_transit", **({"status": status} if status else {})}
    return [
        a for a in ok(api.get("/alerts", query_string=query, as_="admin"))["items"] if a["office"] == office
    ]


def test_a_short_receipt_lands_what_arrived_and_the_source_writes_off_the_rest(api):
    subscribe(api)
    transfer_id = sent(api)
    answer = ok(receive(api, transfer_id, {"counted": 37, "note": "one box wet"}))
    assert (answer["status"], answer["counted"], answer["missing"]) == ("received", 37, 3)
    loss = answer["loss"]
    assert (loss["kind"], loss["quantity"], loss["office"]) == ("loss_in_transit", -3, "62.02")
    assert loss["note"] == "one box wet"
    assert loss["reason"] is None  # the missing serials, where there are any
    # The destination holds what it counted; the source is unchanged by the receipt (the blanks
    # left it at dispatch), and nothing is in transit any more.
    assert stock(api, "62.02.05")["on_hand"] == 37 and stock(api, "62.02")["on_hand"] == 60
    assert stock(api, "62.02.05")["in_transit_in"] == 0 and stock(api, "62.02")["in_transit_out"] == 0
    assert [(m["kind"], m["quantity"]) for m in ledger(api, "62.02.05")["items"]] == [("transfer_in", 37)]
    source = [(m["kind"], m["quantity"], m["transfer_id"]) for m in ledger(api, "62.02")["items"]]
    assert source[:3] == [
        ("loss_in_transit", -3, transfer_id),
        ("transfer_return", 3, transfer_id),
        ("transfer_out", -40, transfer_id),
    ]
    # The source's managers: an alert naming the transfer, and its notification in the outbox.
    (alert,) = loss_alerts(api)
    assert (alert["status"], alert["severity"], alert["figures"]["missing"]) == ("open", "warning", 3)
    (covered,) = alert["figures"]["transfers"]
    assert (covered["transfer"], covered["sent"], covered["counted"], covered["note"]) == (
        transfer_id, 40, 37, "one box wet",
    )  # fmt: skip
    assert covered["movement"] == loss["id"] and covered["received_by"] == "baamang_warehouse"
    notified = ok(api.get("/notifications", as_="manager"))["items"]
    assert [(n["alert_id"], n["event"]) for n in notified] == [(alert["id"], "opened")]
    assert books_problems(api) == []


def test_a_manager_acknowledging_the_loss_resolves_it_and_a_second_loss_before_that_escalates(api):
    first, second = sent(api, 10), dispatch(api, "62.02", "62.02.05", 10)["id"]
    ok(receive(api, first, {"counted": 9}))
    ok(receive(api, second, {"counted": 7, "note": "segel rusak"}))
    (alert,) = loss_alerts(api)
    assert (alert["severity"], alert["figures"]["missing"]) == ("critical", 4)
    assert [t["transfer"] for t in alert["figures"]["transfers"]] == [first, second]
    # Someone outside the source's area, or not a manager, cannot close it.
    assert (
        api.post(f"/alerts/{alert['id']}/acknowledge", {"note": "x"}, as_="kobar_manager").status_code == 403
    )
    assert api.post(f"/alerts/{alert['id']}/acknowledge", {"note": "x"}, as_="warehouse").status_code == 403
    seen = ok(
        api.post(f"/alerts/{alert['id']}/acknowledge", {"note": "Dilaporkan ke ekspedisi"}, as_="manager")
    )
    assert seen["status"] == "resolved" and seen["acknowledged_by"] == "manager"
    assert seen["resolved_at"] is not None
    # The next loss opens a new alert.
    third = dispatch(api, "62.02", "62.02.05", 5)["id"]
    ok(receive(api, third, {"counted": 4}))
    newest = loss_alerts(api, status="open")
    assert [(a["severity"], a["figures"]["missing"]) for a in newest] == [("warning", 1)]


def test_nothing_arrived_at_all(api):
    transfer_id = sent(api, 5)
    answer = ok(receive(api, transfer_id, {"counted": 0, "note": "truk tidak sampai"}))
    assert answer["missing"] == 5 and answer["loss"]["quantity"] == -5
    assert stock(api, "62.02.05")["on_hand"] == 0 and ledger(api, "62.02.05")["items"] == []
    assert books_problems(api) == []


def test_a_loss_in_transit_is_not_reversed(api):
    transfer_id = sent(api, 5)
    loss = ok(receive(api, transfer_id, {"counted": 3}))["loss"]
    refused(
        api.post(f"/movements/{loss['id']}/reverse", {"reason": "ketemu"}, as_="manager"),
        409,
        "not_reversible",
    )


def test_no_body_or_the_full_count_is_a_plain_receipt(api):
    first, second = sent(api, 10), dispatch(api, "62.02", "62.02.05", 5)["id"]
    assert "loss" not in ok(receive(api, first))
    assert "loss" not in ok(receive(api, second, {"counted": 5, "note": None}))
    assert [m["kind"] for m in ledger(api, "62.02.05")["items"]] == ["transfer_in", "transfer_in"]
    assert loss_alerts(api) == []


def test_bad_counts_are_refused_and_write_nothing(api):
    transfer_id = sent(api)
    refused(receive(api, transfer_id, {"counted": 41}), 422, "counted_exceeds_sent")
    refused(receive(api, transfer_id, {"counted": 39, "missing_serials": ["KTP0001000"]}), 422,
            "transfer_without_serials")  # fmt: skip
    bad = [{"counted": -1}, {"counted": 2**63}, {"counted": "3"}, {"note": "x" * 401}, {"note": "a\x00"},
           {"missing_serials": []}, {"missing_serials": ["KTP\x00"]}]  # fmt: skip
    for body in [*bad, {"counted": 1, "extra": True}]:
        assert receive(api, transfer_id, body).status_code == 422, body
    assert receive(api, transfer_id, {"counted": 1}, as_="operator").status_code == 403
    assert ok(api.get(f"/transfers/{transfer_id}", as_="admin"))["status"] == "in_transit"
    assert stock(api, "62.02.05")["on_hand"] == 0 and ledger(api, "62.02.05")["items"] == []
    assert loss_alerts(api) == []


# --- serials -----------------------------------------------------------------------------


def serialled(api, quantity=10):
    deliver(api, "62.02", 100, serials=["KTP0001000-KTP0001099"])
    body = {"from": "62.02", "to": "62.02.05", "quantity": quantity, "serials": "lowest"}
    return ok(api.post("/transfers", body, as_="warehouse"), 201)["id"]


def test_a_transfer_with_serials_received_short_names_the_missing_serials(api):
    transfer_id = serialled(api)
    body = {"counted": 8, "missing_serials": ["KTP0001003", "KTP0001007"], "note": "2 kartu hilang"}
    answer = ok(receive(api, transfer_id, body))
    assert answer["missing_serials"] == ["KTP0001003", "KTP0001007"] and answer["missing"] == 2
    assert answer["loss"]["reason"] == "KTP0001003, KTP0001007"
    (alert,) = loss_alerts(api)
    assert alert["figures"]["transfers"][0]["serials"] == ["KTP0001003", "KTP0001007"]
    assert "KTP0001003, KTP0001007" in alert["message"]
    # The eight that arrived are Baamang's; the two missing ones ended with the loss at the source.
    held = ok(api.get("/offices/62.02.05/serials", as_="admin"))
    assert [r["range"] for r in held["held"]] == [
        "KTP0001000-KTP0001002", "KTP0001004-KTP0001006", "KTP0001008-KTP0001009",
    ]  # fmt: skip
    lost = ok(api.get("/serials/KTP0001003", as_="admin"))
    assert lost["office"] is None and (lost["ended_by"]["kind"], lost["ended_by"]["office"]) == (
        "loss_in_transit", "62.02",
    )  # fmt: skip
    assert [m["kind"] for m in lost["trail"]][-3:] == ["transfer_out", "transfer_return", "loss_in_transit"]
    assert ok(api.get("/serials/KTP0001004", as_="admin"))["office"] == "62.02.05"
    assert books_problems(api) == []


def test_a_short_count_of_serials_must_name_as_many_serials_as_are_missing(api):
    transfer_id = serialled(api)
    refused(receive(api, transfer_id, {"counted": 8}), 422, "missing_serials_required")
    refused(receive(api, transfer_id, {"counted": 8, "missing_serials": ["KTP0001003"]}), 422,
            "missing_serials_required")  # fmt: skip
    refused(receive(api, transfer_id, {"missing_serials": ["KTP0001050"]}), 422, "serial_not_in_transfer")
    assert ok(api.get(f"/transfers/{transfer_id}", as_="admin"))["status"] == "in_transit"
    # Naming them alone is the count: 10 sent, 1 named missing.
    answer = ok(receive(api, transfer_id, {"missing_serials": ["KTP0001009"]}))
    assert (answer["counted"], answer["serials"]) == (9, ["KTP0001000-KTP0001009"])
    assert stock(api, "62.02.05")["on_hand"] == 9


# --- segregation of duties -----------------------------------------------------------------


def test_who_dispatched_a_transfer_cannot_receive_it(api):
    transfer_id = sent(api)
    denied = refused(receive(api, transfer_id, as_="warehouse"), 403, "same_person")
    assert denied["details"]["allow_self_receipt"] is False
    refused(receive(api, transfer_id, {"counted": 30}, as_="warehouse"), 403, "same_person")
    assert ok(api.get(f"/transfers/{transfer_id}", as_="admin"))["status"] == "in_transit"
    assert ok(receive(api, transfer_id, as_="admin"))["status"] == "received"  # someone else may


def test_a_one_person_office_may_allow_it_and_the_setting_lapses_when_a_second_person_joins(api):
    deliver(api, "62.02", 50)
    first, second, third = (dispatch(api, "62.02", "62.02-JB1", n)["id"] for n in (3, 4, 5))
    refused(receive(api, first, as_="warehouse"), 403, "same_person")
    # Off by default; a manager of the area sets it (not the warehouse user who would benefit).
    assert ok(api.get("/offices/62.02-JB1", as_="admin"))["allow_self_receipt"] is False
    refused(api.patch("/offices/62.02-JB1", {"allow_self_receipt": True}, as_="warehouse"), 403, "forbidden")
    refused(
        api.patch("/offices/62.02-JB1", {"allow_self_receipt": True}, as_="kobar_manager"),
        403,
        "outside_area",
    )
    assert api.patch("/offices/62.02-JB1", {"allow_self_receipt": "yes"}, as_="manager").status_code == 422
    assert ok(api.patch("/offices/62.02-JB1", {"allow_self_receipt": True}, as_="manager"))[
        "allow_self_receipt"
    ]
    # The unit has no one of its own, or one person: the dispatcher may receive.
    assert ok(receive(api, first, as_="warehouse"))["status"] == "received"
    api.add_user("jb1_operator", "operator", "62.02-JB1")
    assert ok(receive(api, second, {"counted": 4}, as_="warehouse"))["status"] == "received"
    # A second person joins: the setting no longer lets anyone receive what they sent.
    api.add_user("jb1_driver", "operator", "62.02-JB1")
    denied = refused(receive(api, third, as_="warehouse"), 403, "same_person")
    assert (denied["details"]["allow_self_receipt"], denied["details"]["people"]) == (True, 2)
    assert stock(api, "62.02-JB1")["on_hand"] == 7


def test_the_usage_report_and_the_stock_card_still_add_up(api):
    transfer_id = sent(api, 40)
    ok(receive(api, transfer_id, {"counted": 36}))
    utc_day = date.fromisoformat(
        ok(api.get("/offices/62.02/ledger", as_="admin"))["items"][0]["occurred_at"][:10]
    )
    period = {
        "under": "62.02",
        "level": "regency",
        "from": str(utc_day),
        "to": str(utc_day + timedelta(days=1)),
    }
    report = ok(api.get("/reports/usage", query_string=period, as_="admin"))
    rows = {row["office"]: row for sheet in report["levels"] for row in sheet["rows"]}
    source, destination = rows["62.02"], rows["62.02.05"]
    assert (source["transfers_out"], source["transfers_returned"], source["adjustment_loss_in_transit"]) == (
        40, 4, -4,
    )  # fmt: skip
    assert (destination["transfers_in"], destination["closing"]) == (36, 36)
    for row in (source, destination):
        assert row["opening"] + row["total_in"] - row["total_out"] == row["closing"], row
    assert source["closing"] == stock(api, "62.02")["on_hand"] == 60
    # The stock card's running balance meets the books at the top.
    card = ledger(api, "62.02")["items"]
    assert card[0]["balance"] == 60 and [m["balance"] for m in card[:3]] == [60, 64, 60]
    for fmt in ("csv", "xlsx", "pdf"):
        query = {**period, "format": fmt}
        assert api.get("/reports/usage", query_string=query, as_="admin").status_code == 200, fmt

"""The story of issue 13 through the HTTP API: Kotawaringin Timur asks the province for blanks,
starting from the projection's suggestion; the province lowers the quota with a reason and
ships it in two transfers; the request follows them to fulfilled, on_order falls as they land,
the stockout alert closes when the blanks arrive, and each office hears what concerns it.
Loans between siblings, a request left overdue and the routed request follow; approve and
cancel racing (exactly one wins, the other 409) closes it. Every transition legal or not is in
test_transitions.py, the notifications' delivery in test_request_notifications.py."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from inventory.blank_requests.models import BlankRequest
from inventory.core.db import db
from inventory.planning.figures import today
from tests.blank_requests.steps import act, approved, create, kotim_population, transfer
from tests.helpers import batch_items, books_problems, deliver, ok, print_batch, refused
from tests.stock.test_concurrency import run_together


def test_kotim_asks_the_province_which_lowers_the_quota_and_ships_it_in_two_transfers(world):
    api = world
    kotim_population(api)
    deliver(api, "62", 10_000, as_="admin")
    # The province hears of requests awaiting it; Kotim of what became of its own.
    hook = {"channel": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "a-secret-of-sixteen+"}
    ok(api.post("/subscriptions", {**hook, "office": "62", "kinds": ["request_submitted"]},
                as_="province_manager"), 201)  # fmt: skip
    ok(api.post("/subscriptions", {**hook, "office": "62.02", "kinds": ["request_approved",
                "request_rejected", "request_fulfilled", "low_stock"]}, as_="manager"), 201)  # fmt: skip
    ok(api.patch("/offices/62.02", {"min_stock": 1000}, as_="manager"))
    assert unresolved(api, "stockout") is not None  # Kotim holds nothing, and nothing is coming

    suggestion = ok(api.get("/offices/62.02/requests/suggestion", as_="manager"))
    assert suggestion["supplier"] == "62"
    assert suggestion["quantity"] == suggestion["figures"]["suggested_order"] > 0
    assert suggestion["figures"]["unrecorded"] == 310_785 - 308_289
    assert "penduduk belum rekam" in suggestion["justification"]

    # Asking for more than suggested needs a reason; with one it is a draft.
    refused(create(api, quantity=4000), 422, "justification_required")
    request = ok(create(api, quantity=4000, justification=suggestion["justification"] + " Pemilu 2024."), 201)
    assert (request["status"], request["supplier"], request["quantity"]) == ("draft", "62", 4000)
    assert request["suggested_quantity"] == suggestion["quantity"]
    request_id = request["id"]

    request = ok(act(api, request_id, "submit", "manager"))
    assert (request["status"], request["awaiting"]) == ("submitted", "62")
    assert heard(api, "province_manager") == [("request_submitted", "62", request_id)]
    assert projection(api)["inputs"]["on_order"] == 0  # asked is not on order: approved is

    # The province sees it among what awaits its decision, with Kotim's figures beside it.
    waiting = ok(api.get("/requests?to=62&status=submitted", as_="province_manager"))["items"]
    assert [item["id"] for item in waiting] == [request_id]
    assert waiting[0]["requester"]["unrecorded"] == 310_785 - 308_289
    assert waiting[0]["supplier_after"]["on_hand"] == 10_000 - 4000

    # A lower quota needs a note; 2,500 with one.
    refused(act(api, request_id, "approve", "province_manager", approved_quantity=2500), 422, "note_required")
    request = ok(act(api, request_id, "approve", "province_manager", approved_quantity=2500,
                     note="Stok provinsi terbatas; dibagi rata antar kabupaten."))  # fmt: skip
    assert (request["status"], request["approved_quantity"], request["outstanding"]) == (
        "approved",
        2500,
        2500,
    )
    assert heard(api, "manager") == [("request_approved", "62.02", request_id)]
    assert projection(api)["inputs"]["on_order"] == 2500

    first = ok(transfer(api, 1500, request_id), 201)
    assert first["request_id"] == request_id
    request = ok(api.get(f"/requests/{request_id}", as_="manager"))
    assert (request["status"], request["shipped"], request["received"]) == ("partially_fulfilled", 1500, 0)
    assert projection(api)["inputs"]["on_order"] == 2500  # on the road: not yet arrived
    assert unresolved(api, "stockout") is None  # blanks are on the way...
    assert unresolved(api, "low_stock")["figures"]["on_hand"] == 0  # ...but fill no shelf yet
    ok(api.post(f"/transfers/{first['id']}/receive", as_="warehouse"))
    request = ok(api.get(f"/requests/{request_id}", as_="manager"))
    assert (request["received"], request["outstanding"]) == (1500, 1000)
    assert projection(api)["inputs"]["on_order"] == 1000
    assert unresolved(api, "low_stock") is None  # the blanks arrived: the alert closed

    second = ok(transfer(api, 1000, request_id), 201)
    ok(api.post(f"/transfers/{second['id']}/receive", as_="warehouse"))
    assert projection(api)["inputs"]["on_order"] == 0
    # The province granted less than the projection asked for: what it withheld is still short.
    shortfall = unresolved(api, "projected_shortfall")
    assert shortfall["figures"]["shortfall"] == suggestion["quantity"] - 2500
    assert heard(api, "manager") == [
        ("request_fulfilled", "62.02", request_id),
        ("request_approved", "62.02", request_id),
    ]
    assert heard(api, "province_manager") == [("request_submitted", "62", request_id)]  # nothing more
    low = [
        n["event"] for n in ok(api.get("/notifications", as_="manager"))["items"] if n["kind"] == "low_stock"
    ]
    assert low == ["resolved", "opened"]  # alerts still reach the same subscription
    request = ok(api.get(f"/requests/{request_id}", as_="manager"))
    assert (request["status"], request["shipped"], request["received"], request["outstanding"]) == (
        "fulfilled", 2500, 2500, 0,
    )  # fmt: skip
    assert [line["action"] for line in request["history"]] == [
        "create", "submit", "approve", "ship", "receive", "ship", "receive",
    ]  # fmt: skip
    decision = request["history"][2]
    assert (decision["actor"], decision["office"], decision["quantity"]) == ("province_manager", "62", 2500)
    assert decision["note"].startswith("Stok provinsi terbatas")
    assert [t["quantity"] for t in request["transfers"]] == [1000, 1500]
    assert api.on_hand("62.02") == 2500 and api.on_hand("62") == 7500
    assert books_problems(api) == []


def test_a_request_routed_through_the_province_is_approved_at_each_step_and_each_may_lower_it(world):
    api = world
    request = ok(
        create(api, quantity=20_000, supplier="ID", via=["62"], justification="Pekanbaru-like ask"), 201
    )
    assert [step["office"] for step in request["route"]] == ["62", "ID"]
    request_id = request["id"]
    ok(act(api, request_id, "submit", "manager"))

    # The national office cannot decide before the province has.
    refused(act(api, request_id, "approve", "national_manager"), 403, "not_your_request")
    request = ok(
        act(api, request_id, "approve", "province_manager", approved_quantity=16_000, note="Cukup 16 ribu")
    )
    assert (request["status"], request["awaiting"], request["approved_quantity"]) == (
        "submitted",
        "ID",
        16_000,
    )
    # Each step may lower, never raise what the step before granted.
    refused(act(api, request_id, "approve", "national_manager", approved_quantity=18_000), 422,
            "approved_quantity_too_high")  # fmt: skip
    request = ok(
        act(api, request_id, "approve", "national_manager", approved_quantity=14_000, note="Kuota nasional")
    )
    assert (request["status"], request["approved_quantity"], request["awaiting"]) == (
        "approved",
        14_000,
        None,
    )

    # The ministry's BAST, recorded as a delivery against the request, fills it.
    bast = {"quantity": 14_000, "document_no": "BAST-1", "request_id": request_id}
    ok(api.post("/offices/62.02/deliveries", bast, as_="warehouse"), 201)
    request = ok(api.get(f"/requests/{request_id}", as_="national_manager"))
    assert (request["status"], request["received"]) == ("fulfilled", 14_000)
    assert request["deliveries"][0]["document_no"] == "BAST-1"
    ledger = ok(api.get("/offices/62.02/ledger", as_="manager"))["items"]
    assert ledger[0]["request_id"] == request_id


def test_a_regency_borrows_from_a_sibling_regency_which_reads_and_ships_the_loan(world):
    api = world
    deliver(api, "62.01", 800, as_="kobar_warehouse")
    request = ok(create(api, quantity=300, supplier="62.01", justification="Pinjam dulu, stok habis"), 201)
    request_id = request["id"]
    # Kotawaringin Barat is outside Kotim's subtree, yet reads and decides the request addressed to it.
    ok(api.get(f"/requests/{request_id}", as_="kobar_manager"))
    assert [item["id"] for item in ok(api.get("/requests", as_="kobar_manager"))["items"]] == [request_id]
    ok(act(api, request_id, "submit", "manager"))
    refused(
        act(api, request_id, "approve", "manager"), 403, "not_your_request"
    )  # the borrower cannot lend itself
    ok(act(api, request_id, "approve", "kobar_manager"))
    loan = ok(transfer(api, 300, request_id, source="62.01", as_="kobar_warehouse"), 201)
    ok(api.post(f"/transfers/{loan['id']}/receive", as_="warehouse"))
    assert ok(api.get(f"/requests/{request_id}", as_="kobar_manager"))["status"] == "fulfilled"


def test_a_district_borrows_from_its_sibling_district_and_the_lender_hears_of_it(world):
    """Baamang's regency asks on its behalf (districts have no managers of their own here);
    Mentawa Baru Ketapang's manager lends. A regency that is not the district's parent is not
    its sibling: a loan is between offices with the same parent."""
    api = world
    api.add_user("mentawa_manager", "manager", "62.02.06")
    deliver(api, "62.02.06", 500, as_="admin")
    hook = {"channel": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "a-secret-of-sixteen+"}
    ok(api.post("/subscriptions", {**hook, "office": "62.02.06"}, as_="mentawa_manager"), 201)
    body = {"office": "62.02.05", "quantity": 120, "justification": "Pinjam: perekaman sekolah"}
    refused(create(api, supplier="62.01", **body), 422, "bad_supplier")  # the uncle regency
    request_id = ok(create(api, supplier="62.02.06", **body), 201)["id"]
    ok(act(api, request_id, "submit", "manager"))
    assert heard(api, "mentawa_manager") == [("request_submitted", "62.02.06", request_id)]
    refused(act(api, request_id, "approve", "manager"), 403, "not_your_request")  # the borrower's side
    ok(act(api, request_id, "approve", "mentawa_manager"))
    loan = ok(transfer(api, 120, request_id, source="62.02.06", destination="62.02.05", as_="admin"), 201)
    ok(api.post(f"/transfers/{loan['id']}/receive", as_="baamang_warehouse"))
    request = ok(api.get(f"/requests/{request_id}", as_="mentawa_manager"))
    assert (request["status"], request["received"]) == ("fulfilled", 120)
    assert api.on_hand("62.02.05") == 120 and api.on_hand("62.02.06") == 380
    assert heard(api, "mentawa_manager") == [("request_submitted", "62.02.06", request_id)]  # not its news


def test_a_cancelled_transfer_stops_counting_and_the_supplier_closes_what_will_not_come(world):
    api = world
    deliver(api, "62", 5000, as_="admin")
    request_id = ok(create(api, quantity=2000, justification="Cadangan semester"), 201)["id"]
    ok(act(api, request_id, "submit", "manager"))
    ok(act(api, request_id, "approve", "province_manager"))
    shipped = ok(transfer(api, 1200, request_id), 201)
    ok(api.post(f"/transfers/{shipped['id']}/cancel", as_="province_warehouse"))
    request = ok(api.get(f"/requests/{request_id}", as_="manager"))
    assert (request["status"], request["shipped"], request["outstanding"]) == ("approved", 0, 2000)

    landed = ok(transfer(api, 500, request_id), 201)
    ok(api.post(f"/transfers/{landed['id']}/receive", as_="warehouse"))
    refused(act(api, request_id, "close", "province_manager"), 422, "note_required")
    refused(act(api, request_id, "close", "manager", note="Tidak perlu lagi"), 403, "not_your_request")
    request = ok(act(api, request_id, "close", "province_manager", note="Sisa tidak tersedia tahun ini"))
    assert (request["status"], request["received"], request["outstanding"]) == ("closed", 500, 0)
    refused(transfer(api, 100, request_id), 409, "bad_request_state")
    assert api.on_hand("62") == 4500


def projection(api):
    return ok(api.get("/offices/62.02/projection", as_="manager"))


def heard(api, user):
    """(kind, office, request) of the requests' notifications of `user`'s subscriptions, newest first."""
    items = ok(api.get("/notifications", as_=user))["items"]
    return [(n["kind"], n["office"], n["request_id"]) for n in items if n["request_id"]]


def test_the_projection_counts_approved_blanks_as_on_order_until_they_arrive(world):
    """on_order falls as transfers land; the suggested order leaves it out; reorder_now stays
    shut while what is on order covers the lead time, and opens again once a request closes."""
    api = world
    kotim_population(api)
    deliver(api, "62", 10_000, as_="admin")
    deliver(api, "62.02", 300)
    ok(api.patch("/offices/62.02", {"lead_time_days": 30}, as_="manager"))
    print_batch(api, "62.02", batch_items("kotim", 100))  # 100 a day over a one-day window
    assert unresolved(api, "reorder_now") is not None  # 200 left: two days against thirty
    suggested = projection(api)["outputs"]["suggested_order"]
    assert suggested > 3000

    request_id = ok(create(api, quantity=4000, justification="Pemilu", needed_by="2099-01-31"), 201)["id"]
    ok(act(api, request_id, "submit", "manager"))
    assert projection(api)["inputs"]["on_order"] == 0  # asked is not on order: approved is
    ok(act(api, request_id, "approve", "province_manager", approved_quantity=3500, note="Stok terbatas"))
    figures = projection(api)
    assert figures["inputs"]["on_order"] == 3500
    assert figures["outputs"]["suggested_order"] == max(suggested - 3500, 0)
    assert unresolved(api, "reorder_now") is None  # 3,500 coming cover 30 days at 100 a day

    first = ok(transfer(api, 1500, request_id), 201)
    assert projection(api)["inputs"]["on_order"] == 3500  # in transit, not yet received
    ok(api.post(f"/transfers/{first['id']}/receive", as_="warehouse"))
    assert projection(api)["inputs"]["on_order"] == 2000
    ok(act(api, request_id, "close", "province_manager", note="Sisa tidak tersedia"))
    assert projection(api)["inputs"]["on_order"] == 0
    assert unresolved(api, "reorder_now") is not None  # 1,700 left: seventeen days against thirty


def unresolved(api, kind):
    page = ok(api.get("/alerts", query_string={"office": "62.02", "kind": kind}, as_="manager"))
    return next((alert for alert in page["items"] if alert["status"] != "resolved"), None)


def test_a_request_left_overdue_opens_request_overdue_and_the_blanks_arriving_close_it(world):
    api = world
    deliver(api, "62", 1000, as_="admin")
    request_id = ok(create(api, quantity=400, justification="Cadangan", needed_by="2099-01-31"), 201)["id"]
    ok(act(api, request_id, "submit", "manager"))
    ok(act(api, request_id, "approve", "province_manager"))
    assert unresolved(api, "request_overdue") is None  # due in 2099
    with api.app.app_context():  # time passes: the needed_by day is behind us
        db.session.execute(update(BlankRequest).values(needed_by=today() - timedelta(days=20)))
        db.session.commit()
    ok(api.patch("/offices/62.02", {"min_stock": 1}, as_="manager"))  # any change re-evaluates (as cron does)
    ok(transfer(api, 100, request_id), 201)  # a partial shipment: still overdue, the date now known
    alert = unresolved(api, "request_overdue")
    assert alert["severity"] == "critical"
    assert alert["figures"]["on_order"] == 400 and alert["figures"]["days_overdue"] == 20

    landed = ok(transfer(api, 300, request_id), 201)
    ok(api.post(f"/transfers/{landed['id']}/receive", as_="warehouse"))
    assert unresolved(api, "request_overdue") is not None  # 100 still in transit
    first = ok(api.get("/transfers", query_string={"status": "in_transit"}, as_="admin"))["items"][0]
    ok(api.post(f"/transfers/{first['id']}/receive", as_="warehouse"))
    assert unresolved(api, "request_overdue") is None
    assert ok(api.get(f"/requests/{request_id}", as_="manager"))["status"] == "fulfilled"


RIVALS = [("approve", "province_manager"), ("cancel", "manager")]


def test_approve_and_cancel_at_once_exactly_one_wins_and_only_the_winner_is_heard(world):
    """Two real connections (threads), one request: the loser finds it decided, 409
    bad_request_state, and its transaction leaves nothing behind, not even a notification."""
    api = world
    hook = {"channel": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "a-secret-of-sixteen+"}
    ok(api.post("/subscriptions", {**hook, "office": "62.02", "kinds": ["request_approved"]}, as_="manager"),
       201)  # fmt: skip
    winners = set()
    for _ in range(3):
        request_id = ok(create(api, quantity=100, justification="Cadangan perekaman"), 201)["id"]
        ok(act(api, request_id, "submit", "manager"))
        responses = run_together(2, lambda i, request_id=request_id: act(api, request_id, *RIVALS[i]))
        assert sorted(r.status_code for r in responses) == [200, 409], [r.json for r in responses]
        (loser,) = [r for r in responses if r.status_code == 409]
        assert loser.json["error"] == "bad_request_state"
        final = ok(api.get(f"/requests/{request_id}", as_="admin"))
        assert [line["action"] for line in final["history"]][2:] in (["approve"], ["cancel"])
        approvals = [n for n in heard(api, "manager") if n[2] == request_id]
        assert approvals == (
            [("request_approved", "62.02", request_id)] if final["status"] == "approved" else []
        )
        winners.add(final["status"])
    assert winners <= {"approved", "cancelled"}


def test_a_short_receipt_fills_the_request_with_what_arrived_only(world):
    api = world
    deliver(api, "62", 5000, as_="admin")
    request = approved(api, 1000)
    shipped = ok(transfer(api, 1000, request["id"]), 201)
    ok(
        api.post(
            f"/transfers/{shipped['id']}/receive", {"counted": 990, "note": "segel rusak"}, as_="warehouse"
        )
    )
    after = ok(api.get(f"/requests/{request['id']}", as_="manager"))
    assert (after["status"], after["shipped"], after["received"], after["outstanding"]) == (
        "partially_fulfilled", 1000, 990, 10,
    )  # fmt: skip
    loss = ok(api.get("/offices/62/ledger", as_="admin"))["items"][0]
    assert (loss["kind"], loss["quantity"]) == ("loss_in_transit", -10)

"""Every transition of a request through the API, legal and not; who may take it; two at once."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.blank_requests.steps import act, create, transfer
from tests.helpers import books_problems, deliver, ok, refused
from tests.stock.test_concurrency import run_together

DECIDER = {"submit": "manager", "cancel": "manager", "approve": "province_manager",
           "reject": "province_manager", "close": "province_manager"}  # fmt: skip
BODY = {"reject": {"note": "Stok habis"}, "close": {"note": "Sisa tidak datang"}}


def request_in(api, status):
    """A request from 62.02 to the province, brought to `status` through the API."""
    deliver(api, "62", 1000, as_="admin")
    request_id = ok(create(api, quantity=100, justification="Cadangan perekaman"), 201)["id"]
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "approved": ["submit", "approve"],
        "rejected": ["submit", "reject"],
        "cancelled": ["cancel"],
        "partially_fulfilled": ["submit", "approve", 40],
        "fulfilled": ["submit", "approve", 100],
        "closed": ["submit", "approve", "close"],
    }[status]
    for step in steps:
        if isinstance(step, int):
            shipped = ok(transfer(api, step, request_id), 201)
            ok(api.post(f"/transfers/{shipped['id']}/receive", as_="warehouse"))
        else:
            ok(act(api, request_id, step, DECIDER[step], **BODY.get(step, {})))
    assert ok(api.get(f"/requests/{request_id}", as_="admin"))["status"] == status
    return request_id


STATES = (
    "draft",
    "submitted",
    "approved",
    "rejected",
    "cancelled",
    "partially_fulfilled",
    "fulfilled",
    "closed",
)
LEGAL = {
    ("draft", "submit"): "submitted",
    ("draft", "cancel"): "cancelled",
    ("submitted", "approve"): "approved",
    ("submitted", "reject"): "rejected",
    ("submitted", "cancel"): "cancelled",
    ("approved", "close"): "closed",
    ("partially_fulfilled", "close"): "closed",
}


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("action", list(DECIDER))
def test_a_transition_goes_from_its_states_only_and_an_impossible_one_is_409_and_writes_nothing(
    world, status, action
):
    request_id = request_in(world, status)
    before = ok(world.get(f"/requests/{request_id}", as_="admin"))

    response = act(world, request_id, action, DECIDER[action], **BODY.get(action, {}))

    if (status, action) in LEGAL:
        after = ok(response)
        assert after["status"] == LEGAL[status, action]
        last = after["history"][-1]
        assert (last["action"], last["actor"], last["status"]) == (action, DECIDER[action], after["status"])
        assert last["at"]
    else:
        body = refused(response, 409, "bad_request_state")
        assert body["details"] == {"status": status, "action": action}
        assert ok(world.get(f"/requests/{request_id}", as_="admin")) == before


@pytest.mark.parametrize(
    ("action", "user", "error"),
    [
        ("submit", "province_warehouse", "forbidden"),  # a role that asks for nothing
        ("submit", "kobar_manager", "outside_area"),  # another regency's manager: not even its to read
        ("approve", "manager", "not_your_request"),  # the requester approving itself
        ("approve", "national_manager", "not_your_request"),  # above the deciding office: not its decision
        ("reject", "operator", "forbidden"),
        ("cancel", "province_manager", "not_your_request"),
    ],
)
def test_each_side_takes_only_its_own_transitions(world, action, user, error):
    request_id = request_in(world, "draft" if action == "submit" else "submitted")
    before = ok(world.get(f"/requests/{request_id}", as_="admin"))
    body = refused(act(world, request_id, action, user, **BODY.get(action, {})), 403, error)
    assert body["message"]
    assert ok(world.get(f"/requests/{request_id}", as_="admin")) == before


@pytest.mark.parametrize("user", ["warehouse", "operator", "kobar_manager"])
def test_only_managers_of_the_office_or_above_create_its_requests(world, user):
    response = create(world, quantity=100, justification="Cadangan", as_=user)
    assert response.status_code == 403
    assert ok(world.get("/requests", as_="admin"))["items"] == []


RIVALS = [("approve", "province_manager"), ("cancel", "manager")]


def test_approve_and_cancel_at_once_exactly_one_wins(world):
    for _ in range(3):
        request_id = request_in(world, "submitted")
        responses = run_together(2, lambda i, request_id=request_id: act(world, request_id, *RIVALS[i]))
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [200, 409], [r.json for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.json["error"] == "bad_request_state"
        final = ok(world.get(f"/requests/{request_id}", as_="admin"))
        assert final["status"] in ("approved", "cancelled")
        assert [line["action"] for line in final["history"]].count(final["history"][-1]["action"]) == 1
        assert len(final["history"]) == 3  # create, submit, the winner


def test_two_approvals_with_different_keys_one_wins_the_same_key_replays(world):
    request_id = request_in(world, "submitted")
    body = {"approved_quantity": 80, "note": "Stok terbatas"}

    def approve(i):
        return world.post(f"/requests/{request_id}/approve", body, as_="province_manager",
                          headers={"Idempotency-Key": f"approve-{i}"})  # fmt: skip

    statuses = Counter(response.status_code for response in run_together(4, approve))
    assert statuses == {200: 1, 409: 3}

    other = request_in(world, "submitted")
    same = run_together(
        4,
        lambda _: world.post(f"/requests/{other}/approve", body, as_="province_manager",
                             headers={"Idempotency-Key": "approve-once"}),
    )  # fmt: skip
    assert {response.status_code for response in same} == {200}
    assert len({response.get_data() for response in same}) == 1
    history = ok(world.get(f"/requests/{other}", as_="admin"))["history"]
    assert [line["action"] for line in history] == ["create", "submit", "approve"]


# --- shipping against a request -----------------------------------------------------------


def test_shipping_past_the_quota_is_409_and_writes_nothing_unless_a_supplier_manager_over_approves(world):
    api = world
    request_id = request_in(api, "approved")  # 100 approved, 1000 at the province
    ok(transfer(api, 60, request_id), 201)
    stock_before = api.get("/offices/62/stock", as_="admin").json
    transfers_before = ok(api.get("/transfers", as_="admin"))["items"]

    body = refused(transfer(api, 41, request_id), 409, "over_approved")
    assert body["details"] == {"approved_quantity": 100, "shipped": 60}
    # Warehouse staff may not pass the quota, nor a manager of another office.
    refused(transfer(api, 41, request_id, over_approve=True), 403, "forbidden")
    refused(transfer(api, 41, request_id, over_approve=True, as_="manager"), 403, "outside_area")
    refused(transfer(api, 41, request_id, over_approve=True, as_="national_manager"), 403, "not_your_request")
    assert api.get("/offices/62/stock", as_="admin").json == stock_before
    assert ok(api.get("/transfers", as_="admin"))["items"] == transfers_before

    ok(transfer(api, 41, request_id, over_approve=True, as_="province_manager"), 201)
    request = ok(api.get(f"/requests/{request_id}", as_="manager"))
    assert (request["shipped"], request["status"]) == (101, "partially_fulfilled")
    assert books_problems(api) == []


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"source": "62", "destination": "62.02.05"}, 409, "not_this_request"),  # to another office
        ({"source": "62.02", "destination": "62.02.05", "as_": "warehouse"}, 409, "not_this_request"),
    ],
)
def test_a_transfer_between_other_offices_does_not_fill_the_request(world, body, status, error):
    request_id = request_in(world, "approved")
    deliver(world, "62.02", 50)
    before = world.get("/transfers", as_="admin").json
    refused(transfer(world, 10, request_id, **body), status, error)
    assert world.get("/transfers", as_="admin").json == before


def test_an_unknown_request_is_422_naming_request_id_and_nothing_moves(world):
    deliver(world, "62", 100, as_="admin")
    body = refused(transfer(world, 10, 999_999), 422, "request_not_found")
    assert body["details"]["field"] == "request_id"
    delivery = {"quantity": 5, "request_id": 999_999}
    refused(world.post("/offices/62.02/deliveries", delivery, as_="warehouse"), 422, "request_not_found")
    assert world.on_hand("62") == 100 and world.on_hand("62.02") == 0


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "cancelled", "fulfilled", "closed"])
def test_nothing_is_shipped_against_a_request_not_open_for_it(world, status):
    request_id = request_in(world, status)
    before = world.on_hand("62")
    refused(transfer(world, 1, request_id), 409, "bad_request_state")
    assert world.on_hand("62") == before


def test_over_approve_without_a_request_is_422_and_lets_no_manager_ship(world):
    deliver(world, "62.02", 10)
    body = {"from": "62.02", "to": "62.02.05", "quantity": 1, "over_approve": True}
    refusal = refused(world.post("/transfers", body, as_="manager"), 422, "validation_error")
    assert list(refusal["errors"]["json"]) == ["over_approve"]
    delivery = {"quantity": 1, "over_approve": True}
    refused(world.post("/offices/62.02/deliveries", delivery, as_="manager"), 422, "validation_error")
    assert world.on_hand("62.02") == 10


def test_transfers_racing_against_one_quota_ship_no_more_than_it(world):
    request_id = request_in(world, "approved")  # 100 approved; the province holds 1,000
    responses = run_together(5, lambda _: transfer(world, 30, request_id))
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 3, 409: 2}, [r.json for r in responses]
    assert {r.json["error"] for r in responses if r.status_code == 409} == {"over_approved"}
    request = ok(world.get(f"/requests/{request_id}", as_="admin"))
    assert request["shipped"] == 90 and len(request["transfers"]) == 3
    assert world.on_hand("62") == 1000 - 90
    assert books_problems(world) == []

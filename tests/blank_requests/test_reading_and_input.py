"""Who reads which request, the lists and their filters, and input the requests API refuses."""

from __future__ import annotations

import pytest

from tests.blank_requests.steps import act, create, submitted
from tests.helpers import deliver, ok, refused


def ids(api, as_, **query):
    return [item["id"] for item in ok(api.get("/requests", query_string=query, as_=as_))["items"]]


def test_each_reads_the_requests_of_its_area_and_those_addressed_to_it(world):
    api = world
    to_province = submitted(api)["id"]
    loan = submitted(api, supplier="62.01", quantity=300)["id"]
    api.add_user("baamang_manager", "manager", "62.02.05")
    district = submitted(api, office="62.02.05", quantity=50, as_="baamang_manager")["id"]

    assert ids(api, "manager") == [district, loan, to_province]
    assert ids(api, "province_manager") == [district, loan, to_province]
    assert ids(api, "kobar_manager") == [loan]  # the lender, outside Kotim's subtree
    assert ids(api, "baamang_warehouse") == [district]
    for user, request_id in (("kobar_manager", to_province), ("baamang_warehouse", to_province)):
        refused(api.get(f"/requests/{request_id}", as_=user), 403, "outside_area")
    ok(api.get(f"/requests/{loan}", as_="kobar_warehouse"))

    assert ids(api, "admin", to="62", status="submitted") == [to_province]
    assert ids(api, "admin", to="62.02") == [district]
    assert ids(api, "admin", **{"from": "62.02"}) == [loan, to_province]
    assert ids(api, "admin", status="approved") == []
    page = ok(api.get("/requests", query_string={"limit": 2}, as_="admin"))
    assert [item["id"] for item in page["items"]] == [district, loan] and page["next_before"] == loan
    assert ids(api, "admin", before=loan) == [to_province]


def test_a_request_shows_its_whole_history(world):
    api = world
    request_id = submitted(api, quantity=4000, needed_by="2024-01-31", emergency=True)["id"]
    ok(act(api, request_id, "reject", "province_manager", note="Stok provinsi kosong"))
    request = ok(api.get(f"/requests/{request_id}", as_="manager"))
    assert (request["needed_by"], request["emergency"], request["status"]) == ("2024-01-31", True, "rejected")
    assert [(line["action"], line["actor"], line["status"]) for line in request["history"]] == [
        ("create", "manager", "draft"),
        ("submit", "manager", "submitted"),
        ("reject", "province_manager", "rejected"),
    ]
    assert request["history"][-1]["note"] == "Stok provinsi kosong"


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"quantity": 0}, 422, "validation_error", "quantity"),
        ({"quantity": "100"}, 422, "validation_error", "quantity"),
        ({"quantity": 10_000_001}, 422, "validation_error", "quantity"),
        ({}, 422, "validation_error", "quantity"),
        ({"quantity": 5, "supplier": "99"}, 404, "office_not_found", None),
        ({"quantity": 5, "supplier": "62.02.05"}, 422, "bad_supplier", "supplier"),  # below the requester
        ({"quantity": 5, "supplier": "62.02"}, 422, "bad_supplier", "supplier"),  # itself
        ({"quantity": 5, "supplier": "ID", "via": ["62.01"]}, 422, "bad_route", "via"),
        ({"quantity": 5, "via": ["ID"]}, 422, "bad_route", "via"),
        ({"quantity": 5, "needed_by": "2024-02-30"}, 422, "validation_error", "needed_by"),
        ({"quantity": 5, "emergency": "yes"}, 422, "validation_error", "emergency"),
        ({"quantity": 5, "justification": "   "}, 422, "validation_error", "justification"),
        ({"quantity": 5, "urgent": True}, 422, "validation_error", "urgent"),
    ],
)
def test_a_request_the_api_cannot_take_is_refused_naming_why_and_nothing_is_written(
    world, body, status, error, field
):
    response = create(world, **body)
    refusal = refused(response, status, error)
    if field and error == "validation_error":
        assert field in refusal["errors"]["json"]
    elif field:
        assert refusal["details"]["field"] == field
    assert ok(world.get("/requests", as_="admin"))["items"] == []


def test_the_national_office_asks_nobody_and_a_supplier_cannot_ask_itself(world):
    world.add_user("national_admin_manager", "manager", "ID")
    refused(create(world, office="ID", quantity=5, as_="national_admin_manager"), 422, "bad_supplier")
    refused(create(world, quantity=5, justification="Atas nama kabupaten", as_="province_manager"), 403,
            "not_your_request")  # fmt: skip


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("approve", {"approved_quantity": 0}, "approved_quantity"),
        ("approve", {"approved_quantity": 1.5}, "approved_quantity"),
        ("approve", {"note": ""}, "note"),
        ("reject", {"note": 7}, "note"),
        ("submit", {"extra": 1}, "extra"),
    ],
)
def test_a_decision_with_bad_fields_is_422_naming_the_field(world, action, body, field):
    request_id = submitted(world)["id"]
    refusal = refused(act(world, request_id, action, "province_manager", **body), 422, "validation_error")
    assert field in refusal["errors"]["json"]
    assert ok(world.get(f"/requests/{request_id}", as_="admin"))["status"] == "submitted"


def test_an_unknown_request_is_404(world):
    refused(world.get("/requests/424242", as_="admin"), 404, "request_not_found")
    refused(act(world, 424242, "approve", "admin"), 404, "request_not_found")


def test_the_suggestion_is_for_managers_of_the_office(world):
    refused(world.get("/offices/62.02/requests/suggestion", as_="warehouse"), 403, "forbidden")
    refused(world.get("/offices/62.02/requests/suggestion", as_="kobar_manager"), 403, "outside_area")
    refused(world.get("/offices/99/requests/suggestion", as_="admin"), 404, "office_not_found")


@pytest.mark.parametrize("value", [0, -1, 2**63, 10**40, "1", 1.5])
def test_a_request_id_no_column_holds_is_422_on_transfers_and_deliveries(world, value):
    deliver(world, "62.02", 10)
    transfer = {"from": "62.02", "to": "62.02.05", "quantity": 1, "request_id": value}
    delivery = {"quantity": 1, "request_id": value}
    for path, body, user in (
        ("/transfers", transfer, "warehouse"),
        ("/offices/62.02/deliveries", delivery, "warehouse"),
    ):
        refusal = refused(world.post(path, body, as_=user), 422, "validation_error")
        assert list(refusal["errors"]["json"]) == ["request_id"]
    assert world.on_hand("62.02") == 10

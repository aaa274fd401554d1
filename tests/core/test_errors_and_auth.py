"""One error shape everywhere, tokens on every /api/v1 route, and a refused request writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from inventory.auth.models import User
from inventory.auth.tokens import revoke_tokens
from inventory.core.db import db
from tests.helpers import PRINTED, batch_items, deliver, dispatch, ok, refused, world


def malformed(api, path="/offices/62.02/deliveries", as_="warehouse"):
    return api.call(
        "POST", path, data='{"quantity": 5', headers={"Content-Type": "application/json"}, as_=as_
    )


def set_user(api, name, revoke=False, active=True):
    with api.app.app_context():
        user = db.session.execute(select(User).where(User.name == name)).scalar_one()
        if revoke:
            revoke_tokens(user)
        user.active = active
        db.session.commit()


# --- the shape of every refusal ----------------------------------------------------------


def test_malformed_json_is_a_400_naming_the_body(api):
    body = refused(malformed(api), 400, "malformed_json")

    assert body["errors"] == {"json": ["Invalid JSON body."]}
    assert body["message"] == "The request body is not valid JSON."


def test_a_missing_token_is_a_401_that_says_how_to_authenticate(api):
    for headers in ({}, {"Authorization": "Basic d2FyZWhvdXNlOnNlY3JldA=="}, {"Authorization": "Bearer "}):
        response = api.get("/offices/62.02", headers=headers)
        refused(response, 401, "missing_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_an_unknown_token_is_a_401(api):
    response = api.get("/offices/62.02", as_="blk_not-a-real-token")

    refused(response, 401, "bad_token")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_stops_working_at_once(api):
    assert ok(api.get("/offices/62.02", as_="warehouse"))["code"] == "62.02"

    set_user(api, "warehouse", revoke=True)

    refused(api.get("/offices/62.02", as_="warehouse"), 401, "bad_token")
    refused(api.post("/offices/62.02/deliveries", {"quantity": 5}, as_="warehouse"), 401, "bad_token")
    assert ok(api.get("/offices/62.02", as_="manager"))["code"] == "62.02"  # other users are untouched


def test_the_token_of_a_disabled_user_stops_working(api):
    set_user(api, "operator", active=False)

    refused(api.get("/offices/62.02", as_="operator"), 401, "bad_token")


@pytest.mark.parametrize(
    ("method", "path", "body", "user", "status", "error"),
    [
        ("POST", "/offices/62.02/deliveries", {"quantity": 5}, "operator", 403, "forbidden"),
        ("POST", "/offices/62.01/deliveries", {"quantity": 5}, "warehouse", 403, "outside_area"),
        ("GET", "/offices/62.01/stock", None, "baamang_operator", 403, "outside_area"),
        ("GET", "/offices/62.99", None, "manager", 404, "office_not_found"),
        ("GET", "/offices/62.99/ledger", None, "admin", 404, "office_not_found"),
        ("POST", "/offices/62.99/prints", PRINTED, "operator", 404, "office_not_found"),
        ("GET", "/transfers/999999", None, "manager", 404, "not_found"),
        ("POST", "/transfers/999999/receive", None, "warehouse", 404, "not_found"),
        ("GET", "/movements/999999", None, "manager", 404, "not_found"),
        ("POST", "/offices/62.02/prints", PRINTED, "operator", 409, "insufficient_stock"),
        ("POST", "/offices/62.02/deliveries", {}, "warehouse", 422, "validation_error"),
    ],
)
def test_every_refusal_has_code_status_error_and_message(api, method, path, body, user, status, error):
    response = api.call(method, path, json=body, as_=user)

    body = refused(response, status, error)

    assert set(body) <= {"code", "status", "error", "message", "errors", "details"}


def test_a_role_refusal_names_the_role_and_the_action(api):
    body = refused(api.post("/offices/62.02/deliveries", {"quantity": 5}, as_="operator"), 403, "forbidden")

    assert body["message"] == "Your role (operator) may not deliver."


def test_every_422_carries_errors_per_field(api):
    missing = refused(api.post("/offices/62.02/deliveries", {}, as_="warehouse"), 422, "validation_error")
    bad_parent = refused(
        api.post(
            "/offices", {"code": "9", "name": "x", "kind": "district", "parent_code": "62"}, as_="admin"
        ),
        422,
        "bad_parent",
    )
    same_office = refused(
        api.post("/transfers", {"from": "62.02", "to": "62.02", "quantity": 1}, as_="warehouse"),
        422,
        "same_office",
    )

    assert missing["errors"] == {"json": {"quantity": ["Missing data for required field."]}}
    assert bad_parent["errors"] == {"json": {"parent_code": [bad_parent["message"]]}}
    assert same_office["errors"] == {"json": {"_schema": [same_office["message"]]}}  # the request as a whole


# --- what a quantity is ------------------------------------------------------------------------

NOT_A_QUANTITY = [0, -1, 1_000_001, "5", 5.0, 2.5, None, True, [5]]


@pytest.mark.parametrize("quantity", NOT_A_QUANTITY, ids=repr)
@pytest.mark.parametrize(
    ("path", "body", "user"),
    [
        ("/offices/62.02/deliveries", {}, "warehouse"),
        ("/transfers", {"from": "62.02", "to": "62.02.05"}, "warehouse"),
    ],
    ids=["delivery", "transfer"],
)
def test_a_quantity_is_a_whole_number_from_1_to_a_million(api, path, body, user, quantity):
    deliver(api, "62.02", 10)
    before = world(api)

    refusal = refused(api.post(path, {**body, "quantity": quantity}, as_=user), 422, "validation_error")

    assert list(refusal["errors"]["json"]) == ["quantity"]
    assert world(api) == before


def test_a_batch_refuses_a_print_dated_off_the_calendar_and_keeps_the_rest(api):
    deliver(api, "62.02", 10)
    items = batch_items("u", 2)
    items[0]["printed_at"] = "0001-01-01T00:00:00+07:00"

    answer = ok(api.post("/offices/62.02/prints/batch", {"prints": items}, as_="operator"))

    assert [item["status"] for item in answer["results"]] == ["refused", "recorded"]
    assert answer["results"][0]["errors"] == {"printed_at": ["Must be between 1900 and 2999."]}
    assert answer["on_hand"] == 9


@pytest.mark.parametrize("field", ["quantity", "counted"])
@pytest.mark.parametrize("value", [1_000_001 * 100, "5", 5.0, True, None], ids=repr)
def test_adjustment_figures_are_whole_numbers_too(api, field, value):
    body = {"reason": "Stock opname", field: value, **({"kind": "found"} if field == "quantity" else {})}

    refusal = refused(api.post("/offices/62.02/adjustments", body, as_="manager"), 422, "validation_error")

    assert list(refusal["errors"]["json"]) == [field]


@pytest.mark.parametrize(
    ("method", "path", "body", "user"),
    [
        ("POST", "/offices", {"code": "9", "name": "x", "kind": "national", "parent_code": None}, "admin"),
        ("PATCH", "/offices/62.02", {"min_stock": 5}, "manager"),
        ("POST", "/offices/62.02/deliveries", {"quantity": 5}, "warehouse"),
        ("POST", "/offices/62.02/prints", PRINTED, "operator"),
        ("POST", "/offices/62.02/prints/batch", {"prints": batch_items("u", 1)}, "operator"),
        ("POST", "/offices/62.02/adjustments", {"counted": 5, "reason": "Stock opname"}, "manager"),
        ("POST", "/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 1}, "warehouse"),
        ("POST", "/movements/1/reverse", {"reason": "Wrong office"}, "manager"),
    ],
)
def test_unknown_fields_are_refused_not_ignored(api, method, path, body, user):
    deliver(api, "62.02", 10)
    before = world(api)

    refusal = refused(api.call(method, path, json={**body, "qty": 5}, as_=user), 422, "validation_error")

    assert refusal["errors"] == {"json": {"qty": ["Unknown field."]}}
    assert world(api) == before


@pytest.mark.parametrize("min_stock", ["5", 5.0, -1, 10_000_001])
def test_a_threshold_is_a_whole_number_too(api, min_stock):
    refused(api.patch("/offices/62.02", {"min_stock": min_stock}, as_="manager"), 422, "validation_error")

    assert ok(api.get("/offices/62.02", as_="manager"))["min_stock"] == 0


# Near the calendar's ends an offset or a day's arithmetic overflows: such values are refused
# as invalid, never a 500 (a print at 0001-01-01T00:00+07:00 is before the first UTC instant).
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/offices/62.02/prints", {**PRINTED, "printed_at": "0001-01-01T00:00:00+07:00"}),
        ("POST", "/offices/62.02/prints", {**PRINTED, "printed_at": "9999-12-31T23:59:59-07:00"}),
        ("POST", "/offices/62.02/deliveries", {"quantity": 5, "received_at": "1899-12-31T23:00:00Z"}),
        ("PATCH", "/offices/62.02", {"target_date": "9999-12-31"}),
        ("PUT", "/offices/62.02/population",
         {"target": 10, "recorded": 5, "print_backlog": 0, "as_of": "0001-01-01"}),
        ("GET", "/offices/62.02/ledger?since=0001-01-01T00:00:00%2B07:00", None),
        ("GET", "/reports/consumption?under=62.02&to=0001-01-05", None),
        ("GET", "/reports/consumption?under=62.02&from=9999-12-01&to=9999-12-31&bucket=month", None),
    ],
)  # fmt: skip
def test_dates_at_the_ends_of_the_calendar_are_invalid(api, method, path, body):
    deliver(api, "62.02", 10)
    before = world(api)

    response = api.call(method, path, json=body, as_="admin")

    refusal = refused(response, 422, "validation_error")
    assert "Must be between 1900 and 2999." in str(refusal["errors"])
    assert world(api) == before


# --- probes and the spec ---------------------------------------------------------------------------


def test_the_probes_need_no_token(api):
    assert ok(api.get("/healthz")) == {"status": "ok"}
    assert ok(api.get("/readyz")) == {"status": "ok", "database": "reachable"}


def spec_operations(api):
    spec = ok(api.get("/openapi.json"))
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_the_spec_lists_the_api_paths_as_they_are_served(api):
    spec = ok(api.get("/openapi.json"))
    paths = set(spec["paths"])

    assert {
        "/api/v1/offices",
        "/api/v1/offices/{code}",
        "/api/v1/offices/{code}/stock",
        "/api/v1/offices/{code}/deliveries",
        "/api/v1/offices/{code}/prints",
        "/api/v1/offices/{code}/prints/batch",
        "/api/v1/offices/{code}/adjustments",
        "/api/v1/offices/{code}/ledger",
        "/api/v1/movements/{movement_id}",
        "/api/v1/movements/{movement_id}/reverse",
        "/api/v1/transfers",
        "/api/v1/transfers/{transfer_id}",
        "/api/v1/transfers/{transfer_id}/receive",
        "/api/v1/transfers/{transfer_id}/cancel",
    } <= paths
    assert all(path.startswith("/api/v1/") and not path.endswith("/") for path in paths)
    assert not {"/healthz", "/readyz"} & paths
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    idempotent = {op for op, item in _operations(spec) if "Idempotency-Key" in _parameters(item)}
    assert {
        ("POST", "/api/v1/offices/{code}/deliveries"),
        ("POST", "/api/v1/offices/{code}/prints"),
        ("POST", "/api/v1/offices/{code}/prints/batch"),
        ("POST", "/api/v1/offices/{code}/adjustments"),
        ("POST", "/api/v1/movements/{movement_id}/reverse"),
        ("POST", "/api/v1/transfers"),
        ("POST", "/api/v1/transfers/{transfer_id}/receive"),
        ("POST", "/api/v1/transfers/{transfer_id}/cancel"),
    } <= idempotent


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield (method.upper(), path), operation


def _parameters(operation):
    return {parameter["name"] for parameter in operation.get("parameters", [])}


def concrete(path):
    """A documented path with real values in it: {code} an office of the world, ids 1."""
    return re.sub(r"\{[a-z_]*id\}", "1", path.replace("{code}", "62.02"))


def test_every_documented_route_needs_a_token(api):
    deliver(api, "62.02", 10)
    dispatch(api, "62.02", "62.02.05", 1)
    before = world(api)
    operations = spec_operations(api)
    assert len(operations) >= 20

    for method, path in operations:
        for as_, error in ((None, "missing_token"), ("blk_unknown", "bad_token")):
            response = api.call(method, concrete(path), json={} if method != "GET" else None, as_=as_)
            assert response.status_code == 401, (method, path, response.status_code, response.json)
            assert response.json["error"] == error, (method, path)

    assert world(api) == before


# --- a refused request writes nothing ----------------------------------------------------------------

DELIVERY = "/offices/62.02/deliveries"


@pytest.mark.parametrize(
    ("method", "path", "body", "user", "status"),
    [
        ("POST", DELIVERY, {"quantity": 5}, None, 401),
        ("POST", DELIVERY, {"quantity": 5}, "blk_unknown", 401),
        ("POST", DELIVERY, {"quantity": 5}, "operator", 403),
        ("POST", "/offices/62.01/deliveries", {"quantity": 5}, "warehouse", 403),
        ("POST", "/offices/62.99/deliveries", {"quantity": 5}, "warehouse", 404),
        ("POST", DELIVERY, {"quantity": 0}, "warehouse", 422),
        (
            "POST",
            "/offices/62.02/adjustments",
            {"kind": "loss", "quantity": -11, "reason": "Flood"},
            "manager",
            409,
        ),
        (
            "POST",
            "/offices/62.02/adjustments",
            {"kind": "loss", "quantity": 1, "reason": "Flood"},
            "manager",
            422,
        ),
        ("POST", "/transfers", {"from": "62.02", "to": "62.01", "quantity": 11}, "warehouse", 409),
        ("POST", "/transfers/1/receive", None, "kobar_warehouse", 403),
        ("POST", "/transfers/1/cancel", None, "baamang_warehouse", 403),
        ("POST", "/movements/2/reverse", {"reason": "Not a mistake"}, "manager", 409),
        ("POST", "/offices/62.02.05/prints/batch", {"prints": batch_items("b", 1001)}, "operator", 422),
        (
            "POST",
            "/offices",
            {"code": "62.02.05", "name": "x", "kind": "district", "parent_code": "62.02"},
            "admin",
            409,
        ),
        (
            "POST",
            "/offices",
            {"code": "62.02.07", "name": "x", "kind": "district", "parent_code": "62.02"},
            "manager",
            403,
        ),
        ("PATCH", "/offices/62.02", {"min_stock": 5, "name": "Sampit"}, "manager", 403),
    ],
)
def test_a_refused_request_writes_nothing(api, method, path, body, user, status):
    deliver(api, "62.02", 10)  # movement 1
    dispatch(api, "62.02", "62.02.05", 1)  # transfer 1, movement 2 (a transfer_out)
    before = world(api)

    response = api.call(method, path, json=body, as_=user)

    assert response.status_code == status, response.json
    assert world(api) == before


def test_a_malformed_request_writes_nothing(api):
    deliver(api, "62.02", 10)
    before = world(api)

    refused(malformed(api), 400, "malformed_json")
    refused(malformed(api, "/transfers"), 400, "malformed_json")

    assert world(api) == before

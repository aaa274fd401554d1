"""Bad input never gets a 500, on either database: each class of input is tried on every route
that takes it, found from the app's own URL map, not from a list kept by hand."""

from __future__ import annotations

import re
from urllib.parse import quote

import marshmallow as ma
import pytest
from marshmallow import fields, validate

import inventory.api  # noqa: F401  (imports every schema)
from inventory.core.parsing import IdConverter
from inventory.core.schemas import INT32_MAX, INT64_MAX, Strict
from tests.helpers import deliver, ok, refused, world

JSON = {"Content-Type": "application/json"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_rules(app, *, with_ids=None):
    """(method, rule) of every /api/v1 route; with_ids=True: only those with an id in the path."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        has_id = any(isinstance(c, IdConverter) for c in rule._converters.values())
        if with_ids is not None and has_id != with_ids:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def fill(rule, **values) -> str:
    """The rule's path with each placeholder set: ids from `values`, office codes to 62.02."""

    def value(match):
        name = match.group(2)
        converter = rule._converters[name]
        return str(values.get("id") if isinstance(converter, IdConverter) else values.get(name, "62.02"))

    return re.sub(r"<([^<>:]+(?:\([^)]*\))?:)?([^<>]+)>", value, rule.rule)


# --- integers from outside ------------------------------------------------------------


@pytest.mark.parametrize("beyond", [0, "max+1", 10**20, 10**40])
def test_an_id_that_cannot_exist_is_a_404_on_every_route(api, beyond):
    rules = list(api_rules(api.app, with_ids=True))
    assert len(rules) >= 9  # movements, transfers, alerts, subscriptions, notifications

    for method, rule in rules:
        # Every id of the path gets the value (/users/<user_id>/tokens/<token_id> has two).
        converters = [c for c in rule._converters.values() if isinstance(c, IdConverter)]
        value = min(c.max for c in converters) + 1 if beyond == "max+1" else beyond
        response = api.call(
            method, fill(rule, id=value), json={} if method in WRITE_METHODS else None, as_="admin"
        )
        assert response.status_code == 404, (method, rule.rule, value, response.json)
        refused(response, 404, "not_found")


def test_the_largest_id_a_column_holds_is_looked_up(api):
    refused(api.get(f"/movements/{INT64_MAX}", as_="admin"), 404, "not_found")
    refused(api.get(f"/transfers/{INT64_MAX}", as_="admin"), 404, "not_found")
    refused(api.get(f"/alerts/{INT64_MAX}", as_="admin"), 404, "alert_not_found")
    refused(api.delete(f"/subscriptions/{INT32_MAX}", as_="manager"), 404, "subscription_not_found")


def _input_schemas():
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return sorted(set(walk(Strict)), key=lambda cls: cls.__name__)


def unbounded_integers(schema_class) -> list[str]:
    """The Integer fields a client may send with no Range of both ends inside 64 bits."""
    found = []
    for name, field in schema_class().fields.items():
        inner = field.inner if isinstance(field, fields.List) else field
        if not isinstance(inner, fields.Integer) or field.dump_only:
            continue
        ranges = [v for v in inner.validators if isinstance(v, validate.Range)]
        if not ranges or any(
            r.min is None or r.max is None or r.min < -INT64_MAX or r.max > INT64_MAX for r in ranges
        ):
            found.append(name)
    return found


def test_every_integer_a_client_sends_has_bounds_its_column_can_hold():
    """Query and body integers alike: every input schema (all are Strict) bounds its Integers."""
    schemas = _input_schemas()
    assert len(schemas) >= 15

    assert {cls.__name__: unbounded_integers(cls) for cls in schemas if unbounded_integers(cls)} == {}


def test_an_integer_without_bounds_is_found():
    class Loose(ma.Schema):
        bounded = fields.Integer(validate=validate.Range(min=1, max=5))
        below_only = fields.Integer(validate=validate.Range(min=1))
        bare = fields.Integer()
        too_wide = fields.Integer(validate=validate.Range(min=0, max=INT64_MAX + 1))

    assert unbounded_integers(Loose) == ["below_only", "bare", "too_wide"]


@pytest.mark.parametrize("value", ["0", "-1", str(INT64_MAX + 1), "9" * 20, "9" * 4000, "9" * 5000, "1e3"])
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/offices/62.02/ledger", "before"),
        ("/offices/62.02/ledger", "limit"),
        ("/transfers", "before"),
        ("/alerts", "before"),
        ("/notifications", "before"),
        ("/offices", "page"),
        ("/offices", "per_page"),
        ("/offices/62.02/projection", "horizon_days"),
        ("/offices/62.02/redistribution", "horizon_days"),
        ("/requests", "before"),
        ("/requests", "limit"),
    ],
)
def test_query_integers_outside_their_range_are_422(api, path, name, value):
    body = refused(api.get(path, query_string={name: value}, as_="admin"), 422, "validation_error")

    assert list(body["errors"]["query"]) == [name]


@pytest.mark.parametrize("value", [-(2**31) - 1, 2**31, 2**63, -(2**63) - 1, 10**40, 10**4000])
def test_body_integers_outside_their_range_are_422_and_write_nothing(api, value):
    before = world(api)
    requests = [
        ("POST", "/offices/62.02/deliveries", {"quantity": value}, "warehouse", "quantity"),
        ("POST", "/offices/62.02/adjustments", {"counted": value, "reason": "count"}, "manager", "counted"),
        ("POST", "/offices/62.02/adjustments", {"kind": "loss", "quantity": value, "reason": "xyz"},
         "manager", "quantity"),
        ("POST", "/transfers", {"from": "62.02", "to": "62.02.05", "quantity": value},
         "warehouse", "quantity"),
        ("PATCH", "/offices/62.02", {"min_stock": value}, "manager", "min_stock"),
        ("PATCH", "/offices/62.02", {"print_capacity_per_day": value}, "manager", "print_capacity_per_day"),
        ("PUT", "/offices/62.02.05/population",
         {"target": value, "recorded": 0, "print_backlog": 0, "as_of": "2023-11-20"}, "manager", "target"),
        ("POST", "/requests", {"office": "62.02", "quantity": value}, "manager", "quantity"),
        ("POST", "/requests/1/approve", {"approved_quantity": value}, "manager", "approved_quantity"),
    ]  # fmt: skip
    for method, path, payload, user, field in requests:
        body = refused(api.call(method, path, json=payload, as_=user), 422, "validation_error")
        assert field in body["errors"]["json"], (path, body)

    assert world(api) == before


# --- text the database cannot store ---------------------------------------------------

UNSTORABLE = ["a\x00b", "\ud800", "\udc80\ud800"]  # NUL; a lone surrogate; a pair the wrong way round


# A URL carries bytes: NUL travels as %00, while a lone surrogate has no UTF-8 encoding at all
# (%ED%A0%80 is decoded with replacement characters), so in paths and queries NUL is the case.
NUL_TEXT = ["\x00", "62.02\x00"]


@pytest.mark.parametrize("bad", NUL_TEXT)
def test_nul_in_any_path_value_is_422_naming_it(api, bad):
    tried = 0
    for method, rule in api_rules(api.app):
        for name, converter in rule._converters.items():
            if isinstance(converter, IdConverter):
                continue
            path = fill(rule, id=1, **{name: quote(bad, safe="")})
            response = api.call(method, path, json={} if method in WRITE_METHODS else None, as_="admin")
            body = refused(response, 422, "unstorable_text")
            assert body["errors"] == {"path": {name: [body["message"]]}}, (rule.rule, body)
            tried += 1
    assert tried >= 10


def test_bytes_that_are_no_utf8_in_a_path_or_query_are_read_as_replacement_characters(api):
    refused(api.get("/offices/%ED%A0%80", as_="admin"), 404, "office_not_found")
    refused(api.get("/offices?parent=%ED%A0%80%FF", as_="admin"), 422, "validation_error")


@pytest.mark.parametrize("bad", NUL_TEXT)
@pytest.mark.parametrize(
    "path",
    ["/offices?parent={}", "/offices/62.02/ledger?kind={}", "/alerts?office={}", "/reports/stock?under={}",
     "/transfers?office={}", "/offices/62.02/ledger?unknown={}"],
)  # fmt: skip
def test_nul_in_any_query_value_is_422_naming_it(api, path, bad):
    name = path.split("?")[1].split("=")[0]

    body = refused(api.get(path.split("?")[0], query_string={name: bad}, as_="admin"), 422, "unstorable_text")

    assert body["errors"] == {"query": {name: [body["message"]]}}


def _json_bodies(bad):
    """A body for every write route with the bad text in one place, and where the error should say it is."""
    return [
        ("POST", "/offices", {"code": "63", "name": bad, "kind": "province", "parent_code": "ID"},
         {"name": 1}),
        ("POST", "/offices", {"code": bad, "name": "x", "kind": "province", "parent_code": "ID"},
         {"code": 1}),
        ("PATCH", "/offices/62.02", {"name": bad}, {"name": 1}),
        ("POST", "/offices/62.02/deliveries", {"quantity": 5, "note": bad}, {"note": 1}),
        ("POST", "/offices/62.02/deliveries", {"quantity": 5, "batch_no": "B", "document_no": bad},
         {"document_no": 1}),
        ("POST", "/offices/62.02/prints", {"outcome": "printed", "reason": bad}, {"reason": 1}),
        ("POST", "/offices/62.02/prints/batch",
         {"prints": [{"client_id": "ok", "outcome": "printed", "reason": "new_record"},
                     {"client_id": bad, "outcome": "printed", "reason": "new_record"}]},
         {"prints": {"1": {"client_id": 1}}}),
        ("POST", "/offices/62.02/adjustments", {"counted": 1, "reason": bad}, {"reason": 1}),
        ("POST", "/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 1, "note": bad}, {"note": 1}),
        ("POST", "/movements/1/reverse", {"reason": bad}, {"reason": 1}),
        ("PUT", "/offices/62.02/population",
         {"target": 1, "recorded": 1, "print_backlog": 0, "as_of": bad}, {"as_of": 1}),
        ("POST", "/alerts/1/acknowledge", {"note": bad}, {"note": 1}),
        ("POST", "/subscriptions", {"office": "62.02", "channel": "email", "email": bad}, {"email": 1}),
        ("POST", "/offices/62.02/deliveries", {"quantity": 5, bad: "key"}, {bad: 1}),
        ("POST", "/requests", {"office": "62.02", "quantity": 5, "justification": bad}, {"justification": 1}),
        ("POST", "/requests", {"office": "62.02", "quantity": 5, "via": ["62", bad]}, {"via": {"1": 1}}),
        ("POST", "/requests/1/approve", {"approved_quantity": 1, "note": bad}, {"note": 1}),
        ("POST", "/requests/1/close", {"note": bad}, {"note": 1}),
    ]  # fmt: skip


def _shape(errors):
    return {k: _shape(v) if isinstance(v, dict) else 1 for k, v in errors.items()}


@pytest.mark.parametrize("bad", UNSTORABLE)
def test_unstorable_text_in_any_json_value_is_422_naming_it_and_writes_nothing(api, bad):
    deliver(api, "62.02", 10)
    before = world(api)

    for method, path, payload, where in _json_bodies(bad):
        body = refused(api.call(method, path, json=payload, as_="admin"), 422, "unstorable_text")
        assert _shape(body["errors"]["json"]) == where, (path, body)

    assert world(api) == before


# --- JSON the parser chokes on, bodies cut short --------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 1000 + "]" * 1000,
        '{"a":' * 1000 + "1" + "}" * 1000,
        '{"quantity": 5, "note": ' + "[" * 40 + "]" * 40 + "}",
        '{"quantity": ' + "9" * 5000 + "}",
        '{"prints": [' + "-" + "1" * 10000 + "]}",
    ],
    ids=["arrays", "objects", "deep-field", "long-int", "long-negative"],
)
def test_json_the_parser_chokes_on_is_400_bad_json_on_every_write_route(api, raw):
    before = world(api)
    paths = ok(api.get("/openapi.json"))["paths"]
    tried = 0
    for method, rule in api_rules(api.app):
        operation = paths[re.sub(r"<(?:[^<>]+:)?([^<>]+)>", r"{\1}", rule.rule)][method.lower()]
        if "application/json" not in operation.get("requestBody", {}).get("content", {}):
            continue  # no body, or not JSON (a manifest is text, a destruction's scan raw bytes)
        response = api.call(method, fill(rule, id=1), data=raw, headers=JSON, as_="admin")
        body = refused(response, 400, "bad_json")
        assert body["errors"]["json"], body
        tried += 1

    assert tried >= 10
    assert world(api) == before


def test_json_that_is_merely_malformed_keeps_its_own_name(api):
    response = api.post("/offices/62.02/deliveries", data='{"quantity": 5', headers=JSON, as_="warehouse")

    refused(response, 400, "malformed_json")


def test_a_long_but_readable_integer_is_a_range_error_not_a_parse_error(api):
    raw = '{"quantity": ' + "9" * 4000 + "}"

    body = refused(
        api.post("/offices/62.02/deliveries", data=raw, headers=JSON, as_="warehouse"),
        422,
        "validation_error",
    )

    assert list(body["errors"]["json"]) == ["quantity"]


def test_the_openapi_error_schema_is_what_is_sent(api):
    spec = ok(api.get("/openapi.json"))
    schema = spec["components"]["schemas"]["Error"]

    assert set(schema["properties"]) == {"code", "status", "error", "message", "errors", "details"}
    assert set(schema["required"]) == {"code", "status", "error", "message"}


@pytest.mark.parametrize("value", [0, 1, "true", "no", None])
def test_a_flag_is_a_json_boolean(api, value):
    body = refused(api.patch("/offices/62.02.05", {"active": value}, as_="admin"), 422, "validation_error")

    assert list(body["errors"]["json"]) == ["active"]


def test_a_method_a_route_does_not_take_is_405_with_allow(api):
    response = api.call("PUT", "/transfers", json={}, as_="admin")

    refused(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}

"""Concurrent retries get honest answers: five requests with one Idempotency-Key, sent at once,
all answer with the first one's result, whatever the verb; concurrent creations of one office
code give one 201 and 409s that say why."""

from __future__ import annotations

from collections import Counter

import pytest

from inventory.core.unit_of_work import is_idempotent
from tests.conftest import ApiClient
from tests.helpers import PRINTED, books_problems, deliver, dispatch, ok, print_card, world
from tests.stock.test_concurrency import run_together

# Each keyed verb, set up on a regency holding 20 blanks: (method, path, body, user). The
# verbs whose second run would be refused (a reversal, a receive, the last blank) are the ones
# that used to tell a client that retried that its success had failed.


def office_create(api):
    body = {"code": "62.02.07", "name": "Ketapang", "kind": "district", "parent_code": "62.02"}
    return "POST", "/offices", body, "admin"


def office_settings(api):
    return "PATCH", "/offices/62.02", {"min_stock": 5}, "manager"


def delivery(api):
    return "POST", "/offices/62.02/deliveries", {"quantity": 40, "document_no": "BAST-118"}, "warehouse"


def manifest_delivery(api):
    return (
        "POST",
        "/offices/62.02/deliveries/manifest?document_no=BAST-119",
        b"uid\n04A1\n04A2\n",
        "warehouse",
    )


def last_blank_print(api):
    deliver(api, "62.02-JB1", 1)
    return "POST", "/offices/62.02-JB1/prints", PRINTED, "operator"


def batch_print(api):
    return "POST", "/offices/62.02/prints/batch", {"prints": [{"client_id": "jb-1", **PRINTED}]}, "operator"


def stocktake(api):
    return (
        "POST",
        "/offices/62.02/adjustments",
        {"counted": 7, "reason": "Stock opname", "confirm": True},
        "manager",
    )


def reversal(api):
    movement_id = print_card(api, "62.02")["movement"]["id"]
    return "POST", f"/movements/{movement_id}/reverse", {"reason": "Printed on the wrong form"}, "manager"


def transfer_dispatch(api):
    return "POST", "/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 4}, "warehouse"


def planned_dispatch(api):
    planned = ok(api.post("/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 4, "planned": True},
                          as_="manager"), 201)  # fmt: skip
    return "POST", f"/transfers/{planned['id']}/dispatch", None, "warehouse"


def transfer_receive(api):
    transfer = dispatch(api, "62.02", "62.02.05", 4)
    return "POST", f"/transfers/{transfer['id']}/receive", None, "baamang_warehouse"


def transfer_cancel(api):
    return "POST", f"/transfers/{dispatch(api, '62.02', '62.02.05', 4)['id']}/cancel", None, "warehouse"


def population_set(api):
    body = {"target": 1000, "recorded": 900, "print_backlog": 10, "as_of": "2026-11-01"}
    return "PUT", "/offices/62.02.05/population", body, "manager"


def population_clear(api):
    body = {"target": 1000, "recorded": 900, "print_backlog": 10, "as_of": "2026-11-01"}
    ok(api.put("/offices/62.02.05/population", body, as_="manager"))
    return "DELETE", "/offices/62.02.05/population", None, "manager"


def alert_acknowledge(api):
    ok(api.patch("/offices/62.02", {"min_stock": 50}, as_="manager"))
    alert = ok(api.get("/alerts", query_string={"office": "62.02", "kind": "low_stock"}, as_="manager"))
    return "POST", f"/alerts/{alert['items'][0]['id']}/acknowledge", {"note": "Ordered"}, "manager"


WEBHOOK = {"office": "62.02", "channel": "webhook", "url": "https://hooks.example.id/b", "secret": "s" * 20}


def subscribe(api):
    return "POST", "/subscriptions", WEBHOOK, "manager"


def unsubscribe(api):
    subscription = ok(api.post("/subscriptions", WEBHOOK, as_="manager"), 201)
    return "DELETE", f"/subscriptions/{subscription['id']}", None, "manager"


def _request(api, *actions):
    """A request from 62.02 to its province, taken through `actions` by the right people."""
    if "province_manager" not in api.tokens:
        api.add_user("province_manager", "manager", "62")
    body = {"office": "62.02", "quantity": 100, "justification": "Cadangan perekaman"}
    request_id = ok(api.post("/requests", body, as_="manager"), 201)["id"]
    for action in actions:
        user = "manager" if action == "submit" else "province_manager"
        ok(api.post(f"/requests/{request_id}/{action}", {}, as_=user))
    return request_id


def request_create(api):
    return "POST", "/requests", {"office": "62.02", "quantity": 100, "justification": "Cadangan"}, "manager"


def request_submit(api):
    return "POST", f"/requests/{_request(api)}/submit", {}, "manager"


def request_approve(api):
    body = {"approved_quantity": 60, "note": "Stok terbatas"}
    return "POST", f"/requests/{_request(api, 'submit')}/approve", body, "province_manager"


def request_reject(api):
    return "POST", f"/requests/{_request(api, 'submit')}/reject", {"note": "Stok habis"}, "province_manager"


def request_cancel(api):
    return "POST", f"/requests/{_request(api, 'submit')}/cancel", {"note": "Salah kirim"}, "manager"


def request_close(api):
    body = {"note": "Sisa tidak datang"}
    return "POST", f"/requests/{_request(api, 'submit', 'approve')}/close", body, "province_manager"


def returned_cards(api):
    return "POST", "/offices/62.02/returned-cards", {"quantity": 2, "reason": "damaged"}, "operator"


BERITA_ACARA = {
    "document_no": "BA-1", "destroyed_on": "2026-12-01", "place": "Sampit", "method": "burned",
    "counts": {"returned_card": 2},
    "witnesses": [{"name": "A", "institution": "Satpol PP", "role": "Saksi"},
                  {"name": "B", "institution": "Inspektorat", "role": "Saksi"}],
}  # fmt: skip


def _signed_record(api, sign=True):
    """A destruction record of two returned cards at 62.02: signed (and scanned), or a draft."""
    ok(api.post("/offices/62.02/returned-cards", {"quantity": 2, "reason": "damaged"}, as_="operator"), 201)
    record = ok(api.post("/offices/62.02/destructions", BERITA_ACARA, as_="manager"), 201)
    if sign:
        ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
        scan = {"Content-Type": "application/pdf"}
        ok(api.put(f"/destructions/{record['id']}/scan", data=b"%PDF-1.4 scan", headers=scan, as_="manager"))
    return record["id"]


def destruction_draft(api):
    return "POST", "/offices/62.02/destructions", BERITA_ACARA, "manager"


def destruction_edit(api):
    return "PATCH", f"/destructions/{_signed_record(api, sign=False)}", {"place": "Kantor"}, "manager"


def destruction_sign(api):
    return "POST", f"/destructions/{_signed_record(api, sign=False)}/sign", None, "manager"


def destruction_report(api):
    return "POST", f"/destructions/{_signed_record(api)}/report", None, "manager"


def destruction_reverse(api):
    return "POST", f"/destructions/{_signed_record(api)}/reverse", {"reason": "Salah hitung"}, "manager"


def _operator_id(api):
    """The one operator of 62.02."""
    return ok(api.get("/users", query_string={"role": "operator", "office": "62.02"}, as_="admin"))["items"][
        0
    ]["id"]


def user_disable(api):
    return "PATCH", f"/users/{_operator_id(api)}", {"active": False}, "admin"


def token_revoke(api):
    user_id = _operator_id(api)
    token_id = ok(api.post(f"/users/{user_id}/tokens", as_="admin"), 201)["id"]
    return "DELETE", f"/users/{user_id}/tokens/{token_id}", None, "admin"


# (verb, the route it exercises as (method, rule))
KEYED_VERBS = {
    office_create: ("POST", "/api/v1/offices"),
    office_settings: ("PATCH", "/api/v1/offices/<code>"),
    delivery: ("POST", "/api/v1/offices/<code>/deliveries"),
    manifest_delivery: ("POST", "/api/v1/offices/<code>/deliveries/manifest"),
    last_blank_print: ("POST", "/api/v1/offices/<code>/prints"),
    batch_print: ("POST", "/api/v1/offices/<code>/prints/batch"),
    stocktake: ("POST", "/api/v1/offices/<code>/adjustments"),
    reversal: ("POST", "/api/v1/movements/<id:movement_id>/reverse"),
    transfer_dispatch: ("POST", "/api/v1/transfers"),
    planned_dispatch: ("POST", "/api/v1/transfers/<id:transfer_id>/dispatch"),
    transfer_receive: ("POST", "/api/v1/transfers/<id:transfer_id>/receive"),
    transfer_cancel: ("POST", "/api/v1/transfers/<id:transfer_id>/cancel"),
    population_set: ("PUT", "/api/v1/offices/<code>/population"),
    population_clear: ("DELETE", "/api/v1/offices/<code>/population"),
    alert_acknowledge: ("POST", "/api/v1/alerts/<id:alert_id>/acknowledge"),
    subscribe: ("POST", "/api/v1/subscriptions"),
    unsubscribe: ("DELETE", "/api/v1/subscriptions/<id32:subscription_id>"),
    request_create: ("POST", "/api/v1/requests"),
    request_submit: ("POST", "/api/v1/requests/<id:request_id>/submit"),
    request_approve: ("POST", "/api/v1/requests/<id:request_id>/approve"),
    request_reject: ("POST", "/api/v1/requests/<id:request_id>/reject"),
    request_cancel: ("POST", "/api/v1/requests/<id:request_id>/cancel"),
    request_close: ("POST", "/api/v1/requests/<id:request_id>/close"),
    returned_cards: ("POST", "/api/v1/offices/<code>/returned-cards"),
    destruction_draft: ("POST", "/api/v1/offices/<code>/destructions"),
    destruction_edit: ("PATCH", "/api/v1/destructions/<id:destruction_id>"),
    destruction_sign: ("POST", "/api/v1/destructions/<id:destruction_id>/sign"),
    destruction_report: ("POST", "/api/v1/destructions/<id:destruction_id>/report"),
    destruction_reverse: ("POST", "/api/v1/destructions/<id:destruction_id>/reverse"),
    user_disable: ("PATCH", "/api/v1/users/<id32:user_id>"),
    token_revoke: ("DELETE", "/api/v1/users/<id32:user_id>/tokens/<id32:token_id>"),
}


def send(api, request, key):
    method, path, body, user = request
    if isinstance(body, bytes):  # a manifest: text, not JSON
        headers = {"Idempotency-Key": key, "Content-Type": "text/csv"}
        return api.call(method, path, data=body, as_=user, headers=headers)
    return api.call(method, path, json=body, as_=user, headers={"Idempotency-Key": key})


def test_every_route_that_takes_a_key_is_raced_here(app):
    keyed = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            handler = getattr(view_class, method.lower(), None) if view_class else view
            if is_idempotent(handler):
                keyed.add((method, rule.rule))

    assert keyed == set(KEYED_VERBS.values()) | RACED_ELSEWHERE


# Dashboard routes with an Idempotency-Key take a session and a CSRF token, not a bearer
# token, so they are raced beside their other tests.
RACED_ELSEWHERE = {
    ("POST", "/offices/<code>/field/uploads"),  # tests/web/test_field.py: five tabs at once
}


@pytest.mark.parametrize("verb", KEYED_VERBS, ids=lambda verb: verb.__name__)
def test_five_retries_at_once_all_get_the_first_answer(api, verb):
    deliver(api, "62.02", 20)
    request = verb(api)

    responses = run_together(5, lambda _: send(api, request, "race-1"))

    statuses = Counter(response.status_code for response in responses)
    assert len(statuses) == 1 and next(iter(statuses)) in (200, 201, 204), [
        (r.status_code, r.get_json(silent=True)) for r in responses
    ]
    assert len({response.get_data() for response in responses}) == 1  # one answer, ids included
    replayed = [response.headers.get("Idempotent-Replayed") for response in responses]
    assert sorted(replayed, key=str) == [None] + ["true"] * 4  # the work ran once
    after = world(api)
    assert send(api, request, "race-1").get_data() == responses[0].get_data()
    assert world(api) == after
    assert books_problems(api) == []


def test_one_office_code_created_five_times_at_once_is_created_once(api):
    body = {"code": "62.02.07", "name": "Ketapang", "kind": "district", "parent_code": "62.02"}

    responses = run_together(5, lambda _: api.post("/offices", body, as_="admin"))

    assert Counter(response.status_code for response in responses) == {201: 1, 409: 4}
    refusals = [response.json for response in responses if response.status_code == 409]
    assert {refusal["error"] for refusal in refusals} == {"office_exists"}
    assert all("62.02.07" in refusal["message"] for refusal in refusals)
    offices = ok(api.get("/offices", query_string={"parent": "62.02", "per_page": 100}, as_="admin"))
    assert [office["code"] for office in offices["items"]].count("62.02.07") == 1


def test_five_national_offices_created_at_once_leave_one(app):
    """On PostgreSQL all five pass the check and meet at the unique index: four are told why."""
    client = ApiClient(app)
    client.add_user("admin", "admin")

    responses = run_together(
        5,
        lambda n: client.post(
            "/offices", {"code": f"N{n}", "name": "Nasional", "kind": "national"}, as_="admin"
        ),
    )

    assert Counter(response.status_code for response in responses) == {201: 1, 409: 4}, [
        response.json for response in responses
    ]
    assert {r.json["error"] for r in responses if r.status_code == 409} == {"national_exists"}
    assert client.get("/offices?kind=national", as_="admin").json["total"] == 1


def test_region_imports_and_a_new_national_office_at_once_build_one_tree(app):
    """Two imports of one regency and an admin's national office at once, on an empty tree:
    each waits for the other, so none meets a unique index (a 500); one national office."""
    client = ApiClient(app)
    client.add_user("admin", "admin")
    calls = [
        ("/regions/import", {"under": "62.02"}),
        ("/regions/import", {"under": "62.02"}),
        ("/offices", {"code": "RI", "name": "Nasional", "kind": "national"}),
    ]

    responses = run_together(3, lambda n: client.post(calls[n][0], calls[n][1], as_="admin"))

    statuses = [response.status_code for response in responses]
    assert statuses[:2] == [200, 200] and statuses[2] in (201, 409), [r.json for r in responses]
    assert sorted(response.json["created"] for response in responses[:2])[0] == 0
    nationals = client.get("/offices?kind=national", as_="admin").json
    assert nationals["total"] == 1
    regency = client.get("/offices/62.02", as_="admin").json
    assert regency["parent_code"] == "62"
    province = client.get("/offices/62", as_="admin").json
    assert province["parent_code"] == nationals["items"][0]["code"]
    assert books_problems(client) == []

"""Small shared steps for the HTTP API stories: record stock, read it back, check error shapes."""

from __future__ import annotations

from inventory.core.db import db
from inventory.stock.verify import problems

PRINTED = {"outcome": "printed", "reason": "new_record"}
SPOILED = {"outcome": "spoiled", "reason": "new_record"}
STATUS_NAMES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    503: "Service Unavailable",
}


def ok(response, status=200):
    """The JSON body of a response that must have succeeded with `status`."""
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


def refused(response, status, error):
    """The JSON body of a refusal, after checking the one error shape every refusal has."""
    body = response.json
    assert response.status_code == status, (response.status_code, body)
    assert response.content_type == "application/json"
    assert body["code"] == status
    assert body["status"] == STATUS_NAMES[status]
    assert body["error"] == error, body
    assert isinstance(body["message"], str) and body["message"]
    if status == 422:
        assert body["errors"], body  # per field (or `_schema` for the request as a whole)
    return body


# --- recording stock ------------------------------------------------------------------


def deliver(api, code, quantity, as_="warehouse", **fields):
    return ok(api.post(f"/offices/{code}/deliveries", {"quantity": quantity, **fields}, as_=as_), 201)


def print_card(api, code, body=PRINTED, as_="operator"):
    return ok(api.post(f"/offices/{code}/prints", body, as_=as_), 201)


def print_batch(api, code, items, as_="operator"):
    return ok(api.post(f"/offices/{code}/prints/batch", {"prints": items}, as_=as_))


def batch_items(prefix, count, body=PRINTED):
    return [{"client_id": f"{prefix}-{n:04d}", **body} for n in range(count)]


def adjust(api, code, as_="manager", **body):
    """A count or signed adjustment; a count is confirmed, as its caller means it (whatever its
    difference: tests/stock/test_adjustments.py tests the confirmation itself)."""
    if "counted" in body:
        body.setdefault("confirm", True)
    return ok(api.post(f"/offices/{code}/adjustments", body, as_=as_), 201)


def dispatch(api, source, destination, quantity, as_="warehouse"):
    body = {"from": source, "to": destination, "quantity": quantity}
    return ok(api.post("/transfers", body, as_=as_), 201)


def reverse(api, movement_id, reason="Entered by mistake", as_="manager"):
    return api.post(f"/movements/{movement_id}/reverse", {"reason": reason}, as_=as_)


# --- reading it back ------------------------------------------------------------------


def stock(api, code):
    return ok(api.get(f"/offices/{code}/stock", as_="admin"))


def ledger(api, code, as_="admin", **query):
    """One page of the stock card."""
    return ok(api.get(f"/offices/{code}/ledger", query_string=query, as_=as_))


def whole_ledger(api, code, limit=500, **query):
    """Every movement of an office, newest first, following next_before to the end."""
    items, before = [], None
    while True:
        page = ledger(api, code, limit=limit, **query, **({"before": before} if before else {}))
        items += page["items"]
        before = page["next_before"]
        if before is None:
            return items


def world(api):
    """Everything a request could have changed: offices, balances, stock cards and transfers."""
    offices = ok(api.get("/offices", query_string={"per_page": 500}, as_="admin"))
    codes = [office["code"] for office in offices["items"]]
    return {
        "offices": offices,
        "stock": {code: stock(api, code) for code in codes},
        "ledgers": {code: whole_ledger(api, code) for code in codes},
        "transfers": ok(api.get("/transfers", query_string={"limit": 500}, as_="admin"))["items"],
    }


def books_problems(api):
    """Balances against ledgers and open transfers (inventory/stock/verify.py); [] when the books agree."""
    with api.app.app_context():
        try:
            return problems()
        finally:
            db.session.remove()

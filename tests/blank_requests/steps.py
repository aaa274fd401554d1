"""Steps the request stories share: create, act, ship against a request."""

from __future__ import annotations

from inventory.planning.figures import today
from tests.helpers import ok


def kotim_population(api):
    """Kotawaringin Timur, November 2023: 310,785 must hold a card, 308,289 are recorded."""
    body = {"target": 310_785, "recorded": 308_289, "print_backlog": 0, "as_of": today().isoformat()}
    ok(api.put("/offices/62.02/population", body, as_="manager"))


def create(api, as_="manager", **body):
    body.setdefault("office", "62.02")
    return api.post("/requests", body, as_=as_)


def act(api, request_id, action, as_, headers=None, **body):
    return api.post(f"/requests/{request_id}/{action}", body, as_=as_, headers=headers)


def submitted(api, quantity=4000, as_="manager", **body):
    """A request created and submitted; its JSON."""
    body.setdefault("justification", "Pemilu: perekaman massal di sekolah.")
    request = ok(create(api, quantity=quantity, as_=as_, **body), 201)
    return ok(act(api, request["id"], "submit", as_))


def approved(api, quantity=4000, approved_quantity=None, **body):
    """A request from 62.02 to the province, submitted and approved there."""
    request = submitted(api, quantity, **body)
    decision = (
        {} if approved_quantity is None else {"approved_quantity": approved_quantity, "note": "Stok terbatas"}
    )
    return ok(act(api, request["id"], "approve", "province_manager", **decision))


def transfer(api, quantity, request_id, source="62", destination="62.02", as_="province_warehouse", **extra):
    body = {"from": source, "to": destination, "quantity": quantity, "request_id": request_id, **extra}
    return api.post("/transfers", body, as_=as_)

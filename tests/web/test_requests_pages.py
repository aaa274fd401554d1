"""The requests pages through Flask's test client: a manager asks, the province decides, and every
refusal is a flashed reason in the reader's language, never a 500 or a partial write."""

from __future__ import annotations

import re

import pytest

from tests.blank_requests.steps import kotim_population
from tests.helpers import deliver, ok
from tests.web.dashboard import NONCE, browser, set_password


@pytest.fixture
def asking(web):
    """Kotim needs blanks (so the projection suggests an order); the province has a manager."""
    web.add_user("province_manager", "manager", "62")
    web.add_user("province_warehouse", "warehouse", "62")
    for name in ("province_manager", "province_warehouse"):
        set_password(web.app, name)
    kotim_population(web)
    deliver(web, "62", 10_000, as_="admin")
    return web


def _requests(api, as_="manager") -> list[dict]:
    return ok(api.get("/requests", as_=as_))["items"]


def _new_request(b, **fields) -> object:
    page = b.text("/offices/62.02/requests/new")
    data = {"supplier": "62", "nonce": NONCE.search(page).group(1), **fields}
    return b.post("/offices/62.02/requests", data)


def test_the_new_request_form_is_prefilled_from_the_suggestion(asking):
    suggestion = ok(asking.get("/offices/62.02/requests/suggestion", as_="manager"))
    assert suggestion["quantity"] > 0
    page = browser(asking, "manager").text("/offices/62.02/requests/new")
    assert re.search(rf'name="quantity"[^>]*value="{suggestion["quantity"]}"', page)
    assert "penduduk belum rekam" in page  # the justification, in Indonesian as the letter is
    assert '<option selected value="62">' in page  # the parent is asked by default


def test_manager_creates_and_submits_the_province_lowers_the_quota_with_a_note(asking):
    manager = browser(asking, "manager")
    suggested = ok(asking.get("/offices/62.02/requests/suggestion", as_="manager"))["quantity"]

    # A quantity other than the suggestion, without a reason: refused, nothing written.
    response = _new_request(manager, quantity=suggested + 1000, justification="")
    assert response.status_code == 422
    assert "membutuhkan justifikasi" in response.get_data(as_text=True)
    assert _requests(asking) == []

    response = _new_request(manager, quantity=4000, justification="Pemilu 2024: perekaman massal.")
    assert response.status_code == 302
    [request] = _requests(asking)
    assert (request["status"], request["quantity"], request["supplier"]) == ("draft", 4000, "62")

    assert manager.post(f"/requests/{request['id']}/submit").status_code == 302
    assert _requests(asking)[0]["status"] == "submitted"

    # The province sees it awaiting its decision; the regency's manager does not decide it.
    province = browser(asking, "province_manager")
    page = province.text("/requests")
    awaiting = page.split('id="awaiting"')[1].split('id="area-requests"')[0]
    assert f'data-id="{request["id"]}"' in awaiting
    assert f'data-id="{request["id"]}"' not in manager.text("/requests").split('id="area-requests"')[0]

    # A lower quota without a note is refused with the reason; with one it is approved.
    province.post(f"/requests/{request['id']}/approve", {"approved_quantity": 2500})
    assert "Tulis catatan" in province.text("/requests")
    assert _requests(asking)[0]["status"] == "submitted"
    province.post(f"/requests/{request['id']}/approve", {"approved_quantity": 2500, "note": "Stok terbatas."})
    request = _requests(asking)[0]
    assert (request["status"], request["approved_quantity"]) == ("approved", 2500)
    assert "disetujui" in province.text("/requests")

    # Approving again is a flashed refusal (409 in the API), not a second decision.
    province.post(f"/requests/{request['id']}/approve", {"approved_quantity": 2500})
    assert "tidak dapat lagi" in province.text("/requests")


def test_reject_needs_a_note_and_only_the_deciding_office_decides(asking):
    manager = browser(asking, "manager")
    _new_request(manager, quantity=4000, justification="Pemilu 2024.")
    request_id = _requests(asking)[0]["id"]
    manager.post(f"/requests/{request_id}/submit")

    # The requester cannot approve its own request; a warehouse clerk sees no decision forms. Each
    # is refused as the API refuses it: a 403 page saying why, not the list with a message.
    quota = {"approved_quantity": 4000}
    assert manager.post(f"/requests/{request_id}/approve", quota).status_code == 403
    api_refusal = asking.post(f"/requests/{request_id}/approve", quota, as_="manager")
    assert (api_refusal.status_code, api_refusal.json["error"]) == (403, "not_your_request")
    assert _requests(asking)[0]["status"] == "submitted"
    clerk = browser(asking, "province_warehouse")
    assert "/approve" not in clerk.text("/requests") and "/reject" not in clerk.text("/requests")
    assert clerk.post(f"/requests/{request_id}/reject", {"note": "Stok habis."}).status_code == 403
    assert _requests(asking)[0]["status"] == "submitted"

    province = browser(asking, "province_manager")
    province.post(f"/requests/{request_id}/reject", {"note": ""})
    assert _requests(asking)[0]["status"] == "submitted"
    province.post(f"/requests/{request_id}/reject", {"note": "Stok habis."})
    assert _requests(asking)[0]["status"] == "rejected"


def test_forms_need_their_csrf_token_and_a_sent_form_counts_once(asking):
    manager = browser(asking, "manager")
    page = manager.text("/offices/62.02/requests/new")
    nonce = NONCE.search(page).group(1)
    form = {"supplier": "62", "nonce": nonce, "quantity": 4000, "justification": "Pemilu 2024."}
    assert manager.post("/offices/62.02/requests", form, csrf=False).status_code == 400
    assert _requests(asking) == []
    assert manager.post("/offices/62.02/requests", form).status_code == 302
    assert manager.post("/offices/62.02/requests", form).status_code == 302
    assert len(_requests(asking)) == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/offices/62.01/requests/new", 403),  # outside the regency manager's area
        ("/offices/99.99/requests/new", 404),
    ],
)
def test_new_request_outside_the_area_or_unknown_office(asking, path, status):
    assert browser(asking, "manager").get(path).status_code == status


@pytest.mark.parametrize("name", ["operator", "warehouse"])
def test_only_managers_open_the_new_request_form(asking, name):
    assert browser(asking, name).get("/offices/62.02/requests/new").status_code == 403


@pytest.mark.parametrize(
    "form",
    [
        {"quantity": "-5"},
        {"quantity": "99999999999999999999"},
        {"quantity": "12\x00"},
        {"quantity": "4000", "supplier": "62.01"},  # not an ancestor: not among the choices
        {"quantity": "4000", "needed_by": "2024-02-30"},
    ],
)
def test_bad_input_is_a_422_page_and_writes_nothing(asking, form):
    manager = browser(asking, "manager")
    response = _new_request(manager, **{"justification": "Pemilu 2024.", **form})
    assert response.status_code == 422
    assert _requests(asking) == []

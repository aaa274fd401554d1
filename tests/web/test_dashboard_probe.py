"""The dashboard probed from outside, as a careless client or an attacker would: each test is a
class of input that once gave a 500 or was taken where the API refuses it. Never a 500, never
a write, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import deliver, ledger, ok, stock
from tests.web.dashboard import browser

# --- page cursors -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/requests", "/alerts"])
@pytest.mark.parametrize("cursor", [str(2**63), str(10**30), "9" * 5000, "0", "-5", "\u0661\u0662", "abc"])
def test_a_page_cursor_that_names_no_row_is_refused_not_a_500(web, path, cursor):
    b = browser(web, "manager")
    response = b.get(path, query_string={"before": cursor})
    assert response.status_code == 422 and "text/html" in response.content_type
    assert b.get(path, query_string={"before": str(2**63 - 1)}).status_code == 200


# --- the field unit's upload (a JSON body read outside the API's parser) ------------------

DEVICE = "a1b2c3d4e5f6"


def _upload(b, raw: bytes, key: str | None = None):
    token = b.get("/offices/62.02/field/token").json["csrf_token"]
    headers = {"Accept": "application/json", "X-CSRFToken": token}
    if key:
        headers["Idempotency-Key"] = key
    return b.client.post(
        "/offices/62.02/field/uploads", data=raw, content_type="application/json", headers=headers
    )


def _prints(web):
    return [m for m in ledger(web, "62.02")["items"] if m["kind"] == "print"]


@pytest.mark.parametrize("key", [None, "upload-1"])  # the page sends one with every upload
@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800"])
def test_an_upload_with_text_no_database_can_store_is_refused_whole(web, escape, key):
    deliver(web, "62.02", 5)
    b = browser(web, "operator")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    raw = (
        f'{{"device": "{DEVICE}", "device_time": "{now}", "prints": [{{"client_id": "f:{DEVICE}:{escape}", '
        f'"outcome": "printed", "reason": "new_record"}}]}}'
    ).encode()
    response = _upload(b, raw, key)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"] == "unstorable_text"
    assert response.json["errors"] == {"prints": {"0": {"client_id": [response.json["message"]]}}}
    assert _prints(web) == [] and stock(web, "62.02")["on_hand"] == 5


def test_an_upload_refused_under_its_idempotency_key_answers_in_json(web):
    """The page sends every upload with a key; a refused one was a 500 (the view's answer was
    a pair, which the key's replay could not read)."""
    b = browser(web, "operator")
    raw = b'{"device": "NOT A DEVICE", "device_time": "2026-01-01T00:00:00+00:00", "prints": []}'
    response = _upload(b, raw, "refused-1")
    assert response.status_code == 422 and response.json["error"] == "validation_error"
    assert _upload(b, raw, "refused-1").status_code == 422  # refusals are not kept: sent again, refused again


@pytest.mark.parametrize("key", [None, "deep-1"])
def test_an_upload_nested_too_deep_is_a_400(web, key):
    b = browser(web, "operator")
    depth = 100_000
    raw = f'{{"device": "{DEVICE}", "prints": {"[" * depth}{"]" * depth}}}'.encode()
    response = _upload(b, raw, key)
    assert response.status_code == 400 and response.json["error"] == "bad_json"
    assert _prints(web) == []


# --- dates: the API's calendar (1900-2999) on every page ------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "kind=consumption&to=9999-12-31",
        "kind=consumption&bucket=week&from=0001-01-01&to=0001-01-03",
        "kind=usage&from=9999-12-31",
        "kind=usage&to=0001-01-01&format=csv",
    ],
)
def test_report_days_off_the_calendar_are_refused_not_a_500(web, query):
    response = browser(web, "manager").get(f"/reports?{query}")
    assert response.status_code == 422 and "text/html" in response.content_type


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_form_day_the_api_refuses_is_refused_here_too(web, day):
    b = browser(web, "manager")
    b.get("/offices/62.02/settings")
    settings = {"min_stock": "10", "lead_time_days": "5", "safety_days": "3", "public_stale_days": "7"}
    assert b.post("/offices/62.02/settings", {**settings, "target_date": day}).status_code == 422
    assert web.get("/offices/62.02", as_="manager").json["target_date"] is None

    b.get("/offices/62.02/requests/new")
    asked = {"supplier": "62", "quantity": "10", "justification": "Stok habis", "needed_by": day}
    assert b.post("/offices/62.02/requests", {**asked, "nonce": "n" * 16}).status_code == 422
    assert web.get("/requests", as_="manager").json["items"] == []


# --- numbers: ASCII digits, as the API's JSON integers ---------------------------------------


@pytest.mark.parametrize("quantity", ["\u0661\u0662", "\uff11\uff12", "1_000", "12.0", "1e3"])
def test_a_number_in_another_script_or_spelling_is_not_a_number(web, quantity):
    b = browser(web, "warehouse")
    b.get("/offices/62.02")
    response = b.post("/offices/62.02/deliveries", {"quantity": quantity, "nonce": "n" * 16})
    assert response.status_code == 422
    assert stock(web, "62.02")["on_hand"] == 0
    # Written plainly, with the spaces a pasted figure brings, it is a number.
    assert b.post("/offices/62.02/deliveries", {"quantity": " 12 ", "nonce": "m" * 16}).status_code == 302
    assert stock(web, "62.02")["on_hand"] == 12


# --- files: the dashboard takes none -------------------------------------------------------


@pytest.mark.parametrize("as_file", ["note", "quantity", "nonce"])
def test_a_form_field_sent_as_a_file_is_refused_not_a_500(web, as_file):
    from io import BytesIO

    b = browser(web, "warehouse")
    b.get("/offices/62.02")
    form = {"csrf_token": b.token, "quantity": "5", "nonce": "n" * 16, "note": "ok"}
    form[as_file] = (BytesIO(form[as_file].encode()), "x.txt")
    response = b.client.post("/offices/62.02/deliveries", data=form, content_type="multipart/form-data")
    assert response.status_code == 400 and "text/html" in response.content_type
    assert stock(web, "62.02")["on_hand"] == 0


def test_a_plain_multipart_form_still_works(web):
    b = browser(web, "warehouse")
    b.get("/offices/62.02")
    form = {"csrf_token": b.token, "quantity": "5", "nonce": "n" * 16, "note": "ok"}
    response = b.client.post("/offices/62.02/deliveries", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    assert stock(web, "62.02")["on_hand"] == 5


@pytest.mark.parametrize("as_file", ["csrf_token", "extra"])
def test_the_population_upload_takes_its_file_and_nothing_else_as_a_file(web, as_file):
    from io import BytesIO

    b = browser(web, "manager")
    b.get("/offices/62.02/settings")
    url = "/offices/62.02/population/import"
    csv = "code,target,recorded,print_backlog,as_of\n62.02,1000,900,0,2024-01-01\n"
    form = {"csrf_token": b.token, "file": (BytesIO(csv.encode()), "p.csv")}
    form[as_file] = (BytesIO(b"x"), "x.txt")
    assert b.client.post(url, data=form, content_type="multipart/form-data").status_code == 400
    form = {"csrf_token": b.token, "file": (BytesIO(csv.encode()), "p.csv")}
    assert b.client.post(url, data=form, content_type="multipart/form-data").status_code in (302, 303)
    assert ok(web.get("/offices/62.02/population", as_="manager"))["own"]["target"] == 1000


# --- the same form from five tabs at once ----------------------------------------------------


def _five_at_once(web, who: str, path: str, form: dict) -> list[int]:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    tabs = [browser(web, who) for _ in range(5)]
    for tab in tabs:
        tab.get("/")
    start = Barrier(5)

    def send(n: int) -> int:
        start.wait()
        return tabs[n].client.post(path, data={**form, "csrf_token": tabs[n].token}).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        return list(pool.map(send, range(5)))


def test_one_press_sent_from_five_tabs_at_once_records_one_print(web):
    deliver(web, "62.02", 10)
    form = {"reason": "new_record", "outcome": "printed", "nonce": "n" * 16}
    answers = _five_at_once(web, "operator", "/offices/62.02/counter/prints", form)
    assert sorted(answers) == [302, 409, 409, 409, 409], answers
    assert len(_prints(web)) == 1 and stock(web, "62.02")["on_hand"] == 9


def test_one_day_sent_from_five_tabs_at_once_records_its_cards_once(web):
    deliver(web, "62.02", 10)
    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date().isoformat()
    form = {"day": day, "printed_new_record": "3", "nonce": "n" * 16}
    answers = _five_at_once(web, "operator", "/offices/62.02/counter/day", form)
    assert all(status in (302, 409) for status in answers), answers
    assert len(_prints(web)) == 3 and stock(web, "62.02")["on_hand"] == 7

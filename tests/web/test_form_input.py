"""What a careless or hostile browser sends to the dashboard's forms: text no database can
store, bodies too large, and forms sent after the session ended. Never a 500, never a
silent loss, on both databases."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from inventory.auth import sessions
from inventory.auth.models import User
from inventory.core.db import db
from tests.helpers import stock
from tests.web.dashboard import browser

UNSTORABLE = ["a\x00b", "\x00"]


@pytest.mark.parametrize("text", UNSTORABLE)
def test_unstorable_text_in_the_login_form_is_refused_before_anything(web, text):
    b = browser(web)
    b.get("/login")
    response = b.post("/login", {"username": "man" + text + "ager", "password": "pw-manager"})
    assert response.status_code == 422
    assert "text/html" in response.content_type


@pytest.mark.parametrize("text", UNSTORABLE)
def test_unstorable_text_in_a_form_field_writes_nothing(web, text):
    b = browser(web, "warehouse")
    b.get("/offices/62.02")
    response = b.post("/offices/62.02/deliveries", {"quantity": "10", "nonce": "n" * 16, "note": text})
    assert response.status_code == 422 and "text/html" in response.content_type
    assert stock(web, "62.02")["on_hand"] == 0


def test_a_body_larger_than_the_limit_is_a_413_not_an_echo(web):
    b = browser(web)
    b.get("/login")
    response = b.post("/login", {"username": "x" * (5 * 1024 * 1024), "password": "pw"})
    assert response.status_code == 413
    assert len(response.get_data()) < 10_000


def test_a_form_sent_after_the_session_ended_says_it_was_not_saved_and_leads_back(web):
    b = browser(web, "warehouse")
    b.get("/offices/62.02")
    with web.app.app_context():  # ended on the server, as by a password change elsewhere or 8 idle hours
        sessions.end_all(db.session.execute(select(User.id).where(User.name == "warehouse")).scalar_one())
        db.session.commit()
    response = b.post(
        "/offices/62.02/deliveries",
        {"quantity": "10", "nonce": "n" * 16},
        headers={"Referer": "http://localhost/offices/62.02"},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.path, parse_qs(location.query)) == ("/login", {"next": ["/offices/62.02"]})
    page = b.text("/login?next=/offices/62.02")
    assert "formulir tidak tersimpan" in page
    assert stock(web, "62.02")["on_hand"] == 0

    b.get("/login?next=/offices/62.02")
    back = b.post("/login", {"username": "warehouse", "password": "pw-warehouse", "next": "/offices/62.02"})
    assert back.status_code == 302 and back.headers["Location"].endswith("/offices/62.02")


def test_a_reason_of_spaces_and_a_letter_is_no_reason_on_the_dashboard_either(web):
    b = browser(web, "manager")
    b.get("/offices/62.02")
    response = b.post("/offices/62.02/stocktakes", {"counted": "0", "reason": "  ab  ", "nonce": "n" * 16})
    assert response.status_code == 422
    assert [m for m in api_ledger(web, "62.02") if m["kind"] == "stocktake"] == []


def api_ledger(api, code):
    return api.get(f"/offices/{code}/ledger", as_="admin").json["items"]

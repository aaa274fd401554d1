"""The public stock board (/papan): no log-in, nothing private, cacheable, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inventory.offices import time_zones
from tests.helpers import deliver, ok, print_card

pytestmark = pytest.mark.usefixtures("api")


def board(api, path="/papan.json", **query):
    response = api.app.test_client().get(path, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def offices(api, **query) -> dict[str, dict]:
    return {row["code"]: row for row in board(api, **query).json["offices"]}


def test_each_office_in_words_from_its_own_shelf(api):
    deliver(api, "62.02.05", 100, note="Catatan rahasia gudang", document_no="BAST-RAHASIA-1")
    deliver(api, "62.02-JB1", 1)
    print_card(api, "62.02-JB1")  # the unit's last blank
    deliver(api, "62.01", 10, as_="kobar_warehouse")
    ok(api.patch("/offices/62.01", {"min_stock": 10}, as_="admin"))

    found = offices(api)

    assert found["62.02.05"]["status"] == "available"
    assert found["62.02.05"]["status_text"] == "Tersedia"
    assert found["62.02-JB1"]["status"] == "out"
    assert found["62.01"]["status"] == "limited"  # at its minimum
    assert found["62.02.06"]["status"] == "stale"  # never recorded anything
    assert found["62.02.06"]["status_text"] == "Belum diperbarui"
    assert found["62.02.06"]["last_updated"] is None
    assert "ID" not in found  # the national office serves no resident
    assert found["62.02.05"]["last_updated"].endswith("+00:00")


def test_nothing_private_is_shown_and_the_number_only_where_the_office_opts_in(api):
    deliver(api, "62.02.05", 1234, note="Catatan rahasia gudang", document_no="BAST-RAHASIA-1")
    client = api.app.test_client()
    pages = ["/papan", "/papan/62.02", "/papan/62.02.05", "/papan/62.02.05/cetak", "/papan.json",
             "/papan?q=baamang"]  # fmt: skip
    for path in pages:
        text = client.get(path).get_data(as_text=True)
        for private in ("rahasia", "RAHASIA", "warehouse", "1.234", "1234", "manager", "min_stock"):
            assert private not in text, (path, private)
    assert offices(api)["62.02.05"]["quantity"] is None

    ok(api.patch("/offices/62.02.05", {"public_quantity": True}, as_="manager"))

    assert offices(api)["62.02.05"]["quantity"] == 1234
    assert "1.234" in board(api, "/papan/62.02.05").get_data(as_text=True)
    assert "1.234" in board(api, "/papan/62.02.05/cetak").get_data(as_text=True)


def test_an_office_not_updated_for_its_stale_days_says_so(api, monkeypatch):
    deliver(api, "62.02.05", 100)
    later = datetime.now(UTC) + timedelta(days=3)
    monkeypatch.setattr(time_zones, "now", lambda: later)

    row = offices(api)["62.02.05"]
    assert (row["status"], row["quantity"], row["days_of_cover"]) == ("stale", None, None)

    ok(api.patch("/offices/62.02.05", {"public_stale_days": 4, "public_quantity": True}, as_="manager"))
    assert offices(api)["62.02.05"]["status"] == "available"


def test_board_settings_are_the_managers_in_their_area(api):
    assert api.patch("/offices/62.02.05", {"public_quantity": True}, as_="operator").status_code == 403
    assert api.patch("/offices/62.02.05", {"public_quantity": True}, as_="kobar_manager").status_code == 403
    assert api.patch("/offices/62.02.05", {"public_stale_days": 0}, as_="manager").status_code == 422
    assert api.patch("/offices/62.02.05", {"public_quantity": "yes"}, as_="manager").status_code == 422
    body = ok(api.patch("/offices/62.02.05", {"public_stale_days": 5}, as_="manager"))
    assert (body["public_stale_days"], body["public_quantity"]) == (5, False)


def test_days_of_cover_at_the_recent_pace(api):
    deliver(api, "62.02.05", 100)
    for _ in range(3):
        print_card(api, "62.02.05", as_="baamang_operator")
    # 97 left, 3 used over the 30-day window: 970 days.
    assert offices(api)["62.02.05"]["days_of_cover"] == 970


def test_pages_in_indonesian_by_default_and_english_on_request(api):
    deliver(api, "62.02.05", 100)
    indonesian = board(api, "/papan/62.02").get_data(as_text=True)
    english = board(api, "/papan/62.02", lang="en").get_data(as_text=True)

    assert '<html lang="id">' in indonesian and "Tersedia" in indonesian and "Belum diperbarui" in indonesian
    assert '<html lang="en">' in english and "Available" in english and "Not updated" in english
    assert 'href="/papan/62.02.05?lang=en"' in english  # links keep the language
    assert offices(api, lang="en")["62.02.05"]["status_text"] == "Available"
    day = datetime.now(UTC).astimezone(time_zones.ZONES["WIB"])
    assert f"{day.day} {day.strftime('%b')} {day.year}" in english  # day first, month spelled out


def test_the_board_sets_no_cookie_and_may_be_cached(api):
    client = api.app.test_client()
    api.app.config["PUBLIC_BOARD_CACHE_SECONDS"] = 60
    for path in ("/papan", "/papan/62.02", "/papan.json", "/papan/62.02/cetak"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
        assert response.headers["Cache-Control"] == "public, max-age=60"
        etag = response.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path


def test_answers_are_kept_for_the_cache_time(api):
    deliver(api, "62.02.05", 100)
    api.app.config["PUBLIC_BOARD_CACHE_SECONDS"] = 60
    assert offices(api)["62.02.05"]["status"] == "available"
    ok(api.patch("/offices/62.02.05", {"min_stock": 500}, as_="manager"))

    assert offices(api)["62.02.05"]["status"] == "available"  # from the cache
    api.app.config["PUBLIC_BOARD_CACHE_SECONDS"] = 0
    assert offices(api)["62.02.05"]["status"] == "limited"


def test_unknown_offices_are_404_and_too_many_requests_429(api):
    client = api.app.test_client()
    assert client.get("/papan/99.99").status_code == 404
    assert "99.99" in client.get("/papan/99.99/cetak").get_data(as_text=True)
    missing = client.get("/papan.json?under=99.99")
    assert (missing.status_code, missing.json["error"]) == (404, "office_not_found")
    assert client.get("/papan/%00").status_code in (404, 422)
    assert client.get("/papan?q=%25_%5C").status_code == 200  # LIKE's own characters are searched as typed

    api.app.config["PUBLIC_BOARD_LIMIT"] = "2 per minute"
    client.get("/papan", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    client.get("/papan", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    refused = client.get("/papan.json", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json["error"] == "rate_limited"
    assert client.get("/papan", environ_base={"REMOTE_ADDR": "10.0.0.10"}).status_code == 200


def test_search_finds_offices_by_name_or_code(api):
    found = board(api, "/papan", q="  BAAMANG ").get_data(as_text=True)
    assert 'data-code="62.02.05"' in found and 'data-code="62.02.06"' not in found
    by_code = board(api, "/papan", q="62.02").get_data(as_text=True)
    assert 'data-code="62.02.05"' in by_code and 'data-code="62.02-JB1"' in by_code
    top = board(api, "/papan").get_data(as_text=True)
    assert 'data-code="62"' in top and 'data-code="62.02.05"' not in top


def test_a_regency_site_reads_its_own_area(api):
    assert set(offices(api, under="62.02")) == {"62.02", "62.02.05", "62.02.06", "62.02-JB1"}

"""An office's settings in the browser: the same rules and the same permissions as PATCH /offices/{code}."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.web.dashboard import browser

FORM = {"min_stock": "25", "target_date": "", "lead_time_days": "10", "safety_days": "5",
        "print_capacity_per_day": "400", "public_stale_days": "2"}  # fmt: skip


def office(web, code):
    return web.get(f"/offices/{code}", as_="admin").json


def test_a_manager_sets_the_office_thresholds_plans_and_board(web):
    b = browser(web, "manager")
    page = b.text("/offices/62.02.05/settings")
    assert 'name="min_stock"' in page and 'type="date"' in page and 'name="public_quantity"' in page
    future = (date.today() + timedelta(days=60)).isoformat()

    response = b.post("/offices/62.02.05/settings", {**FORM, "target_date": future, "public_quantity": "y"})

    assert response.status_code == 302
    saved = office(web, "62.02.05")
    assert (saved["min_stock"], saved["target_date"], saved["lead_time_days"], saved["safety_days"]) == (
        25, future, 10, 5,
    )  # fmt: skip
    assert (saved["print_capacity_per_day"], saved["public_quantity"], saved["public_stale_days"]) == (
        400,
        True,
        2,
    )
    assert "Pengaturan Baamang disimpan." in b.text("/offices/62.02.05/settings")

    # Emptied: no target date, capacity unknown, the number hidden again.
    assert b.post("/offices/62.02.05/settings", {**FORM, "print_capacity_per_day": ""}).status_code == 302
    saved = office(web, "62.02.05")
    assert (saved["target_date"], saved["print_capacity_per_day"], saved["public_quantity"]) == (
        None,
        None,
        False,
    )


def test_a_past_target_date_is_refused_on_its_field_and_nothing_is_saved(web):
    b = browser(web, "manager")
    b.get("/offices/62.02.05/settings")
    past = (date.today() - timedelta(days=3)).isoformat()

    response = b.post("/offices/62.02.05/settings", {**FORM, "target_date": past})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tanggal ini sudah lewat" in page
    assert office(web, "62.02.05")["min_stock"] == 0  # nothing of the form was saved
    bad = b.post("/offices/62.02.05/settings", {**FORM, "lead_time_days": "400"})
    assert bad.status_code == 422 and office(web, "62.02.05")["lead_time_days"] == 14


def test_only_managers_of_the_area_open_or_send_it(web):
    for name in ("operator", "warehouse", "kobar_manager"):
        b = browser(web, name)
        assert b.get("/offices/62.02.05/settings").status_code == 403, name
        assert b.post("/offices/62.02.05/settings", FORM).status_code == 403, name
    assert browser(web, "admin").get("/offices/62.02.05/settings").status_code == 200
    assert browser(web, "manager").post("/offices/62.02.05/settings", FORM, csrf=False).status_code == 400
    assert office(web, "62.02.05")["min_stock"] == 0
    assert 'href="/offices/62.02/settings"' in browser(web, "manager").text("/offices/62.02")
    assert "/settings" not in browser(web, "operator").text("/offices/62.02")


def test_the_projection_says_its_horizon_and_why_and_one_verdict_in_words(shortfall):
    b = browser(shortfall, "manager")
    page = b.text("/offices/62.02.05")
    assert "Proyeksi melihat 90 hari karena tanggal target belum diisi." in page
    assert "Data penduduk per 1 Jan 2024." in page
    # 100 residents to serve (1,000 - 900), with the default spoilage; no blank in stock.
    short = re.search(r'id="shortfall">([\d.]+)<', page).group(1)
    assert int(short.replace(".", "")) >= 100
    assert f"Kurang {short} blangko untuk 90 hari ke depan." in page
    assert "Belum ada pemakaian akhir-akhir ini, jadi belum ada tanggal habis." in page

    target = date.today() + timedelta(days=40)
    shortfall.patch("/offices/62.02.05", {"target_date": target.isoformat()}, as_="manager")
    page = b.text("/offices/62.02.05")
    months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    said = f"{target.day} {months[target.month - 1]} {target.year}"
    short = re.search(r'id="shortfall">([\d.]+)<', page).group(1)
    assert f"Kurang {short} blangko untuk melayani semua penduduk sebelum {said}." in page
    assert f"Proyeksi melihat sampai tanggal target {said}." in page
    assert "Belum ada data penduduk." in b.text("/offices/62.02.06")

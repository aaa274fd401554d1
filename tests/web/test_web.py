"""The dashboard through Flask's test client: log-in, CSRF, roles and areas, language, forms."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import g
from sqlalchemy import select

from inventory.auth.models import User
from inventory.core.db import db
from inventory.offices import tree as offices
from inventory.web import alerts_page, chart, labels
from inventory.web.account import safe_next
from inventory.web.i18n import TRANSLATIONS
from tests.helpers import deliver
from tests.web.dashboard import NONCE, browser, set_password

# --- log-in -------------------------------------------------------------------------


def test_pages_need_a_login_and_come_in_indonesian(web):
    b = browser(web)
    response = b.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    page = b.text("/login")
    assert '<html lang="id">' in page and "Nama pengguna" in page and "Kata sandi" in page


@pytest.mark.parametrize(
    ("name", "password"), [("manager", "wrong"), ("nobody", "pw-nobody"), ("kobar_warehouse", "")]
)
def test_login_failure(web, name, password):
    b = browser(web)
    b.get("/login")
    response = b.post("/login", {"username": name, "password": password})
    assert response.status_code in (401, 422)
    assert "/" not in response.headers.get("Location", "")
    assert b.get("/").status_code == 302  # still logged out


def test_users_without_password_or_disabled_cannot_log_in(web):
    with web.app.app_context():
        db.session.execute(select(User).where(User.name == "kobar_manager")).scalar_one().active = False
        db.session.commit()
    assert browser(web).login("kobar_manager").status_code == 401
    assert browser(web).login("baamang_warehouse").status_code == 401  # has no password


def test_login_sets_a_safe_session_cookie_and_logout_ends_it(web):
    b = browser(web)
    b.get("/login")
    response = b.post("/login", {"username": "manager", "password": "pw-manager", "next": "/alerts"})
    assert response.status_code == 302 and response.headers["Location"] == "/alerts"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert b.get("/").status_code == 200
    b.get("/")
    assert b.post("/logout").status_code == 302
    assert b.get("/").status_code == 302


def test_a_password_change_ends_open_sessions(web):
    b = browser(web, "manager")
    assert b.get("/").status_code == 200
    set_password(web.app, "manager", "a new one")
    assert b.get("/").status_code == 302


def test_users_change_their_own_password_and_their_other_sessions_end(web):
    here, elsewhere = browser(web, "manager"), browser(web, "manager")
    assert "Ganti kata sandi" in here.text("/password")

    new = "kalteng-62-baru"
    response = here.post("/password", {"current": "pw-manager", "new": new, "again": new})

    assert response.status_code == 302
    assert "Kata sandi diganti." in here.text("/")  # this session goes on
    assert elsewhere.get("/").status_code == 302  # the one opened with the old password ended
    assert browser(web).login("manager", "pw-manager").status_code == 401
    assert browser(web).login("manager", "kalteng-62-baru").status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"current": "wrong", "new": "kalteng-62-baru", "again": "kalteng-62-baru"},
         "Kata sandi sekarang salah."),
        ({"current": "pw-manager", "new": "kalteng-62-baru", "again": "kalteng-62-lain"},
         "Kedua kata sandi baru tidak sama."),
        ({"current": "pw-manager", "new": "pendek", "again": "pendek"}, "Gunakan 12 sampai 200 karakter."),
        ({"current": "pw-manager", "new": "Kalteng-62b", "again": "Kalteng-62b"},
         "Gunakan 12 sampai 200 karakter."),
        ({"current": "pw-manager", "new": "password1234", "again": "password1234"},
         "Kata sandi ini terlalu umum"),
        ({"current": "pw-manager", "new": "Bismillah2024!", "again": "Bismillah2024!"}, "terlalu umum"),
        ({"current": "pw-manager", "new": "manager-kotim-62", "again": "manager-kotim-62"},
         "Kata sandi tidak boleh memuat nama pengguna Anda."),
    ],
)  # fmt: skip
def test_a_password_change_needs_the_current_one_and_a_strong_new_one_twice(web, form, message):
    b = browser(web, "manager")
    b.get("/password")

    response = b.post("/password", form)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert browser(web).login("manager", "pw-manager").status_code == 302  # unchanged


def test_a_password_change_needs_a_login_and_a_csrf_token(web):
    assert browser(web).get("/password").status_code == 302
    b = browser(web, "manager")
    form = {"current": "pw-manager", "new": "kalteng-62-baru", "again": "kalteng-62-baru"}
    assert b.post("/password", form, csrf=False).status_code == 400
    assert browser(web).login("manager", "pw-manager").status_code == 302


def test_login_never_redirects_off_site(app):
    with app.test_request_context():
        assert safe_next("/alerts?status=resolved") == "/alerts?status=resolved"
        for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x", ""):
            assert safe_next(target, "web.login") == "/login"


CONTROL_CHARACTERS = ["\r\nSet-Cookie: x=1", "\n", "\r", "\x00", "\t", "\x1b[0m", "\x7f"]


@pytest.mark.parametrize("bad", CONTROL_CHARACTERS)
def test_control_characters_in_next_are_a_bad_request(web, bad):
    # NUL is text no database can store: refused before any view, in a query or a form (422).
    refused = 422 if "\x00" in bad else 400
    b = browser(web)
    target = "/alerts" + bad
    assert b.get("/login", query_string={"next": target}).status_code == refused
    b.get("/login")
    response = b.post("/login", {"username": "manager", "password": "pw-manager", "next": target})
    assert response.status_code == refused and "Set-Cookie: x" not in str(response.headers)
    assert b.get("/").status_code == 302  # not logged in by the refused request
    response = b.post("/language", {"lang": "en", "next": target})
    assert response.status_code == refused and "Location" not in response.headers
    assert "Nama pengguna" in b.text("/login")  # the language did not change either


def test_the_session_does_not_open_the_api(web):
    b = browser(web, "manager")
    assert b.client.get("/api/v1/offices").status_code == 401


def test_the_api_neither_reads_nor_writes_the_session_cookie(web):
    b = browser(web, "manager")
    token = {"Authorization": f"Bearer {web.tokens['manager']}"}

    response = b.client.get("/api/v1/offices", headers=token)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    assert b.get("/").status_code == 200  # the dashboard's session is still open


# --- CSRF ---------------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused(web):
    b = browser(web)
    b.get("/login")
    assert (
        b.post("/login", {"username": "warehouse", "password": "pw-warehouse"}, csrf=False).status_code == 400
    )
    b = browser(web, "warehouse")
    before = web.on_hand("62.02")
    response = b.post("/offices/62.02/deliveries", {"quantity": "10", "nonce": "n" * 16}, csrf=False)
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in response.get_data(as_text=True)
    assert web.on_hand("62.02") == before
    assert b.post("/logout", csrf=False).status_code == 400
    bad = b.post(
        "/offices/62.02/deliveries", {"quantity": "10", "nonce": "n" * 16, "csrf_token": "forged"}, csrf=False
    )
    assert bad.status_code == 400 and web.on_hand("62.02") == before


# --- roles and areas ----------------------------------------------------------------


def test_forms_follow_the_role(web):
    page = browser(web, "warehouse").text("/offices/62.02")
    assert 'id="delivery-form"' in page and 'id="transfer-form"' in page
    assert 'id="print-form"' not in page and 'id="stocktake-form"' not in page
    page = browser(web, "operator").text("/offices/62.02")
    assert 'id="print-form"' in page and 'id="delivery-form"' not in page
    page = browser(web, "manager").text("/offices/62.02")
    assert 'id="stocktake-form"' in page and 'id="delivery-form"' not in page


def test_a_role_cannot_post_another_roles_form(web):
    b = browser(web, "manager")
    response = b.post("/offices/62.02/deliveries", {"quantity": "10", "nonce": "n" * 16})
    assert response.status_code == 403
    assert "Peran Anda tidak boleh" in response.get_data(as_text=True)
    assert web.on_hand("62.02") == 0


def test_offices_outside_the_area_are_refused(web):
    kobar = browser(web, "kobar_manager")
    assert kobar.get("/offices/62.02").status_code == 403
    assert kobar.get("/?office=62.02").status_code == 403
    assert kobar.get("/alerts?office=62.02").status_code == 403
    assert "62.02.05" not in kobar.text("/")
    kobar_warehouse = browser(web, "kobar_warehouse")
    response = kobar_warehouse.post("/offices/62.02/deliveries", {"quantity": "10", "nonce": "n" * 16})
    assert response.status_code == 403 and "di luar wilayah Anda" in response.get_data(as_text=True)
    assert web.on_hand("62.02") == 0
    baamang = browser(web, "baamang_operator")
    assert baamang.get("/offices/62.02.05").status_code == 200
    assert baamang.get("/offices/62.02").status_code == 403
    assert browser(web, "operator").get("/offices/NOPE").status_code == 404


def test_overview_lists_the_area_with_a_status_each(shortfall):
    page = browser(shortfall, "manager").text("/")
    assert 'data-code="62.02.05" data-name="Baamang" data-status="out"' in page
    assert 'data-code="62.02.06" data-name="Mentawa Baru Ketapang" data-status="ok"' in page
    assert "Habis" in page
    admin = browser(shortfall, "admin").text("/")
    assert 'data-code="62"' in admin  # the admin starts at the top of the tree
    by_name = browser(shortfall, "manager").text("/?sort=name&dir=asc")
    assert by_name.index('data-name="Baamang"') < by_name.index('data-name="Jemput bola 1"')


# --- forms --------------------------------------------------------------------------


def test_a_delivery_resolves_the_alerts_it_answers(shortfall):
    b = browser(shortfall, "warehouse")
    page = b.text("/offices/62.02.05")
    # one condition, one alert: the stock-out, not also a shortfall for the same blanks
    assert 'data-kind="stockout"' in page and 'data-kind="projected_shortfall"' not in page
    nonce = NONCE.search(page).group(1)
    response = b.post(
        "/offices/62.02.05/deliveries", {"quantity": "500", "document_no": "BAST-1", "nonce": nonce}
    )
    assert response.status_code == 302
    page = b.text("/offices/62.02.05")
    assert "Penerimaan 500 blangko tercatat." in page
    assert 'data-kind="projected_shortfall"' not in page and 'data-kind="stockout"' not in page
    assert shortfall.on_hand("62.02.05") == 500
    # The same form again: nothing recorded twice.
    again = b.post("/offices/62.02.05/deliveries", {"quantity": "500", "nonce": nonce})
    assert again.status_code == 409 and shortfall.on_hand("62.02.05") == 500


def test_invalid_forms_and_refusals_come_back_as_pages(web):
    b = browser(web, "operator")
    page = b.text("/offices/62.02")
    response = b.post(
        "/offices/62.02/prints",
        {"outcome": "printed", "reason": "new_record", "nonce": NONCE.search(page).group(1)},
    )
    assert response.status_code == 409
    assert "Blangko tidak cukup: perlu 1, tersedia 0." in response.get_data(as_text=True)
    w = browser(web, "warehouse")
    response = w.post("/offices/62.02/deliveries", {"quantity": "-5", "nonce": "n" * 16})
    assert response.status_code == 422 and web.on_hand("62.02") == 0


def test_transfer_dispatch_and_receive(web):
    w = browser(web, "warehouse")
    w.post("/offices/62.02/deliveries", {"quantity": "100", "nonce": "a" * 16})
    response = w.post(
        "/offices/62.02/transfers", {"destination": "62.02.05", "quantity": "40", "nonce": "b" * 16}
    )
    assert response.status_code == 302 and web.on_hand("62.02") == 60
    transfer_id = web.get("/transfers?status=in_transit", as_="admin").json["items"][0]["id"]
    assert browser(web, "operator").post(f"/transfers/{transfer_id}/receive").status_code == 403
    assert w.post(f"/transfers/{transfer_id}/receive").status_code == 403  # who sent it, as the API
    assert web.on_hand("62.02.05") == 0
    set_password(web.app, "baamang_warehouse")
    baamang = browser(web, "baamang_warehouse")
    assert baamang.post(f"/transfers/{transfer_id}/receive").status_code == 302
    assert web.on_hand("62.02.05") == 40
    assert "Kiriman" in baamang.text("/offices/62.02.05")


def test_stocktake_by_a_manager(web):
    b = browser(web, "manager")
    count = {"counted": "7", "reason": "found in the cupboard", "nonce": "c" * 16}

    # Seven found on an empty shelf is a large difference: asked in words, nothing recorded.
    asked = b.post("/offices/62.02/stocktakes", count)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422 and web.on_hand("62.02") == 0
    assert "Anda menghitung 7 blangko; menurut buku 0: 7 lebih." in page
    assert 'id="stocktake-confirm"' in page and 'name="confirm"' in page

    response = b.post("/offices/62.02/stocktakes", {**count, "confirm": "y"})
    assert response.status_code == 302 and web.on_hand("62.02") == 7
    card = b.text("/offices/62.02")
    assert "Selisih besar dikonfirmasi oleh manager." in card
    assert 'id="stocktake-confirm"' not in card  # asked only when needed


def test_a_small_stocktake_difference_needs_no_confirmation(web):
    deliver(web, "62.02", 1000)
    b = browser(web, "manager")
    response = b.post(
        "/offices/62.02/stocktakes", {"counted": "990", "reason": "Stok opname", "nonce": "d" * 16}
    )
    assert response.status_code == 302 and web.on_hand("62.02") == 990
    assert "dikonfirmasi oleh" not in b.text("/offices/62.02")
    with web.app.test_request_context():
        g.page_language = "en"
        in_english = labels.count_difference(1000, 900)
    assert in_english.startswith("You counted 900 blanks; the books say 1,000: 100 fewer (10 %).")


def test_acknowledge_an_alert(shortfall):
    alert = shortfall.get("/alerts?office=62.02.05&kind=stockout", as_="admin").json["items"][0]
    operator = browser(shortfall, "operator")
    assert "Konfirmasi" not in operator.text("/alerts")
    assert operator.post(f"/alerts/{alert['id']}/acknowledge", {"note": "x"}).status_code == 403
    kobar = browser(shortfall, "kobar_manager")
    assert kobar.post(f"/alerts/{alert['id']}/acknowledge", {"note": "x"}).status_code == 403
    manager = browser(shortfall, "manager")
    assert "Konfirmasi" in manager.text("/alerts")
    assert manager.post(f"/alerts/{alert['id']}/acknowledge", {"note": "ordered"}).status_code == 302
    assert shortfall.get(f"/alerts/{alert['id']}", as_="admin").json["status"] == "acknowledged"
    manager.post(f"/alerts/{alert['id']}/acknowledge", {"note": "again"})
    assert "Peringatan ini sudah dikonfirmasi." in manager.text("/alerts")
    assert manager.post(f"/alerts/{alert['id']}/acknowledge", {"note": ""}).status_code == 302


def test_alerts_come_a_page_at_a_time_newest_first(shortfall, monkeypatch):
    monkeypatch.setattr(alerts_page, "PAGE_SIZE", 2)
    ids = [a["id"] for a in shortfall.get("/alerts?status=unresolved", as_="admin").json["items"]]
    assert len(ids) > 2  # stock-out and shortfall at Baamang, its regency, province and the nation
    admin = browser(shortfall, "admin")

    seen, page, pages = [], admin.text("/alerts"), 0
    while True:
        pages += 1
        seen += [int(found) for found in re.findall(r'id="alert-(\d+)"', page)]
        older = re.search(r'href="([^"]+)" rel="next"', page)
        if older is None:
            break
        page = admin.text(older.group(1).replace("&amp;", "&"))

    assert seen == ids  # every alert once, newest first
    assert pages == -(-len(ids) // 2)
    assert "Peringatan terbaru" in page and "Peringatan lebih lama" not in page


# --- language -----------------------------------------------------------------------


def test_language_switch(web):
    b = browser(web, "manager")
    assert "Ringkasan" in b.text("/")
    response = b.post("/language", {"lang": "en", "next": "/alerts"})
    assert response.status_code == 302 and response.headers["Location"] == "/alerts"
    page = b.text("/alerts")
    assert '<html lang="en">' in page and "Overview" in page and "Ringkasan" not in page
    b.post("/language", {"lang": "xx", "next": "https://evil.example/"})
    assert "Overview" in b.text("/")
    b.post("/logout")
    assert "User name" in b.text("/login")  # the choice outlives the session
    b.post("/language", {"lang": "id"})
    assert "Nama pengguna" in b.text("/login")


def test_every_message_has_an_indonesian_translation():
    methods = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "_pl": ((1, "c"), 2)}
    found = {
        (context, message)
        for _, _, message, _, context in extract_from_dir(
            str(TRANSLATIONS.parent), methods, keywords=keywords, comment_tags=()
        )
    }
    with open(TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    missing = [m for c, m in found if not (catalog.get(m, context=c) and catalog.get(m, context=c).string)]
    assert not missing, missing


# --- chart --------------------------------------------------------------------------


def test_chart_draws_history_and_the_run_out():
    today = date(2024, 3, 1)
    points = [(date(2024, 2, 1), 1000), (date(2024, 2, 15), 600)]
    drawn = chart.build(points, today, 500, date(2024, 3, 21), minimum=200)
    assert drawn.history.count(",") == 5  # the first day, then each change drawn flat and then down
    x1, _, _, y2 = drawn.projection
    assert x1 == drawn.today_x and y2 == drawn.bottom and drawn.reaches_zero
    assert drawn.minimum_y is not None
    far = chart.build(points, today, 500, date(2026, 1, 1))
    assert far.projection[3] < far.bottom and not far.reaches_zero  # drawn to the edge only
    assert chart.build([], today, 0, None).projection is None


# --- what the projection says, shown -------------------------------------------------


def test_the_overview_says_how_many_offices_below_are_out_or_short(shortfall):
    deliver(shortfall, "62.02", 5000)  # the regency's own store is full; Baamang has nothing
    page = browser(shortfall, "admin").text("/?office=62")

    row = re.search(r'<tr data-code="62.02"[^>]*data-status="(\w+)".*?</tr>', page, re.S)
    assert row.group(1) == "shortfall" and "di bawahnya: 1 habis, 0 kurang" in row.group(0)


def test_a_passed_target_date_is_shown_as_passed(web):
    with web.app.app_context():
        offices.get_by_code("62.02").target_date = date.today() - timedelta(days=3)
        db.session.commit()
    page = browser(web, "manager").text("/offices/62.02")

    assert "sudah lewat" in page and "target-passed" in page
    assert "target-passed" not in browser(web, "manager").text("/offices/62.02.05")

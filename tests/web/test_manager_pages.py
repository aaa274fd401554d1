"""The managers' pages through the browser's forms: population figures, corrections and
reversals, redistribution, subscriptions. Each action is allowed and refused as its API route."""

from __future__ import annotations

import io
import re

from tests.helpers import deliver, dispatch, ledger, stock
from tests.notify.receivers import WebhookReceiver
from tests.web.dashboard import browser

SECRET = "a-webhook-secret-of-enough-length"


def population(web, code):
    return web.get(f"/offices/{code}/population", as_="admin").json


# --- population figures ---------------------------------------------------------------------


def test_a_manager_edits_the_figures_of_the_office_and_of_a_child_in_place(web):
    b = browser(web, "manager")
    page = b.text("/offices/62.02/settings")
    assert 'id="population-62.02"' in page and 'id="population-62.02.05"' in page
    assert "Belum ada data." in page

    figures = {"target": "1200", "recorded": "1100", "print_backlog": "40", "as_of": "2026-11-30"}
    response = b.post("/offices/62.02.05/population", {**figures, "settings_of": "62.02"})

    assert response.status_code == 302 and response.location.endswith("/offices/62.02/settings#population")
    own = population(web, "62.02.05")["own"]
    assert (own["target"], own["recorded"], own["print_backlog"], own["as_of"]) == (
        1200,
        1100,
        40,
        "2026-11-30",
    )
    page = b.text("/offices/62.02/settings")
    assert "Data penduduk Baamang disimpan." in page
    assert "Data sendiri per 30 Nov 2026." in page  # the child's own date
    assert "Jumlah data kantor di bawah, per 30 Nov 2026: 1.200 wajib KTP, 1.100 sudah rekam." in page

    # Back to the children's sum: the regency's own figures are dropped again.
    b.post("/offices/62.02/population", {**figures, "settings_of": "62.02"})
    assert population(web, "62.02")["source"] == "own"
    assert b.post("/offices/62.02/population/clear", {"settings_of": "62.02"}).status_code == 302
    assert population(web, "62.02")["source"] == "children"


def test_figures_that_cannot_all_be_true_are_refused_and_nothing_is_saved(web):
    b = browser(web, "manager")
    b.get("/offices/62.02/settings")
    bad = {
        "target": "100",
        "recorded": "150",
        "print_backlog": "0",
        "as_of": "2026-11-30",
        "settings_of": "62.02",
    }

    response = b.post("/offices/62.02.05/population", bad)

    assert response.status_code == 422
    assert "recorded (150) exceeds target (100)" in response.get_data(as_text=True)
    assert population(web, "62.02.05")["own"] is None
    no_date = b.post("/offices/62.02.05/population", {**bad, "recorded": "50", "as_of": ""})
    assert no_date.status_code == 422 and population(web, "62.02.05")["own"] is None


def upload(b, code, text, name="penduduk.csv"):
    b.get(f"/offices/{code}/settings")
    data = {"file": (io.BytesIO(text.encode()), name)}
    return b.post(f"/offices/{code}/population/import", data, content_type="multipart/form-data")


def test_a_csv_upload_writes_every_row_or_none_and_lists_each_bad_line(web):
    b = browser(web, "manager")
    good = (
        "code,target,recorded,print_backlog,as_of\n"
        "62.02.05,1000,900,10,2026-11-01\n"
        "62.02.06,800,700,0,2026-11-02\n"
    )
    bad = (
        "code,target,recorded,print_backlog,as_of\n"
        "62.02.05,1000,900,10,2026-11-01\n"
        "62.02.06,800,900,0,2026-11-02\n"  # recorded > target
        "62.01,500,400,0,2026-11-02\n"  # the neighbouring regency: outside the area
    )

    refused = upload(b, "62.02", bad)

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Tidak ada yang diimpor: 2 baris salah." in page
    assert "Baris 3: recorded (900) exceeds target (800)" in page
    assert "Baris 4: unknown office code &#39;62.01&#39;" in page
    assert population(web, "62.02.05")["own"] is None  # the good line was not written either

    done = upload(b, "62.02", good)
    assert done.status_code == 302
    assert "2 kantor diimpor: 2 baru, 0 diperbarui." in b.text("/offices/62.02/settings")
    assert population(web, "62.02.06")["own"]["recorded"] == 700
    assert population(web, "62.02")["effective"]["target"] == 1800

    latin = b.post(
        "/offices/62.02/population/import",
        {"file": (io.BytesIO(b"code,target\xff\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert latin.status_code == 422 and "bukan teks UTF-8" in latin.get_data(as_text=True)


def test_population_forms_are_refused_as_the_api_refuses_them(web):
    figures = {"target": "10", "recorded": "5", "print_backlog": "0", "as_of": "2026-11-30"}
    csv = "code,target,recorded,print_backlog,as_of\n62.02.05,10,5,0,2026-11-01\n"
    for name in ("operator", "warehouse", "kobar_manager"):
        b = browser(web, name)
        b.get("/")
        assert b.post("/offices/62.02.05/population", figures).status_code == 403, name
        assert b.post("/offices/62.02.05/population/clear").status_code == 403, name
        assert upload(b, "62.02", csv).status_code == 403, name
        assert web.put("/offices/62.02.05/population", {**figures, "target": 10, "recorded": 5,
                       "print_backlog": 0}, as_=name).status_code == 403  # fmt: skip
    assert population(web, "62.02.05")["own"] is None
    manager = browser(web, "manager")
    assert manager.post("/offices/62.02.05/population", figures, csrf=False).status_code == 400
    # Someone who may plan a district but not open its parent's settings lands on the district's.
    back = browser(web, "admin").post("/offices/62.02.05/population", {**figures, "settings_of": "62.01"})
    assert back.status_code == 302 and back.location.endswith("/offices/62.02.05/settings#population")


# --- corrections and reversals --------------------------------------------------------------


def test_every_kind_of_adjustment_is_recorded_with_its_sign_and_reason(web):
    deliver(web, "62.02", 100)
    b = browser(web, "manager")
    expected = {
        "loss": -3,
        "damage": -2,
        "defective": -1,
        "found": 4,
        "correction_in": 5,
        "correction_out": -6,
    }
    for kind, signed in expected.items():
        b.get("/offices/62.02")
        response = b.post("/offices/62.02/adjustments", {"kind": kind, "quantity": str(abs(signed)),
                          "reason": f"Alasan {kind}", "nonce": f"nonce-{kind}"})  # fmt: skip
        assert response.status_code == 302, kind
    items = ledger(web, "62.02")["items"][: len(expected)]
    recorded = {(m["kind"], m["quantity"], m["reason"]) for m in items}
    assert recorded == {(k.partition("_")[0], q, f"Alasan {k}") for k, q in expected.items()}
    assert stock(web, "62.02")["on_hand"] == 100 + sum(expected.values())

    b.get("/offices/62.02")
    too_many = {"kind": "loss", "quantity": "1000", "reason": "Hilang semua", "nonce": "nonce-too-many"}
    short = b.post("/offices/62.02/adjustments", too_many)
    assert short.status_code == 409 and "Blangko tidak cukup" in short.get_data(as_text=True)
    blank = b.post(
        "/offices/62.02/adjustments",
        {"kind": "loss", "quantity": "1", "reason": "  ", "nonce": "nonce-blank"},
    )
    assert blank.status_code == 422
    assert stock(web, "62.02")["on_hand"] == 100 + sum(expected.values())


def test_adjustments_are_refused_to_roles_the_api_refuses(web):
    deliver(web, "62.02", 10)
    body = {"kind": "loss", "quantity": "1", "reason": "Hilang satu"}
    for name in ("operator", "warehouse", "kobar_manager"):
        b = browser(web, name)
        b.get("/")
        assert b.post("/offices/62.02/adjustments", {**body, "nonce": f"nonce-{name}"}).status_code == 403, (
            name
        )
        api = web.post("/offices/62.02/adjustments", {**body, "quantity": -1}, as_=name)
        assert api.status_code == 403, name
    assert stock(web, "62.02")["on_hand"] == 10
    assert 'id="adjustment-form"' not in browser(web, "operator").text("/offices/62.02")


def test_a_reversal_names_what_will_change_and_is_recorded_once(web):
    deliver(web, "62.02", 50)
    movement = ledger(web, "62.02")["items"][0]
    b = browser(web, "manager")
    card = b.text("/offices/62.02")
    assert f'href="/movements/{movement["id"]}/reverse"' in card

    page = b.text(f"/movements/{movement['id']}/reverse")
    assert "Pembatalan akan dicatat di Kab. Kotawaringin Timur (62.02), terkait dengan mutasi" in page
    assert "yang tetap ada di kartu stok: 50 blangko dikeluarkan." in page
    assert "Stok berubah dari 50 menjadi 0." in page
    assert stock(web, "62.02")["on_hand"] == 50  # asking changed nothing

    assert b.post(f"/movements/{movement['id']}/reverse", {"reason": "  "}).status_code == 422
    response = b.post(
        f"/movements/{movement['id']}/reverse", {"reason": "Salah catat", "nonce": "nonce-rev-1"}
    )
    assert response.status_code == 302
    assert stock(web, "62.02")["on_hand"] == 0
    latest = ledger(web, "62.02")["items"][0]
    assert (latest["kind"], latest["reverses_id"], latest["reason"]) == (
        "reversal",
        movement["id"],
        "Salah catat",
    )

    again = b.post(f"/movements/{movement['id']}/reverse", {"reason": "Salah catat", "nonce": "nonce-rev-2"})
    assert again.status_code == 409 and "Mutasi ini sudah dibatalkan." in again.get_data(as_text=True)
    card = b.text("/offices/62.02")
    assert f'href="/movements/{movement["id"]}/reverse"' not in card
    assert f'href="/movements/{latest["id"]}/reverse"' not in card  # a reversal is not reversed


def test_a_transfer_is_not_reversed_and_the_roles_the_api_refuses_are_refused(web):
    deliver(web, "62.02", 20)
    dispatch(web, "62.02", "62.02.05", 5)
    sent = ledger(web, "62.02")["items"][0]
    assert sent["kind"] == "transfer_out"
    b = browser(web, "manager")
    assert b.get(f"/movements/{sent['id']}/reverse").status_code == 409
    assert (
        b.post(
            f"/movements/{sent['id']}/reverse", {"reason": "Salah kirim", "nonce": "nonce-t-1"}
        ).status_code
        == 409
    )

    delivery = ledger(web, "62.02")["items"][1]
    for name in ("operator", "warehouse", "kobar_manager"):
        other = browser(web, name)
        assert other.get(f"/movements/{delivery['id']}/reverse").status_code == 403, name
        assert (
            other.post(
                f"/movements/{delivery['id']}/reverse", {"reason": "Salah", "nonce": f"nonce-{name}"}
            ).status_code
            == 403
        )
        assert (
            web.post(f"/movements/{delivery['id']}/reverse", {"reason": "Salah"}, as_=name).status_code == 403
        )
    assert browser(web, "manager").get("/movements/999999/reverse").status_code == 404
    assert stock(web, "62.02")["on_hand"] == 15


# --- redistribution -------------------------------------------------------------------------


def test_the_redistribution_page_shows_each_suggestion_and_its_effect_and_plans_the_transfer(shortfall):
    deliver(shortfall, "62.02.06", 600, as_="admin")
    suggested = shortfall.get("/offices/62.02/redistribution", as_="manager").json["suggestions"]
    first = next(s for s in suggested if s["from"] == "62.02.06" and s["to"] == "62.02.05")

    manager = browser(shortfall, "manager")
    page = manager.text("/offices/62.02/redistribution")
    assert 'data-from="62.02.06" data-to="62.02.05"' in page
    assert "Dari Mentawa Baru Ketapang (62.02.06) ke Baamang (62.02.05)." in page
    effect = first["effect"]["62.02.05"]
    assert f"kurang {effect['shortfall_before']} → {effect['shortfall_after']}" in page.replace(".", "")
    # A manager plans (POST /transfers with planned: true); the warehouse sends it later.
    assert "Rencanakan kiriman ini" in page
    body = {
        "source": "62.02.06",
        "destination": "62.02.05",
        "quantity": str(first["quantity"]),
        "nonce": "nonce-r-1",
    }
    assert manager.post("/offices/62.02/redistribution", body).status_code == 302
    flashed = manager.text("/offices/62.02/redistribution")
    assert f"Kiriman {first['quantity']} blangko dari Mentawa Baru Ketapang (62.02.06)" in flashed
    assert "direncanakan: petugas gudang Mentawa Baru Ketapang (62.02.06) mengirimnya" in flashed
    transfers = shortfall.get("/transfers", query_string={"office": "62.02.06"}, as_="admin").json["items"]
    made = transfers[0]
    assert (made["from"], made["to"], made["quantity"], made["status"], made["planned_by"]) == (
        "62.02.06", "62.02.05", first["quantity"], "planned", "manager",
    )  # fmt: skip
    assert stock(shortfall, "62.02.06")["on_hand"] == 600  # nothing moved
    assert manager.post("/offices/62.02/redistribution", body).status_code == 409  # the same form twice
    assert (
        len(shortfall.get("/transfers", query_string={"office": "62.02.06"}, as_="admin").json["items"]) == 1
    )
    # Planned already: the suggestion says so instead of offering a second transfer.
    page = manager.text("/offices/62.02/redistribution")
    assert f"Sudah direncanakan: kiriman {made['id']}" in page


def test_the_redistribution_page_is_refused_as_the_api_refuses_it(web):
    for name in ("operator", "warehouse", "kobar_manager"):
        assert browser(web, name).get("/offices/62.02/redistribution").status_code == 403, name
        assert web.get("/offices/62.02/redistribution", as_=name).status_code == 403, name
    deliver(web, "62.02.06", 10, as_="admin")
    body = {"source": "62.02.06", "destination": "62.02.05", "quantity": "5", "nonce": "nonce-w-1"}
    for name in ("operator", "kobar_warehouse", "kobar_manager"):
        b = browser(web, name)
        b.get("/")
        assert b.post("/offices/62.02/redistribution", body).status_code == 403, name
    assert stock(web, "62.02.06")["on_hand"] == 10
    assert web.get("/transfers", as_="admin").json["items"] == []
    # Warehouse staff may plan (as POST /transfers, planned) but not see the suggestions: after
    # planning they land on their office page, not on a page that refuses them.
    warehouse = browser(web, "warehouse")
    warehouse.get("/")
    sent = warehouse.post("/offices/62.02/redistribution", {**body, "nonce": "nonce-w-2"})
    assert (sent.status_code, sent.headers["Location"]) == (302, "/offices/62.02")
    assert web.get("/transfers", as_="admin").json["items"][0]["status"] == "planned"


# --- subscriptions --------------------------------------------------------------------------


def subscribe(b, **fields):
    b.get("/subscriptions")
    body = {"office": "62.02", "kinds": ["low_stock", "stockout"], "channel": "webhook", **fields}
    return b.post("/subscriptions", body)


def test_a_manager_adds_a_webhook_sends_a_test_and_sees_failures(web):
    b = browser(web, "manager")
    with WebhookReceiver(SECRET) as receiver:
        assert subscribe(b, url=receiver.url, secret=SECRET).status_code == 302
        mine = web.get("/subscriptions", as_="manager").json["items"]
        assert [(s["office"], s["kinds"], s["url"]) for s in mine] == [
            ("62.02", ["low_stock", "stockout"], receiver.url)
        ]
        page = b.text("/subscriptions")
        assert f'id="subscription-{mine[0]["id"]}"' in page and receiver.url in page

        response = b.post(f"/subscriptions/{mine[0]['id']}/test")
        assert response.status_code == 302
        assert f"Uji coba terkirim ke langganan {mine[0]['id']}" in b.text("/subscriptions")
        assert len(receiver.requests) == 1 and receiver.requests[0].signature_ok
        assert b'"event": "test"' in receiver.requests[0].body

    # The receiver is gone: the test says why.
    b.post(f"/subscriptions/{mine[0]['id']}/test")
    assert f"Uji coba ke langganan {mine[0]['id']} gagal" in b.text("/subscriptions")

    # A real alert's notification, failed, is listed among the failures.
    with WebhookReceiver(SECRET, statuses=(500,) * 20) as receiver:
        subscribe(b, url=receiver.url, secret=SECRET)
        web.patch("/offices/62.02", {"min_stock": 10}, as_="manager")
        deliver(web, "62.02", 1)  # a low-stock alert opens
        web.app.config["NOTIFY_MAX_ATTEMPTS"] = 1
        with web.app.app_context():
            from inventory.notify.delivery import deliver_due

            deliver_due()
        page = b.text("/subscriptions")
    assert 'id="failed-notifications"' in page and "HTTP 500" in page


def test_subscription_forms_check_their_channel_and_are_refused_as_the_api_refuses_them(web):
    b = browser(web, "manager")
    assert subscribe(b, url="https://example.org/hook").status_code == 422  # no secret
    assert subscribe(b, channel="email", email="not-an-address").status_code == 422
    assert subscribe(b, url="ftp://example.org", secret=SECRET).status_code == 422
    assert subscribe(b, kinds=[], url="https://example.org/h", secret=SECRET).status_code == 422
    # Outside the area: 403, as POST /subscriptions answers (not a choice the form lacks).
    assert subscribe(b, office="62.01", url="https://example.org/h", secret=SECRET).status_code == 403
    assert web.get("/subscriptions", as_="manager").json["items"] == []
    assert subscribe(b, channel="email", email="kadis@example.org").status_code == 302
    mine = web.get("/subscriptions", as_="manager").json["items"][0]

    for name in ("operator", "warehouse"):
        other = browser(web, name)
        assert other.get("/subscriptions").status_code == 403, name
        assert subscribe(other, url="https://example.org/h", secret=SECRET).status_code == 403, name
        assert other.post(f"/subscriptions/{mine['id']}/test").status_code == 403, name
        assert web.post(f"/subscriptions/{mine['id']}/test", as_=name).status_code == 403, name
    # Another manager's subscription is not theirs to test or cancel.
    kobar = browser(web, "kobar_manager")
    kobar.get("/subscriptions")
    assert kobar.post(f"/subscriptions/{mine['id']}/test").status_code == 404
    assert kobar.post(f"/subscriptions/{mine['id']}/cancel").status_code == 404
    assert web.post(f"/subscriptions/{mine['id']}/test", as_="kobar_manager").status_code == 404

    assert b.post(f"/subscriptions/{mine['id']}/cancel").status_code == 302
    assert web.get("/subscriptions", as_="manager").json["items"] == []
    assert web.post(f"/subscriptions/{mine['id']}/test", as_="manager").status_code == 409

    # The form offers an admin the nation and its provinces; like the API, it takes any office.
    admin = browser(web, "admin")
    assert subscribe(admin, channel="email", email="pusat@example.org").status_code == 302
    assert [s["office"] for s in web.get("/subscriptions", as_="admin").json["items"]] == ["62.02"]


def test_the_api_sends_a_test_and_answers_whether_it_arrived(web):
    with WebhookReceiver(SECRET, statuses=(503,)) as receiver:
        body = {"office": "62.02", "channel": "webhook", "url": receiver.url, "secret": SECRET}
        created = web.post("/subscriptions", body, as_="manager").json
        failed = web.post(f"/subscriptions/{created['id']}/test", as_="manager")
        worked = web.post(f"/subscriptions/{created['id']}/test", as_="admin")
    assert failed.status_code == 200
    assert (failed.json["succeeded"], failed.json["status_code"]) == (False, 503)
    assert (worked.json["succeeded"], worked.json["status_code"], worked.json["error"]) == (True, 200, None)
    assert [r.answered for r in receiver.requests] == [503, 200]
    assert re.fullmatch(r"[0-9a-f-]{36}", worked.json["event_id"])
    assert web.get("/notifications", as_="manager").json["items"] == []  # not kept in the outbox


# --- the chart ------------------------------------------------------------------------------


def test_the_chart_marks_a_target_date_inside_the_frame_and_names_a_later_one():
    from datetime import date, timedelta

    from inventory.web import chart

    today = date(2026, 12, 2)
    points = [(today - timedelta(days=60), 500), (today - timedelta(days=10), 300)]
    near = chart.build(points, today, 300, None, 0, today + timedelta(days=40))
    assert near.target_date == today + timedelta(days=40)
    assert near.today_x < near.target_x <= near.right  # the frame reaches it
    assert near.x_ticks[-1][1] >= near.target_date

    far = chart.build(points, today, 300, None, 0, today + timedelta(days=400))
    assert far.target_x is None and far.target_date == today + timedelta(days=400)
    assert chart.build(points, today, 300, None, 0).target_x is None


def test_the_office_page_draws_the_target_line(web):
    from datetime import date, timedelta

    target = date.today() + timedelta(days=20)
    web.patch("/offices/62.02", {"target_date": target.isoformat()}, as_="manager")
    page = browser(web, "manager").text("/offices/62.02")
    assert 'id="chart-target"' in page and "Tanggal target:" in page

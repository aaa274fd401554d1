"""Spoiled cards in custody and their destruction (issue 12 §2), through the HTTP API.

The story: Baamang spoils two prints and takes in a resident's old card; the spoiled cards
go up to the regency, which burns them before two witnesses, signs the berita acara, attaches
its scan, reports it, and prints it (read back with pypdf)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import text

from inventory.core.db import db
from tests.helpers import (
    PRINTED,
    SPOILED,
    adjust,
    books_problems,
    deliver,
    dispatch,
    ok,
    print_batch,
    print_card,
    refused,
    reverse,
    stock,
)
from tests.stock.test_concurrency import run_together

PDF = b"%PDF-1.4\n% the signed berita acara, scanned\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WITNESSES = [
    {"name": "Budi Santoso", "nip": "197801012005011001", "institution": "Satpol PP", "role": "Saksi"},
    {"name": "Siti Rahmawati", "institution": "Inspektorat Kabupaten", "role": "Saksi"},
]


def berita_acara(**overrides):
    body = {
        "document_no": "BA-470/012/Dukcapil/2026",
        "destroyed_on": "2026-12-01",
        "place": "Halaman Kantor Disdukcapil Kotawaringin Timur",
        "method": "burned",
        "witnesses": WITNESSES,
        "counts": {"spoiled_print": 2},
    }
    return {**body, **overrides}


def custody(api, code, as_="admin"):
    return ok(api.get(f"/offices/{code}/custody", as_=as_))


def awaiting(api, code, category):
    return custody(api, code)["categories"][category]["awaiting"]


def spoil_at(api, code, count, as_="operator"):
    """`count` spoiled prints at an office holding enough blanks; their movement ids."""
    deliver(api, code, count)
    return [print_card(api, code, SPOILED, as_=as_)["movement"]["id"] for _ in range(count)]


def draft(api, code="62.02", as_="manager", **overrides):
    return ok(api.post(f"/offices/{code}/destructions", berita_acara(**overrides), as_=as_), 201)


def put_scan(api, destruction_id, content=PDF, content_type="application/pdf", as_="manager"):
    return api.put(
        f"/destructions/{destruction_id}/scan", data=content, headers={"Content-Type": content_type}, as_=as_
    )


def test_the_story_from_a_spoiled_print_to_the_berita_acara(api):
    deliver(api, "62.02", 1000)
    transfer = dispatch(api, "62.02", "62.02.05", 100)
    ok(api.post(f"/transfers/{transfer['id']}/receive", as_="baamang_warehouse"))
    for _ in range(30):
        print_card(api, "62.02.05", PRINTED, as_="baamang_operator")
    print_card(api, "62.02.05", SPOILED, as_="baamang_operator")  # at the counter
    batch = print_batch(api, "62.02.05", [{"client_id": "b-1", **SPOILED}], as_="baamang_operator")  # offline
    assert batch["recorded"] == 1
    returned = ok(
        api.post(
            "/offices/62.02.05/returned-cards",
            {"quantity": 1, "reason": "data_change", "note": "KTP lama, ganti alamat"},
            as_="baamang_operator",
        ),
        201,
    )
    assert returned["awaiting"] == 1
    assert returned["custody_movement"]["kind"] == "added"
    assert returned["custody_movement"]["reason"] == "data_change"
    assert stock(api, "62.02.05")["on_hand"] == 100 - 32
    card = custody(api, "62.02.05", as_="baamang_operator")
    assert card["awaiting"] == 3
    assert card["categories"]["spoiled_print"] == {"awaiting": 2, "in_transit_in": 0}
    lines = Counter((item["category"], item["kind"], item["quantity"]) for item in card["items"])
    assert lines == {("spoiled_print", "added", 1): 2, ("returned_card", "added", 1): 1}
    assert all(item["movement_id"] for item in card["items"] if item["category"] == "spoiled_print")

    # The spoiled cards go to the regency to be burned; the returned card waits for the next batch.
    sent = ok(
        api.post(
            "/transfers",
            {
                "from": "62.02.05",
                "to": "62.02",
                "quantity": 2,
                "custody": "spoiled",
                "category": "spoiled_print",
            },
            as_="baamang_warehouse",
        ),
        201,
    )
    assert (sent["custody"], sent["category"], sent["status"]) == ("spoiled", "spoiled_print", "in_transit")
    assert custody(api, "62.02")["categories"]["spoiled_print"] == {"awaiting": 0, "in_transit_in": 2}
    assert awaiting(api, "62.02.05", "spoiled_print") == 0
    assert stock(api, "62.02.05")["in_transit_out"] == 0  # no blank moved
    ok(api.post(f"/transfers/{sent['id']}/receive", as_="warehouse"))
    assert custody(api, "62.02")["categories"]["spoiled_print"] == {"awaiting": 2, "in_transit_in": 0}

    # The head of office and the letterhead, then the berita acara: drafted, corrected, signed.
    ok(
        api.patch(
            "/offices/62.02",
            {
                "address": "Jl. Jenderal Sudirman Km 5, Sampit",
                "head_name": "Drs. Ahmad Fauzi, M.Si",
                "head_nip": "196805121990031004",
            },
            as_="manager",
        )
    )
    record = draft(api, place="Halaman kantor")
    assert record["status"] == "draft" and record["total"] == 2
    assert awaiting(api, "62.02", "spoiled_print") == 2  # a draft takes nothing out of custody
    record = ok(
        api.patch(
            f"/destructions/{record['id']}",
            {"place": "Halaman Kantor Disdukcapil Kotim", "serials": ["KTP0001031-KTP0001032"]},
            as_="manager",
        )
    )
    assert record["place"] == "Halaman Kantor Disdukcapil Kotim"
    # These cards had no serial: serials named on the record must be spoiled blanks, else signing
    # is refused and takes nothing (tests/stock/test_custody_story.py burns serialled ones).
    unknown = refused(
        api.post(f"/destructions/{record['id']}/sign", as_="manager"), 409, "serial_not_in_custody"
    )
    assert unknown["details"] == {"serial": "KTP0001031", "office": "62.02"}
    assert ok(api.get(f"/destructions/{record['id']}", as_="manager"))["status"] == "draft"
    assert awaiting(api, "62.02", "spoiled_print") == 2
    ok(api.patch(f"/destructions/{record['id']}", {"serials": []}, as_="manager"))
    signed = ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    assert signed["status"] == "signed" and signed["signed_by"] == "manager"
    assert awaiting(api, "62.02", "spoiled_print") == 0
    destroyed = [i for i in custody(api, "62.02")["items"] if i["kind"] == "destroyed"]
    assert [(i["quantity"], i["destruction_id"]) for i in destroyed] == [(-2, record["id"])]

    scanned = ok(put_scan(api, record["id"]))
    assert scanned["scan_content_type"] == "application/pdf" and scanned["scan_size"] == len(PDF)
    assert len(scanned["scan_sha256"]) == 64
    assert api.get(f"/destructions/{record['id']}/scan", as_="manager").data == PDF
    reported = ok(api.post(f"/destructions/{record['id']}/report", as_="manager"))
    assert reported["status"] == "reported"

    response = api.get(f"/destructions/{record['id']}.pdf", as_="manager")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842  # A4
    text = " ".join(p.extract_text() for p in reader.pages)
    for expected in (
        "BERITA ACARA PEMUSNAHAN",
        "BA-470/012/Dukcapil/2026",
        "KAB. KOTAWARINGIN TIMUR",
        "Jl. Jenderal Sudirman Km 5, Sampit",
        "470.13/11176/SJ",
        "Selasa, tanggal 1 Desember 2026",
        "dibakar",
        "Budi Santoso",
        "197801012005011001",
        "Satpol PP",
        "Siti Rahmawati",
        "Inspektorat Kabupaten",
        "Drs. Ahmad Fauzi, M.Si",
        "NIP. 196805121990031004",
    ):
        assert expected in text, (expected, text)
    assert "2 keping" in text and "0 keping" in text

    assert awaiting(api, "62.02.05", "returned_card") == 1
    assert books_problems(api) == []


def test_signing_more_than_custody_holds_is_refused_and_changes_nothing(api):
    spoil_at(api, "62.02", 1)
    record = draft(api, counts={"spoiled_print": 2})
    body = refused(api.post(f"/destructions/{record['id']}/sign", as_="manager"), 409, "insufficient_custody")
    assert body["details"] == {"category": "spoiled_print", "needed": 2, "awaiting": 1}
    assert ok(api.get(f"/destructions/{record['id']}", as_="manager"))["status"] == "draft"
    assert awaiting(api, "62.02", "spoiled_print") == 1
    record = draft(api, counts={"returned_card": 1})
    refused(api.post(f"/destructions/{record['id']}/sign", as_="manager"), 409, "insufficient_custody")
    assert books_problems(api) == []


def test_a_signed_record_is_frozen(api):
    spoil_at(api, "62.02", 2)
    record = draft(api)
    ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    refused(api.post(f"/destructions/{record['id']}/sign", as_="manager"), 409, "destruction_not_draft")
    refused(
        api.patch(f"/destructions/{record['id']}", {"place": "Lain"}, as_="manager"),
        409,
        "destruction_not_draft",
    )
    refused(api.delete(f"/destructions/{record['id']}", as_="manager"), 409, "destruction_not_draft")
    refused(api.post(f"/destructions/{record['id']}/report", as_="manager"), 409, "scan_missing")
    assert awaiting(api, "62.02", "spoiled_print") == 0


def test_a_draft_is_deleted_and_then_gone(api):
    record = draft(api)
    assert api.delete(f"/destructions/{record['id']}", as_="manager").status_code == 204
    refused(api.get(f"/destructions/{record['id']}", as_="manager"), 404, "not_found")


def test_two_managers_signing_at_once_take_the_cards_out_once(api):
    spoil_at(api, "62.02", 2)
    record = draft(api)
    statuses = run_together(
        4, lambda _: api.post(f"/destructions/{record['id']}/sign", as_="manager").status_code
    )
    assert sorted(statuses) == [200, 409, 409, 409]
    assert awaiting(api, "62.02", "spoiled_print") == 0
    assert [i["kind"] for i in custody(api, "62.02")["items"]].count("destroyed") == 1
    assert books_problems(api) == []


def test_two_records_for_the_same_cards_signed_at_once_one_wins(api):
    spoil_at(api, "62.02", 2)
    first, second = draft(api), draft(api, document_no="BA-2")
    ids = [first["id"], second["id"]]
    statuses = run_together(2, lambda i: api.post(f"/destructions/{ids[i]}/sign", as_="manager").status_code)
    assert sorted(statuses) == [200, 409]
    assert awaiting(api, "62.02", "spoiled_print") == 0
    assert books_problems(api) == []


def test_the_scan_is_a_pdf_or_a_photo_of_bounded_size(api):
    spoil_at(api, "62.02", 2)
    record = draft(api)
    refused(put_scan(api, record["id"]), 409, "destruction_not_signed")  # sign first
    ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    refused(put_scan(api, record["id"], b"just text", "application/pdf"), 415, "unsupported_scan_type")
    refused(
        put_scan(api, record["id"], PNG, "application/pdf"), 415, "unsupported_scan_type"
    )  # says one, is another
    refused(put_scan(api, record["id"], b"GIF89a....", "image/gif"), 415, "unsupported_scan_type")
    body = refused(put_scan(api, record["id"], b"", "application/pdf"), 422, "empty_scan")
    assert "scan" in str(body["errors"])
    api.app.config["DESTRUCTION_SCAN_MAX_BYTES"] = 64
    refused(put_scan(api, record["id"], PNG + b"\x00" * 64, "image/png"), 413, "scan_too_large")
    assert ok(api.get(f"/destructions/{record['id']}", as_="manager"))["scan_sha256"] is None
    assert ok(put_scan(api, record["id"], PNG, "image/png"))["scan_content_type"] == "image/png"
    assert ok(put_scan(api, record["id"], PNG, "image/png"))["scan_size"] == len(
        PNG
    )  # the same again: no change
    refused(put_scan(api, record["id"], PDF), 409, "scan_already_attached")
    assert api.get(f"/destructions/{record['id']}/scan", as_="manager").content_type == "image/png"


def test_a_signed_record_is_corrected_by_a_reversal_naming_it(api):
    spoil_at(api, "62.02", 2)
    record = draft(api)
    ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    reversal = ok(
        api.post(f"/destructions/{record['id']}/reverse", {"reason": "Kartu salah hitung"}, as_="manager"),
        201,
    )
    assert reversal["reversal_of"] == record["id"] and reversal["status"] == "signed"
    assert awaiting(api, "62.02", "spoiled_print") == 2
    refused(
        api.post(f"/destructions/{record['id']}/reverse", {"reason": "Lagi"}, as_="manager"),
        409,
        "already_reversed",
    )
    refused(
        api.post(f"/destructions/{reversal['id']}/reverse", {"reason": "Lagi"}, as_="manager"),
        409,
        "not_reversible",
    )
    text = PdfReader(io.BytesIO(api.get(f"/destructions/{reversal['id']}.pdf", as_="manager").data)).pages[0]
    assert "PEMBATALAN" in text.extract_text()
    assert books_problems(api) == []


def test_reversing_a_spoiled_print_takes_its_card_out_of_custody_unless_it_is_gone(api):
    first, second = spoil_at(api, "62.02", 2)
    ok(reverse(api, first), 201)
    assert awaiting(api, "62.02", "spoiled_print") == 1
    reversal = [i for i in custody(api, "62.02")["items"] if i["kind"] == "reversal"]
    assert [i["quantity"] for i in reversal] == [-1]
    record = draft(api, counts={"spoiled_print": 1})
    ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    on_hand = stock(api, "62.02")["on_hand"]
    refused(reverse(api, second), 409, "custody_already_gone")
    assert stock(api, "62.02")["on_hand"] == on_hand  # the stock side was not written either
    assert books_problems(api) == []


def test_a_defective_blank_moves_from_stock_to_custody_and_back_on_reversal(api):
    deliver(api, "62.02", 10)
    movement = adjust(api, "62.02", kind="defective", quantity=-3, reason="Chip tidak dapat diisi")[
        "movement"
    ]
    assert movement["kind"] == "defective" and stock(api, "62.02")["on_hand"] == 7
    assert awaiting(api, "62.02", "defective_blank") == 3
    refused(
        api.post(
            "/offices/62.02/adjustments",
            {"kind": "defective", "quantity": 2, "reason": "Salah"},
            as_="manager",
        ),
        422,
        "bad_sign",
    )
    ok(reverse(api, movement["id"]), 201)
    assert stock(api, "62.02")["on_hand"] == 10 and awaiting(api, "62.02", "defective_blank") == 0
    assert books_problems(api) == []


def test_a_custody_transfer_cancelled_returns_the_cards_and_cannot_send_more_than_held(api):
    spoil_at(api, "62.02.05", 2, as_="baamang_operator")
    body = {
        "from": "62.02.05",
        "to": "62.02",
        "quantity": 3,
        "custody": "spoiled",
        "category": "spoiled_print",
    }
    refused(api.post("/transfers", body, as_="baamang_warehouse"), 409, "insufficient_custody")
    sent = ok(api.post("/transfers", {**body, "quantity": 2}, as_="baamang_warehouse"), 201)
    ok(api.post(f"/transfers/{sent['id']}/cancel", as_="baamang_warehouse"))
    assert awaiting(api, "62.02.05", "spoiled_print") == 2
    assert custody(api, "62.02")["categories"]["spoiled_print"]["in_transit_in"] == 0
    assert books_problems(api) == []


def test_who_may_do_what_and_where(api):
    spoil_at(api, "62.02", 2)
    refused(api.post("/offices/62.02/destructions", berita_acara(), as_="operator"), 403, "forbidden")
    refused(api.post("/offices/62.02/destructions", berita_acara(), as_="warehouse"), 403, "forbidden")
    refused(api.post("/offices/62.02/destructions", berita_acara(), as_="kobar_manager"), 403, "outside_area")
    record = draft(api)
    refused(api.post(f"/destructions/{record['id']}/sign", as_="kobar_manager"), 403, "outside_area")
    refused(api.get(f"/destructions/{record['id']}.pdf", as_="kobar_manager"), 403, "outside_area")
    refused(api.get("/offices/62.02/custody", as_="kobar_manager"), 403, "outside_area")
    refused(
        api.post("/offices/62.02/returned-cards", {"quantity": 1, "reason": "damaged"}, as_="warehouse"),
        403,
        "forbidden",
    )
    refused(api.patch("/offices/62.02", {"head_name": "Orang Lain"}, as_="warehouse"), 403, "forbidden")
    items = ok(api.get("/offices/62.02/destructions", as_="operator"))["items"]
    assert [item["id"] for item in items] == [record["id"]]


BAD_DRAFTS = [
    {"witnesses": WITNESSES[:1]},
    {"witnesses": [{**WITNESSES[0], "nip": "12345"}, WITNESSES[1]]},
    {"witnesses": [{**WITNESSES[0], "name": "   "}, WITNESSES[1]]},
    {"counts": {}},
    {"counts": {"spoiled_print": 0}},
    {"counts": {"spoiled_print": -1}},
    {"counts": {"spoiled_print": 2**31}},
    {"counts": {"spoiled_print": "2"}},
    {"counts": {"lost": 2}},
    {"method": "eaten"},
    {"destroyed_on": "2026-02-30"},
    {"destroyed_on": "0001-01-01"},
    {"document_no": ""},
    {"serials": ["x" * 101]},
    {"surprise": 1},
]


def test_every_bad_draft_is_a_422_naming_its_field_and_writes_nothing(api):
    for overrides in BAD_DRAFTS:
        body = refused(
            api.post("/offices/62.02/destructions", berita_acara(**overrides), as_="manager"),
            422,
            "validation_error",
        )
        assert set(overrides) & set(body["errors"]["json"]), (overrides, body)
    assert ok(api.get("/offices/62.02/destructions", as_="manager"))["items"] == []
    record = draft(api)
    for overrides in BAD_DRAFTS:
        refused(api.patch(f"/destructions/{record['id']}", overrides, as_="manager"), 422, "validation_error")


def test_bad_custody_requests_are_422(api):
    for body in (
        {"quantity": 0, "reason": "damaged"},
        {"quantity": 1, "reason": "lost"},
        {"quantity": 2**31, "reason": "damaged"},
        {"quantity": 1},
    ):
        refused(api.post("/offices/62.02/returned-cards", body, as_="operator"), 422, "validation_error")
    transfer = {"from": "62.02.05", "to": "62.02", "quantity": 1}
    for extra in (
        {"custody": "spoiled"},
        {"category": "spoiled_print"},
        {"custody": "lost"},
        {"custody": "spoiled", "category": "burnt"},
    ):
        refused(api.post("/transfers", {**transfer, **extra}, as_="warehouse"), 422, "validation_error")
    for settings in (
        {"head_nip": "1968"},
        {"destruction_interval_days": 0},
        {"destruction_max_pending": 2**31},
        {"address": " "},
    ):
        refused(api.patch("/offices/62.02", settings, as_="admin"), 422, "validation_error")
    refused(api.get("/destructions/99999999999.pdf", as_="admin"), 404, "not_found")
    refused(api.get("/offices/62.02/custody?limit=0", as_="admin"), 422, "validation_error")
    assert books_problems(api) == []


def overdue_alerts(api, code, status="unresolved"):
    query = {"kind": "destruction_overdue", "office": code, "status": status}
    return ok(api.get("/alerts", query_string=query, as_="manager"))["items"]


def test_too_many_cards_awaiting_destruction_raise_an_alert_until_they_are_burned(api):
    ok(api.patch("/offices/62.02", {"destruction_max_pending": 1}, as_="manager"))
    spoil_at(api, "62.02", 1)
    assert overdue_alerts(api, "62.02") == []
    spoil_at(api, "62.02", 1)
    [alert] = overdue_alerts(api, "62.02")
    assert alert["severity"] == "warning" and alert["figures"]["awaiting"] == 2
    deliver(api, "62.02", 1)
    print_card(api, "62.02", PRINTED)  # stock moving does not resolve a custody alert
    assert len(overdue_alerts(api, "62.02")) == 1
    ok(api.post("/offices/62.02/returned-cards", {"quantity": 1, "reason": "damaged"}, as_="operator"), 201)
    assert overdue_alerts(api, "62.02")[0]["severity"] == "critical"  # 3 > twice the limit
    record = draft(api, counts={"spoiled_print": 2, "returned_card": 1})
    ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    assert overdue_alerts(api, "62.02") == []
    assert len(overdue_alerts(api, "62.02", status="resolved")) == 1


def test_cards_waiting_longer_than_the_interval_raise_an_alert(api):
    deliver(api, "62.02", 5)
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    print_card(api, "62.02", {**SPOILED, "printed_at": three_days_ago})
    assert overdue_alerts(api, "62.02") == []  # within the default 30 days
    ok(
        api.patch("/offices/62.02", {"destruction_interval_days": 1}, as_="manager")
    )  # a settings change re-weighs
    [alert] = overdue_alerts(api, "62.02")
    assert alert["severity"] == "critical" and alert["figures"]["days_waited"] >= 2
    ok(api.patch("/offices/62.02", {"destruction_interval_days": 30}, as_="manager"))
    assert overdue_alerts(api, "62.02") == []


def test_stock_verify_finds_custody_that_disagrees_with_its_ledger(api):
    spoil_at(api, "62.02", 1)
    assert books_problems(api) == []
    with api.app.app_context():
        db.session.execute(text("UPDATE custody_balances SET awaiting = 5 WHERE category = 'spoiled_print'"))
        db.session.execute(
            text("UPDATE custody_balances SET in_transit_in = 2 WHERE category = 'returned_card'")
        )
        db.session.commit()
        db.session.remove()
    found = books_problems(api)
    assert "office 62.02: spoiled_print awaiting destruction 5 but custody ledger sums to 1" in found
    assert "office 62.02.05: returned_card in_transit_in 2 but open custody transfers hold 0" in found
    with api.app.app_context():
        result = api.app.test_cli_runner().invoke(args=["stock", "verify"])
    assert result.exit_code == 1 and "custody ledger sums to 1" in result.output

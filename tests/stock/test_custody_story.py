"""Issue 12's "Done means", told through the HTTP API from the box to the ashes.

A box of 1,000 serialled blanks reaches Kotawaringin Timur (62.02); 100 go to Baamang
(62.02.05) with "lowest"; Baamang prints 30 cards naming their serials and spoils 2; a
resident hands in an old card; the spoiled cards go up to the regency, which burns them before
two witnesses (drafted, then signed naming the two serials) and prints the berita acara; the
month's usage report (JSON and XLSX) shows all of it; GET /serials/... tells the story of a
blank on hand, one on the road, one printed and one destroyed; and the books verify clean."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from inventory.planning.figures import today
from inventory.reports.usage_documents import header
from tests.helpers import books_problems, deliver, ok, refused, stock

BOX = "KTP0001000-KTP0001999"
LETTERHEAD = {
    "address": "Jl. Jenderal Sudirman Km 5, Sampit",
    "head_name": "Drs. Ahmad Fauzi, M.Si",
    "head_nip": "196805121990031004",
}
BERITA_ACARA = {
    "document_no": "BA-470/031/Dukcapil/2026",
    "destroyed_on": "2026-12-02",
    "place": "Halaman Kantor Disdukcapil Kotawaringin Timur",
    "method": "burned",
    "counts": {"spoiled_print": 2},
    "witnesses": [
        {"name": "Budi Santoso", "nip": "197801012005011001", "institution": "Satpol PP", "role": "Saksi"},
        {"name": "Siti Rahmawati", "institution": "Inspektorat Kabupaten", "role": "Saksi"},
    ],
}


def transfer(api, source, destination, as_="warehouse", **body):
    return ok(api.post("/transfers", {"from": source, "to": destination, **body}, as_=as_), 201)


def serial_print(api, serial, outcome="printed"):
    body = {"outcome": outcome, "reason": "new_record", "serial": serial}
    return ok(api.post("/offices/62.02.05/prints", body, as_="baamang_operator"), 201)


def story(api, serial, as_="admin"):
    return ok(api.get(f"/serials/{serial}", as_=as_))


def steps(found) -> list[tuple[str, str]]:
    return [(step["kind"], step["office"]) for step in found["trail"]]


def test_a_box_of_serialled_blanks_from_delivery_to_the_berita_acara_and_the_report(api):
    delivered = deliver(api, "62.02", 1000, document_no="BAST-2026-120", serials=[BOX])
    assert delivered["movement"]["serials"] == [BOX]

    sent = transfer(api, "62.02", "62.02.05", quantity=100, serials="lowest")
    assert sent["serials"] == ["KTP0001000-KTP0001099"]
    ok(api.post(f"/transfers/{sent['id']}/receive", as_="baamang_warehouse"))
    # Ten more leave for Mentawa Baru Ketapang and are still on the road at the end.
    on_the_road = transfer(api, "62.02", "62.02.06", quantity=10, serials="lowest")
    assert on_the_road["serials"] == ["KTP0001100-KTP0001109"]

    for number in range(1000, 1030):
        serial_print(api, f"KTP{number:07d}")
    spoiled = ["KTP0001030", "KTP0001031"]
    for serial in spoiled:
        assert serial_print(api, serial, "spoiled")["movement"]["serials"] == [serial]
    returned = api.post(
        "/offices/62.02.05/returned-cards",
        {"quantity": 1, "reason": "replacement", "note": "KTP lama, diganti"},
        as_="baamang_operator",
    )
    assert ok(returned, 201)["awaiting"] == 1
    assert stock(api, "62.02.05") | {"on_hand": 68, "serial_tracked": 68} == stock(api, "62.02.05")
    baamang = ok(api.get("/offices/62.02.05/custody", as_="baamang_operator"))
    assert baamang["categories"]["spoiled_print"]["awaiting"] == 2
    assert baamang["categories"]["returned_card"]["awaiting"] == 1

    # The spoiled cards go up to the regency; the returned card waits at Baamang for the next burning.
    up = transfer(
        api,
        "62.02.05",
        "62.02",
        as_="baamang_warehouse",
        quantity=2,
        custody="spoiled",
        category="spoiled_print",
    )
    ok(api.post(f"/transfers/{up['id']}/receive", as_="warehouse"))
    ok(api.patch("/offices/62.02", LETTERHEAD, as_="manager"))

    # Burned before two witnesses: drafted naming the two serials, then signed.
    record = ok(api.post("/offices/62.02/destructions", {**BERITA_ACARA, "serials": ["KTP0001030+2"]},
                         as_="manager"), 201)  # fmt: skip
    assert record["serials"] == ["KTP0001030-KTP0001031"] and record["status"] == "draft"
    assert story(api, "KTP0001030")["destroyed_by"] is None  # a draft burns nothing
    signed = ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    assert signed["status"] == "signed"
    regency = ok(api.get("/offices/62.02/custody", as_="manager"))
    assert regency["categories"]["spoiled_print"]["awaiting"] == 0

    pdf = api.get(f"/destructions/{record['id']}.pdf", as_="manager")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("BERITA ACARA PEMUSNAHAN", "BA-470/031/Dukcapil/2026", "KTP0001030-KTP0001031",
                     "dibakar", "Budi Santoso", "Siti Rahmawati", "Drs. Ahmad Fauzi, M.Si",
                     "Jl. Jenderal Sudirman Km 5, Sampit", "2 keping"):  # fmt: skip
        assert expected in text, (expected, text)

    # Each kind of blank tells its story.
    burned = story(api, "KTP0001031", as_="manager")
    assert burned["office"] is None and burned["transfer_id"] is None
    assert (
        burned["ended_by"] | {"kind": "print", "outcome": "spoiled", "office": "62.02.05"}
        == burned["ended_by"]
    )
    assert burned["destroyed_by"] == {
        "id": record["id"],
        "document_no": "BA-470/031/Dukcapil/2026",
        "destroyed_on": "2026-12-02",
    }
    assert steps(burned) == [("delivery", "62.02"), ("transfer_out", "62.02"), ("transfer_in", "62.02.05"),
                             ("print", "62.02.05"), ("destruction", "62.02")]  # fmt: skip
    ashes = burned["trail"][-1]
    assert ashes["destruction_id"] == record["id"] and ashes["movement_id"] is None
    assert (ashes["actor"], ashes["document_no"], ashes["range"]) == (
        "manager", "BA-470/031/Dukcapil/2026", "KTP0001031"
    )  # fmt: skip
    assert ashes["occurred_at"] == signed["signed_at"]
    assert burned["trail"][0]["document_no"] == "BAST-2026-120"
    # Baamang spoiled it, so Baamang still reads its story; the neighbouring regency does not.
    assert story(api, "KTP0001031", as_="baamang_operator")["destroyed_by"]["id"] == record["id"]
    refused(api.get("/serials/KTP0001031", as_="kobar_manager"), 404, "serial_not_found")

    printed = story(api, "KTP0001007")
    assert printed["destroyed_by"] is None and printed["ended_by"]["outcome"] == "printed"
    assert steps(printed)[-1] == ("print", "62.02.05")
    on_hand = story(api, "KTP0001099")
    assert (on_hand["office"], on_hand["range"]) == ("62.02.05", "KTP0001032-KTP0001099")
    assert steps(on_hand) == [("delivery", "62.02"), ("transfer_out", "62.02"), ("transfer_in", "62.02.05")]
    travelling = story(api, "KTP0001105")
    assert (travelling["office"], travelling["transfer_id"]) == (None, on_the_road["id"])
    assert steps(travelling) == [("delivery", "62.02"), ("transfer_out", "62.02")]
    assert story(api, "KTP0001999")["office"] == "62.02"

    # The month's usage report says the same, as JSON and read back from the XLSX.
    day = today("WIB")
    period = {"under": "62.02", "level": "regency", "from": day.replace(day=1), "to": day}
    report = ok(api.get("/reports/usage", query_string=period, as_="manager"))
    rows = {row["office"]: row for sheet in report["levels"] for row in sheet["rows"]}
    want = {
        "62.02": {"received": 1000, "transfers_out": 110, "closing": 890, "custody_received": 2,
                  "custody_destroyed": 2, "custody_closing": 0},
        "62.02.05": {"transfers_in": 100, "printed": 30, "spoiled": 2, "closing": 68, "custody_added": 3,
                     "custody_sent": 2, "custody_closing": 1},
        "62.02.06": {"transfers_in": 0, "closing": 0},
    }  # fmt: skip
    for code, figures in want.items():
        assert {column: rows[code][column] for column in figures} == figures, code
        assert (
            rows[code]["opening"] + rows[code]["total_in"] - rows[code]["total_out"] == rows[code]["closing"]
        )
    workbook = api.get("/reports/usage", query_string={**period, "format": "xlsx"}, as_="manager")
    book = load_workbook(io.BytesIO(workbook.data))
    from_sheets = {}
    for sheet in book.worksheets:
        table = list(sheet.iter_rows(min_row=2, values_only=True))
        heads = list(table[0])
        for line in table[1:]:
            if line[0] in want:
                from_sheets[line[0]] = {column: line[heads.index(header(column))] for column in want[line[0]]}
    assert from_sheets == want

    assert books_problems(api) == []
    with api.app.app_context():
        verified = api.app.test_cli_runner().invoke(args=["stock", "verify"])
    assert verified.exit_code == 0, verified.output

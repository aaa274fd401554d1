"""The usage report (laporan penggunaan blangko): per office, what came in, went out and stayed,
from the ledger; as JSON, CSV, XLSX and PDF. Checked against the stock card line by line."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from inventory.offices.time_zones import ZONES
from inventory.planning.figures import today
from inventory.reports import usage_custody
from inventory.reports.usage_rules import default_period, last_full_month, office_figures
from inventory.stock.models import PRINT_REASONS
from tests.helpers import adjust, deliver, dispatch, ok, print_card, refused, reverse, whole_ledger

OFFICES = ("62.02", "62.02.05", "62.02.06", "62.02-JB1")


def usage(api, as_="admin", **query):
    return ok(api.get("/reports/usage", query_string=query, as_=as_))


def rows_of(report) -> dict[str, dict]:
    return {row["office"]: row for sheet in report["levels"] for row in sheet["rows"]}


def at(day: date, hour: int = 10) -> str:
    """A moment on a WIB day (Kalimantan Tengah keeps WIB), as the API takes it."""
    return datetime.combine(day, time(hour), ZONES["WIB"]).isoformat()


def add_up(row: dict) -> bool:
    return row["opening"] + row["total_in"] - row["total_out"] == row["closing"]


# --- a month at Kotawaringin Timur, told through the API -------------------------------------


@pytest.fixture
def month(api):
    """The last 30 days up to today (WIB) at 62.02 and its districts, and what came before them."""
    api.app.config["PRINT_BACKDATE_DAYS"] = 3650
    day = today("WIB")
    first = day - timedelta(days=29)
    before = first - timedelta(days=5)
    deliver(api, "62.02", 500, received_at=at(before))
    mistaken = deliver(api, "62.02.06", 10, received_at=at(before), as_="admin")
    deliver(api, "62.02", 200, received_at=at(first + timedelta(days=3)))
    received = dispatch(api, "62.02", "62.02.05", 100)
    ok(api.post(f"/transfers/{received['id']}/receive", as_="baamang_warehouse"))
    cancelled = dispatch(api, "62.02", "62.02.06", 30)
    ok(api.post(f"/transfers/{cancelled['id']}/cancel", as_="warehouse"))
    dispatch(api, "62.02", "62.02.06", 20)  # still on the road
    on = at(first + timedelta(days=10))
    for outcome, reason, count in (("printed", "new_record", 3), ("printed", "replacement", 2),
                                   ("spoiled", "new_record", 2)):  # fmt: skip
        for _ in range(count):
            card = print_card(api, "62.02.05", {"outcome": outcome, "reason": reason, "printed_at": on})
    ok(reverse(api, card["movement"]["id"]), 201)  # the last spoiled print was never made
    kept = print_card(api, "62.02.05", {"outcome": "printed", "reason": "data_change", "printed_at": on})
    adjust(api, "62.02.05", kind="loss", quantity=-3, reason="Box fell in the river")
    mislaid = adjust(api, "62.02.05", kind="loss", quantity=-2, reason="Thought lost, was not")
    ok(reverse(api, mislaid["movement"]["id"]), 201)
    adjust(api, "62.02.05", counted=api.on_hand("62.02.05") - 1, reason="Monthly stocktake")
    ok(
        reverse(api, mistaken["movement"]["id"], as_="admin"), 201
    )  # a delivery made before the period, undone in it
    return {"first": first, "last": day, "kept": kept}


def test_each_office_row_tells_its_month(month, api):
    report = usage(api, under="62.02", level="regency", **{"from": month["first"], "to": month["last"]})

    assert [sheet["level"] for sheet in report["levels"]] == ["regency", "district", "mobile"]
    assert report["reasons"] == list(PRINT_REASONS)
    rows = rows_of(report)
    regency, baamang, mentawa = rows["62.02"], rows["62.02.05"], rows["62.02.06"]
    assert (regency["opening"], regency["received"], regency["transfers_out"]) == (500, 200, 150)
    assert (regency["transfers_returned"], regency["closing"]) == (30, 580)
    assert (baamang["opening"], baamang["transfers_in"]) == (0, 100)
    printed = ("printed_new_record", "printed_replacement", "printed_data_change")
    assert [baamang[column] for column in printed] == [3, 2, 1]
    assert (baamang["printed"], baamang["spoiled"]) == (6, 1)  # the reversed spoiled print is not counted
    assert (baamang["adjustment_loss"], baamang["adjustment_stocktake"], baamang["adjustments"]) == (
        -3,
        -1,
        -4,
    )
    assert (baamang["total_in"], baamang["total_out"], baamang["closing"]) == (100, 11, 89)
    assert baamang["closing"] == api.on_hand("62.02.05")
    # The delivery made before the period counts in its opening; undoing it counts in the period.
    assert (mentawa["opening"], mentawa["received"], mentawa["closing"]) == (10, -10, 0)
    assert rows["62.02-JB1"]["closing"] == 0
    assert all(add_up(row) for row in rows.values())
    district = report["levels"][1]
    assert district["totals"]["printed"] == 6 and district["count"] == 2


def test_the_period_is_the_offices_local_days(month, api):
    """A print late on the last day counts; one early on the day after does not (WIB, not UTC)."""
    yesterday = month["last"] - timedelta(days=1)
    print_card(api, "62.02.05", {"outcome": "printed", "reason": "other", "printed_at": at(yesterday, 23)})
    print_card(api, "62.02.05", {"outcome": "printed", "reason": "other", "printed_at": at(month["last"], 0)})

    row = rows_of(usage(api, under="62.02.05", **{"from": month["first"], "to": yesterday}))["62.02.05"]
    assert row["printed_other"] == 1
    after = rows_of(usage(api, under="62.02.05", **{"from": month["last"], "to": month["last"]}))["62.02.05"]
    assert after["printed_other"] == 1 and after["opening"] == row["closing"]


def test_by_default_the_report_is_the_last_full_month(api):
    api.app.config["PRINT_BACKDATE_DAYS"] = 3650
    first, last = last_full_month(today("WIB"))
    deliver(api, "62.02.05", 50, received_at=at(first - timedelta(days=1)))
    body = {"outcome": "printed", "reason": "new_record", "printed_at": at(first, 1)}
    mistaken = print_card(api, "62.02.05", body)
    print_card(api, "62.02.05", {"outcome": "spoiled", "reason": "new_record", "printed_at": at(last, 23)})
    print_card(api, "62.02.05", {"outcome": "printed", "reason": "new_record"})  # this month

    report = usage(api, under="62.02")
    assert (report["from"], report["to"], report["level"]) == (
        first.isoformat(),
        last.isoformat(),
        "district",
    )
    row = rows_of(report)["62.02.05"]
    assert (row["opening"], row["printed"], row["spoiled"], row["closing"]) == (50, 1, 1, 48)

    # Last month's print reversed today: last month keeps it, as the stock card does; this month
    # shows it taken back, in the column of a print.
    ok(reverse(api, mistaken["movement"]["id"]), 201)
    assert rows_of(usage(api, under="62.02"))["62.02.05"]["printed"] == 1
    now = rows_of(usage(api, under="62.02", **{"from": last + timedelta(days=1)}))["62.02.05"]
    assert (now["opening"], now["printed_new_record"], now["printed"], now["closing"]) == (48, 0, 0, 48)


# --- the files -----------------------------------------------------------------------------


def period(month) -> dict:
    return {"under": "62.02", "level": "regency", "from": month["first"], "to": month["last"]}


def test_csv_holds_every_level_with_the_json_figures(month, api):
    response = api.get("/reports/usage", query_string={**period(month), "format": "csv"}, as_="admin")
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    assert "blangko-usage-62.02-regency" in response.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    rows = rows_of(usage(api, **period(month)))
    assert [line["office"] for line in lines] == ["62.02", "62.02.05", "62.02.06", "62.02-JB1"]
    for line in lines:
        row = rows[line["office"]]
        for column in ("opening", "received", "printed_new_record", "spoiled", "adjustment_loss", "closing"):
            assert int(line[column]) == row[column], (line["office"], column)
    assert lines[1]["level"] == "district"


def test_xlsx_has_a_sheet_per_level_with_indonesian_headers_and_numbers(month, api):
    accept = {"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    response = api.get("/reports/usage", query_string=period(month), as_="admin", headers=accept)
    assert response.status_code == 200 and response.content_type.endswith(".sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Kabupaten-Kota", "Kecamatan", "Unit Jemput Bola"]
    sheet = book["Kecamatan"]
    assert sheet.freeze_panes == "C3"
    assert "Kab. Kotawaringin Timur" in sheet["A1"].value
    headers = [cell.value for cell in sheet[2]]
    assert headers[:4] == ["Kode", "Nama Kantor", "Saldo Awal", "Penerimaan"]
    assert "Cetak Perekaman Baru" in headers and "Saldo Akhir" in headers
    lines = {
        line[0]: dict(zip(headers, line, strict=True))
        for line in sheet.iter_rows(min_row=3, values_only=True)
    }
    baamang = lines["62.02.05"]
    assert (baamang["Saldo Awal"], baamang["Mutasi Masuk"], baamang["Jumlah Tercetak"]) == (0, 100, 6)
    assert (baamang["Rusak/Gagal Cetak"], baamang["Hilang"], baamang["Saldo Akhir"]) == (1, -3, 89)
    assert isinstance(baamang["Saldo Akhir"], int)
    assert lines["Jumlah"]["Saldo Akhir"] == 89 + 0  # Baamang and Mentawa Baru Ketapang
    assert lines["Jumlah"]["Penerimaan"] == -10


def test_pdf_is_a_landscape_a4_with_letterhead_figures_and_a_place_to_sign(month, api):
    response = api.get("/reports/usage", query_string={**period(month), "format": "pdf"}, as_="admin")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "KAB. KOTAWARINGIN TIMUR" in text and "LAPORAN PENGGUNAAN BLANGKO KTP-EL" in text
    assert f"{month['first'].day} " in text and "s.d." in text
    assert "Kepala Kab. Kotawaringin Timur" in text and "NIP." in text
    baamang = next(line for line in text.splitlines() if line.startswith("62.02.05"))
    figures = baamang.split()[2:]  # after the code and "Baamang"
    assert figures[:3] == ["0", "0", "100"] and figures[-1] == "89"  # opening, received, transfers in


# --- who may ask, what is refused --------------------------------------------------------


def test_scope_and_refusals_are_those_of_the_other_reports(api):
    assert (
        usage(api, as_="baamang_operator", under="62.02.05")["levels"][0]["rows"][0]["office"] == "62.02.05"
    )
    refused(
        api.get("/reports/usage", query_string={"under": "62.02"}, as_="kobar_manager"), 403, "outside_area"
    )
    refused(api.get("/reports/usage", query_string={"under": "62"}), 401, "missing_token")
    for query, status, error in (
        ({"under": "99"}, 404, "office_not_found"),
        ({"under": "62.02", "level": "province"}, 422, "bad_level"),
        ({"under": "62", "from": "2024-02-01", "to": "2024-01-31"}, 422, "bad_range"),
        ({"under": "62", "from": "2021-01-01", "to": "2024-01-31"}, 422, "range_too_long"),
        ({"under": "62", "format": "docx"}, 422, "validation_error"),
    ):
        refused(api.get("/reports/usage", query_string=query, as_="admin"), status, error)


# --- a random history against a naive sum over the stock card -------------------------------


def test_a_random_history_agrees_with_a_naive_sum_over_each_stock_card(api):
    api.app.config["PRINT_BACKDATE_DAYS"] = 3650
    rng = random.Random(12)
    day = today("WIB")
    first = day - timedelta(days=59)
    deliver(api, "62.02", 3000, received_at=at(first - timedelta(days=3)))
    movements = []
    for _ in range(70):
        code = rng.choice(OFFICES)
        moment = at(first + timedelta(days=rng.randint(0, 59)), rng.randint(0, 23))
        clock = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        moment = min(moment, clock, key=datetime.fromisoformat)  # never ahead of the server's clock
        roll = rng.random()
        if roll < 0.15:
            movements.append(deliver(api, code, rng.randint(1, 50), received_at=moment, as_="admin"))
        elif roll < 0.55 and api.on_hand(code) > 0:
            body = {"outcome": rng.choice(("printed", "printed", "spoiled")),
                    "reason": rng.choice(PRINT_REASONS), "printed_at": moment}  # fmt: skip
            movements.append(print_card(api, code, body, as_="admin"))
        elif roll < 0.7 and api.on_hand(code) > 5:
            transfer = dispatch(api, code, rng.choice([o for o in OFFICES if o != code]), 5, as_="admin")
            verb = rng.choice(("receive", "cancel", "leave", "short"))
            # Received by someone other than the sender (who may cancel); a short receipt is the
            # source's loss in transit (stock/receipts.py).
            if verb == "short":
                ok(api.post(f"/transfers/{transfer['id']}/receive", {"counted": 3}, as_="warehouse"))
            elif verb != "leave":
                ok(
                    api.post(
                        f"/transfers/{transfer['id']}/{verb}",
                        as_="warehouse" if verb == "receive" else "admin",
                    )
                )
        elif roll < 0.8 and api.on_hand(code) > 2:
            kind = rng.choice(("loss", "damage", "found", "correction"))
            quantity = {"found": 2}.get(kind, -2) if kind != "correction" else rng.choice((-1, 1))
            movements.append(
                adjust(api, code, kind=kind, quantity=quantity, reason="Random history", as_="admin")
            )
        elif roll < 0.85:
            counted = max(0, api.on_hand(code) + rng.randint(-2, 2))
            adjust(api, code, counted=counted, reason="Random stocktake", as_="admin")
        elif movements:
            undone = movements.pop(rng.randrange(len(movements)))
            response = reverse(api, undone["movement"]["id"], as_="admin")
            assert response.status_code in (201, 409)  # 409: not enough stock to undo a delivery

    cards = {code: whole_ledger(api, code) for code in OFFICES}
    kinds = {line["id"]: line["kind"] for card in cards.values() for line in card}
    undone = [kinds[line["reverses_id"]] for card in cards.values() for line in card if line["reverses_id"]]
    assert "print" in undone and "delivery" in undone  # the history has the cases worth checking
    assert "loss_in_transit" in kinds.values()
    for first_day, last_day in ((first, day), (first + timedelta(days=10), first + timedelta(days=40))):
        query = {"under": "62.02", "level": "regency", "from": first_day, "to": last_day}
        rows = rows_of(usage(api, **query))
        for code in OFFICES:
            expected = naive(cards[code], first_day, last_day)
            got = {column: rows[code][column] for column in expected}
            assert got == expected, (code, first_day, last_day)
            assert add_up(rows[code])


COLUMN_OF_KIND = {"transfer_in": "transfers_in", "transfer_out": "transfers_out",
                  "transfer_return": "transfers_returned"}  # fmt: skip


def naive(card: list[dict], first: date, last: date) -> dict[str, int]:
    """The row, summed line by line off the stock card, as a clerk with a calculator would."""
    by_id = {line["id"]: line for line in card}
    figures: dict[str, int] = defaultdict(int)
    start = datetime.combine(first, time(), ZONES["WIB"])
    end = datetime.combine(last + timedelta(days=1), time(), ZONES["WIB"])
    for line in card:
        moment = datetime.fromisoformat(line["occurred_at"]).astimezone(UTC)
        if moment < start:
            figures["opening"] += line["quantity"]
        if moment < end:
            figures["closing"] += line["quantity"]
        if not start <= moment < end:
            continue
        undone = by_id[line["reverses_id"]] if line["kind"] == "reversal" else line
        quantity, kind = line["quantity"], undone["kind"]
        if kind == "print":
            column = "spoiled" if undone["outcome"] == "spoiled" else f"printed_{undone['reason']}"
            figures[column] -= quantity
        elif kind == "delivery":
            figures["received"] += quantity
        elif kind in COLUMN_OF_KIND:
            figures[COLUMN_OF_KIND[kind]] += abs(quantity)  # no transfer line is ever reversed
        else:
            figures[f"adjustment_{kind}"] += quantity
    return {column: figures[column] for column in (
        "opening", "closing", "received", "transfers_in", "transfers_out", "transfers_returned", "spoiled",
        *(f"printed_{reason}" for reason in PRINT_REASONS),
        *(f"adjustment_{kind}" for kind in ("stocktake", "loss", "damage", "found", "correction",
                                             "loss_in_transit")),
    )}  # fmt: skip


# --- the pure parts -----------------------------------------------------------------------


def test_periods_default_to_the_last_full_month():
    assert last_full_month(date(2024, 3, 15)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert last_full_month(date(2024, 1, 1)) == (date(2023, 12, 1), date(2023, 12, 31))
    assert default_period(date(2024, 3, 15), None, date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 10))
    assert default_period(date(2024, 3, 15), date(2024, 3, 2), None) == (date(2024, 3, 2), date(2024, 3, 15))


def test_a_reversal_lands_in_the_column_of_what_it_undoes():
    # A print of a replacement (-1) and its reversal (+1), a loss of 3 and its reversal, a delivery.
    sums = [("print", "printed", "replacement", -1), ("print", "printed", "replacement", 1),
            ("loss", None, None, -3), ("loss", None, None, 3), ("delivery", None, None, 40)]  # fmt: skip
    figures = office_figures(on_hand=50, since_start=40, sums=sums, reasons=list(PRINT_REASONS))
    assert (figures["printed_replacement"], figures["adjustment_loss"], figures["received"]) == (0, 0, 40)
    assert (figures["opening"], figures["closing"]) == (10, 50)


# --- the custody block: cards awaiting destruction, from the custody ledger ---------------------


@pytest.fixture
def custody(api):
    """Through the API, today: Baamang spoils 3 prints and takes back 1 resident's old card,
    sends 3 spoiled cards to the regency, which burns 2 of them before two witnesses; a
    spoiled print entered by mistake is reversed (taking back what it added)."""
    from tests.stock.test_custody import berita_acara

    deliver(api, "62.02.05", 10, as_="baamang_warehouse")
    spoiled = {"outcome": "spoiled", "reason": "new_record"}
    ids = [ok(api.post("/offices/62.02.05/prints", spoiled, as_="baamang_operator"), 201)["movement"]["id"]
           for _ in range(4)]  # fmt: skip
    ok(api.post(f"/movements/{ids[-1]}/reverse", {"reason": "Salah catat"}, as_="manager"), 201)
    defective = {"kind": "defective", "quantity": -2, "reason": "Chip tidak dapat diisi"}
    ok(api.post("/offices/62.02.05/adjustments", defective, as_="manager"), 201)
    ok(api.post("/offices/62.02.05/returned-cards", {"quantity": 1, "reason": "data_change"},
                as_="baamang_operator"), 201)  # fmt: skip
    body = {
        "from": "62.02.05",
        "to": "62.02",
        "quantity": 3,
        "custody": "spoiled",
        "category": "spoiled_print",
    }
    sent = ok(api.post("/transfers", body, as_="baamang_warehouse"), 201)
    ok(api.post(f"/transfers/{sent['id']}/receive", as_="warehouse"))
    record = ok(api.post("/offices/62.02/destructions", berita_acara(counts={"spoiled_print": 2}),
                         as_="manager"), 201)  # fmt: skip
    ok(api.post(f"/destructions/{record['id']}/sign", as_="manager"))
    day = today("WIB")
    return {"under": "62.02", "level": "regency", "from": day, "to": day}


def test_the_custody_block_follows_the_custody_ledger_in_every_format(custody, api):
    report = usage(api, **custody)
    rows = rows_of(report)
    assert report["columns"][-6:] == list(usage_custody.CUSTODY_COLUMNS)
    figures = {code: [rows[code][column] for column in usage_custody.CUSTODY_COLUMNS] for code in rows}
    # opening, added (4 spoiled - 1 reversed + 2 defective + 1 returned), sent, received, destroyed, closing
    assert figures["62.02.05"] == [0, 6, 3, 0, 0, 3]
    assert rows["62.02.05"]["adjustment_defective"] == -2 and add_up(rows["62.02.05"])
    assert figures["62.02"] == [0, 0, 0, 3, 2, 1]
    assert figures["62.02.06"] == [0] * 6
    awaiting = {code: sum(c["awaiting"] for c in ok(api.get(f"/offices/{code}/custody", as_="admin"))
                          ["categories"].values()) for code in ("62.02.05", "62.02")}  # fmt: skip
    assert awaiting == {"62.02.05": 3, "62.02": 1}  # the report's closing is what the offices hold

    lines = api.get("/reports/usage", query_string={**custody, "format": "csv"}, as_="admin").data
    by_office = {row["office"]: row for row in csv.DictReader(io.StringIO(lines.decode("utf-8-sig")))}
    assert by_office["62.02"]["custody_destroyed"] == "2"
    book = load_workbook(io.BytesIO(api.get("/reports/usage", query_string={**custody, "format": "xlsx"},
                                            as_="admin").data))  # fmt: skip
    headers = [cell.value for cell in book["Kecamatan"][2]]
    assert headers[-1] == "Menunggu Pemusnahan (Akhir)"
    pdf = api.get("/reports/usage", query_string={**custody, "format": "pdf"}, as_="admin").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "blangko rusak menunggu pemusnahan" in text and "Dimusnahkan" in text


def test_custody_switched_off_adds_no_column(api, monkeypatch):
    monkeypatch.setattr(usage_custody, "CUSTODY_ENABLED", False)
    report = usage(api, under="62.02")
    assert not any(column.startswith("custody_") for column in report["columns"])

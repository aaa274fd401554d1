"""Reports: stock per office of an area and consumption per day, week or month, as JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from inventory.planning.figures import today
from inventory.reports.csv_export import cell, filename
from inventory.reports.rules import buckets, children_status, office_status, spoilage_rate
from inventory.reports.schemas import (
    ConsumptionBucketSchema,
    ConsumptionReportSchema,
    StockReportSchema,
    StockRowSchema,
)
from tests.helpers import deliver, dispatch, ok, print_card, refused

# --- the world: two regencies of Kalimantan Tengah, four districts in all --------------
#
#   62.01 Kotawaringin Barat   62.01.01  1,000 delivered, minimum 1,000          -> low
#                              62.01.02     10 delivered                         -> ok
#   62.02 Kotawaringin Timur   62.02.05    100 delivered + 10 in transit,
#                                          100 unrecorded, 20 waiting            -> shortfall
#                              62.02.06  nothing, 20 unrecorded                  -> out

# Prints at Baamang (62.02.05) on chosen days: (day, outcome, reason, how many).
BAAMANG_PRINTS = (
    ("2024-01-31", "printed", "new_record", 2),
    ("2024-01-31", "spoiled", "new_record", 1),
    ("2024-02-01", "printed", "replacement", 1),
    ("2024-02-04", "printed", "data_change", 1),  # a Sunday: still ISO week 5
    ("2024-02-04", "spoiled", "other", 1),
    ("2024-02-05", "printed", "new_record", 3),  # a Monday: ISO week 6
    ("2024-12-30", "printed", "new_record", 1),  # a Monday in ISO week 1 of 2025
)
RECENT_PRINTS = 3  # at Baamang, in the last days: the usage window behind days of cover


def put_population(api, code, target, recorded, backlog=0):
    body = {"target": target, "recorded": recorded, "print_backlog": backlog, "as_of": today().isoformat()}
    ok(api.put(f"/offices/{code}/population", body, as_="admin"))


def print_on(api, code, day, outcome, reason, as_="operator"):
    body = {"outcome": outcome, "reason": reason, "printed_at": f"{day}T10:00:00+00:00"}
    print_card(api, code, body, as_=as_)


@pytest.fixture
def area(api):
    api.app.config["PRINT_BACKDATE_DAYS"] = 3650  # the calendar cases sit on fixed days of 2024
    for code, name in (("62.01.01", "Arut Selatan"), ("62.01.02", "Kumai")):
        ok(api.post("/offices", {"code": code, "name": name, "kind": "district", "parent_code": "62.01"},
                    as_="admin"), 201)  # fmt: skip
    api.add_user("kobar_operator", "operator", "62.01")
    deliver(api, "62.01.01", 1000, as_="kobar_warehouse")
    deliver(api, "62.01.02", 10, as_="kobar_warehouse")
    ok(api.patch("/offices/62.01.01", {"min_stock": 1000}, as_="admin"))
    print_on(api, "62.01.01", "2024-02-01", "printed", "new_record", as_="kobar_operator")

    deliver(api, "62.02", 50)
    deliver(api, "62.02.05", 100)
    dispatch(api, "62.02", "62.02.05", 10)
    for day, outcome, reason, count in BAAMANG_PRINTS:
        for _ in range(count):
            print_on(api, "62.02.05", day, outcome, reason)
    for days_ago in range(RECENT_PRINTS):
        moment = datetime.now(UTC) - timedelta(days=days_ago)
        print_card(
            api, "62.02.05", {"outcome": "printed", "reason": "replacement", "printed_at": moment.isoformat()}
        )
    put_population(api, "62.02.05", target=1000, recorded=900, backlog=20)
    put_population(api, "62.02.06", target=500, recorded=480)
    return api


def stock_report(api, as_="admin", **query):
    return ok(api.get("/reports/stock", query_string=query, as_=as_))


def consumption(api, as_="admin", **query):
    return ok(api.get("/reports/consumption", query_string=query, as_=as_))


# --- stock ---------------------------------------------------------------------------


def test_stock_report_gives_each_district_of_the_area_its_figures_and_status(area):
    report = stock_report(area, under="62", level="district")

    rows = {row["office"]: row for row in report["rows"]}
    assert list(rows) == ["62.01.01", "62.01.02", "62.02.05", "62.02.06"]  # by code, mobile units left out
    assert {code: row["status"] for code, row in rows.items()} == {
        "62.01.01": "low",
        "62.01.02": "ok",
        "62.02.05": "shortfall",
        "62.02.06": "out",
    }
    assert report["statuses"] == {"ok": 1, "low": 1, "shortfall": 1, "out": 1}
    assert (report["under"], report["level"], report["count"]) == ("62", "district", 4)
    assert report["as_of"] == today().isoformat()

    baamang = rows["62.02.05"]
    printed_here = sum(count for *_, count in BAAMANG_PRINTS) + RECENT_PRINTS
    assert baamang["own_on_hand"] == baamang["on_hand"] == 100 - printed_here
    assert baamang["in_transit_in"] == 10
    assert baamang["unrecorded"] == 100 and baamang["print_backlog"] == 20
    assert baamang["parent"] == "62.02" and baamang["kind"] == "district" and baamang["name"] == "Baamang"
    assert rows["62.02.06"]["on_hand"] == 0 and rows["62.02.06"]["projected_demand"] > 0
    assert rows["62.01.01"]["own_on_hand"] == 999


def test_stock_rows_agree_with_each_office_projection_and_its_alerts(area):
    for level in ("district", "regency"):
        for row in stock_report(area, under="62", level=level)["rows"]:
            outputs = ok(area.get(f"/offices/{row['office']}/projection", as_="admin"))["outputs"]
            for field in ("unrecorded", "projected_demand", "shortfall", "suggested_order",
                          "average_daily_use", "days_of_cover", "stockout_date"):  # fmt: skip
                assert row[field] == outputs[field], (row["office"], field)
            assert row["on_hand"] + row["in_transit_in"] == outputs["remaining"]

            alerts = ok(area.get("/alerts", query_string={"office": row["office"], "status": "unresolved"},
                                 as_="admin"))["items"]  # fmt: skip
            kinds = sorted(alert["kind"] for alert in alerts if alert["office"] == row["office"])
            assert row["alert_kinds"] == kinds and row["open_alerts"] == len(kinds)
    baamang = next(r for r in stock_report(area, under="62.02")["rows"] if r["office"] == "62.02.05")
    assert baamang["days_of_cover"] is not None and baamang["stockout_date"] is not None  # recent prints
    assert "projected_shortfall" in baamang["alert_kinds"]


def test_regency_rows_hold_their_whole_subtree(area):
    rows = {row["office"]: row for row in stock_report(area, under="62", level="regency")["rows"]}

    assert list(rows) == ["62.01", "62.02"]
    districts = {row["office"]: row for row in stock_report(area, under="62", level="district")["rows"]}
    assert rows["62.01"]["on_hand"] == districts["62.01.01"]["on_hand"] + districts["62.01.02"]["on_hand"]
    kotim = rows["62.02"]
    assert kotim["own_on_hand"] == 40  # 50 delivered, 10 sent on to Baamang
    assert kotim["on_hand"] == 40 + districts["62.02.05"]["on_hand"]
    assert kotim["in_transit_in"] == 10
    assert kotim["unrecorded"] == 120  # 100 at Baamang + 20 at Mentawa Baru Ketapang


@pytest.mark.parametrize(
    ("under", "level", "codes"),
    [
        ("ID", None, ["62"]),  # the level just below the area by default
        ("62", None, ["62.01", "62.02"]),
        ("62.02", None, ["62.02.05", "62.02.06"]),
        ("62.02.05", None, ["62.02.05"]),  # a district reports on itself
        ("ID", "district", ["62.01.01", "62.01.02", "62.02.05", "62.02.06"]),
        ("62.02", "regency", ["62.02"]),
    ],
)
def test_level_defaults_to_the_one_below_the_area(area, under, level, codes):
    query = {"under": under, **({"level": level} if level else {})}
    assert [row["office"] for row in stock_report(area, **query)["rows"]] == codes


def test_stock_report_as_csv_reads_back_to_the_same_figures(area):
    report = stock_report(area, under="62", level="district")
    response = area.get("/reports/stock", query_string={"under": "62", "level": "district", "format": "csv"},
                        as_="admin")  # fmt: skip

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="blangko-stock-62-district-{today().isoformat()}.csv"'
    )
    assert response.data.startswith("\ufeff".encode())  # so Excel reads UTF-8
    assert b"\r\n" in response.data
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0]) == list(StockRowSchema().fields)
    assert len(rows) == len(report["rows"])
    for line, row in zip(rows, report["rows"], strict=True):
        assert line["office"] == row["office"] and line["status"] == row["status"]
        for field in ("on_hand", "own_on_hand", "in_transit_in", "unrecorded", "projected_demand",
                      "shortfall", "open_alerts"):  # fmt: skip
            assert int(line[field]) == row[field], field
        assert line["stockout_date"] == (row["stockout_date"] or "")
        assert line["days_of_cover"] == ("" if row["days_of_cover"] is None else str(row["days_of_cover"]))
        assert line["alert_kinds"].split() == row["alert_kinds"]
        assert line["active"] == "true"


def test_csv_is_chosen_by_the_accept_header_unless_format_says_otherwise(area):
    query = {"under": "62.02"}
    as_csv = area.get("/reports/stock", query_string=query, headers={"Accept": "text/csv"}, as_="admin")
    anything = area.get("/reports/stock", query_string=query, headers={"Accept": "*/*"}, as_="admin")
    forced = area.get("/reports/stock", query_string={**query, "format": "json"},
                      headers={"Accept": "text/csv"}, as_="admin")  # fmt: skip

    assert as_csv.content_type == "text/csv; charset=utf-8"
    assert anything.content_type == forced.content_type == "application/json"
    for response in (as_csv, anything):
        assert "Accept" in response.headers["Vary"]  # one URL, two bodies: caches must tell them apart


def test_json_shape_matches_the_documented_schemas(area):
    stock = stock_report(area, under="62", level="district")
    usage = consumption(area, under="62.02.05", bucket="week", **{"from": "2024-01-29", "to": "2024-02-11"})

    assert set(stock) == {field.data_key or name for name, field in StockReportSchema().fields.items()}
    assert set(stock["rows"][0]) == set(StockRowSchema().fields)
    assert set(usage) == {field.data_key or name for name, field in ConsumptionReportSchema().fields.items()}
    assert set(usage["buckets"][0]) == set(ConsumptionBucketSchema().fields)

    spec = ok(area.get("/openapi.json"))
    for path in ("/api/v1/reports/stock", "/api/v1/reports/consumption"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}


# --- consumption -----------------------------------------------------------------------


def test_consumption_by_day_has_every_day_even_empty_ones(area):
    report = consumption(area, under="62.02.05", bucket="day", **{"from": "2024-01-31", "to": "2024-02-05"})

    days = {b["label"]: b for b in report["buckets"]}
    assert list(days) == ["2024-01-31", "2024-02-01", "2024-02-02", "2024-02-03", "2024-02-04", "2024-02-05"]
    assert [(b["printed"], b["spoiled"]) for b in days.values()] == [
        (2, 1),
        (1, 0),
        (0, 0),
        (0, 0),
        (1, 1),
        (3, 0),
    ]
    assert days["2024-01-31"]["spoilage_rate"] == pytest.approx(0.3333)
    assert days["2024-02-02"]["spoilage_rate"] is None  # nothing consumed: no rate, not 0
    assert days["2024-02-04"]["by_reason"]["other"] == {"printed": 0, "spoiled": 1, "spoilage_rate": 1.0}
    assert report["reasons"] == ["new_record", "replacement", "data_change", "other"]
    assert report["totals"]["printed"] == 7 and report["totals"]["spoiled"] == 2
    assert report["totals"]["consumed"] == 9
    assert report["totals"]["by_reason"]["new_record"] == {
        "printed": 5,
        "spoiled": 1,
        "spoilage_rate": 0.1667,
    }


def test_weeks_are_iso_weeks_starting_on_monday(area):
    report = consumption(area, under="62.02.05", bucket="week", **{"from": "2024-01-29", "to": "2024-02-11"})
    weeks = [(b["label"], b["start"], b["end"], b["printed"], b["spoiled"]) for b in report["buckets"]]
    assert weeks == [
        ("2024-W05", "2024-01-29", "2024-02-04", 4, 2),  # Sunday the 4th closes week 5
        ("2024-W06", "2024-02-05", "2024-02-11", 3, 0),
    ]
    assert report["buckets"][0]["by_reason"]["data_change"]["printed"] == 1

    new_year = consumption(
        area, under="62.02.05", bucket="week", **{"from": "2024-12-23", "to": "2025-01-05"}
    )
    assert [(b["label"], b["printed"]) for b in new_year["buckets"]] == [("2024-W52", 0), ("2025-W01", 1)]


def test_months_are_clipped_to_the_range_asked_for(area):
    report = consumption(area, under="62.02.05", bucket="month", **{"from": "2024-01-15", "to": "2024-02-20"})
    months = [(b["label"], b["start"], b["end"], b["printed"], b["spoiled"], b["spoilage_rate"])
              for b in report["buckets"]]  # fmt: skip
    assert months == [
        ("2024-01", "2024-01-15", "2024-01-31", 2, 1, 0.3333),
        ("2024-02", "2024-02-01", "2024-02-20", 5, 1, 0.1667),
    ]


def test_an_area_counts_every_office_below_it_and_nothing_else(area):
    window = {"from": "2024-02-01", "to": "2024-02-01", "bucket": "day"}
    assert consumption(area, under="62.02", **window)["totals"]["printed"] == 1  # Baamang's replacement
    assert consumption(area, under="62", **window)["totals"]["printed"] == 2  # and Arut Selatan's
    assert consumption(area, under="ID", **window)["totals"]["printed"] == 2
    assert consumption(area, under="62.01.02", **window)["totals"]["printed"] == 0


def test_consumption_defaults_to_the_last_thirty_days_by_day(area):
    report = consumption(area, under="62.02.05")

    assert report["bucket"] == "day" and report["to"] == today().isoformat()
    assert report["from"] == (today() - timedelta(days=29)).isoformat()
    assert len(report["buckets"]) == 30
    assert report["totals"]["by_reason"]["replacement"]["printed"] == RECENT_PRINTS


def test_consumption_as_csv_has_a_column_per_reason_and_outcome(area):
    query = {"under": "62.02.05", "bucket": "week", "from": "2024-01-29", "to": "2024-02-11"}
    report = consumption(area, **query)
    response = area.get(
        "/reports/consumption", query_string=query, headers={"Accept": "text/csv"}, as_="admin"
    )

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="blangko-consumption-62.02.05-week-2024-01-29-2024-02-11.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0])[:7] == ["label", "start", "end", "printed", "spoiled", "consumed", "spoilage_rate"]
    for line, bucket in zip(rows, report["buckets"], strict=True):
        assert (line["label"], line["start"], line["end"]) == (
            bucket["label"],
            bucket["start"],
            bucket["end"],
        )
        assert int(line["printed"]) == bucket["printed"] and int(line["spoiled"]) == bucket["spoiled"]
        assert float(line["spoilage_rate"]) == bucket["spoilage_rate"]
        for reason, figures in bucket["by_reason"].items():
            assert int(line[f"{reason}_printed"]) == figures["printed"]
            assert int(line[f"{reason}_spoiled"]) == figures["spoiled"]


# --- who may read what, and what is refused -------------------------------------------------


def test_anyone_may_read_reports_of_their_own_area_only(area):
    assert stock_report(area, as_="baamang_operator", under="62.02.05")["count"] == 1
    assert consumption(area, as_="warehouse", under="62.02")["under"] == "62.02"
    refused(area.get("/reports/stock", query_string={"under": "62"}, as_="manager"), 403, "outside_area")
    refused(area.get("/reports/consumption", query_string={"under": "62.02"}, as_="kobar_manager"), 403,
            "outside_area")  # fmt: skip
    refused(area.get("/reports/stock", query_string={"under": "62"}), 401, "missing_token")


@pytest.mark.parametrize(
    ("path", "query", "status", "error"),
    [
        ("/reports/stock", {}, 422, "validation_error"),
        ("/reports/stock", {"under": "99"}, 404, "office_not_found"),
        ("/reports/stock", {"under": "62", "level": "mobile"}, 422, "validation_error"),
        ("/reports/stock", {"under": "62.02", "level": "province"}, 422, "bad_level"),
        ("/reports/stock", {"under": "62.02-JB1"}, 422, "bad_level"),  # nothing below a mobile unit
        ("/reports/stock", {"under": "62", "format": "xlsx"}, 422, "validation_error"),
        ("/reports/consumption", {"under": "62", "bucket": "year"}, 422, "validation_error"),
        ("/reports/consumption", {"under": "62", "from": "2024-02-01", "to": "2024-01-31"}, 422, "bad_range"),
        (
            "/reports/consumption",
            {"under": "62", "from": "2021-01-01", "to": "2024-01-31"},
            422,
            "range_too_long",
        ),
        ("/reports/consumption", {"under": "62", "from": "31/01/2024"}, 422, "validation_error"),
    ],
)
def test_bad_requests_are_refused(api, path, query, status, error):
    refused(api.get(path, query_string=query, as_="admin"), status, error)


def test_three_years_is_the_longest_range(api):
    query = {"under": "62", "bucket": "month", "from": "2021-01-01", "to": "2023-12-31"}
    assert len(consumption(api, **query)["buckets"]) == 36


# --- the pure parts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "status"),
    [
        ({"remaining": 0, "projected_demand": 5, "shortfall": 5}, "out"),
        ({"remaining": 0, "projected_demand": 0, "shortfall": 0}, "ok"),  # empty but nobody waits
        ({"remaining": 10, "projected_demand": 15, "shortfall": 5}, "shortfall"),
        ({"own_on_hand": 100, "min_stock": 100}, "low"),
        ({"own_on_hand": 0, "min_stock": 0}, "ok"),  # no minimum set
        ({"reorder_now": True}, "low"),
        ({"own_on_hand": 101, "min_stock": 100}, "ok"),
        # a parent whose blanks sit in its own store while the offices under it are empty or short
        ({"children_out": 3}, "shortfall"),
        ({"children_short": 1}, "shortfall"),
        ({"children_out": 1, "remaining": 0, "projected_demand": 5, "shortfall": 5}, "out"),
        ({"children_out": 0, "children_short": 0}, "ok"),
    ],
)
def test_office_status(figures, status):
    base = {"remaining": 50, "projected_demand": 10, "shortfall": 0, "own_on_hand": 50, "min_stock": 0}
    assert office_status(**{**base, **figures}) == status


@pytest.mark.parametrize(
    ("figures", "counted_as"),
    [
        ({"remaining": 0, "projected_demand": 5, "shortfall": 5}, "out"),
        ({"remaining": 0, "projected_demand": 0, "shortfall": 0}, None),
        ({"remaining": 3, "projected_demand": 5, "shortfall": 2}, "short"),
        ({"remaining": 5, "projected_demand": 5, "shortfall": 0}, None),
    ],
)
def test_how_a_child_counts_in_its_parents_status(figures, counted_as):
    assert children_status(**figures) == counted_as


def test_spoilage_rate_is_unknown_without_consumption():
    assert spoilage_rate(0, 0) is None
    assert spoilage_rate(3, 1) == 0.25
    assert spoilage_rate(0, 2) == 1.0


def test_buckets_cover_the_range_across_month_and_year_ends():
    months = list(buckets(date(2023, 12, 10), date(2024, 3, 1), "month"))
    assert [(b.label, b.start, b.end) for b in months] == [
        ("2023-12", date(2023, 12, 10), date(2023, 12, 31)),
        ("2024-01", date(2024, 1, 1), date(2024, 1, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # a leap year
        ("2024-03", date(2024, 3, 1), date(2024, 3, 1)),
    ]
    weeks = list(buckets(date(2020, 12, 30), date(2021, 1, 4), "week"))
    assert [(b.label, b.start, b.end) for b in weeks] == [
        ("2020-W53", date(2020, 12, 30), date(2021, 1, 3)),  # 2020 had 53 ISO weeks
        ("2021-W01", date(2021, 1, 4), date(2021, 1, 4)),
    ]
    assert len(list(buckets(date(2024, 2, 28), date(2024, 3, 1), "day"))) == 3


def test_csv_cells_are_plain_values_and_never_formulas():
    assert cell(None) == "" and cell(12) == 12 and cell(-3) == -3 and cell(0.25) == 0.25
    assert cell(date(2024, 2, 5)) == "2024-02-05" and cell(True) == "true"
    assert cell(["low_stock", "stockout"]) == "low_stock stockout"
    assert cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert cell("-1+2") == "'-1+2" and cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell("Kab. Kotawaringin Timur") == "Kab. Kotawaringin Timur"
    assert (
        filename("stock", "62.02", "district", date(2024, 5, 1))
        == "blangko-stock-62.02-district-2024-05-01.csv"
    )
    assert filename("stock", 'a"b/c', None) == "blangko-stock-a_b_c.csv"


def test_a_regency_whose_districts_are_empty_is_not_ok_though_its_store_is_full(api):
    for code in ("62.02.05", "62.02.06"):
        put_population(api, code, target=100, recorded=90)
    deliver(api, "62.02", 5000)  # plenty in the regency's own store, nothing at the districts
    deliver(api, "62.02.05", 5)  # one district short: 5 held, 11 needed

    row = next(r for r in stock_report(api, under="62", level="regency")["rows"] if r["office"] == "62.02")

    assert row["shortfall"] == 0 and row["on_hand"] == 5005
    assert (row["children_out"], row["children_short"]) == (1, 1)
    assert row["children"] >= 3 and row["status"] == "shortfall"
    districts = {r["office"]: r["status"] for r in stock_report(api, under="62.02", level="district")["rows"]}
    assert (districts["62.02.06"], districts["62.02.05"]) == ("out", "shortfall")

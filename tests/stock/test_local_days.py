"""Local days: a print counts on the day it was at the office that made it (WIB, WITA or WIT),
for that office and every ancestor; "today" of projections, reports and alerts is the
office's local today."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from inventory.offices import time_zones
from tests.helpers import deliver, ok, print_batch, print_card, refused, reverse

# Three days back, so every moment below lies in the past and inside the usage window.
D = datetime.now(UTC).date() - timedelta(days=3)
NEXT = D + timedelta(days=1)


def at(hour: int, minute: int = 0, day: date = D) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC).isoformat()


def by_day(api, under: str, first: date = D, last: date = NEXT) -> dict[str, tuple[int, int]]:
    query = {"under": under, "bucket": "day", "from": first.isoformat(), "to": last.isoformat()}
    report = ok(api.get("/reports/consumption", query_string=query, as_="admin"))
    return {b["label"]: (b["printed"], b["spoiled"]) for b in report["buckets"]}


def open_office(api, code, name, kind, parent, **fields):
    body = {"code": code, "name": name, "kind": kind, "parent_code": parent, **fields}
    return ok(api.post("/offices", body, as_="admin"), 201)


@pytest.fixture
def borneo(api):
    """Kalimantan Timur (WITA) and Papua (WIT) beside the world's Kalimantan Tengah (WIB)."""
    open_office(api, "64", "Kalimantan Timur", "province", "ID")
    open_office(api, "64.72", "Kota Samarinda", "regency", "64")
    open_office(api, "91", "Papua", "province", "ID")
    open_office(api, "91.71", "Kota Jayapura", "regency", "91")
    for code in ("62.02.05", "64.72", "91.71"):
        deliver(api, code, 50, as_="admin")
    return api


def test_each_office_keeps_the_zone_of_its_province_unless_told(borneo):
    api = borneo
    zones = {code: ok(api.get(f"/offices/{code}", as_="admin"))["time_zone"]
             for code in ("ID", "62", "62.02.05", "62.02-JB1", "64", "64.72", "91", "91.71")}  # fmt: skip
    assert zones == {"ID": "WIB", "62": "WIB", "62.02.05": "WIB", "62.02-JB1": "WIB",
                     "64": "WITA", "64.72": "WITA", "91": "WIT", "91.71": "WIT"}  # fmt: skip
    # A code that names no province: the zone of the office above it, or the one given.
    assert open_office(api, "PAPUA-MU1", "Unit keliling", "mobile", "91")["time_zone"] == "WIT"
    assert open_office(api, "KALTIM-MU1", "Unit", "mobile", "64", time_zone="WIB")["time_zone"] == "WIB"


def test_only_an_admin_changes_a_zone_and_only_to_one_of_the_three(borneo):
    api = borneo
    refused(api.patch("/offices/62.02.05", {"time_zone": "WIT"}, as_="manager"), 403, "forbidden")
    for bad in ("UTC", "wib", "Asia/Jakarta", "", None, 7):
        refused(api.patch("/offices/62.02.05", {"time_zone": bad}, as_="admin"), 422, "validation_error")
        if bad is None:  # a new office may leave its zone to its code
            continue
        refused(
            api.post("/offices", {"code": "64.73", "name": "X", "kind": "regency", "parent_code": "64",
                                  "time_zone": bad}, as_="admin"),
            422, "validation_error",
        )  # fmt: skip
    assert ok(api.patch("/offices/62.02.05", {"time_zone": "WIT"}, as_="admin"))["time_zone"] == "WIT"


def test_a_print_at_0630_wib_counts_on_that_wib_day_up_the_tree(borneo):
    api = borneo
    print_card(api, "62.02.05", {"outcome": "printed", "reason": "new_record", "printed_at": at(23, 30)})
    print_card(api, "62.02.05", {"outcome": "spoiled", "reason": "new_record", "printed_at": at(16, 59)})
    expected = {D.isoformat(): (0, 1), NEXT.isoformat(): (1, 0)}
    for code in ("62.02.05", "62.02", "62", "ID"):
        assert by_day(api, code) == expected, code


def test_a_batch_counts_each_print_on_its_local_day_and_a_reversal_takes_it_off_that_day(borneo):
    api = borneo
    items = [
        {
            "client_id": "a",
            "outcome": "printed",
            "reason": "new_record",
            "printed_at": at(16, 0),
        },  # 23:00 WIB
        {
            "client_id": "b",
            "outcome": "printed",
            "reason": "new_record",
            "printed_at": at(17, 0),
        },  # 00:00 WIB
    ]
    results = print_batch(api, "62.02.05", items)["results"]
    assert by_day(api, "62.02") == {D.isoformat(): (1, 0), NEXT.isoformat(): (1, 0)}
    reverse(api, results[1]["movement_id"])
    assert by_day(api, "62.02") == {D.isoformat(): (1, 0), NEXT.isoformat(): (0, 0)}
    assert by_day(api, "62.02.05") == {D.isoformat(): (1, 0), NEXT.isoformat(): (0, 0)}


def test_an_ancestor_in_another_zone_counts_the_day_of_the_office_that_printed(borneo):
    api = borneo
    # 16:30 UTC: 00:30 WITA the next day at Samarinda, still 23:30 WIB at the national office.
    print_card(
        api, "64.72", {"outcome": "printed", "reason": "new_record", "printed_at": at(16, 30)}, as_="admin"
    )
    # 15:30 UTC: 00:30 WIT the next day at Jayapura.
    print_card(
        api, "91.71", {"outcome": "printed", "reason": "new_record", "printed_at": at(15, 30)}, as_="admin"
    )
    # 15:30 UTC at Baamang (WIB): 22:30 the same day.
    print_card(api, "62.02.05", {"outcome": "printed", "reason": "new_record", "printed_at": at(15, 30)})
    assert by_day(api, "64.72") == by_day(api, "64") == {D.isoformat(): (0, 0), NEXT.isoformat(): (1, 0)}
    assert by_day(api, "91.71") == by_day(api, "91") == {D.isoformat(): (0, 0), NEXT.isoformat(): (1, 0)}
    assert by_day(api, "ID") == {D.isoformat(): (1, 0), NEXT.isoformat(): (2, 0)}


def test_a_changed_zone_counts_the_prints_made_after_it_in_the_new_zone(borneo):
    api = borneo
    print_card(api, "62.02.05", {"outcome": "printed", "reason": "new_record", "printed_at": at(15, 30)})
    ok(api.patch("/offices/62.02.05", {"time_zone": "WIT"}, as_="admin"))
    print_card(api, "62.02.05", {"outcome": "printed", "reason": "new_record", "printed_at": at(15, 31)})
    assert by_day(api, "62.02") == {D.isoformat(): (1, 0), NEXT.isoformat(): (1, 0)}


@pytest.fixture
def evening(monkeypatch):
    """The clock at 15:30 UTC on D: 22:30 WIB and 23:30 WITA on D, already 00:30 WIT on the next day."""
    monkeypatch.setattr(time_zones, "now", lambda: datetime.combine(D, time(15, 30), tzinfo=UTC))


def test_today_is_the_office_local_today(borneo, evening):
    api = borneo
    # Printed at 15:20 UTC on D: D at Baamang, the next day at Jayapura (00:20 WIT).
    for code in ("62.02.05", "91.71"):
        print_card(
            api, code, {"outcome": "printed", "reason": "new_record", "printed_at": at(15, 20)}, as_="admin"
        )

    def projection(code):
        return ok(api.get(f"/offices/{code}/projection", as_="admin"))

    assert projection("62.02.05")["as_of"] == D.isoformat()
    assert projection("64.72")["as_of"] == D.isoformat()
    jayapura = projection("91.71")
    assert jayapura["as_of"] == NEXT.isoformat()
    assert jayapura["inputs"]["printed_in_window"] == 1  # its own today's print is in its window
    query = {"under": "91.71", "bucket": "day"}
    assert ok(api.get("/reports/consumption", query_string=query, as_="admin"))["to"] == NEXT.isoformat()
    query["under"] = "62.02"
    assert ok(api.get("/reports/consumption", query_string=query, as_="admin"))["to"] == D.isoformat()

    report = ok(api.get("/reports/stock", query_string={"under": "ID", "level": "regency"}, as_="admin"))
    assert report["as_of"] == D.isoformat()  # the area's today: the national office keeps WIB
    rows = {row["office"]: row for row in report["rows"]}
    # Each row on its own today: Jayapura's print (its today) is in its window, as Baamang's is in Kotim's.
    assert rows["91.71"]["average_daily_use"] > 0
    assert rows["62.02"]["average_daily_use"] > 0
    assert rows["91.71"]["average_daily_use"] == jayapura["outputs"]["average_daily_use"]

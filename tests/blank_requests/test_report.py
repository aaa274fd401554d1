"""GET /reports/requests: asked, approved, received, fill rate and lead time per office, JSON and CSV."""

from __future__ import annotations

import csv
import io

from tests.blank_requests.steps import act, create, kotim_population, transfer
from tests.helpers import batch_items, deliver, ok, print_batch, refused


def test_the_province_reads_what_its_regencies_asked_got_and_how_long_it_took(world):
    api = world
    deliver(api, "62", 5000, as_="admin")
    filled = ok(create(api, quantity=4000, justification="Pemilu"), 201)["id"]
    ok(act(api, filled, "submit", "manager"))
    ok(act(api, filled, "approve", "province_manager", approved_quantity=2500, note="Stok terbatas"))
    shipped = ok(transfer(api, 2500, filled), 201)
    ok(api.post(f"/transfers/{shipped['id']}/receive", as_="warehouse"))
    rejected = ok(create(api, quantity=1000, justification="Cadangan"), 201)["id"]
    ok(act(api, rejected, "submit", "manager"))
    ok(act(api, rejected, "reject", "province_manager", note="Tidak ada stok"))
    ok(create(api, quantity=50, justification="Belum dikirim"), 201)  # a draft: not in the report
    loan = ok(create(api, quantity=200, office="62.01", supplier="62.02", justification="Pinjam",
                     as_="kobar_manager"), 201)["id"]  # fmt: skip
    ok(act(api, loan, "submit", "kobar_manager"))

    report = ok(api.get("/reports/requests?under=62", as_="province_manager"))
    assert report["under"] == "62"
    rows = {row["office"]: row for row in report["rows"]}
    kotim = rows["62.02"]
    assert (kotim["requests"], kotim["asked"], kotim["approved"], kotim["received"]) == (2, 5000, 2500, 2500)
    assert kotim["fill_rate"] == 0.5
    assert 0 <= kotim["median_lead_time_days"] < 1  # submitted and received within the test
    assert rows["62.01"] | {"name": None} == {
        "office": "62.01", "name": None, "requests": 1, "asked": 200, "approved": 0, "received": 0,
        "fill_rate": 0.0, "median_lead_time_days": None,
    }  # fmt: skip

    response = api.get("/reports/requests?under=62.02&format=csv", as_="manager")
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(line["office"], line["asked"], line["received"], line["fill_rate"]) for line in lines] == [
        ("62.02", "5000", "2500", "0.5")
    ]
    assert ok(api.get("/reports/requests?under=62&from=2999-01-01", as_="admin"))["rows"] == []
    refused(api.get("/reports/requests?under=62", as_="manager"), 403, "outside_area")
    refused(api.get("/reports/requests?under=62&to=2024-02-30", as_="admin"), 422, "validation_error")


def test_the_stock_report_projects_with_the_office_projections_inputs_on_order_included(world):
    """GET /reports/stock and GET /offices/{code}/projection agree once requests are in play: what
    is on order leaves the suggested order, and a measured lead time replaces the setting."""
    api = world
    kotim_population(api)
    deliver(api, "62", 10_000, as_="admin")
    deliver(api, "62.02", 300)
    ok(api.patch("/offices/62.02", {"lead_time_days": 30}, as_="manager"))
    print_batch(api, "62.02", batch_items("kotim", 100))
    for _ in range(3):  # three fulfilled requests measure the lead time (same day: 0 days)
        filled = ok(create(api, quantity=10, justification="Cadangan kecil"), 201)["id"]
        ok(act(api, filled, "submit", "manager"))
        ok(act(api, filled, "approve", "province_manager"))
        shipped = ok(transfer(api, 10, filled), 201)
        ok(api.post(f"/transfers/{shipped['id']}/receive", as_="warehouse"))
    owed = ok(create(api, quantity=4000, justification="Pemilu 2024"), 201)["id"]
    ok(act(api, owed, "submit", "manager"))
    ok(act(api, owed, "approve", "province_manager", approved_quantity=1200, note="Stok provinsi terbatas"))
    ok(transfer(api, 200, owed), 201)  # on its way: still on order until received

    projection = ok(api.get("/offices/62.02/projection", as_="manager"))
    assert projection["inputs"]["on_order"] == 1200
    assert projection["inputs"]["lead_time_basis"] == "measured"
    (row,) = [r for r in ok(api.get("/reports/stock?under=62&level=regency", as_="admin"))["rows"]
              if r["office"] == "62.02"]  # fmt: skip
    assert row["on_order"] == 1200
    for field in ("unrecorded", "projected_demand", "shortfall", "suggested_order", "average_daily_use",
                  "days_of_cover", "stockout_date"):  # fmt: skip
        assert row[field] == projection["outputs"][field], field
    assert row["suggested_order"] > 0  # a case where on_order and the lead time both matter

    response = api.get("/reports/stock?under=62.02&level=regency&format=csv", as_="manager")
    lines = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    assert [(line["office"], line["on_order"], line["suggested_order"]) for line in lines] == [
        ("62.02", "1200", str(projection["outputs"]["suggested_order"]))
    ]

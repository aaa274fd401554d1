"""Reports in the browser: on screen with pickers, downloads read back, the area checked as for the API."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.helpers import deliver, print_card
from tests.web.dashboard import browser


def test_stock_report_on_screen_and_as_csv(web):
    deliver(web, "62.02.05", 40)
    b = browser(web, "manager")
    page = b.text("/reports")  # the user's own area by default
    assert 'id="report-table"' in page and "Baamang" in page and "62.02.05" in page

    response = b.get("/reports?kind=stock&under=62.02&format=csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    baamang = next(row for row in rows if row["office"] == "62.02.05")
    assert baamang["on_hand"] == "40"


def test_consumption_by_week_and_usage_as_xlsx_and_pdf(web):
    deliver(web, "62.02.05", 40)
    print_card(web, "62.02.05", as_="baamang_operator")
    b = browser(web, "manager")
    page = b.text("/reports?kind=consumption&under=62.02&bucket=week")
    assert 'id="report-table"' in page and 'value="week" selected' in page

    usage = b.text("/reports?kind=usage&under=62.02")
    assert 'id="report-table-district"' in usage
    assert "format=xlsx" in usage and "format=pdf" in usage
    xlsx = b.client.get("/reports?kind=usage&under=62.02&format=xlsx")
    assert xlsx.status_code == 200
    assert "Kecamatan" in load_workbook(io.BytesIO(xlsx.data)).sheetnames
    pdf = b.client.get("/reports?kind=usage&under=62.02&format=pdf")
    assert (
        pdf.mimetype == "application/pdf"
        and "Baamang" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    )


def test_bad_pickers_are_explained_and_areas_outside_refused(web):
    b = browser(web, "manager")
    bad_day = b.get("/reports?kind=consumption&under=62.02&from=2026-13-01")
    assert bad_day.status_code == 422 and "2026-13-01" in bad_day.get_data(as_text=True)
    assert b.get("/reports?kind=stock&under=62.02&level=planet").status_code == 422
    assert b.get("/reports?kind=usage&under=62.02&format=docx").status_code == 422
    assert b.get("/reports?kind=stock&under=62.01").status_code == 403
    assert b.get("/reports?kind=stock&under=99.99").status_code == 404
    assert browser(web, "kobar_manager").get("/reports?under=62.02&format=csv").status_code == 403
    assert browser(web).get("/reports").status_code == 302  # to the log-in page

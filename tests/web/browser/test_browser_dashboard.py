"""A manager, a warehouse clerk and an operator use the dashboard in a real browser, on the demo data."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import log_in, log_out, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect


if TYPE_CHECKING:
    from playwright.sync_api import Page

SHORTFALL_62_02 = "li.alert[data-office='62.02'][data-kind='projected_shortfall']"


def test_shortfall_delivery_and_acknowledgement(page: Page, screenshots):
    # The log-in page, in Indonesian by default.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    shoot(page, screenshots, "01-login")

    page.fill("#username", "manager")
    page.fill("#password", "wrong")
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator(".flash-error")).to_have_text("Nama pengguna atau kata sandi salah.")

    # The manager sees the regency's shortfall, as a status and as an alert with its figures.
    log_in(page, "manager", "demo-manager")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kotawaringin Timur")
    expect(page.locator(".totals .status-shortfall")).to_have_text("Kurang")
    expect(page.locator(SHORTFALL_62_02)).to_contain_text("Proyeksi kekurangan")
    expect(page.locator(SHORTFALL_62_02)).to_contain_text("Kab. Kotawaringin Timur (62.02) membutuhkan")
    expect(page.locator("table.offices tr[data-code='62.02.05']")).to_be_visible()
    assert page.locator("table.offices tbody tr").count() >= 17  # the demo regency's districts
    shoot(page, screenshots, "02-overview-manager")

    # Sorting by name puts the districts in alphabetical order.
    page.locator("th a", has_text="Kantor").click()
    expect(page.locator("th a[aria-sort='ascending']")).to_contain_text("Kantor")
    names = page.locator("table.offices tbody tr").evaluate_all("rows => rows.map(r => r.dataset.name)")
    assert names == sorted(names, key=str.lower)

    # The office page: the arithmetic of the shortfall, the chart, no stock forms for a manager but stocktake.
    page.goto("/offices/62.02")
    shortfall = int(page.locator("#shortfall").inner_text().replace(".", ""))
    assert shortfall > 0
    expect(page.locator("table.arithmetic")).to_contain_text("Proyeksi kebutuhan")
    expect(page.locator("figure.chart svg polyline.history")).to_have_count(1)
    expect(page.locator("figure.chart svg line.projection")).to_have_count(1)
    expect(page.locator("#stocktake-form")).to_be_visible()
    expect(page.locator("#delivery-form")).to_have_count(0)
    shoot(page, screenshots, "03-office-manager")
    log_out(page)

    # The warehouse records a delivery that covers the shortfall: the regency's alert resolves.
    log_in(page, "warehouse", "demo-warehouse")
    page.goto("/offices/62.02")
    expect(page.locator(SHORTFALL_62_02)).to_have_count(1)
    nonce = page.locator("#delivery-form [name=nonce]").input_value()
    page.fill("#delivery-form [name=quantity]", str(shortfall + 500))
    page.fill("#delivery-form [name=document_no]", "BAST-2024-031")
    page.locator("#delivery-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("blangko tercatat")
    expect(page.locator(SHORTFALL_62_02)).to_have_count(0)
    expect(page.locator("#shortfall")).to_have_text("0")
    expect(page.locator("table.ledger tbody tr").first).to_contain_text("Penerimaan")
    shoot(page, screenshots, "04-office-after-delivery")

    # The same form sent again (a double click, a resend) records nothing twice.
    on_hand = page.locator("#on-hand").inner_text()
    page.locator("#delivery-form [name=nonce]").evaluate("(input, nonce) => { input.value = nonce; }", nonce)
    page.fill("#delivery-form [name=quantity]", str(shortfall + 500))
    page.locator("#delivery-form button[type=submit]").click()
    expect(page.locator(".flash-info")).to_contain_text("tidak ada yang tercatat dua kali")
    page.goto("/offices/62.02")
    expect(page.locator("#on-hand")).to_have_text(on_hand)
    log_out(page)

    # The manager finds it resolved, and acknowledges another alert.
    log_in(page, "manager", "demo-manager")
    page.goto("/alerts?status=resolved")
    expect(page.locator(SHORTFALL_62_02)).to_contain_text("Selesai")
    page.goto("/alerts")
    expect(page.locator(SHORTFALL_62_02)).to_have_count(0)
    other = page.locator("li.alert[data-status='open'][data-office='62.02.05']").first
    alert_id = other.get_attribute("id")
    other.locator("input[name=note]").fill("Permintaan tambahan sudah dikirim ke provinsi")
    other.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("dikonfirmasi")
    acknowledged = page.locator(f"#{alert_id}")
    expect(acknowledged).to_have_attribute("data-status", "acknowledged")
    expect(acknowledged).to_contain_text("Permintaan tambahan sudah dikirim ke provinsi")
    shoot(page, screenshots, "05-alerts-manager")

    # English on request, kept after log-out.
    page.locator("form[action='/language'] button", has_text="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
    expect(page.locator(f"#{alert_id}")).to_contain_text("Acknowledged")
    shoot(page, screenshots, "06-alerts-english")
    page.goto("/")
    expect(page.locator("table.offices")).to_contain_text("Days of cover")
    shoot(page, screenshots, "07-overview-english")
    log_out(page)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator(".flash-info")).to_have_text("You have logged out.")
    shoot(page, screenshots, "08-logged-out-english")


def test_operator_records_a_print(page: Page, screenshots):
    log_in(page, "operator", "demo-operator")
    page.goto("/offices/62.02")
    expect(page.locator("#print-form")).to_be_visible()
    expect(page.locator("#delivery-form")).to_have_count(0)
    expect(page.locator("#stocktake-form")).to_have_count(0)
    before = int(page.locator("#on-hand").inner_text().replace(".", ""))
    page.select_option("#print-form [name=reason]", "replacement")
    page.locator("#print-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text("Cetak tercatat.")
    expect(page.locator("#on-hand")).to_have_text(f"{before - 1:,}".replace(",", "."))
    shoot(page, screenshots, "09-office-operator")

    # Outside the operator's area: refused with a page, not a crash.
    page.goto("/offices/62.01")
    expect(page.locator(".flash-error")).to_be_visible()

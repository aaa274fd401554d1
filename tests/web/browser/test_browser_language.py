"""What the dashboard writes is in the reader's language: movement details from the data,
offices by name with their code beside, dates day first, times on the office's clock."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import log_in, log_out, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

# "3 Des 2026 06:30 WIB": day first, month spelled out, on the office's clock, zone named.
MOMENT = r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} WIB$"
FIRST_ROW = "table.ledger tbody tr:first-child"


def on_hand(page: Page) -> int:
    return int(page.locator("#on-hand").inner_text().replace(".", "").replace(",", ""))


def test_movements_offices_and_dates_read_in_the_chosen_language(page: Page, screenshots):
    # The warehouse sends blanks to Baamang, chosen by name, and reads where they went by name.
    log_in(page, "warehouse", "demo-warehouse")
    page.goto("/offices/62.02")
    destination = page.locator("#transfer-form select[name=destination]")
    expect(destination.locator("option[value='62.02.05']")).to_have_text("Baamang (62.02.05)")
    destination.select_option("62.02.05")
    page.fill("#transfer-form [name=quantity]", "5")
    page.locator("#transfer-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text("5 blangko dikirim ke Baamang (62.02.05).")
    in_transit = page.locator("section", has=page.get_by_role("heading", name="Kiriman dalam perjalanan"))
    expect(in_transit.locator("tbody tr").first).to_contain_text("Baamang 62.02.05")
    transfer_id = in_transit.locator("tbody tr td").first.inner_text()
    expect(page.locator(FIRST_ROW)).to_contain_text(f"Kiriman {transfer_id}")
    expect(page.locator(f"{FIRST_ROW} td").first).to_have_text(re.compile(MOMENT))
    log_out(page)

    # The manager counts two blanks fewer than the books hold: the card says so in Indonesian.
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02")
    books = on_hand(page)
    page.fill("#stocktake-form [name=counted]", str(books - 2))
    page.fill("#stocktake-form [name=reason]", "Stok opname akhir bulan")
    page.locator("#stocktake-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text("Stok opname tercatat.")
    count = page.locator(FIRST_ROW)
    counted, said = f"{books - 2:,}".replace(",", "."), f"{books:,}".replace(",", ".")
    expect(count).to_contain_text(f"Dihitung {counted}; menurut buku {said}. · Stok opname akhir bulan")
    shoot(page, screenshots, "20-stock-card-indonesian")

    # In English: the same rows in English, dates day first, the alert naming the office by name.
    page.locator("form[action='/language'] button", has_text="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    counted, said = f"{books - 2:,}", f"{books:,}"
    expect(page.locator(FIRST_ROW)).to_contain_text(f"Counted {counted}; the books said {said}.")
    expect(page.locator(FIRST_ROW)).to_contain_text("Stocktake")
    expect(page.locator("table.ledger")).to_contain_text(f"Transfer {transfer_id}")
    expect(page.locator(f"{FIRST_ROW} td").first).to_have_text(re.compile(MOMENT))
    as_of = page.get_by_role("heading", name=re.compile("^Projection"))
    expect(as_of).to_have_text(re.compile(r"as of \d{1,2} [A-Z][a-z]{2} \d{4},"))  # "2 Dec 2026", not "Dec 2"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kab. Kotawaringin Timur")
    shoot(page, screenshots, "21-stock-card-english")
    page.goto("/alerts")
    shortfall = page.locator("li.alert[data-office='62.02'][data-kind='projected_shortfall']")
    expect(shortfall).to_contain_text("Kab. Kotawaringin Timur (62.02) needs")
    expect(shortfall.locator("a").first).to_have_text("Kab. Kotawaringin Timur")
    expect(shortfall).to_contain_text(re.compile(r"Opened \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} WIB"))
    shoot(page, screenshots, "22-alerts-english")

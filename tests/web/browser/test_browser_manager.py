"""A manager in the browser: a stocktake far from the books is confirmed, settings are set."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import docs_shot, log_in, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

FIRST_ROW = "table.ledger tbody tr:first-child"


def on_hand(page: Page) -> int:
    return int(page.locator("#on-hand").inner_text().replace(".", "").replace(",", ""))


def test_a_large_difference_is_confirmed_and_the_card_says_by_whom(page: Page, screenshots):
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02")
    books = on_hand(page)
    page.fill("#stocktake-form [name=counted]", str(books + 150))
    page.fill("#stocktake-form [name=reason]", "Kardus ditemukan di gudang")
    page.locator("#stocktake-form button[type=submit]").click()

    asked = page.locator("#stocktake-confirm")
    more, said = f"{books + 150:,}".replace(",", "."), f"{books:,}".replace(",", ".")
    expect(asked).to_contain_text(f"Anda menghitung {more} blangko; menurut buku {said}: 150 lebih")
    assert on_hand(page) == books  # nothing recorded yet
    expect(page.locator("#stocktake-form [name=counted]")).to_have_value(str(books + 150))
    shoot(page, screenshots, "63-stocktake-asks-to-confirm")
    docs_shot(page, "manager-stocktake-confirm")

    asked.get_by_label("Ya, hitungan ini benar: catat selisih ini").check()
    page.locator("#stocktake-form button[type=submit]").click()

    expect(page.locator(".flash-success")).to_have_text("Stok opname tercatat.")
    assert on_hand(page) == books + 150
    expect(page.locator(FIRST_ROW)).to_contain_text("Selisih besar dikonfirmasi oleh manager.")
    expect(page.locator("#stocktake-confirm")).to_have_count(0)


def test_settings_refuse_a_past_target_date_and_the_projection_follows_a_new_one(page: Page, screenshots):
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02")
    page.get_by_role("link", name="Pengaturan").click()
    form = page.locator("#settings-form")
    form.get_by_label("Tanggal target (mis. hari pemilu)").fill(
        (date.today() - timedelta(days=2)).isoformat()
    )
    form.get_by_role("button", name="Simpan pengaturan").click()
    expect(form).to_contain_text("Tanggal ini sudah lewat: isi hari ini atau sesudahnya, atau kosongkan.")
    shoot(page, screenshots, "64-settings-past-date")
    docs_shot(page, "manager-settings")

    target = date.today() + timedelta(days=30)
    form.get_by_label("Tanggal target (mis. hari pemilu)").fill(target.isoformat())
    form.get_by_label("Kapasitas cetak (kartu per hari)").fill("350")
    form.get_by_label("Tampilkan jumlah blangko kepada warga di papan publik").check()
    form.get_by_role("button", name="Simpan pengaturan").click()
    expect(page.locator(".flash-success")).to_have_text("Pengaturan Kab. Kotawaringin Timur disimpan.")
    expect(form.get_by_label("Kapasitas cetak (kartu per hari)")).to_have_value("350")

    page.goto("/offices/62.02")
    expect(page.locator("#projection-basis")).to_contain_text("Proyeksi melihat sampai tanggal target")
    expect(page.locator("#projection-verdict")).to_contain_text("untuk melayani semua penduduk sebelum")
    expect(page.locator("#projection-basis")).to_contain_text("Data penduduk per")
    shoot(page, screenshots, "65-projection-verdict")
    docs_shot(page, "manager-projection-verdict", focus="#projection-verdict")

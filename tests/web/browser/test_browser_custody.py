"""Cards awaiting destruction in a real browser: an operator takes in a resident's old card on a
phone (390 px), a manager drafts the berita acara, signs it and opens its PDF; the page reads in
English too."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader

from tests.web.browser.steps import log_in, log_out, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def awaiting(page: Page, category: str) -> int:
    cell = page.locator(f"#awaiting-destruction tr[data-category='{category}'] td.awaiting")
    return int(cell.inner_text().replace(".", ""))


def test_a_returned_card_then_a_berita_acara_drafted_signed_and_printed(page: Page, screenshots):
    page.set_viewport_size(PHONE)
    log_in(page, "operator", "demo-operator")
    page.goto("/offices/62.02")
    page.locator("#custody-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kartu menunggu pemusnahan")
    expect(page.locator("#destruction-form")).to_have_count(0)  # operators do not destroy
    returned = awaiting(page, "returned_card")
    form = page.locator("#returned-form")
    form.locator("[name=quantity]").fill("1")
    form.locator("select[name=reason]").select_option("data_change")
    form.locator("[name=note]").fill("KTP lama, pindah alamat")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("disimpan untuk dimusnahkan")
    assert awaiting(page, "returned_card") == returned + 1
    no_overflow(page)
    shoot(page, screenshots, "custody-01-returned-card-phone")
    log_out(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02")
    page.locator("#custody-link").click()
    expect(page.locator("#returned-form")).to_have_count(0)  # managers do not print
    spoiled = awaiting(page, "spoiled_print")
    assert spoiled >= 2  # the demo's spoiled prints at the regency
    form = page.locator("#destruction-form")
    form.locator("[name=document_no]").fill("BA-470/050/2026")
    form.locator("[name=destroyed_on]").fill("2026-12-02")
    form.locator("[name=place]").fill("Halaman Kantor Disdukcapil Kotim")
    form.locator("select[name=method]").select_option("burned")
    form.locator("[name=spoiled_print]").fill("2")
    form.locator("[name=returned_card]").fill("1")
    form.locator("[name='witnesses-0-name']").fill("Budi Santoso")
    form.locator("[name='witnesses-0-institution']").fill("Satpol PP")
    form.locator("[name='witnesses-0-role']").fill("Saksi")
    # One witness is not enough: the page says so, and keeps what was typed.
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-error")).to_contain_text("Sedikitnya dua saksi")
    form = page.locator("#destruction-form")
    expect(form.locator("[name=document_no]")).to_have_value("BA-470/050/2026")
    form.locator("[name='witnesses-1-name']").fill("Siti Rahmawati")
    form.locator("[name='witnesses-1-institution']").fill("Inspektorat")
    form.locator("[name='witnesses-1-role']").fill("Saksi")
    shoot(page, screenshots, "custody-02-draft")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("disusun")
    row = page.locator("#destructions tbody tr").first
    expect(row.locator(".status-cell")).to_have_text("Draf")
    assert awaiting(page, "spoiled_print") == spoiled  # a draft takes nothing

    row.locator("form.sign button").click()
    expect(page.locator(".flash-success")).to_contain_text("ditandatangani")
    row = page.locator("#destructions tbody tr").first
    expect(row.locator(".status-cell")).to_have_text("Ditandatangani")
    expect(row.locator("form.sign")).to_have_count(0)
    assert awaiting(page, "spoiled_print") == spoiled - 2
    assert awaiting(page, "returned_card") == returned
    pdf = page.request.get(row.locator("a.pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "BA-470/050/2026" in text and "Siti Rahmawati" in text
    shoot(page, screenshots, "custody-03-signed")

    page.set_viewport_size(PHONE)
    page.reload()
    no_overflow(page)
    shoot(page, screenshots, "custody-04-phone")
    page.locator("button[lang=en]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cards awaiting destruction")
    expect(page.locator("#destructions tbody tr").first.locator(".status-cell")).to_have_text("Signed")
    expect(page).to_have_url(re.compile(r"/offices/62\.02/custody$"))
    no_overflow(page)

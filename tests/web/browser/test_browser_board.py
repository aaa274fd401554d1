"""The public stock board as a resident uses it: on a phone (390 px), without logging in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_a_resident_finds_an_office_on_a_phone_in_both_languages(phone: Page, screenshots):
    phone.goto("/papan")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Adakah blangko KTP-el hari ini?")
    no_sideways_scroll(phone)

    phone.get_by_label("Nama atau kode kantor").fill("Baamang")
    phone.get_by_role("button", name="Cari").click()
    phone.locator("li.board-row[data-code='62.02.05'] a.board-name").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Baamang")
    # The status in words (a sign beside it), whichever it is today: the demo's districts print
    # nothing, so Baamang's stock has only its delivery; each word has its English twin.
    words = {"Tersedia": "Available", "Terbatas": "Limited", "Habis": "None left",
             "Belum diperbarui": "Not updated"}  # fmt: skip
    status = phone.locator("#board-office .board-big").inner_text().split(" ", 1)[1]
    assert status in words
    expect(phone.locator("#board-updated")).not_to_be_empty()
    no_sideways_scroll(phone)
    shoot(phone, screenshots, "60-board-office-phone")

    phone.get_by_role("link", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#board-office .board-big")).to_contain_text(words[status])
    no_sideways_scroll(phone)

    phone.get_by_role("link", name="Print as a notice").click()
    expect(phone.locator("#notice h1")).to_have_text("Baamang")
    no_sideways_scroll(phone)
    shoot(phone, screenshots, "61-board-notice-english")

    phone.goto("/papan/62.02")
    expect(phone.locator("li.board-row")).to_have_count(18)  # the regency's 17 districts and its unit
    expect(phone.locator("li.board-row[data-code='62.02.05']")).to_contain_text("Baamang")
    no_sideways_scroll(phone)
    shoot(phone, screenshots, "62-board-regency-phone")

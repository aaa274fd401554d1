"""An operator at the print counter, on a phone, by keyboard: the demo's regency office."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import docs_shot, log_in, log_out, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}


def figure(page: Page, name: str) -> int:
    return int(page.locator(f"#tally-{name}").inner_text().replace(".", ""))


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def test_twenty_prints_and_two_spoiled_in_at_most_25_keys_on_a_phone(page: Page, screenshots):
    page.set_viewport_size(PHONE)
    log_in(page, "operator", "demo-operator")
    # The operator lands on the counter; the print button is on the first screen and has the focus.
    expect(page).to_have_url(re.compile(r"/offices/62\.02/counter$"))
    button = page.locator("#print-button")
    expect(button).to_be_focused()
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    no_overflow(page)
    shoot(page, screenshots, "20-counter-phone")

    printed, spoiled, left = figure(page, "new_record"), figure(page, "spoiled"), figure(page, "left")
    page.evaluate("window.stillTheSamePage = true")
    keys = 0
    for _ in range(20):
        page.keyboard.press("Enter")
        keys += 1
    for _ in range(2):
        page.keyboard.press("s")
        keys += 1
    assert keys <= 25
    expect(page.locator("#tally-left")).to_have_text(f"{left - 22:,}".replace(",", "."))
    assert figure(page, "new_record") == printed + 20 and figure(page, "spoiled") == spoiled + 2
    expect(page.locator("#counter-status")).to_have_text("Kartu rusak tercatat.")
    expect(button).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True  # no reload on the way
    shoot(page, screenshots, "21-counter-after-22-cards")
    docs_shot(page, "counter")

    # The reason chosen once is kept for the next cards, and after a reload.
    replaced = figure(page, "replacement")
    page.locator("input[name=reason][value=replacement]").check()
    button.click()
    expect(page.locator("#tally-replacement")).to_have_text(str(replaced + 1))
    page.reload()
    expect(page.locator("input[name=reason][value=replacement]")).to_be_checked()

    # A card pressed by mistake is undone from the same page, and the focus goes back to the action.
    page.locator("#undo-button").click()
    expect(page.locator("#tally-replacement")).to_have_text(str(replaced))
    expect(page.locator("#tally-left")).to_have_text(f"{left - 22:,}".replace(",", "."))
    expect(page.locator("#counter-status")).to_contain_text("dibatalkan")
    expect(button).to_be_focused()

    # The stock card shows the reversal as one.
    page.goto("/offices/62.02")
    expect(page.locator("table.ledger tbody tr").first).to_contain_text("Pembatalan")
    no_overflow(page)
    log_out(page)


def test_the_counter_works_as_plain_forms_without_script(browser, live_server, screenshots):
    context = browser.new_context(base_url=live_server, java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, "operator", "demo-operator")
        left = figure(page, "left")
        page.locator("#spoil-button").click()
        expect(page.locator(".flash-success")).to_have_text("Kartu rusak tercatat.")
        assert figure(page, "left") == left - 1
        page.locator("#undo-button").click()
        expect(page.locator(".flash-success")).to_contain_text("dibatalkan")
        assert figure(page, "left") == left
        no_overflow(page)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("user", "password", "paths"),
    [
        (
            "operator",
            "demo-operator",
            ["/offices/62.02/counter", "/offices/62.02", "/", "/alerts", "/password"],
        ),
        ("warehouse", "demo-warehouse", ["/offices/62.02", "/offices/62.02.05", "/", "/alerts", "/password"]),
    ],
)
def test_no_operator_or_warehouse_page_scrolls_sideways_on_a_phone(page: Page, user, password, paths):
    page.set_viewport_size(PHONE)
    log_in(page, user, password)
    for path in paths:
        page.goto(path)
        no_overflow(page)


def test_a_warehouse_receives_a_transfer_with_three_missing_on_a_phone(page: Page, screenshots):
    page.set_viewport_size(PHONE)
    # Sent by the admin: who sent a transfer does not count it in (segregation of duties).
    log_in(page, "admin", "demo-admin")
    page.goto("/offices/62.02")
    page.select_option("#transfer-form [name=destination]", "62.02.05")
    page.fill("#transfer-form [name=quantity]", "40")
    page.locator("#transfer-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    log_out(page)

    log_in(page, "warehouse", "demo-warehouse")
    page.goto("/offices/62.02.05")
    before = int(page.locator("#on-hand").inner_text().replace(".", ""))
    receipt = page.locator("#receipts form.receipt").first
    expect(receipt).to_contain_text("Dari Kab. Kotawaringin Timur")
    expect(receipt.locator("[name=counted]")).to_have_value("40")
    no_overflow(page)
    shoot(page, screenshots, "22-receipt-phone")
    docs_shot(page, "warehouse-receipt")
    receipt.locator("[name=counted]").fill("37")
    receipt.locator("[name=note]").fill("satu dus basah")
    receipt.locator("button[type=submit]").click()
    expect(page.locator(".flash-warning")).to_contain_text(
        "37 dari 40 tiba; 3 dicatat hilang dalam perjalanan di Kab. Kotawaringin Timur"
    )
    expect(page.locator("#on-hand")).to_have_text(f"{before + 37:,}".replace(",", "."))
    # Baamang's stock card: what arrived. The regency's: the loss in transit, with the note.
    expect(page.locator("table.ledger tbody tr").nth(0)).to_contain_text("+37")
    no_overflow(page)
    page.goto("/offices/62.02")
    rows = page.locator("table.ledger tbody tr")
    expect(rows.nth(0)).to_contain_text("Hilang dalam perjalanan")
    expect(rows.nth(0)).to_contain_text("satu dus basah")
    expect(rows.nth(0)).to_contain_text("-3")
    expect(rows.nth(1)).to_contain_text("+3")
    no_overflow(page)
    log_out(page)


def test_end_of_day_sent_twice_is_recorded_once(page: Page, screenshots):
    page.set_viewport_size(PHONE)
    log_in(page, "operator", "demo-operator")
    left = figure(page, "left")
    yesterday = page.evaluate("new Date(Date.now() - 86400000).toISOString().slice(0, 10)")
    for _ in range(2):
        page.fill("#day-form [name=day]", yesterday)
        page.fill("#day-form [name=printed_new_record]", "5")
        page.fill("#day-form [name=spoiled_new_record]", "1")
        page.locator("#day-form button[type=submit]").click()
        expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".flash-success")).to_contain_text("0 kartu tercatat, 6 sudah tercatat, 0 ditolak")
    assert figure(page, "left") == left - 6
    no_overflow(page)
    shoot(page, screenshots, "23-end-of-day-phone")


def test_an_expired_counter_page_says_so_and_records_nothing(page: Page):
    log_in(page, "operator", "demo-operator")
    left = figure(page, "left")
    page.locator("#counter-form [name=csrf_token]").evaluate("input => { input.value = 'expired'; }")
    page.keyboard.press("Enter")
    expect(page.locator("#counter-status")).to_contain_text("kedaluwarsa")
    page.reload()
    assert figure(page, "left") == left


def test_a_scanned_serial_is_recorded_and_the_box_waits_for_the_next_blank(page: Page, demo_tokens):
    """A district whose blanks all have recorded serials: the operator scans one (a scanner
    types it and presses Enter), the print is recorded by that serial, and the emptied box keeps
    the focus; a press naming none is refused, since every blank left has a serial."""
    code = "62.02.01"
    headers = {"Authorization": f"Bearer {demo_tokens['warehouse']}"}
    assert page.request.get(f"/api/v1/offices/{code}/stock", headers=headers).json()["on_hand"] == 0
    delivered = page.request.post(
        f"/api/v1/offices/{code}/deliveries",
        data={"quantity": 2, "serials": ["SCAN01-SCAN02"]},
        headers=headers,
    )
    assert delivered.status == 201, delivered.text()
    log_in(page, "operator", "demo-operator")
    page.goto(f"/offices/{code}/counter")
    box = page.locator("input[name=serial]")

    box.fill("SCAN02")
    box.press("Enter")

    expect(page.locator("#tally-left")).to_have_text("1")
    expect(page.locator("#counter-status")).to_have_text("Cetak tercatat.")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    ended = page.request.get("/api/v1/serials/SCAN02", headers=headers).json()["ended_by"]
    assert (ended["kind"], ended["outcome"]) == ("print", "printed")

    page.locator("#print-button").click()
    expect(page.locator("#counter-status")).to_contain_text("nomor serinya tidak tercatat")
    expect(page.locator("#tally-left")).to_have_text("1")
    log_out(page)

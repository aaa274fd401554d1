"""A head of office's decisions in the browser: population figures by CSV (a bad line refuses
the file), a reversal after a confirmation, a transfer planned from a redistribution suggestion
(and dispatched by the warehouse), and a webhook subscription tested against a receiver on
loopback. Each page fits a phone (390 px) in Indonesian and English."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.notify.receivers import WebhookReceiver
from tests.web.browser.steps import docs_shot, log_in, log_out, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}
SECRET = "kotim-webhook-secret-2026"


def on_hand(page: Page) -> int:
    return int(page.locator("#on-hand").inner_text().replace(".", "").replace(",", ""))


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def test_a_population_file_with_a_bad_line_is_refused_whole_then_a_good_one_is_imported(
    page: Page, screenshots
):
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02/settings")
    baamang = page.locator("#population-62\\.02\\.05")
    expect(baamang.locator(".as-of")).to_contain_text("Data sendiri per 20 Nov 2023.")
    before = baamang.locator("[name=target]").input_value()

    bad = (
        "code,target,recorded,print_backlog,as_of\n"
        "62.02.05,40000,39000,100,2026-11-30\n"
        "62.02.06,1000,1200,0,2026-11-30\n"
    )
    upload = page.locator("#population-upload")
    upload.locator("input[type=file]").set_input_files(
        {"name": "penduduk.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    upload.get_by_role("button", name="Impor").click()

    errors = page.locator("#upload-errors")
    expect(errors).to_contain_text("Tidak ada yang diimpor: 1 baris salah.")
    expect(errors).to_contain_text("Baris 3: recorded (1200) exceeds target (1000)")
    expect(page.locator("#population-62\\.02\\.05 [name=target]")).to_have_value(before)  # line 2 not written
    shoot(page, screenshots, "70-population-csv-refused")
    docs_shot(page, "manager-population-csv-refused")

    good = bad.replace("1000,1200", "1300,1200")
    upload.locator("input[type=file]").set_input_files(
        {"name": "penduduk.csv", "mimeType": "text/csv", "buffer": good.encode()}
    )
    upload.get_by_role("button", name="Impor").click()
    expect(page.locator(".flash-success")).to_have_text("2 kantor diimpor: 0 baru, 2 diperbarui.")
    expect(page.locator("#population-62\\.02\\.05 [name=target]")).to_have_value("40000")
    expect(page.locator("#population-62\\.02\\.05 .as-of")).to_contain_text("Data sendiri per 30 Nov 2026.")

    # Edited in place: one district's figures, saved from its own card.
    card = page.locator("#population-62\\.02\\.06")
    card.get_by_label("Menunggu cetak").fill("50")
    card.get_by_role("button", name="Simpan data").click()
    expect(page.locator(".flash-success")).to_have_text(re.compile(r"^Data penduduk .+ disimpan\.$"))
    expect(page.locator("#population-62\\.02\\.06 [name=print_backlog]")).to_have_value("50")


def test_a_reversal_says_what_will_change_before_it_is_recorded(page: Page, screenshots):
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02")
    before = on_hand(page)
    link = page.locator("table.ledger a.reverse").first
    movement = link.get_attribute("data-movement")
    link.click()

    expect(page).to_have_url(re.compile(rf"/movements/{movement}/reverse$"))
    effect = page.locator("#reverse-effect")
    expect(effect).to_contain_text(f"terkait dengan mutasi {movement}")
    said = re.search(r"Stok berubah dari ([\d.]+) menjadi ([\d.]+)\.", effect.inner_text())
    assert said and int(said.group(1).replace(".", "")) == before
    after = int(said.group(2).replace(".", ""))
    shoot(page, screenshots, "71-reversal-confirmation")
    docs_shot(page, "manager-reversal-confirmation")

    page.get_by_label("Alasan").fill("Tercatat dua kali")
    page.get_by_role("button", name="Ya, batalkan mutasi ini").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Mutasi {movement} dibatalkan")
    assert on_hand(page) == after
    expect(page.locator("table.ledger tbody tr").first).to_contain_text(f"Membatalkan mutasi {movement}")
    expect(page.locator(f"table.ledger a.reverse[data-movement='{movement}']")).to_have_count(0)


def test_a_manager_plans_a_suggested_transfer_and_the_warehouse_dispatches_it(page: Page, screenshots):
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02")
    page.get_by_role("link", name="Redistribusi").click()
    suggestion = page.locator(".suggestion").first
    source, destination = suggestion.get_attribute("data-from"), suggestion.get_attribute("data-to")
    quantity = suggestion.locator("h3").inner_text().split()[0]
    shoot(page, screenshots, "72-redistribution")
    docs_shot(page, "manager-redistribution")
    suggestion.get_by_role("button", name="Rencanakan kiriman ini").click()

    flashed = page.locator(".flash-success")
    expect(flashed).to_contain_text(f"Kiriman {quantity} blangko dari")
    expect(flashed).to_contain_text(f"({destination}) direncanakan: petugas gudang")
    expect(page.locator(f".suggestion[data-from='{source}'][data-to='{destination}']")).to_contain_text(
        "Sudah direncanakan"
    )
    page.goto(f"/offices/{source}")
    card = page.locator("#planned .planned").first
    expect(card).to_contain_text(f"{quantity} blangko, direncanakan oleh manager")
    expect(card.get_by_role("button", name="Kirim sekarang")).to_have_count(0)  # the warehouse sends it
    transfer_id = card.get_attribute("id").removeprefix("planned-")
    on_hand_before = on_hand(page)
    log_out(page)

    log_in(page, "warehouse", "demo-warehouse")
    page.set_viewport_size(PHONE)
    page.goto(f"/offices/{source}")
    card = page.locator(f"#planned-{transfer_id}")
    expect(card).to_be_visible()
    no_overflow(page)
    shoot(page, screenshots, "74-planned-transfer")
    card.get_by_role("button", name="Kirim sekarang").click()

    expect(page.locator(".flash-success")).to_contain_text(
        f"Kiriman {transfer_id} dikirim: {quantity} blangko"
    )
    expect(page.locator(f"#planned-{transfer_id}")).to_have_count(0)
    assert on_hand(page) == on_hand_before - int(quantity.replace(".", ""))
    in_transit = page.locator("section", has=page.get_by_role("heading", name="Kiriman dalam perjalanan"))
    expect(in_transit.locator("tbody tr").first).to_contain_text(destination)
    expect(in_transit.locator("tbody tr").first).to_contain_text(quantity)
    no_overflow(page)


def test_a_webhook_subscription_is_added_and_a_test_reaches_the_receiver(page: Page, screenshots):
    log_in(page, "manager", "demo-manager")
    page.get_by_role("link", name="Langganan").click()
    form = page.locator("#subscription-form")
    with WebhookReceiver(SECRET) as receiver:
        form.get_by_label("Stok habis").uncheck()
        form.get_by_label("Alamat webhook").fill(receiver.url)
        form.locator("[name=secret]").fill(SECRET)
        form.get_by_role("button", name="Berlangganan").click()
        expect(page.locator(".flash-success")).to_have_text(re.compile(r"^Langganan \d+ ditambahkan\.$"))
        card = page.locator(".subscription").last
        expect(card).to_contain_text(receiver.url)
        expect(card).not_to_contain_text("Stok habis")

        card.get_by_role("button", name="Kirim uji coba").click()
        expect(page.locator(".flash-success")).to_contain_text("penerima menerimanya")
        shoot(page, screenshots, "73-subscription-test")
        docs_shot(page, "manager-subscription-test")
        assert len(receiver.requests) == 1
        assert receiver.requests[0].signature_ok and b'"event": "test"' in receiver.requests[0].body


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_managers_pages_fit_a_phone(page: Page, language):
    log_in(page, "manager", "demo-manager")
    if language == "en":
        page.locator("form[action='/language'] button", has_text="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.set_viewport_size(PHONE)
    page.goto("/offices/62.02")
    movement = page.locator("table.ledger a.reverse").first.get_attribute("data-movement")
    for path in ("/offices/62.02", "/offices/62.02/settings", f"/movements/{movement}/reverse",
                 "/offices/62.02/redistribution", "/subscriptions"):  # fmt: skip
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        no_overflow(page)
    if language == "en":  # dates day first, the month spelled out
        page.goto("/offices/62.02/settings")
        expect(page.locator("#population-62\\.02\\.05 .as-of")).to_contain_text(
            re.compile(r"as of \d{1,2} [A-Z][a-z]{2} \d{4}\.")
        )

"""A regency manager asks the province for blanks in a real browser, starting from the projection's
suggestion; the administrator (deciding for the province) lowers the quota with a note, and rejects
a second request; the same pages read in English."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import log_in, log_out, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page


def ask(page: Page, quantity: str, justification: str) -> str:
    """Open a new request from the requests page, save it as a draft; its number."""
    page.get_by_role("link", name="Permintaan", exact=True).click()
    page.locator("#new-request").click()
    page.fill("#request-form [name=quantity]", quantity)
    page.fill("#request-form [name=justification]", justification)
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("disimpan sebagai draf")
    return page.locator("#area-requests tbody tr").first.get_attribute("data-id")


def test_manager_asks_and_the_province_lowers_the_quota_or_rejects(page: Page, screenshots):
    log_in(page, "manager", "demo-manager")
    page.goto("/offices/62.02/requests/new")
    form = page.locator("#request-form")
    suggested = int(form.locator("[name=quantity]").input_value())
    assert suggested > 0
    assert "penduduk belum rekam" in form.locator("[name=justification]").input_value()
    expect(form.locator("select[name=supplier]")).to_have_value("62")
    shoot(page, screenshots, "requests-01-new")

    # More than suggested without a reason: refused, the form comes back with the reason.
    form.locator("[name=quantity]").fill(str(suggested + 1000))
    form.locator("[name=justification]").fill("")
    form.locator("button[type=submit]").click()
    refusal = "Jumlah yang berbeda dari saran membutuhkan justifikasi."
    expect(page.locator(".flash-error")).to_have_text(refusal)

    asked, lowered = suggested + 1000, suggested + 500
    first = ask(page, str(asked), "Pemilu 2024: perekaman massal di sekolah.")
    row = page.locator(f"#area-requests tr[data-id='{first}']")
    expect(row.locator(".status-cell")).to_have_text("Draf")
    row.locator("form.submit button").click()
    expect(page.locator(".flash-success")).to_have_text(f"Permintaan {first} diajukan.")
    expect(row.locator(".status-cell")).to_have_text("Diajukan")
    expect(page.locator(f"#awaiting tr[data-id='{first}']")).to_have_count(0)  # not the manager's to decide
    second = ask(page, str(suggested), "Sesuai saran proyeksi.")
    page.locator(f"#area-requests tr[data-id='{second}'] form.submit button").click()
    shoot(page, screenshots, "requests-02-submitted")
    log_out(page)

    # The decision: a lower quota needs a note.
    log_in(page, "admin", "demo-admin")
    page.goto("/requests")
    waiting = page.locator(f"#awaiting tr[data-id='{first}']")
    expect(waiting).to_contain_text("62.02")
    waiting.locator("form.approve [name=approved_quantity]").fill(str(lowered))
    waiting.locator("form.approve button").click()
    expect(page.locator(".flash-error")).to_have_text("Tulis catatan berisi alasannya.")
    waiting.locator("form.approve [name=approved_quantity]").fill(str(lowered))
    waiting.locator("form.approve [name=note]").fill("Stok provinsi terbatas; dibagi rata.")
    waiting.locator("form.approve button").click()
    expect(page.locator(".flash-success")).to_have_text(f"Permintaan {first} disetujui.")
    row = page.locator(f"#area-requests tr[data-id='{first}']")
    expect(row.locator(".status-cell")).to_have_text("Disetujui")
    expect(row.locator("td.num").nth(1)).to_have_text(f"{lowered:,}".replace(",", "."))

    # A rejection needs its reason too (the browser asks for it before sending).
    page.locator(f"#awaiting tr[data-id='{second}'] form.reject [name=note]").fill("Stok habis.")
    page.locator(f"#awaiting tr[data-id='{second}'] form.reject button").click()
    expect(page.locator(".flash-success")).to_have_text(f"Permintaan {second} ditolak.")
    expect(page.locator(f"#area-requests tr[data-id='{second}'] .status-cell")).to_have_text("Ditolak")
    expect(page.locator("#awaiting")).to_contain_text("Tidak ada yang menunggu keputusan Anda.")
    shoot(page, screenshots, "requests-03-decided")

    # The same page in English.
    page.locator("button[lang=en]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for blanks")
    expect(page.locator(f"#area-requests tr[data-id='{first}'] .status-cell")).to_have_text("Approved")
    expect(page.locator("#awaiting")).to_contain_text("Nothing awaits your decision.")

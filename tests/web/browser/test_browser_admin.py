"""An admin in a real browser: creates a user, issues its token (shown once, and it works),
revokes it; reads the audit log and manages an office on a phone (390 px), in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import docs_shot, log_in, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_an_admin_creates_a_user_and_issues_a_token_shown_once(page: Page, screenshots):
    page.set_default_timeout(30_000)
    log_in(page, "admin", "demo-admin")
    page.get_by_role("navigation").get_by_role("link", name="Pengguna", exact=True).click()
    form = page.locator("#user-create-form")
    form.get_by_label("Nama pengguna").fill("siti")
    form.get_by_label("Peran").select_option("operator")
    form.get_by_label("Kode kantor (kosong untuk administrator)").fill("62.02.05")
    form.get_by_label("Kata sandi dasbor (opsional)").fill("kertas-blangko-sampit-2026")
    form.get_by_role("button", name="Buat pengguna").click()

    expect(page.locator(".flash-success")).to_have_text("Pengguna siti dibuat.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("siti")
    expect(page.locator("#user-state")).to_contain_text("Dapat masuk ke dasbor")
    user_page = page.url
    page.get_by_role("button", name="Terbitkan token baru").click()

    token = page.locator("#new-token code.token").inner_text().strip()
    assert token.startswith("blk_")
    shoot(page, screenshots, "70-admin-token-shown-once")
    docs_shot(page, "admin-token-shown-once")
    bearer = {"Authorization": f"Bearer {token}"}
    assert page.request.get("/api/v1/offices/62.02.05/stock", headers=bearer).status == 200
    page.goto(user_page)  # the user's page again: the token is not there
    expect(page.locator("#new-token")).to_have_count(0)
    assert token not in page.content()

    page.locator("table.tokens button", has_text="Cabut").first.click()
    expect(page.locator(".flash-success")).to_contain_text("dicabut")
    assert page.request.get("/api/v1/offices/62.02.05/stock", headers=bearer).status == 401


def test_the_audit_log_and_an_office_on_a_phone_in_both_languages(phone: Page, screenshots):
    log_in(phone, "admin", "demo-admin")
    phone.goto("/admin/offices/62.02.05")
    fits(phone)
    phone.locator("#rename-form").get_by_label("Nama baru").fill("Baamang Kota")
    phone.locator("#rename-form").get_by_role("button", name="Simpan nama").click()
    expect(phone.locator(".flash-success")).to_have_text("Nama kantor 62.02.05 diganti.")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Baamang Kota")
    fits(phone)

    phone.goto("/admin/audit")
    row = phone.locator("table.audit tbody tr").first
    expect(row).to_contain_text("Kantor diganti namanya")
    expect(row).to_contain_text("Baamang → Baamang Kota")
    expect(row).to_contain_text("WIB")
    fits(phone)
    shoot(phone, screenshots, "71-audit-log-phone")
    phone.locator("#kind").select_option("user.created")
    phone.get_by_role("button", name="Tampilkan").click()
    expect(phone.locator("table.audit tbody tr[data-kind='office.renamed']")).to_have_count(0)

    phone.locator("form[action='/language'] button", has_text="English").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Audit log")
    phone.goto("/admin/audit")
    expect(phone.locator("table.audit tbody tr").first).to_contain_text("Office renamed")
    fits(phone)
    phone.goto("/admin/users")
    fits(phone)
    phone.goto("/admin/offices")
    fits(phone)

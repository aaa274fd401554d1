"""What a person does with their account in a real browser: log out (and a copied cookie stops
working), change the password and revoke the API tokens with it; /docs under its policy."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import log_in, log_out, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect


if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_cookie_copied_before_logout_opens_nothing_after(page: Page, browser, live_server):
    log_in(page, "manager", "demo-manager")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kotawaringin Timur")
    copied = page.context.cookies()
    assert any(cookie["name"] == "session" for cookie in copied)

    thief = browser.new_context(base_url=live_server)
    thief.add_cookies(copied)
    stolen = thief.new_page()
    stolen.goto("/")
    expect(stolen.get_by_role("heading", level=1)).to_contain_text("Kotawaringin Timur")  # works while open

    log_out(page)
    stolen.goto("/")
    expect(stolen).to_have_url(re.compile(r"/login\?next=%2F$"))
    thief.close()


def test_a_password_change_can_revoke_the_api_tokens(page: Page, demo_tokens, screenshots):
    token = {"Authorization": f"Bearer {demo_tokens['operator']}"}
    assert page.request.get("/api/v1/offices", headers=token).status == 200
    log_in(page, "operator", "demo-operator")
    page.goto("/password")
    page.fill("#current", "demo-operator")
    page.fill("#new", "password1234")  # too common: refused, nothing changes
    page.fill("#again", "password1234")
    page.locator("form[action='/password'] button[type=submit]").click()
    expect(page.locator("small.error")).to_contain_text("terlalu umum")

    page.fill("#current", "demo-operator")
    page.fill("#new", "Sampit-pagi-hujan-62")
    page.fill("#again", "Sampit-pagi-hujan-62")
    checkbox = page.get_by_label("Cabut juga token API saya")
    expect(checkbox).not_to_be_checked()
    checkbox.check()
    shoot(page, screenshots, "20-password-change")
    page.locator("form[action='/password'] button[type=submit]").click()

    expect(page.locator(".flash-success")).to_contain_text("token API Anda telah diakhiri")
    assert page.request.get("/api/v1/offices", headers=token).status == 401
    other = {"Authorization": f"Bearer {demo_tokens['warehouse']}"}
    assert page.request.get("/api/v1/offices", headers=other).status == 200
    log_out(page)
    log_in(page, "operator", "Sampit-pagi-hujan-62")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_docs_render_under_their_content_security_policy(page: Page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    response = page.goto("/docs")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    expect(page.locator(".opblock").first).to_be_visible()
    assert not [text for text in messages if "Content Security Policy" in text], messages

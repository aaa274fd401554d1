"""What every browser test does: log in and out through the forms, and keep a screenshot."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page


def shoot(page: Page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)


def log_in(page: Page, name: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.locator("form[action='/login'] button[type=submit]").click()


def log_out(page: Page) -> None:
    page.locator("form[action='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/login$"))

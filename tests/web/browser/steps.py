"""What every browser test does: log in and out through the forms, and keep a screenshot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page


def shoot(page: Page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)


# The README's pictures (section "At the counter, at day's end, and at the warehouse door"):
# taken by the browser tests as they pass, on a phone's screen, and committed. Only the first
# screen, so they stay small; a test that changes a page the README shows renews its picture.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def docs_shot(page: Page, name: str) -> None:
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), animations="disabled", caret="hide")
    if size and size != PHONE:
        page.set_viewport_size(size)


def log_in(page: Page, name: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.locator("form[action='/login'] button[type=submit]").click()


def log_out(page: Page) -> None:
    page.locator("form[action='/logout'] button").click()
    expect(page).to_have_url(re.compile(r"/login$"))

"""What every browser test does: log in and out through the forms, and keep a screenshot."""

from __future__ import annotations

import os
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


# The README's pictures: taken by the browser tests as they pass, on a phone's screen. Only the
# first screen, so they stay small. A test run keeps them beside the other screenshots
# (tests/screenshots/docs, not committed); `make screenshots` renews the committed ones in
# docs/screenshots, so an ordinary run never leaves the work tree changed (they show dates).
ROOT = Path(__file__).resolve().parents[3]
DOCS_SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("BLANGKO_DOCS_SCREENSHOTS") == "1"
    else ROOT / "tests" / "screenshots" / "docs"
)
PHONE = {"width": 390, "height": 844}


def docs_shot(page: Page, name: str, focus: str | None = None) -> None:
    """The phone's screen as it is, or scrolled to show `focus` (a selector) at its top."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    if focus:
        page.locator(focus).evaluate("element => element.scrollIntoView({block: 'start'})")
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

"""Issue 14's scenario for the offline unit, in Chromium with the network cut by the browser
(`context.set_offline`), checked through the API: 25 prints recorded offline survive a reload
and the page being closed and opened again; the upload, cut off after the server recorded it
and sent again, and then sent once more, leaves exactly 25 on the stock card; a unit with 20
blanks that recorded 25 offline sees 5 refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import docs_shot, log_in
from tests.web.browser.test_browser_field import FIELD, count_the_shelf, on_hand, queued, worker_in_control

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

UNIT = "62.02-JB1"


def device_prints(page: Page, token: str, device: str) -> int:
    """Prints on the unit's stock card uploaded by this browser (client_id f:<device>:...)."""
    answer = page.request.get(
        f"/api/v1/offices/{UNIT}/ledger?kind=print&limit=500", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.ok, answer.text()
    return sum((item.get("client_id") or "").startswith(f"f:{device}:") for item in answer.json()["items"])


def device_of(page: Page) -> str:
    """This browser's device id, as the page keeps it in IndexedDB."""
    return page.evaluate(
        """new Promise((done, fail) => {
             const opening = indexedDB.open("blangko-field", 1);
             opening.onerror = () => fail(opening.error);
             opening.onsuccess = () => {
               const read = opening.result.transaction("meta").objectStore("meta").get("device");
               read.onsuccess = () => { opening.result.close(); done(read.result); };
               read.onerror = () => fail(read.error);
             };
           })"""
    )


def offline_prints(page: Page, n: int) -> None:
    for _ in range(n):
        page.locator("#field-print").click()
    queued(page, n)


def test_25_offline_prints_are_recorded_exactly_once_and_a_short_shelf_refuses_5(page: Page, demo_tokens):
    manager, operator = demo_tokens["manager"], demo_tokens["operator"]
    count_the_shelf(page, manager, 100)
    log_in(page, "operator", "demo-operator")
    expect(page.locator("#field-link")).to_be_visible()
    page.goto(FIELD)
    worker_in_control(page)
    queued(page, 0)

    page.context.set_offline(True)
    offline_prints(page, 25)
    device = device_of(page)
    page.reload()
    queued(page, 25)
    reopened = page.context.new_page()  # the page closed, and opened again: still no network
    page.close()
    page = reopened
    page.goto(FIELD)
    queued(page, 25)
    docs_shot(page, "field-unit-offline")
    assert device_prints(page, operator, device) == 0

    # Back online, the first upload is cut off after the server recorded it: its answer is lost.
    cut = []

    def cut_off(route):
        route.fetch()
        cut.append(route.request.headers["idempotency-key"])
        route.abort()

    page.route("**/field/uploads", cut_off)
    # Coming back online is enough: the page uploads by itself ("online" event). No click
    # here: a second try, started while the first was being cut off, could still be on its
    # way when the replay below is asked for, and the page runs one upload at a time.
    page.context.set_offline(False)
    expect(page.locator("#upload-status")).to_contain_text("tidak selesai")
    page.unroute("**/field/uploads")
    assert len(cut) == 1
    queued(page, 25)
    assert device_prints(page, operator, device) == 25  # the server has them, the page not yet

    # Sent again: the same upload, replayed; and once more: nothing left to send.
    with page.expect_response("**/field/uploads") as sent:
        page.locator("#field-upload").click()
    assert sent.value.request.headers["idempotency-key"] == cut[0]
    assert sent.value.headers.get("idempotent-replayed") == "true"
    queued(page, 0)
    assert device_prints(page, operator, device) == 25
    page.locator("#field-upload").click()
    page.reload()
    queued(page, 0)
    assert device_prints(page, operator, device) == 25
    assert on_hand(page, operator) == 75

    # 20 blanks on the shelf, 25 prints offline: 20 recorded, 5 refused and kept on the page.
    count_the_shelf(page, manager, 20)
    page.context.set_offline(True)
    offline_prints(page, 25)
    page.context.set_offline(False)
    page.locator("#field-upload").click()
    said = "20 tercatat, 0 sudah tercatat sebelumnya, 5 ditolak"
    expect(page.locator("#upload-status")).to_contain_text(said)
    queued(page, 0)
    expect(page.locator("#refused li")).to_have_count(5)
    assert device_prints(page, operator, device) == 45
    assert on_hand(page, operator) == 0
    docs_shot(page, "field-unit-refused")
    page.locator("#field-upload").click()  # the refused ones are not sent again by themselves
    assert device_prints(page, operator, device) == 45
    expect(page.locator("#refused li")).to_have_count(5)

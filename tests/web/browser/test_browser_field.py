"""The offline jemput bola unit in a real browser: opened once online, used with no network,
reloaded, logged in again, and uploaded when the network is back, each print once."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.web.browser.steps import log_in, shoot

sync_api = pytest.importorskip("playwright.sync_api", reason="Browser tests skipped: no playwright package")
expect = sync_api.expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

UNIT = "62.02-JB1"  # the demo's mobile unit
FIELD = f"/offices/{UNIT}/field/"


def on_hand(page: Page, token: str) -> int:
    answer = page.request.get(f"/api/v1/offices/{UNIT}/stock", headers={"Authorization": f"Bearer {token}"})
    assert answer.ok, answer.text()
    return answer.json()["on_hand"]


def unit_prints(page: Page, token: str) -> int:
    """The unit's prints on its stock card that came from this browser (client_id f:...)."""
    answer = page.request.get(
        f"/api/v1/offices/{UNIT}/ledger?kind=print&limit=200", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.ok, answer.text()
    return sum((item.get("client_id") or "").startswith("f:") for item in answer.json()["items"])


def count_the_shelf(page: Page, token: str, counted: int) -> None:
    answer = page.request.post(
        f"/api/v1/offices/{UNIT}/adjustments",
        headers={"Authorization": f"Bearer {token}"},
        data={"counted": counted, "reason": "Stock opname in the field", "confirm": True},
    )
    assert answer.ok, answer.text()


def worker_in_control(page: Page) -> None:
    # The worker keeps the page before it takes control; from then on the page works offline.
    # (wait_for_function evaluates a string in the page, which its CSP forbids; evaluate does not.)
    page.evaluate(
        """new Promise(done => navigator.serviceWorker.controller ? done()
             : navigator.serviceWorker.addEventListener("controllerchange", done))"""
    )


def queued(page: Page, n: int) -> None:
    expect(page.locator("#queue-count")).to_have_text(str(n))


def test_prints_recorded_offline_survive_a_reload_and_a_new_login_and_upload_once(
    page: Page, demo_tokens, screenshots
):
    manager, operator = demo_tokens["manager"], demo_tokens["operator"]
    count_the_shelf(page, manager, 40)
    log_in(page, "operator", "demo-operator")
    # The counter, where the operator lands, links to its office's unit page; this one is the unit's.
    page.locator("#field-link").click()
    expect(page).to_have_url(re.compile(r"/offices/62\.02/field/$"))
    page.goto(FIELD)
    worker_in_control(page)
    queued(page, 0)
    before = unit_prints(page, operator)

    page.context.set_offline(True)
    for _ in range(4):
        page.locator("#field-print").click()
    page.locator("#field-spoil").click()
    queued(page, 5)
    expect(page.locator("#queue-oldest")).not_to_have_text("tidak ada")

    page.reload()  # no network: the worker serves the kept page, IndexedDB the queue
    assert page.evaluate("performance.getEntriesByType('navigation')[0].workerStart") > 0
    queued(page, 5)
    # The page closed and opened again, still with no network.
    reopened = page.context.new_page()
    page.close()
    page = reopened
    page.goto(FIELD)
    queued(page, 5)
    shoot(page, screenshots, "30-field-offline-queue")

    # The session ends meanwhile (a log-out elsewhere): the page still opens, the queue is kept,
    # and an upload asks for a new log-in instead of losing anything.
    page.context.clear_cookies()
    page.reload()
    queued(page, 5)
    page.context.set_offline(False)
    page.locator("#field-upload").click()
    expect(page.locator("#upload-status")).to_contain_text("Masuk lagi")
    queued(page, 5)
    assert unit_prints(page, operator) == before

    log_in(page, "operator", "demo-operator")
    page.goto(FIELD)  # online: the page uploads the queue by itself
    queued(page, 0)
    expect(page.locator("#upload-status")).to_contain_text(
        "5 tercatat, 0 sudah tercatat sebelumnya, 0 ditolak"
    )
    assert unit_prints(page, operator) == before + 5
    assert on_hand(page, operator) == 35
    shoot(page, screenshots, "31-field-uploaded")

    # An upload cut off after the server recorded it, before the answer came: sent again as it
    # was, it is replayed, and nothing is doubled.
    page.context.set_offline(True)
    for _ in range(3):
        page.locator("#field-print").click()
    queued(page, 3)
    cut = []

    def cut_off(route):
        route.fetch()  # the server records the upload...
        cut.append(route.request.headers["idempotency-key"])
        route.abort()  # ...and the answer is lost on the way back

    page.route("**/field/uploads", cut_off)
    # Back online, the page uploads by itself (its "online" handler). A click as well could
    # start a second upload once the first failed, still on its way when the route is lifted:
    # it would then go through, and the queue be empty before the retry below.
    page.context.set_offline(False)
    expect(page.locator("#upload-status")).to_contain_text("tidak selesai")
    assert len(cut) == 1
    page.unroute("**/field/uploads")
    assert unit_prints(page, operator) == before + 8
    queued(page, 3)
    with page.expect_response("**/field/uploads") as sent:
        page.locator("#field-upload").click()
    assert sent.value.request.headers["idempotency-key"] == cut[0]
    assert sent.value.headers.get("idempotent-replayed") == "true"
    queued(page, 0)
    assert unit_prints(page, operator) == before + 8
    page.locator("#field-upload").click()  # nothing left to send
    assert unit_prints(page, operator) == before + 8

    # One blank left and two prints made offline: one is refused, and stays for the operator.
    count_the_shelf(page, manager, 1)
    page.context.set_offline(True)
    page.locator("#field-print").click()
    page.locator("#field-print").click()
    queued(page, 2)
    page.context.set_offline(False)
    page.locator("#field-upload").click()
    expect(page.locator("#upload-status")).to_contain_text(
        "1 tercatat, 0 sudah tercatat sebelumnya, 1 ditolak"
    )
    queued(page, 0)
    expect(page.locator("#refused li")).to_have_count(1)
    expect(page.locator("#refused li")).to_contain_text(
        "Berhasil dicetak · Rekam baru: Tidak ada blangko tersisa"
    )
    page.reload()
    expect(page.locator("#refused li")).to_have_count(1)
    shoot(page, screenshots, "32-field-refused")
    page.locator("#refused li .remove").click()
    expect(page.locator("#refused li")).to_have_count(0)
    assert on_hand(page, operator) == 0

"""The offline unit's page, worker and upload through the dashboard (session + CSRF + Idempotency-Key)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.helpers import deliver, ledger
from tests.web.dashboard import browser

DEVICE = "a1b2c3d4e5f6"
URL = "/offices/62.02/field/uploads"


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def prints(count, at=None, device=DEVICE, outcome="printed"):
    at = at or now() - timedelta(minutes=30)
    return [
        {
            "client_id": f"f:{device}:{uuid.uuid4()}",
            "outcome": outcome,
            "reason": "new_record",
            "printed_at": stamp(at),
        }
        for _ in range(count)
    ]


def body(items, device_time=None, device=DEVICE):
    return {"device": device, "device_time": stamp(device_time or now()), "prints": items}


def upload(b, sent, key=None, code="62.02", csrf=True):
    """`sent`: a list of prints (sent with the device's clock right), or a whole body."""
    token = b.get(f"/offices/{code}/field/token").json["csrf_token"]
    headers = {"Accept": "application/json"}
    if csrf:
        headers["X-CSRFToken"] = token
    if key:
        headers["Idempotency-Key"] = key
    payload = body(sent) if isinstance(sent, list) else sent
    return b.client.post(f"/offices/{code}/field/uploads", json=payload, headers=headers)


def summary(response):
    return response.json["recorded"], response.json["already_recorded"], response.json["refused"]


def refusals(response):
    return [(r["status"], r.get("error")) for r in response.json["results"]]


def test_the_page_its_worker_and_manifest_are_served_to_an_operator(web):
    b = browser(web, "operator")
    page = b.text("/offices/62.02/field/")
    assert 'rel="manifest" href="/offices/62.02/field/manifest.webmanifest"' in page
    assert 'data-worker="/offices/62.02/field/sw.js"' in page and "/assets/field.js" in page
    worker = b.get("/offices/62.02/field/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    script = worker.get_data(as_text=True)
    kept = (
        "/offices/62.02/field/",
        "/assets/field.js",
        "/assets/style.css",
        "/offices/62.02/field/manifest.webmanifest",
    )
    assert all(f'"{path}"' in script for path in kept)
    assert "/field/uploads" not in script and "/field/token" not in script
    manifest = b.get("/offices/62.02/field/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["start_url"] == manifest.json["scope"] == "/offices/62.02/field/"
    # Another area's operator, or nobody logged in: not served.
    assert browser(web, "baamang_operator").get("/offices/62.02/field/").status_code == 403
    assert browser(web).get("/offices/62.02/field/sw.js").status_code == 302


def test_an_upload_records_each_print_once_and_a_retry_replays(web):
    deliver(web, "62.02", 10)
    b = browser(web, "operator")
    sent = body(prints(3))
    first = upload(b, sent, key="up-1")
    assert first.status_code == 200, first.json
    assert summary(first) == (3, 0, 0) and first.json["on_hand"] == 7
    assert first.json["clock_corrected_seconds"] == 0
    # A retry of an upload cut off before its answer arrived: the same answer, replayed.
    again = upload(b, sent, key="up-1")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    # The same prints in a new upload: every one already recorded, nothing doubled.
    fresh = upload(b, sent["prints"], key="up-2")
    assert summary(fresh) == (0, 3, 0)
    assert web.on_hand("62.02") == 7
    recorded = {r["movement_id"] for r in first.json["results"]}
    assert {r["movement_id"] for r in fresh.json["results"]} == recorded
    prints_ = [m for m in ledger(web, "62.02", kind="print")["items"] if m["id"] in recorded]
    assert len(prints_) == 3


def test_a_wrong_device_clock_is_corrected_and_said(web):
    deliver(web, "62.02", 10)
    b = browser(web, "operator")
    # The device's clock is two hours behind; its prints were made half an hour ago by it.
    device_now = now() - timedelta(hours=2)
    items = prints(1, at=device_now - timedelta(minutes=30))
    items += prints(1, at=device_now + timedelta(minutes=20))  # ahead of its own clock: impossible
    answer = upload(b, body(items, device_time=device_now))
    assert answer.status_code == 200, answer.json
    assert abs(answer.json["clock_corrected_seconds"] - 7200) < 60
    assert refusals(answer) == [("recorded", None), ("refused", "printed_at_future")]
    corrected = datetime.fromisoformat(answer.json["results"][0]["printed_at"])
    assert abs(corrected - (now() - timedelta(minutes=30))) < timedelta(minutes=1)
    assert web.on_hand("62.02") == 9
    # A clock a few minutes off is kept as told.
    close = upload(b, body(prints(1), device_time=now() - timedelta(minutes=3)))
    assert close.json["clock_corrected_seconds"] == 0 and "printed_at" not in close.json["results"][0]


def test_prints_dated_before_the_units_last_upload_are_refused(web):
    deliver(web, "62.02", 10)
    b = browser(web, "operator")
    assert summary(upload(b, prints(1, at=now() - timedelta(minutes=1)))) == (1, 0, 0)
    late = upload(b, prints(1, at=now() - timedelta(hours=1)))
    assert refusals(late) == [("refused", "printed_before_last_upload")]
    # Another unit's last upload does not count against this one.
    other = upload(
        b, body(prints(1, at=now() - timedelta(hours=1), device="ffff0000aaaa"), device="ffff0000aaaa")
    )
    assert summary(other) == (1, 0, 0)
    assert web.on_hand("62.02") == 8


def test_refusals_and_bad_input_answer_in_json_without_writing(web):
    deliver(web, "62.02", 1)
    b = browser(web, "operator")
    answer = upload(b, prints(2))
    assert refusals(answer) == [("recorded", None), ("refused", "insufficient_stock")]
    foreign = upload(b, prints(1, device="0000111122223333"))  # another unit's client_id
    assert refusals(foreign) == [("refused", "validation_error")]
    bad = upload(b, body([{"client_id": f"f:{DEVICE}:x", "outcome": "eaten", "reason": "new_record"}]))
    assert bad.json["results"][0]["errors"] == {"outcome": ["Must be one of: printed, spoiled."]}
    missing = upload(b, {"device": DEVICE, "prints": prints(1)})
    assert missing.status_code == 422 and "device_time" in missing.json["errors"]
    nul = upload(b, {**body(prints(1)), "device": "a\x00b"})
    assert nul.status_code == 422 and "device" in nul.json["errors"]
    no_csrf = upload(b, prints(1), csrf=False)
    assert no_csrf.status_code == 400
    assert web.on_hand("62.02") == 0


def test_five_uploads_at_once_with_one_key_record_once_and_answer_alike(web):
    """As tests/core/test_races.py does for every keyed API route: the same upload sent five
    times at once (five tabs of the same operator) records each print once, and every
    answer is the first one's."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    deliver(web, "62.02", 10)
    tabs = [browser(web, "operator") for _ in range(5)]
    tokens = [tab.get("/offices/62.02/field/token").json["csrf_token"] for tab in tabs]
    sent = body(prints(3))
    start = Barrier(5)

    def send(n):
        start.wait()
        headers = {"Accept": "application/json", "X-CSRFToken": tokens[n], "Idempotency-Key": "race-1"}
        response = tabs[n].client.post(URL, json=sent, headers=headers)
        return response.status_code, summary(response)

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(send, range(5)))

    assert answers == [(201, (3, 0, 0))] * 5 or answers == [(200, (3, 0, 0))] * 5, answers
    prints_recorded = [line for line in ledger(web, "62.02")["items"] if line["kind"] == "print"]
    assert len(prints_recorded) == 3


def test_once_the_session_ends_the_page_s_requests_get_a_401_and_no_new_session_cookie(web):
    """A redirect to the log-in page would flash, and so set a session cookie over the one of a
    log-in form open meanwhile: that form's CSRF token would fail and the queue never upload."""
    b = browser(web, "operator")
    token = b.get("/offices/62.02/field/token").json["csrf_token"]
    assert b.post("/logout").status_code == 302
    stale = b.client.get("/offices/62.02/field/token", headers={"Accept": "application/json"})
    assert (stale.status_code, stale.json["error"]) == (401, "login_required")
    assert "Set-Cookie" not in stale.headers
    headers = {"Accept": "application/json", "X-CSRFToken": token, "Idempotency-Key": "after-logout"}
    sent = b.client.post("/offices/62.02/field/uploads", json=body(prints(1)), headers=headers)
    assert sent.status_code == 400  # the log-out took the CSRF token with the session
    # A session that ended on the server (a log-out elsewhere) while this browser kept its cookie.
    other = browser(web, "operator")
    token = other.get("/offices/62.02/field/token").json["csrf_token"]
    _end_sessions(web, "operator")
    headers["X-CSRFToken"] = token
    sent = other.client.post("/offices/62.02/field/uploads", json=body(prints(1)), headers=headers)
    assert (sent.status_code, sent.json["error"]) == (401, "login_required")
    assert "Set-Cookie" not in sent.headers
    fresh = browser(web).client.get("/offices/62.02/field/token")  # never logged in
    assert fresh.status_code == 401 and "Set-Cookie" not in fresh.headers
    assert web.get("/offices/62.02/ledger?kind=print", as_="admin").json["items"] == []


def _end_sessions(web, name: str) -> None:
    """Every dashboard session of the user ends on the server, as a log-out elsewhere does."""
    from sqlalchemy import select

    from inventory.auth import sessions
    from inventory.auth.models import User
    from inventory.core.db import db

    with web.app.app_context():
        user_id = db.session.execute(select(User.id).where(User.name == name)).scalar_one()
        sessions.end_all(user_id)
        db.session.commit()

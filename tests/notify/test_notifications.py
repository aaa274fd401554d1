"""The outbox and its deliverer, against real local receivers (HTTP and SMTP).

Alerts are written straight into the database here and handed to `enqueue`, as planning/alerts.py
does inside a stock transaction; the clock of each delivery pass is passed in, so backoff
is tested without sleeping.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import Config
from inventory import create_app
from inventory.core.db import db, utcnow
from inventory.notify import delivery
from inventory.notify import outbox as notifications
from inventory.notify.models import DeliveryAttempt, Notification
from inventory.offices import tree as offices
from inventory.planning.models import Alert
from tests.notify.receivers import SmtpReceiver, WebhookReceiver

SECRET = "s3cret-for-the-regency-webhook"
ROOT = Path(__file__).resolve().parents[2]


def subscribe_webhook(api, url, office="62.02", kinds=None, as_="manager", secret=SECRET) -> int:
    body = {"office": office, "channel": "webhook", "url": url, "secret": secret}
    if kinds:
        body["kinds"] = kinds
    response = api.post("/subscriptions", body, as_=as_)
    assert response.status_code == 201, response.json
    return response.json["id"]


def raise_alert(api, code="62.02", kind="low_stock", event="opened", severity="warning") -> tuple[int, int]:
    """An alert row and its outbox rows, committed together as planning/alerts.py would; returns
    (alert id, notifications written)."""
    with api.app.app_context():
        office = offices.get_by_code(code)
        alert = Alert(
            office_id=office.id,
            kind=kind,
            status="resolved" if event == "resolved" else "open",
            severity=severity,
            message=f"{code} holds 3 blanks, at or below its minimum of 10.",
            figures=json.dumps({"on_hand": 3, "min_stock": 10}),
            resolved_at=utcnow() if event == "resolved" else None,
        )
        db.session.add(alert)
        db.session.flush()
        written = notifications.enqueue(alert, event, office.code, office.path)
        db.session.commit()
        return alert.id, written


def deliver_at(app, now: datetime | None = None) -> delivery.PassResult:
    with app.app_context():
        try:
            return delivery.deliver_due(now=now)
        finally:
            db.session.remove()


def outbox(app) -> list[Notification]:
    with app.app_context():
        try:
            return list(db.session.execute(select(Notification).order_by(Notification.id)).scalars())
        finally:
            db.session.remove()


# --- the outbox writer -----------------------------------------------------------------


def test_enqueue_writes_one_row_per_matching_subscription(api):
    regency = subscribe_webhook(api, "http://127.0.0.1:9/a")  # 62.02 and below, every kind
    subscribe_webhook(api, "http://127.0.0.1:9/b", kinds=["stockout"])  # another kind
    subscribe_webhook(api, "http://127.0.0.1:9/c", office="62.01", as_="kobar_manager")  # elsewhere
    province = subscribe_webhook(api, "http://127.0.0.1:9/d", office="62", as_="admin")
    cancelled = subscribe_webhook(api, "http://127.0.0.1:9/e")
    assert api.delete(f"/subscriptions/{cancelled}", as_="manager").status_code == 204

    alert_id, written = raise_alert(api, "62.02.05")

    assert written == 2
    rows = outbox(api.app)
    assert {row.subscription_id for row in rows} == {regency, province}
    assert all(row.status == "pending" and row.attempts == 0 and row.alert_id == alert_id for row in rows)
    assert len({row.event_id for row in rows}) == 2  # one event id per notification
    assert raise_alert(api, "62.01")[1] == 2  # the Kobar manager and the admin's province


def test_the_payload_is_fixed_at_creation(api):
    subscribe_webhook(api, "http://127.0.0.1:9/a")
    alert_id, _ = raise_alert(api, "62.02", event="escalated", severity="critical")

    (row,) = outbox(api.app)
    payload = json.loads(row.payload)
    assert payload["event_id"] == row.event_id and payload["event"] == "escalated"
    assert datetime.fromisoformat(payload["created_at"]).tzinfo is not None
    assert payload["alert"] | {"opened_at": None} == {
        "id": alert_id,
        "office": "62.02",
        "kind": "low_stock",
        "severity": "critical",
        "status": "open",
        "message": "62.02 holds 3 blanks, at or below its minimum of 10.",
        "figures": {"on_hand": 3, "min_stock": 10},
        "opened_at": None,
        "resolved_at": None,
    }
    assert datetime.fromisoformat(payload["alert"]["opened_at"]).tzinfo is not None


def test_a_disabled_manager_hears_nothing(api):
    subscribe_webhook(api, "http://127.0.0.1:9/a")
    with api.app.app_context():
        users = db.metadata.tables["users"]
        db.session.execute(users.update().where(users.c.name == "manager").values(active=False))
        db.session.commit()

    assert raise_alert(api, "62.02")[1] == 0


def test_a_rolled_back_alert_leaves_no_notification(api):
    subscribe_webhook(api, "http://127.0.0.1:9/a")

    with api.app.app_context():
        office = offices.get_by_code("62.02")
        alert = Alert(office_id=office.id, kind="low_stock", message="m", figures="{}")
        db.session.add(alert)
        db.session.flush()
        assert notifications.enqueue(alert, "opened", office.code, office.path) == 1
        db.session.rollback()  # the stock movement failed: its alert and notifications go too

    assert outbox(api.app) == []


def test_a_crash_after_the_commit_loses_nothing(api):
    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")
        # The process dies: nothing in memory survives. A fresh process finds the outbox row.
        url = api.app.config["SQLALCHEMY_DATABASE_URI"]
        with api.app.app_context():
            db.session.remove()
            db.engine.dispose()
        fresh = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url)

        assert deliver_at(fresh).delivered == 1
        with fresh.app_context():
            db.engine.dispose()
    assert len(receiver.requests) == 1


# --- webhook delivery ------------------------------------------------------------------


def test_a_webhook_is_posted_signed_and_recorded(api):
    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02.05")

        result = deliver_at(api.app)
        again = deliver_at(api.app, utcnow() + timedelta(days=30))

    assert (result.delivered, result.retrying, result.failed) == (1, 0, 0)
    assert not again  # delivered once, never again
    (request,) = receiver.requests
    (row,) = outbox(api.app)
    assert request.signature_ok
    assert request.body == row.payload.encode()
    assert request.headers["X-Blangko-Signature"] == receiver.expected_signature(request.body)
    assert request.headers["X-Blangko-Event-Id"] == row.event_id
    assert abs(int(request.headers["X-Blangko-Timestamp"]) - time.time()) < 60
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body)["alert"]["office"] == "62.02.05"

    listed = api.get("/notifications", as_="manager").json["items"]
    assert [(n["status"], n["attempts"], n["last_error"]) for n in listed] == [("delivered", 1, None)]
    assert listed[0]["delivered_at"] is not None and listed[0]["next_attempt_at"] is None
    detail = api.get(f"/notifications/{row.id}", as_="manager").json
    assert [(a["succeeded"], a["status_code"]) for a in detail["delivery_attempts"]] == [(True, 200)]


def test_a_receiver_failing_twice_gets_three_identical_posts_then_never_again(api):
    api.app.config["NOTIFY_BACKOFF_SECONDS"] = 30
    with WebhookReceiver(SECRET, statuses=(500, 500)) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")
        t0 = utcnow()

        assert deliver_at(api.app, t0).retrying == 1  # attempt 1: 500, retry at t0 + 30 s
        assert not deliver_at(api.app, t0 + timedelta(seconds=29))  # not due yet
        assert deliver_at(api.app, t0 + timedelta(seconds=30)).retrying == 1  # attempt 2: retry at +60 s
        assert not deliver_at(api.app, t0 + timedelta(seconds=89))
        assert deliver_at(api.app, t0 + timedelta(seconds=90)).delivered == 1  # attempt 3: 200
        for later in (91, 3600, 86400 * 30):
            assert not deliver_at(api.app, t0 + timedelta(seconds=later))

    assert [r.answered for r in receiver.requests] == [500, 500, 200]
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
    assert len({r.headers["X-Blangko-Event-Id"] for r in receiver.requests}) == 1
    assert all(r.signature_ok for r in receiver.requests)
    (row,) = outbox(api.app)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 3, None)
    detail = api.get(f"/notifications/{row.id}", as_="manager").json
    attempts = detail["delivery_attempts"]
    assert [(a["succeeded"], a["status_code"]) for a in attempts] == [(False, 500), (False, 500), (True, 200)]
    assert attempts[0]["error"] == "HTTP 500: receiver says no"


def test_backoff_doubles():
    assert [delivery.backoff(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.backoff(200, 30) == timedelta(days=1)  # capped


def test_a_receiver_that_always_fails_is_given_up_on_and_shows_as_failed(api):
    api.app.config.update(NOTIFY_MAX_ATTEMPTS=4, NOTIFY_BACKOFF_SECONDS=10)
    with WebhookReceiver(SECRET, statuses=(500,) * 10) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")
        t0 = utcnow()

        results = [deliver_at(api.app, t0 + timedelta(seconds=s)) for s in (0, 10, 30, 70, 150, 10_000)]

    assert [(r.retrying, r.failed) for r in results] == [(1, 0), (1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]
    assert len(receiver.requests) == 4
    failed = api.get("/notifications?status=failed", as_="manager").json["items"]
    assert [(n["status"], n["attempts"], n["last_error"]) for n in failed] == [
        ("failed", 4, "HTTP 500: receiver says no")
    ]
    assert api.get("/notifications?status=pending", as_="manager").json["items"] == []
    assert api.get("/notifications?status=delivered", as_="manager").json["items"] == []


def test_a_redirect_is_not_followed(api):
    with WebhookReceiver(SECRET, statuses=(302,)) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")

        assert deliver_at(api.app).retrying == 1
    assert len(receiver.requests) == 1
    assert outbox(api.app)[0].last_error.startswith("HTTP 302")


def test_an_unreachable_receiver_is_retried_later(api):
    with WebhookReceiver(SECRET) as receiver:
        url = receiver.url
    subscribe_webhook(api, url)  # nothing listens there any more
    raise_alert(api, "62.02")

    assert deliver_at(api.app).retrying == 1
    (row,) = outbox(api.app)
    assert row.status == "pending" and "URLError" in row.last_error


def test_a_webhook_whose_name_resolves_into_a_blocked_network_is_never_sent(api):
    api.app.config["WEBHOOK_BLOCKED_NETWORKS"] = Config.WEBHOOK_BLOCKED_NETWORKS  # production's default
    with WebhookReceiver(SECRET) as receiver:
        # By name, so the subscription is taken; the name is resolved when it is sent.
        subscribe_webhook(api, receiver.url.replace("127.0.0.1", "localhost"))
        raise_alert(api, "62.02")

        assert deliver_at(api.app).failed == 1
    assert receiver.requests == []
    (row,) = outbox(api.app)
    assert row.status == "failed" and "is in WEBHOOK_BLOCKED_NETWORKS" in row.last_error


def test_a_secret_that_no_longer_decrypts_fails_at_once(api):
    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")
        api.app.config["SECRET_KEY"] = "rotated-without-re-encrypting"

        assert deliver_at(api.app).failed == 1
    assert receiver.requests == []
    (row,) = outbox(api.app)
    assert row.status == "failed" and "SECRET_KEY" in row.last_error


def test_a_deliverer_dying_mid_send_never_marks_it_delivered_and_it_is_sent_later(api, monkeypatch):
    class PowerCut(BaseException):
        pass

    def die(*args, **kwargs):
        raise PowerCut

    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")
        t0 = utcnow()
        with monkeypatch.context() as patch:
            patch.setattr(delivery.channels, "post_webhook", die)
            with pytest.raises(PowerCut):
                deliver_at(api.app, t0)

        (row,) = outbox(api.app)
        assert (row.status, row.attempts) == ("pending", 1)  # claimed, not delivered
        assert not deliver_at(api.app, t0 + timedelta(seconds=60))  # still leased to the dead one
        lease = api.app.config["NOTIFY_LEASE_SECONDS"]
        assert deliver_at(api.app, t0 + timedelta(seconds=lease + 1)).delivered == 1

    assert len(receiver.requests) == 1
    assert outbox(api.app)[0].status == "delivered"


def test_a_notification_whose_every_attempt_was_interrupted_is_given_up_on(api, monkeypatch):
    class PowerCut(BaseException):
        pass

    def die(*args, **kwargs):
        raise PowerCut

    api.app.config["NOTIFY_MAX_ATTEMPTS"] = 2
    lease = timedelta(seconds=api.app.config["NOTIFY_LEASE_SECONDS"] + 1)
    subscribe_webhook(api, "http://127.0.0.1:9/a")
    raise_alert(api, "62.02")
    t0 = utcnow()
    monkeypatch.setattr(delivery.channels, "post_webhook", die)
    for n in range(2):  # a notification that kills its deliverer cannot stall the queue forever
        with pytest.raises(PowerCut):
            deliver_at(api.app, t0 + n * lease)

    assert deliver_at(api.app, t0 + 2 * lease).failed == 1
    (row,) = outbox(api.app)
    assert (row.status, row.attempts) == ("failed", 2) and "interrupted" in row.last_error


def test_pending_notifications_of_a_cancelled_subscription_are_not_sent(api):
    with WebhookReceiver(SECRET) as receiver:
        subscription = subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")
        assert api.delete(f"/subscriptions/{subscription}", as_="manager").status_code == 204

        assert not deliver_at(api.app)
    assert receiver.requests == []
    (row,) = outbox(api.app)
    assert row.status == "failed" and "cancelled" in row.last_error


def test_two_deliverers_never_send_the_same_notification(api):
    with WebhookReceiver(SECRET, delay=0.02) as receiver:
        subscribe_webhook(api, receiver.url)
        for _ in range(12):
            raise_alert(api, "62.02.05", event="resolved")  # resolved alerts may repeat
        barrier = threading.Barrier(4)

        def work(_):
            barrier.wait()
            return deliver_at(api.app)

        threads_results = []
        threads = [threading.Thread(target=lambda i=i: threads_results.append(work(i))) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    event_ids = [r.headers["X-Blangko-Event-Id"] for r in receiver.requests]
    assert len(event_ids) == 12 and len(set(event_ids)) == 12
    assert sum(r.delivered for r in threads_results) == 12
    with api.app.app_context():
        assert db.session.execute(select(func.count()).select_from(DeliveryAttempt)).scalar() == 12


# --- e-mail delivery -------------------------------------------------------------------


def test_an_email_arrives_at_the_smtp_server(api):
    with SmtpReceiver() as smtp:
        api.app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_FROM="blangko@dukcapil.example.id"
        )
        body = {"office": "62.02", "channel": "email", "email": "kadis@dukcapil.example.id"}
        assert api.post("/subscriptions", body, as_="manager").status_code == 201
        raise_alert(api, "62.02.05")

        assert deliver_at(api.app).delivered == 1
        assert not deliver_at(api.app, utcnow() + timedelta(days=1))

    (message,) = smtp.messages
    (row,) = outbox(api.app)
    assert smtp.envelopes == [("blangko@dukcapil.example.id", ["kadis@dukcapil.example.id"])]
    assert message["Subject"] == "[Blangko] low_stock opened at 62.02.05 (warning)"
    assert message["To"] == "kadis@dukcapil.example.id"
    assert message["X-Blangko-Event-Id"] == row.event_id
    text = message.get_content()
    assert "62.02.05 holds 3 blanks, at or below its minimum of 10." in text
    assert "on_hand: 3" in text and row.event_id in text


def test_an_smtp_server_that_is_down_means_a_retry(api):
    with SmtpReceiver() as smtp:
        port = smtp.port
    api.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    body = {"office": "62.02", "channel": "email", "email": "kadis@dukcapil.example.id"}
    assert api.post("/subscriptions", body, as_="manager").status_code == 201
    raise_alert(api, "62.02", event="resolved")

    assert deliver_at(api.app).retrying == 1
    assert "ConnectionRefusedError" in outbox(api.app)[0].last_error


# --- who sees which notification -------------------------------------------------------


def test_managers_see_only_their_own_notifications(api):
    subscribe_webhook(api, "http://127.0.0.1:9/a")
    subscribe_webhook(api, "http://127.0.0.1:9/b", office="62.01", as_="kobar_manager")
    raise_alert(api, "62.02")
    raise_alert(api, "62.01")
    mine, theirs = (row.id for row in outbox(api.app))

    assert [n["id"] for n in api.get("/notifications", as_="manager").json["items"]] == [mine]
    assert [n["id"] for n in api.get("/notifications", as_="admin").json["items"]] == [theirs, mine]
    assert api.get(f"/notifications/{theirs}", as_="manager").status_code == 404
    assert api.get(f"/notifications/{theirs}", as_="kobar_manager").status_code == 200
    assert api.get("/notifications/999999", as_="admin").status_code == 404
    page = api.get("/notifications?limit=1", as_="admin").json
    assert [n["id"] for n in page["items"]] == [theirs] and page["next_before"] == theirs
    rest = api.get(f"/notifications?limit=1&before={theirs}", as_="admin").json
    assert [n["id"] for n in rest["items"]] == [mine]
    assert api.get("/notifications?status=lost", as_="admin").status_code == 422


# --- the command line ------------------------------------------------------------------


def test_the_cli_delivers_one_pass(api):
    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")

        result = api.app.test_cli_runner().invoke(args=["notifications", "deliver"])

    assert result.exit_code == 0, result.output
    assert "1 delivered, 0 to retry, 0 failed" in result.output
    assert len(receiver.requests) == 1


def test_deliver_forever_polls_until_stopped(api):
    stop = threading.Event()
    reports = []
    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url)
        raise_alert(api, "62.02")

        def report(result):
            reports.append(result)
            stop.set()

        with api.app.app_context():
            delivery.deliver_forever(0.05, stop, report)
            db.session.remove()

    assert [r.delivered for r in reports] == [1] and len(receiver.requests) == 1


def test_deliver_loop_runs_as_a_process_and_stops_on_ctrl_c(api):
    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url)
        env = os.environ | {"DATABASE_URL": api.app.config["SQLALCHEMY_DATABASE_URI"]}
        env["SECRET_KEY"] = api.app.config["SECRET_KEY"]
        env["WEBHOOK_BLOCKED_NETWORKS"] = ""  # the receiver listens on loopback
        command = ["-m", "flask", "--app", "wsgi", "notifications", "deliver", "--loop", "--interval", "0.2"]
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            raise_alert(api, "62.02")  # written while the deliverer is already polling
            deadline = time.monotonic() + 20
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()

    assert len(receiver.requests) == 1, output
    assert process.returncode == 0, output
    assert "Stopped." in output


# --- end to end, with the real alert evaluation ----------------------------------------


def test_a_print_that_opens_an_alert_reaches_the_webhook(api):
    with WebhookReceiver(SECRET) as receiver:
        subscribe_webhook(api, receiver.url, kinds=["low_stock"])
        assert api.post("/offices/62.02/deliveries", {"quantity": 11}, as_="warehouse").status_code == 201
        assert api.patch("/offices/62.02", {"min_stock": 10}, as_="manager").status_code == 200
        printed = {"outcome": "printed", "reason": "new_record"}
        assert api.post("/offices/62.02/prints", printed, as_="operator").status_code == 201  # 10 left

        assert deliver_at(api.app).delivered == 1

    (request,) = receiver.requests
    payload = json.loads(request.body)
    assert request.signature_ok
    assert payload["event"] == "opened"
    assert payload["alert"]["office"] == "62.02" and payload["alert"]["kind"] == "low_stock"
    assert payload["alert"]["figures"] == {"on_hand": 10, "min_stock": 10}

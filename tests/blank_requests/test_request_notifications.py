"""A request's transitions reach subscribers through the outbox: request_submitted the supplier's
area, request_approved, request_rejected and request_fulfilled the requester's, each once, to the
subscriptions choosing it at that office or above it (as alerts are routed), delivered to a real
local webhook receiver and SMTP server."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from inventory.core.db import db, utcnow
from inventory.notify import delivery
from inventory.notify.models import Notification
from tests.blank_requests.steps import act, create, transfer
from tests.helpers import deliver, ok, refused
from tests.notify.receivers import SmtpReceiver, WebhookReceiver

SECRET = "s3cret-for-the-request-webhooks"
DECIDED = ["request_approved", "request_rejected", "request_fulfilled"]


def subscribe(api, as_, office, url, kinds=None):
    body = {"office": office, "channel": "webhook", "url": url, "secret": SECRET}
    if kinds is not None:
        body["kinds"] = kinds
    return ok(api.post("/subscriptions", body, as_=as_), 201)["id"]


def request_rows(api) -> list[tuple[int, str, int]]:
    """(subscription, event, request) of every outbox row about a request, oldest first."""
    with api.app.app_context():
        try:
            rows = db.session.execute(
                select(Notification.subscription_id, Notification.event, Notification.request_id)
                .where(Notification.request_id.is_not(None))
                .order_by(Notification.id)
            ).all()
            return [tuple(row) for row in rows]
        finally:
            db.session.remove()


def deliver_now(api) -> delivery.PassResult:
    with api.app.app_context():
        try:
            return delivery.deliver_due()
        finally:
            db.session.remove()


def test_each_transition_notifies_the_right_area_once_and_reaches_the_webhook(world):
    api = world
    deliver(api, "62", 5000, as_="admin")
    with WebhookReceiver(SECRET) as receiver:
        url = receiver.url
        supplier = subscribe(api, "province_manager", "62", url + "?s", ["request_submitted"])
        requester = subscribe(api, "manager", "62.02", url + "?r", DECIDED)
        national = subscribe(api, "admin", "ID", url + "?n")  # every kind, above both offices
        elsewhere = subscribe(api, "kobar_manager", "62.01", url + "?k")  # another regency
        alerts_only = subscribe(api, "manager", "62.02", url + "?a", ["low_stock", "stockout"])
        district = subscribe(api, "manager", "62.02.05", url + "?d")  # below the requester

        request = ok(create(api, quantity=3000, justification="Pemilu: perekaman massal di sekolah"), 201)
        request_id = request["id"]
        assert request_rows(api) == []  # a draft is nobody's business yet
        ok(act(api, request_id, "submit", "manager"))
        assert request_rows(api) == [
            (supplier, "request_submitted", request_id),
            (national, "request_submitted", request_id),
        ]

        note = "Stok provinsi terbatas; dibagi rata."
        ok(act(api, request_id, "approve", "province_manager", approved_quantity=2500, note=note))
        first = ok(transfer(api, 1500, request_id), 201)
        ok(api.post(f"/transfers/{first['id']}/receive", as_="warehouse"))  # partly: no news
        second = ok(transfer(api, 1000, request_id), 201)
        ok(api.post(f"/transfers/{second['id']}/receive", as_="warehouse"))

        rejected_id = ok(create(api, quantity=100, justification="Cadangan semester ini"), 201)["id"]
        ok(act(api, rejected_id, "submit", "manager"))
        ok(act(api, rejected_id, "reject", "province_manager", note="Ajukan ke kabupaten tetangga"))

        rows = request_rows(api)
        assert Counter((sub, event) for sub, event, _ in rows) == Counter(
            {
                (supplier, "request_submitted"): 2,
                (national, "request_submitted"): 2,
                (requester, "request_approved"): 1,
                (national, "request_approved"): 1,
                (requester, "request_fulfilled"): 1,
                (national, "request_fulfilled"): 1,
                (requester, "request_rejected"): 1,
                (national, "request_rejected"): 1,
            }
        )
        assert not {elsewhere, alerts_only, district} & {sub for sub, _, _ in rows}

        result = deliver_now(api)
        assert result.failed == 0 and result.retrying == 0

    received = [r for r in receiver.requests if json.loads(r.body).get("request")]
    assert len(received) == len(rows) and all(r.signature_ok for r in received)
    assert {r.path.rpartition("?")[2] for r in received} == {"s", "r", "n"}
    approved = next(
        json.loads(r.body) for r in received if r.path.endswith("?r") and b"request_approved" in r.body
    )
    assert approved["request"] == {
        "id": request_id,
        "office": "62.02",
        "supplier": "62",
        "awaiting": None,
        "status": "approved",
        "quantity": 3000,
        "approved_quantity": 2500,
        "shipped": 0,
        "received": 0,
        "needed_by": None,
        "note": note,
    }
    fulfilled = next(json.loads(r.body) for r in received if b"request_fulfilled" in r.body)
    assert fulfilled["request"] == approved["request"] | {
        "status": "fulfilled",
        "shipped": 2500,
        "received": 2500,
        "note": None,
    }
    # Nothing secret travels: no justification, no user, no token.
    for r in received:
        assert b"Pemilu" not in r.body and b"manager" not in r.body and SECRET.encode() not in r.body

    # The API lists them with the request they are about, under the office whose area heard them.
    listed = ok(api.get("/notifications", as_="province_manager"))["items"]
    assert [(n["kind"], n["office"], n["request_id"], n["alert_id"], n["status"]) for n in listed] == [
        ("request_submitted", "62", rejected_id, None, "delivered"),
        ("request_submitted", "62", request_id, None, "delivered"),
    ]
    mine = ok(api.get("/notifications", as_="manager"))["items"]
    assert {(n["kind"], n["office"]) for n in mine if n["request_id"]} == {
        ("request_approved", "62.02"),
        ("request_fulfilled", "62.02"),
        ("request_rejected", "62.02"),
    }


def test_a_repeated_transition_enqueues_nothing_more(world):
    api = world
    with WebhookReceiver(SECRET) as receiver:
        subscription = subscribe(api, "manager", "62.02", receiver.url, ["request_approved"])
        request_id = ok(create(api, quantity=200, justification="Cadangan perekaman"), 201)["id"]
        ok(act(api, request_id, "submit", "manager"))
        key = {"Idempotency-Key": "approve-request-once"}
        first = act(api, request_id, "approve", "province_manager", headers=key)
        again = act(api, request_id, "approve", "province_manager", headers=key)  # a client's retry
        assert ok(first)["status"] == ok(again)["status"] == "approved"
        assert first.get_data() == again.get_data()
        refused(act(api, request_id, "approve", "province_manager"), 409, "bad_request_state")  # no key
        assert request_rows(api) == [(subscription, "request_approved", request_id)]

        assert deliver_now(api).delivered == 1
        assert not deliver_now(api)

    assert len(receiver.requests) == 1


def test_a_routed_request_is_heard_by_each_office_it_comes_to_await_and_approved_once(world):
    """Through the province to the ministry: each deciding office hears the request when it comes
    to await it (the ministry's area, above the province, hears both); Kotim hears the approval
    only once the last step grants it."""
    api = world
    url = "http://127.0.0.1:9/hook"
    province = subscribe(api, "province_manager", "62", url, ["request_submitted"])
    national = subscribe(api, "national_manager", "ID", url, ["request_submitted", "request_approved"])
    requester = subscribe(api, "manager", "62.02", url, DECIDED)
    body = {"quantity": 20_000, "supplier": "ID", "via": ["62"], "justification": "Pekanbaru-like ask"}
    request_id = ok(create(api, **body), 201)["id"]
    ok(act(api, request_id, "submit", "manager"))
    assert request_rows(api) == [
        (province, "request_submitted", request_id),
        (national, "request_submitted", request_id),
    ]
    ok(act(api, request_id, "approve", "province_manager", approved_quantity=16_000, note="Cukup 16 ribu"))
    assert request_rows(api)[2:] == [(national, "request_submitted", request_id)]  # now awaiting ID
    ok(act(api, request_id, "approve", "national_manager", approved_quantity=14_000, note="Kuota nasional"))
    assert request_rows(api)[3:] == [
        (national, "request_approved", request_id),
        (requester, "request_approved", request_id),
    ]

    listed = ok(api.get("/notifications", as_="national_manager"))["items"]
    assert [(n["kind"], n["office"]) for n in listed] == [
        ("request_approved", "62.02"),
        ("request_submitted", "ID"),
        ("request_submitted", "62"),
    ]
    passed_on = listed[1]["payload"]["request"]
    assert (passed_on["status"], passed_on["awaiting"], passed_on["approved_quantity"]) == (
        "submitted",
        "ID",
        16_000,
    )
    assert passed_on["note"] == "Cukup 16 ribu"


def test_a_rolled_back_transition_leaves_no_notification(world):
    api = world
    subscribe(api, "province_manager", "62", "http://127.0.0.1:9/s")
    request_id = ok(create(api, quantity=200, justification="Cadangan perekaman"), 201)["id"]
    ok(act(api, request_id, "submit", "manager"))
    before = request_rows(api)
    # A decision refused after the row was read (a lower quota without its note) writes nothing.
    refused(act(api, request_id, "approve", "province_manager", approved_quantity=100), 422, "note_required")
    refused(act(api, request_id, "reject", "province_manager"), 422, "note_required")
    assert request_rows(api) == before


def test_a_request_event_arrives_by_email(world):
    api = world
    with SmtpReceiver() as smtp:
        api.app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_FROM="blangko@dukcapil.example.id"
        )
        body = {"office": "62", "channel": "email", "email": "kadis@kalteng.example.id",
                "kinds": ["request_submitted"]}  # fmt: skip
        ok(api.post("/subscriptions", body, as_="province_manager"), 201)
        request_id = ok(create(api, quantity=400, justification="Cadangan", needed_by="2099-01-31"), 201)[
            "id"
        ]
        ok(act(api, request_id, "submit", "manager"))

        assert deliver_now(api).delivered == 1
        with api.app.app_context():
            assert not delivery.deliver_due(now=utcnow() + timedelta(days=1))
            db.session.remove()

    (message,) = smtp.messages
    assert message["Subject"] == f"[Blangko] request_submitted: request {request_id} from 62.02 to 62"
    text = message.get_content()
    assert "Asked:             400" in text and "Needed by:         2099-01-31" in text
    assert "Status:            submitted" in text and "Awaiting:          62\r\n" in text

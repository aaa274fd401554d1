"""A test notification: sent at once to one subscription, so a manager sees whether the
receiver (or the mailbox) is reached and answers, before a real alert depends on it.

It goes through the same channel functions as the deliverer (signed webhook POST, or an
e-mail), but not through the outbox: no alert stands behind it, and nothing is retried.
The payload has the shape of a real one with `"event": "test"`, so a receiver's parser is
tested too; a receiver should answer 2xx and otherwise ignore it.
"""

from __future__ import annotations

import json
import time
import uuid

from flask import current_app

from ..core.db import db, utcnow
from ..core.errors import Conflict, NotFound
from ..core.principal import Principal
from ..offices.models import Office
from . import channels
from .models import Subscription
from .outbox import decrypt_secret, iso

TEST_EVENT = "test"


def send_test(principal: Principal, subscription_id: int) -> dict:
    """Send a test to the caller's subscription (admins: any); returns whether it arrived.

    Someone else's subscription is a 404, as for cancelling; a cancelled one is a 409.
    """
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or not (principal.is_admin or subscription.user_id == principal.user_id):
        raise NotFound(f"No subscription {subscription_id}.", error="subscription_not_found")
    if not subscription.active:
        raise Conflict(f"Subscription {subscription_id} is cancelled.", error="subscription_inactive")
    office = db.session.get(Office, subscription.office_id)
    target = {
        "channel": subscription.channel,
        "url": subscription.url,
        "email": subscription.email,
        "secret_encrypted": subscription.secret_encrypted,
    }
    payload = _payload(office.code)
    # Nothing was written: end the read before the network call, which may take
    # NOTIFY_TIMEOUT_SECONDS, so no transaction (nor, on SQLite, a lock) waits on a receiver.
    db.session.rollback()
    started = time.monotonic()
    outcome = _send(target, payload)
    return {
        "subscription_id": subscription_id,
        "channel": target["channel"],
        "event_id": payload["event_id"],
        "succeeded": outcome.succeeded,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": int((time.monotonic() - started) * 1000),
    }


def _payload(office_code: str) -> dict:
    now = utcnow()
    event_id = str(uuid.uuid4())
    return {
        "event_id": event_id,
        "event": TEST_EVENT,
        "created_at": iso(now),
        "alert": {
            "id": None,
            "office": office_code,
            "kind": TEST_EVENT,
            "severity": "warning",
            "status": "open",
            "message": "A test notification from Blangko: no alert is open. Answer 2xx and ignore it.",
            "figures": {},
            "opened_at": iso(now),
            "resolved_at": None,
        },
    }


def _send(target: dict, payload: dict) -> channels.Outcome:
    """Once, with the deliverer's settings; any failure is an answer, never an error page."""
    config = current_app.config
    try:
        if target["channel"] == "webhook":
            try:
                secret = decrypt_secret(target["secret_encrypted"] or "")
            except ValueError as error:
                return channels.Outcome(False, error=str(error), permanent=True)
            return channels.post_webhook(
                target["url"] or "",
                json.dumps(payload).encode(),
                event_id=payload["event_id"],
                secret=secret,
                timestamp=int(time.time()),
                timeout=config["NOTIFY_TIMEOUT_SECONDS"],
                blocked=channels.networks(config["WEBHOOK_BLOCKED_NETWORKS"]),
            )
        return channels.send_email(
            config,
            target["email"] or "",
            payload,
            event_id=payload["event_id"],
            timeout=config["NOTIFY_TIMEOUT_SECONDS"],
        )
    except Exception as error:
        code, message = channels.describe(error)
        return channels.Outcome(False, code, message)

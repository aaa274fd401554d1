"""The notification outbox, and the webhook secrets its deliveries are signed with.

`on_alert_changed` handles AlertChanged (inventory/handlers.py) inside the transaction of
the change that opened, escalated or resolved an alert, and `on_request_changed` handles
RequestChanged inside the transition of a request for blanks. They only write rows, never talk
to the network, so an alert and its notifications commit or roll back together and a
crash between the commit and the delivery loses nothing: delivery.py sends what the
outbox holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import select

from ..auth import permissions
from ..auth.models import User
from ..blank_requests.events import REQUEST_EVENTS, RequestChanged
from ..core.db import db, utcnow
from ..core.principal import Principal
from ..offices.models import Office
from ..planning.events import AlertChanged
from ..planning.models import Alert
from .models import ALERT_EVENTS, Notification, Subscription

# --- webhook secrets -------------------------------------------------------------------
# The secret must be recoverable to sign each delivery, so it is encrypted, not hashed.


def _fernet() -> Fernet:
    secret_key = current_app.config["SECRET_KEY"]
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    # A key of its own for this purpose, so it reveals nothing about SECRET_KEY's other uses.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"blangko-webhook:" + secret_key).digest()))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The plain secret; raises ValueError if SECRET_KEY changed since it was stored."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("the webhook secret cannot be decrypted: was SECRET_KEY changed?") from None


# --- the outbox writer -----------------------------------------------------------------


def on_alert_changed(change: AlertChanged) -> None:
    enqueue(change.alert, change.event, change.office_code, change.office_path)


def enqueue(alert: Alert, event: str, office_code: str, office_path: str) -> int:
    """Write one outbox Notification per matching active subscription, in the caller's
    transaction (no commit). Returns how many."""
    if event not in ALERT_EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    now = utcnow()
    subscriptions = _subscribed(alert.kind, office_path)
    for subscription_id in subscriptions:
        event_id = str(uuid.uuid4())
        db.session.add(
            Notification(
                event_id=event_id,
                subscription_id=subscription_id,
                alert_id=alert.id,
                event=event,
                # Serialised once, here: every retry sends these exact bytes under one signature.
                payload=json.dumps(_payload(alert, event, event_id, office_code, now), default=str),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(subscriptions)


def on_request_changed(change: RequestChanged) -> None:
    enqueue_request(change)


def enqueue_request(change: RequestChanged) -> int:
    """One outbox Notification per active subscription choosing `change.event` in the area of
    the office it concerns (for request_submitted the one whose decision it awaits, else the
    requester), routed as alerts are: subscriptions at that office or any office above it.
    Returns how many."""
    if change.event not in REQUEST_EVENTS:
        raise ValueError(f"unknown request event {change.event!r}")
    now = utcnow()
    subscriptions = _subscribed(change.event, change.notify_path)
    for subscription_id in subscriptions:
        event_id = str(uuid.uuid4())
        db.session.add(
            Notification(
                event_id=event_id,
                subscription_id=subscription_id,
                request_id=change.request_id,
                event=change.event,
                payload=json.dumps(_request_payload(change, event_id, now), default=str),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(subscriptions)


def _subscribed(kind: str, office_path: str) -> list[int]:
    """Active subscriptions choosing `kind` at the office at `office_path` or above it."""
    # The path lists the office's ancestors' ids ("/1/7/42/"), so matching areas are an
    # indexed IN on subscriptions.office_id: no scan, whatever the tree's size.
    area_ids = [int(part) for part in office_path.strip("/").split("/") if part]
    subscriber = (User.id, User.name, User.role, User.office_id, Office.code, Office.path)
    rows = db.session.execute(
        select(Subscription.id, Subscription.kinds, *subscriber)
        .join(User, User.id == Subscription.user_id)
        .outerjoin(Office, Office.id == User.office_id)
        .where(Subscription.active.is_(True), User.active.is_(True), Subscription.office_id.in_(area_ids))
        .order_by(Subscription.id)
    ).all()
    # A subscriber hears only about offices they may still subscribe to: a manager who was
    # disabled, demoted or moved elsewhere stops receiving without anyone cleaning up.
    return [
        subscription_id
        for subscription_id, kinds, *user in rows
        if kind in kinds.split(",") and permissions.may(Principal(*user), permissions.SUBSCRIBE, office_path)
    ]


def _payload(alert: Alert, event: str, event_id: str, office_code: str, now: datetime) -> dict:
    return {
        "event_id": event_id,
        "event": event,
        "created_at": iso(now),
        "alert": {
            "id": alert.id,
            "office": office_code,
            "kind": alert.kind,
            "severity": alert.severity,
            "status": alert.status,
            "message": alert.message,
            "figures": json.loads(alert.figures) if alert.figures else {},
            "opened_at": iso(alert.opened_at),
            "resolved_at": iso(alert.resolved_at),
        },
    }


def _request_payload(change: RequestChanged, event_id: str, now: datetime) -> dict:
    """What the request's two offices see of it anyway: no names, no tokens, no justification
    text beyond the decision's note."""
    return {
        "event_id": event_id,
        "event": change.event,
        "created_at": iso(now),
        "request": {
            "id": change.request_id,
            "office": change.office_code,
            "supplier": change.supplier_code,
            "awaiting": change.awaiting_code,
            "status": change.status,
            "quantity": change.quantity,
            "approved_quantity": change.approved_quantity,
            "shipped": change.shipped,
            "received": change.received,
            "needed_by": change.needed_by.isoformat() if change.needed_by else None,
            "note": change.note,
        },
    }


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset; SQLite hands back naive datetimes, which are UTC."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()

"""Subscriptions and the notification outbox.

`enqueue` is called by alerts.py inside the transaction of the stock change that opened,
escalated or resolved an alert. It only writes rows, never talks to the network, so an
alert and its notifications commit or roll back together and a crash between the commit
and the delivery loses nothing: inventory/delivery.py sends what the outbox holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import select, update

from . import channels, offices, permissions
from .db import db
from .errors import Invalid, NotFound
from .models import Office, User, utcnow
from .models_alerts import NOTIFICATION_EVENTS, Alert, DeliveryAttempt, Notification, Subscription
from .permissions import Principal

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


def enqueue(alert: Alert, event: str, office_code: str, office_path: str) -> int:
    """Write one outbox Notification per matching active subscription, in the caller's
    transaction (no commit). Returns how many."""
    if event not in NOTIFICATION_EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
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
    matching = [
        subscription_id
        for subscription_id, kinds, *user in rows
        if alert.kind in kinds.split(",")
        and permissions.may(Principal(*user), permissions.SUBSCRIBE, office_path)
    ]
    now = utcnow()
    for subscription_id in matching:
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
    return len(matching)


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


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset; SQLite hands back naive datetimes, which are UTC."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


# --- subscriptions ---------------------------------------------------------------------


def create_subscription(
    principal: Principal,
    *,
    office: str,
    kinds: list[str],
    channel: str,
    url: str | None = None,
    secret: str | None = None,
    email: str | None = None,
) -> dict:
    """Subscribe the caller to alerts of `kinds` at `office` and every office below it."""
    target = offices.get_by_code(office)
    permissions.require(principal, permissions.SUBSCRIBE, target.path)
    if channel == "webhook" and url:
        _refuse_blocked(url)
    subscription = Subscription(
        user_id=principal.user_id,
        office_id=target.id,
        kinds=",".join(dict.fromkeys(kinds)),  # de-duplicated, order kept
        channel=channel,
        url=url if channel == "webhook" else None,
        email=email if channel == "email" else None,
        secret_encrypted=encrypt_secret(secret) if channel == "webhook" and secret else None,
        active=True,
        created_at=utcnow(),
    )
    db.session.add(subscription)
    db.session.flush()
    return _subscription_dict(subscription, principal.name, target.code)


def _refuse_blocked(url: str) -> None:
    """A literal address in a blocked network is refused at once; names are checked when sent."""
    blocked = channels.networks(current_app.config["WEBHOOK_BLOCKED_NETWORKS"])
    address = channels.blocked_address(url, blocked, resolve=False)
    if address is not None:
        raise Invalid(
            f"Webhooks may not be sent to {address} (WEBHOOK_BLOCKED_NETWORKS).",
            error="webhook_address_blocked",
            field="url",
        )


def list_subscriptions(principal: Principal) -> list[dict]:
    """The caller's active subscriptions; an admin sees everyone's."""
    stmt = (
        select(Subscription, User.name, Office.code)
        .join(User, User.id == Subscription.user_id)
        .join(Office, Office.id == Subscription.office_id)
        .where(Subscription.active.is_(True))
        .order_by(Subscription.id)
    )
    if not principal.is_admin:
        stmt = stmt.where(Subscription.user_id == principal.user_id)
    return [_subscription_dict(*row) for row in db.session.execute(stmt).all()]


def cancel_subscription(principal: Principal, subscription_id: int) -> None:
    """Deactivate (the row stays: its notifications refer to it) and give up what is still
    pending. Cancelling twice is harmless; someone else's subscription is a 404."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or not (principal.is_admin or subscription.user_id == principal.user_id):
        raise NotFound(f"No subscription {subscription_id}.", error="subscription_not_found")
    subscription.active = False
    db.session.execute(
        update(Notification)
        .where(Notification.subscription_id == subscription_id, Notification.status == "pending")
        .values(status="failed", last_error="subscription cancelled before delivery")
    )


def _subscription_dict(subscription: Subscription, user_name: str, office_code: str) -> dict:
    return {
        "id": subscription.id,
        "user": user_name,
        "office": office_code,
        "kinds": subscription.kinds.split(","),
        "channel": subscription.channel,
        "url": subscription.url,
        "email": subscription.email,
        "has_secret": subscription.secret_encrypted is not None,
        "active": subscription.active,
        "created_at": subscription.created_at,
    }


# --- notifications, as the API shows them ----------------------------------------------


def list_notifications(
    principal: Principal, *, status: str | None = None, before: int | None = None, limit: int = 50
) -> list[dict]:
    """Newest first, by id cursor; the caller's own subscriptions' unless admin."""
    stmt = _visible_notifications(principal).order_by(Notification.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Notification.status == status)
    if before:
        stmt = stmt.where(Notification.id < before)
    return [_notification_dict(*row) for row in db.session.execute(stmt).all()]


def get_notification(principal: Principal, notification_id: int) -> dict:
    row = db.session.execute(
        _visible_notifications(principal).where(Notification.id == notification_id)
    ).first()
    if row is None:
        raise NotFound(f"No notification {notification_id}.", error="notification_not_found")
    attempts = db.session.execute(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.notification_id == notification_id)
        .order_by(DeliveryAttempt.id)
    ).scalars()
    return _notification_dict(*row) | {"delivery_attempts": list(attempts)}


def _visible_notifications(principal: Principal):
    stmt = select(Notification, Subscription.channel).join(
        Subscription, Subscription.id == Notification.subscription_id
    )
    if not principal.is_admin:
        stmt = stmt.where(Subscription.user_id == principal.user_id)
    return stmt


def _notification_dict(notification: Notification, channel: str) -> dict:
    payload = json.loads(notification.payload)
    return {
        "id": notification.id,
        "event_id": notification.event_id,
        "event": notification.event,
        "subscription_id": notification.subscription_id,
        "channel": channel,
        "alert_id": notification.alert_id,
        "office": payload["alert"]["office"],
        "kind": payload["alert"]["kind"],
        "status": notification.status,
        "attempts": notification.attempts,
        "last_error": notification.last_error,
        "next_attempt_at": notification.next_attempt_at if notification.status == "pending" else None,
        "created_at": notification.created_at,
        "delivered_at": notification.delivered_at,
        "payload": payload,
    }

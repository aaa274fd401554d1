"""Subscriptions to alerts in an area, and the notifications they produced, as the API shows them."""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import select, update

from ..auth import permissions
from ..auth.models import User
from ..core.db import db, utcnow
from ..core.errors import Invalid, NotFound
from ..core.principal import Principal
from ..offices import tree
from ..offices.models import Office
from . import channels
from .models import DeliveryAttempt, Notification, Subscription
from .outbox import encrypt_secret

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
    """Subscribe the caller to alerts and request events of `kinds` at `office` and every office below it."""
    target = tree.get_by_code(office)
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
    if "request" in payload:  # request events are their own kind, heard in one office's area
        request = payload["request"]
        office = request["awaiting"] if notification.event == "request_submitted" else request["office"]
        kind = notification.event
    else:
        office, kind = payload["alert"]["office"], payload["alert"]["kind"]
    return {
        "id": notification.id,
        "event_id": notification.event_id,
        "event": notification.event,
        "subscription_id": notification.subscription_id,
        "channel": channel,
        "alert_id": notification.alert_id,
        "request_id": notification.request_id,
        "office": office,
        "kind": kind,
        "status": notification.status,
        "attempts": notification.attempts,
        "last_error": notification.last_error,
        "next_attempt_at": notification.next_attempt_at if notification.status == "pending" else None,
        "created_at": notification.created_at,
        "delivered_at": notification.delivered_at,
        "payload": payload,
    }

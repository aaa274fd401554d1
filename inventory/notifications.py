"""The notification outbox: written in the alert's own transaction, delivered later.

Writing here never talks to the network, so an alert and its notifications commit or
roll back together, and a crash between the two cannot lose one.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import String, literal, select

from .db import db
from .models import Office, utcnow
from .models_alerts import Alert, Notification, Subscription


def enqueue(alert: Alert, event: str, office_code: str, office_path: str) -> int:
    """One outbox row per active subscription whose area holds the office and whose kinds match."""
    subscriptions = db.session.execute(
        select(Subscription.id, Subscription.kinds)
        .join(Office, Office.id == Subscription.office_id)
        .where(Subscription.active.is_(True), literal(office_path, String).startswith(Office.path))
    ).all()
    matching = [sid for sid, kinds in subscriptions if alert.kind in kinds.split(",")]
    for subscription_id in matching:
        event_id = str(uuid.uuid4())
        db.session.add(
            Notification(
                event_id=event_id,
                subscription_id=subscription_id,
                alert_id=alert.id,
                event=event,
                payload=json.dumps(_payload(alert, event, event_id, office_code), default=str),
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
            )
        )
    return len(matching)


def _payload(alert: Alert, event: str, event_id: str, office_code: str) -> dict:
    return {
        "event_id": event_id,
        "event": event,
        "created_at": utcnow().isoformat(),
        "alert": {
            "id": alert.id,
            "office": office_code,
            "kind": alert.kind,
            "severity": alert.severity,
            "status": alert.status,
            "message": alert.message,
            "figures": json.loads(alert.figures),
            "opened_at": alert.opened_at.isoformat() if alert.opened_at else None,
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }

"""Notification tables: subscriptions to alerts, the outbox, and each delivery attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..blank_requests.events import REQUEST_EVENTS
from ..core.db import BigId, db, utcnow

CHANNELS = ("webhook", "email")
ALERT_EVENTS = ("opened", "escalated", "resolved")
# An alert's notification names what happened to it; a request's names the transition, which
# is also the kind a subscription chooses to hear it (request_submitted, ...).
NOTIFICATION_EVENTS = (*ALERT_EVENTS, *REQUEST_EVENTS)
NOTIFICATION_STATUSES = ("pending", "delivered", "failed")


class Subscription(db.Model):
    """A manager's wish to hear about alert kinds and request events in an area, by webhook or e-mail."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    kinds: Mapped[str] = mapped_column(String(200))  # comma-separated alert kinds and request events
    channel: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000))
    email: Mapped[str | None] = mapped_column(String(320))
    # The webhook secret, encrypted with a key derived from SECRET_KEY (it must be
    # recoverable to sign deliveries, so a hash would not do).
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (CheckConstraint(f"channel IN {CHANNELS}", name="channel"),)


class Notification(db.Model):
    """The outbox: written in the alert's (or request's) transaction, delivered later with retries.
    Each row is about an alert or a request for blanks, never both."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("blank_requests.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # JSON body, fixed at creation so every retry is identical
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"event IN {NOTIFICATION_EVENTS}", name="event"),
        CheckConstraint("(alert_id IS NULL) <> (request_id IS NULL)", name="about_one_thing"),
        CheckConstraint(f"status IN {NOTIFICATION_STATUSES}", name="status"),
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
    )


class DeliveryAttempt(db.Model):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    succeeded: Mapped[bool] = mapped_column()
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)

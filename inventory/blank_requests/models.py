"""Request tables: the request with its running quantities, the offices that decide it in
order (its route), and its history. Only this package writes them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import BigId, db, utcnow
from .rules import STATUSES

ACTIONS = (
    "create",
    "submit",
    "approve",
    "reject",
    "cancel",
    "close",
    "ship",
    "receive",
    "deliver",
    "call_back",
)


class BlankRequest(db.Model):
    __tablename__ = "blank_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)  # who asks
    supplier_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)  # asked
    suggested_quantity: Mapped[int | None] = mapped_column(Integer)  # the projection's, when asked
    approved_quantity: Mapped[int | None] = mapped_column(Integer)  # the latest step's quota
    # Running figures, moved by the handlers of stock's transfer and delivery events.
    shipped: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)  # the route step awaiting a decision
    justification: Mapped[str | None] = mapped_column(Text)
    needed_by: Mapped[date | None] = mapped_column(Date)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("approved_quantity >= 0", name="approved_quantity_non_negative"),
        CheckConstraint("shipped >= 0 AND received >= 0", name="fulfilment_non_negative"),
        CheckConstraint("office_id <> supplier_id", name="distinct_offices"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
    )


class RequestStep(db.Model):
    """An office that decides the request, in order: the intermediate offices, then the supplier."""

    __tablename__ = "blank_request_steps"

    request_id: Mapped[int] = mapped_column(ForeignKey("blank_requests.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)


class RequestEvent(db.Model):
    """One line of a request's history: who did what, when, with which quantity and note."""

    __tablename__ = "blank_request_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("blank_requests.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # after the action
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))  # the deciding step's
    quantity: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint(f"action IN {ACTIONS}", name="action"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
    )

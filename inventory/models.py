"""Tables. Stock is an append-only ledger (Movement) with one Balance row per office kept in step."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db

# BIGINT on PostgreSQL, but INTEGER on SQLite so the id stays the rowid alias (autoincrement).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


OFFICE_KINDS = ("national", "province", "regency", "district", "mobile")
ROLES = ("admin", "manager", "warehouse", "operator")
TRANSFER_STATUSES = ("in_transit", "received", "cancelled")


class Office(db.Model):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    # Materialised path of ids ("/1/7/42/"): a subtree is one index range scan.
    path: Mapped[str] = mapped_column(String(400))
    min_stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Planning settings (see inventory/projection.py).
    target_date: Mapped[date | None] = mapped_column(Date)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    safety_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    print_capacity_per_day: Mapped[int | None] = mapped_column(Integer)

    parent: Mapped[Office | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    __table_args__ = (
        CheckConstraint(f"kind IN {OFFICE_KINDS}", name="kind"),
        CheckConstraint("min_stock >= 0", name="min_stock_non_negative"),
        CheckConstraint("lead_time_days >= 0 AND safety_days >= 0", name="planning_days_non_negative"),
        CheckConstraint("print_capacity_per_day > 0", name="print_capacity_positive"),
        # PostgreSQL uses a btree for `path LIKE '/1/7/%'` only with pattern ops.
        Index("ix_offices_path_pattern", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )


class Balance(db.Model):
    """What an office holds now; always equal to the sum of its ledger."""

    __tablename__ = "balances"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    in_transit_in: Mapped[int] = mapped_column(BigInteger, default=0)
    in_transit_out: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("in_transit_in >= 0", name="in_transit_in_non_negative"),
        CheckConstraint("in_transit_out >= 0", name="in_transit_out_non_negative"),
    )


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    office: Mapped[Office | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(f"role IN {ROLES}", name="role"),
        CheckConstraint("role = 'admin' OR office_id IS NOT NULL", name="office_unless_admin"),
    )


class ApiToken(db.Model):
    """Only the SHA-256 of a token is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Transfer(db.Model):
    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    from_office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    to_office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="in_transit", index=True)
    note: Mapped[str | None] = mapped_column(Text)
    dispatched_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    dispatched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("from_office_id <> to_office_id", name="distinct_offices"),
        CheckConstraint(f"status IN {TRANSFER_STATUSES}", name="status"),
    )


class Movement(db.Model):
    """One line of the stock card. Never updated, never deleted."""

    __tablename__ = "movements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str | None] = mapped_column(String(10))
    # A print reason code, or the free-text reason for an adjustment or reversal.
    reason: Mapped[str | None] = mapped_column(String(500))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"), unique=True)
    client_id: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(100))
    batch_no: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("balance_after >= 0", name="balance_after_non_negative"),
        # A client_id names one print of one office: resending it records nothing new.
        UniqueConstraint("office_id", "client_id", name="uq_movements_office_client_id"),
        Index("ix_movements_office_id_id", "office_id", "id"),
        Index("ix_movements_office_id_kind_id", "office_id", "kind", "id"),
    )


class IdempotencyKey(db.Model):
    """The first answer to a request made with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)


# Planning and alert tables live in their own modules; importing them here registers
# them on the metadata that Alembic and the tests read.
from .models_alerts import Alert, DeliveryAttempt, Notification, Subscription  # noqa: E402, F401
from .models_planning import DailyUsage, OfficeRollup, Population  # noqa: E402, F401

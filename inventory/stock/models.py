"""Stock tables: an append-only ledger (Movement), one Balance row per office kept in step with
it, transfers between offices, and the subtree figures (OfficeRollup, DailyUsage) that move
with every movement. Only inventory/stock writes them; other packages read them."""

from __future__ import annotations

from datetime import date, datetime

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
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import BigId, db, utcnow

TRANSFER_STATUSES = ("in_transit", "received", "cancelled")
PRINT_OUTCOMES = ("printed", "spoiled")
PRINT_REASONS = ("new_record", "replacement", "data_change", "other")
MOVEMENT_KINDS = ("delivery", "print", "transfer_out", "transfer_in", "transfer_return", "stocktake",
                  "loss", "damage", "found", "correction", "reversal")  # fmt: skip


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
    # The request for blanks this transfer fills, if any (inventory/blank_requests).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("blank_requests.id"), index=True)

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
    # A delivery's request for blanks, if any. Not indexed: read by office and kind (deliveries).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("blank_requests.id"))
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


class OfficeRollup(db.Model):
    """Figures of an office's whole subtree, so reading them never scans the tree or the ledger.

    Stock columns move with every movement below the office (inventory/stock/books.py); population
    columns are the effective figures, refreshed up the tree when a population changes.
    """

    __tablename__ = "office_rollups"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    in_transit_in: Mapped[int] = mapped_column(BigInteger, default=0)
    target: Mapped[int] = mapped_column(BigInteger, default=0)
    recorded: Mapped[int] = mapped_column(BigInteger, default=0)
    print_backlog: Mapped[int] = mapped_column(BigInteger, default=0)
    population_as_of: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("in_transit_in >= 0", name="in_transit_in_non_negative"),
    )


class DailyUsage(db.Model):
    """Blanks consumed per office subtree, day and print reason, by outcome.

    Rolled up to every ancestor as prints are recorded, so usage rates and consumption
    reports of any area read a few rows per day, never the ledger.
    """

    __tablename__ = "daily_usage"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    # Indexed on its own too: reports of many offices read one window of days (migration 0003).
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    reason: Mapped[str] = mapped_column(String(20), primary_key=True)
    printed: Mapped[int] = mapped_column(Integer, default=0)
    spoiled: Mapped[int] = mapped_column(Integer, default=0)

    # On SQLite the rows are stored in key order (office, day, reason), so an office's days
    # are read together rather than looked up one by one: ~2x faster national reports.
    __table_args__ = {"sqlite_with_rowid": False}

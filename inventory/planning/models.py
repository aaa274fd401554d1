"""Planning tables: an office's population figures, and the alerts raised from its figures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import BigId, db, utcnow

ALERT_KINDS = ("low_stock", "stockout", "projected_shortfall", "reorder_now", "stockout_before_target",
               "request_overdue", "destruction_overdue", "loss_in_transit")  # fmt: skip
ALERT_STATUSES = ("open", "acknowledged", "resolved")
SEVERITIES = ("warning", "critical")


class Population(db.Model):
    """An office's own figures; an office without them takes the sum of its children."""

    __tablename__ = "populations"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    target: Mapped[int] = mapped_column(BigInteger)
    recorded: Mapped[int] = mapped_column(BigInteger)
    print_backlog: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        CheckConstraint("target >= 0 AND recorded >= 0 AND print_backlog >= 0", name="non_negative"),
        CheckConstraint("recorded <= target", name="recorded_within_target"),
    )


class Alert(db.Model):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    message: Mapped[str] = mapped_column(Text)
    figures: Mapped[str] = mapped_column(Text)  # JSON: the numbers that raised it, kept current
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(f"kind IN {ALERT_KINDS}", name="kind"),
        CheckConstraint(f"status IN {ALERT_STATUSES}", name="status"),
        CheckConstraint(f"severity IN {SEVERITIES}", name="severity"),
        # At most one unresolved alert per office and kind, enforced by the database.
        Index(
            "uq_alerts_office_id_kind_unresolved",
            "office_id",
            "kind",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_alerts_status_id", "status", "id"),
    )

"""Tables for planning: population figures, subtree totals and daily usage kept in step with the ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .db import db
from .models import utcnow


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


class OfficeRollup(db.Model):
    """Figures of an office's whole subtree, so reading them never scans the tree or the ledger.

    Stock columns move with every movement below the office (stock.py); population
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

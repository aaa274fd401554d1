"""Stock tables: an append-only ledger (Movement), one Balance row per office kept in step with
it, transfers between offices, and the subtree figures (OfficeRollup, DailyUsage) that move
with every movement. Only inventory/stock writes them; other packages read them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import BigId, db, utcnow

# planned: decided (by a manager, say from a redistribution suggestion), nothing moved yet;
# warehouse staff dispatch it (stock/planned.py), or it is called off.
TRANSFER_STATUSES = ("planned", "in_transit", "received", "cancelled")
PRINT_OUTCOMES = ("printed", "spoiled")
PRINT_REASONS = ("new_record", "replacement", "data_change", "other")
MOVEMENT_KINDS = ("delivery", "print", "transfer_out", "transfer_in", "transfer_return", "stocktake",
                  "loss", "damage", "found", "correction", "defective", "reversal",
                  "loss_in_transit")  # fmt: skip
# Custody: cards awaiting destruction, beside usable stock (issue 12 §2).
TRANSFER_CUSTODIES = ("stock", "spoiled")
CUSTODY_CATEGORIES = ("spoiled_print", "returned_card", "defective_blank")
CUSTODY_KINDS = ("added", "transfer_out", "transfer_in", "transfer_return", "destroyed", "reversal")
RETURN_REASONS = ("replacement", "data_change", "damaged", "invalid")
DESTRUCTION_STATUSES = ("draft", "signed", "reported")
DESTRUCTION_METHODS = ("burned", "shredded", "cut")
# A serial's trail past its spoiled print: a signed record burned it, or a reversal gave it back.
SERIAL_DESTRUCTION_STEPS = ("destruction", "destruction_reversal")


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
    # None until it leaves: a planned transfer has a planner, and a dispatcher once dispatched.
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    planned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The request for blanks this transfer fills, if any (inventory/blank_requests).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("blank_requests.id"), index=True)
    # What moves: usable blanks (stock), or cards awaiting destruction of one category.
    custody: Mapped[str] = mapped_column(String(8), default="stock", server_default="stock")
    category: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("from_office_id <> to_office_id", name="distinct_offices"),
        CheckConstraint(f"status IN {TRANSFER_STATUSES}", name="status"),
        CheckConstraint(f"custody IN {TRANSFER_CUSTODIES}", name="custody"),
        # Only a planned transfer lacks a dispatcher, and a planned one has none yet; one called
        # off before it left (cancelled, no dispatcher) was planned.
        CheckConstraint("status <> 'planned' OR dispatched_by_id IS NULL", name="planned_not_dispatched"),
        CheckConstraint(
            "dispatched_by_id IS NOT NULL"
            " OR (planned_by_id IS NOT NULL AND status IN ('planned', 'cancelled'))",
            name="dispatched_or_planned",
        ),
        CheckConstraint(
            "(custody = 'stock' AND category IS NULL)"
            f" OR (custody = 'spoiled' AND category IN {CUSTODY_CATEGORIES})",
            name="custody_category",
        ),
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
        # The stock card in the order things happened, and each day's balance for the chart,
        # read a page or a point without scanning the office's history (migration 0007).
        Index("ix_movements_office_id_occurred_at_id", "office_id", "occurred_at", "id"),
        Index("ix_movements_office_id_kind_occurred_at_id", "office_id", "kind", "occurred_at", "id"),
        # Only movements that carry a time of their own (an uploaded print, a delivery with
        # received_at): the few whose place by time can differ from their place by recording,
        # which a balance in event order must correct for (inventory/stock/event_order.py).
        Index(
            "ix_movements_told_time",
            "office_id",
            "occurred_at",
            "id",
            sqlite_where=text("occurred_at <> recorded_at"),
            postgresql_where=text("occurred_at <> recorded_at"),
        ),
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


class PendingRollup(db.Model):
    """A movement's share of its ancestors' subtree figures, not yet added to them.

    A movement changes its own office's balance, rollup and daily usage in its transaction;
    its ancestors' rollups and usage are shared by every office below them (the national
    rows by all of them), so writing them there made every print in the country queue on
    the same rows. Instead each movement leaves a row here (insert-only, nothing shared),
    and stock/settlement.py adds them to the ancestors right after the answer is sent, in
    batches, then re-evaluates the ancestors' alerts. `stock verify` counts these rows in.
    """

    __tablename__ = "pending_rollups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    in_transit_in: Mapped[int] = mapped_column(Integer, default=0)
    # Usage of prints, counted on `day` (the printing office's local day) under `reason`.
    day: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(20))
    printed: Mapped[int] = mapped_column(Integer, default=0)
    spoiled: Mapped[int] = mapped_column(Integer, default=0)


# --- serial custody (inventory/stock/serial_ranges.py) ---------------------------------


class SerialRange(db.Model):
    """A run of serialled blanks with one holder: an office, a transfer on the road, or the
    movement that ended it (a print or spoiled print; a spoiled one may then be destroyed).
    Every range ever delivered stays here, split only when a movement splits it, so the rows
    of one prefix and width never overlap: a serial is found by the one row starting at or
    before it."""

    __tablename__ = "serial_ranges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    first: Mapped[int] = mapped_column(BigInteger)
    last: Mapped[int] = mapped_column(BigInteger)
    # The range as delivered that this one was split from (None: this row is it, or the piece
    # of it that kept its id). The trail (SerialMove) is keyed on it: a serial's trail is read
    # among the moves of its own delivered range, never among all moves.
    root_id: Mapped[int | None] = mapped_column(BigInteger)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"), index=True)
    # The signed destruction record (berita acara) that burned this ended blank, if any: set on
    # the row the lookup already reads, so where a serial ended stays one index seek (0015).
    destroyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("destructions.id"), index=True)

    __table_args__ = (
        CheckConstraint("first >= 0 AND first <= last", name="first_last"),
        CheckConstraint("width >= 0 AND width <= 18", name="width"),
        CheckConstraint(
            "(CASE WHEN office_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN transfer_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN ended_by_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_holder",
        ),
        # A serial's range, and overlaps with a new delivery: one index probe, whatever the count.
        UniqueConstraint("prefix", "width", "first", name="uq_serial_ranges_prefix_width_first"),
        # An office's ranges in serial order: "lowest" reads the first few of them.
        Index("ix_serial_ranges_office_id_prefix_width_first", "office_id", "prefix", "width", "first"),
    )


# How many blanks with recorded serials an office holds, read afresh (PostgreSQL only): a
# print naming no serial guards on it in its one statement (print_sql.py). A subquery there
# would read the statement's snapshot, from before a delivery of serialled blanks the print
# waited for; a VOLATILE function reads anew each time PostgreSQL re-checks the row it waited
# for. PL/pgSQL, so it is never inlined. Migration 0020 creates the same function.
SERIALS_HELD_NOW = (
    "CREATE FUNCTION serials_held_now(held_by bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
    "RETURN (SELECT COALESCE(sum(last - first + 1), 0) FROM serial_ranges WHERE office_id = held_by); END $$"
)
event.listen(SerialRange.__table__, "after_create", DDL(SERIALS_HELD_NOW).execute_if(dialect="postgresql"))
event.listen(  # the function outlives the table otherwise
    SerialRange.__table__,
    "after_drop",
    DDL("DROP FUNCTION IF EXISTS serials_held_now(bigint)").execute_if(dialect="postgresql"),
)


class SerialMove(db.Model):
    """One range carried by one movement: the trail of every serial in it."""

    __tablename__ = "serial_moves"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    root_id: Mapped[int] = mapped_column(BigInteger)
    movement_id: Mapped[int] = mapped_column(ForeignKey("movements.id"), index=True)
    first: Mapped[int] = mapped_column(BigInteger)
    last: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_serial_moves_root_id_first", "root_id", "first"),)


class DestructionSerial(db.Model):
    """One range a signed destruction record burned, or its reversal gave back: the serial's
    trail past its print, read like SerialMove by the range as delivered (root_id)."""

    __tablename__ = "destruction_serials"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    destruction_id: Mapped[int] = mapped_column(ForeignKey("destructions.id"), index=True)
    root_id: Mapped[int] = mapped_column(BigInteger)
    first: Mapped[int] = mapped_column(BigInteger)
    last: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_destruction_serials_root_id_first", "root_id", "first"),)


class CustodyBalance(db.Model):
    """Cards an office holds awaiting destruction, per category; equal to its custody ledger."""

    __tablename__ = "custody_balances"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    awaiting: Mapped[int] = mapped_column(BigInteger, default=0)
    in_transit_in: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        CheckConstraint("awaiting >= 0", name="awaiting_non_negative"),
        CheckConstraint("in_transit_in >= 0", name="in_transit_in_non_negative"),
        CheckConstraint(f"category IN {CUSTODY_CATEGORIES}", name="category"),
    )


class CustodyMovement(db.Model):
    """One line of an office's custody card. Never updated, never deleted."""

    __tablename__ = "custody_movements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    category: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    # Signed: + into this office's custody, - out of it.
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(20))
    # The spoiled print or defective adjustment (or the reversal of one) that caused it.
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"), index=True)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    destruction_id: Mapped[int | None] = mapped_column(ForeignKey("destructions.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_non_zero"),
        CheckConstraint(f"category IN {CUSTODY_CATEGORIES}", name="category"),
        CheckConstraint(f"kind IN {CUSTODY_KINDS}", name="kind"),
        CheckConstraint(f"reason IS NULL OR reason IN {RETURN_REASONS}", name="reason"),
        Index("ix_custody_movements_office_id_occurred_at_id", "office_id", "occurred_at", "id"),
    )


class Destruction(db.Model):
    """A berita acara pemusnahan: draft (editable), signed (frozen, out of custody), reported.

    A mistake in a signed record is corrected by a reversal record naming it (reversal_of),
    which puts the cards back into custody.
    """

    __tablename__ = "destructions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    document_no: Mapped[str] = mapped_column(String(100))
    destroyed_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    # [{"name", "nip", "institution", "role"}, ...] in the order they sign.
    witnesses: Mapped[list] = mapped_column(JSON)
    spoiled_print: Mapped[int] = mapped_column(Integer, default=0)
    returned_card: Mapped[int] = mapped_column(Integer, default=0)
    defective_blank: Mapped[int] = mapped_column(Integer, default=0)
    # Serial ranges or identifiers as written on the record, where known.
    serials: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    reversal_of: Mapped[int | None] = mapped_column(ForeignKey("destructions.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scan: Mapped[bytes | None] = mapped_column(LargeBinary)
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    scan_content_type: Mapped[str | None] = mapped_column(String(32))
    scan_size: Mapped[int | None] = mapped_column(Integer)
    scan_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"status IN {DESTRUCTION_STATUSES}", name="status"),
        CheckConstraint(f"method IN {DESTRUCTION_METHODS}", name="method"),
        CheckConstraint(
            "spoiled_print >= 0 AND returned_card >= 0 AND defective_blank >= 0"
            " AND spoiled_print + returned_card + defective_blank > 0",
            name="counts",
        ),
    )

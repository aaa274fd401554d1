"""The office tree: the national office, provinces, regencies, districts and mobile units.

Every other table keys its rows on an office, and every permission is scoped by an
office's path, so this is the bottom of the domain: it imports nothing but the core.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import db, utcnow
from .time_zones import DEFAULT_ZONE, ZONES, zone_for_code

OFFICE_KINDS = ("national", "province", "regency", "district", "mobile")


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
    # Planning settings (see inventory/planning/projection.py).
    target_date: Mapped[date | None] = mapped_column(Date)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    safety_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    print_capacity_per_day: Mapped[int | None] = mapped_column(Integer)
    # WIB, WITA or WIT: the office's days (usage, reports, "today") are local days in this zone.
    # Derived from the code's province when the office opens (tree.create), changeable after.
    time_zone: Mapped[str] = mapped_column(String(4), default=lambda context: _zone_of(context))
    # Every print must name the blank's serial (inventory/stock/serial_prints.py).
    serials_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Blanks approved for the office by requests for blanks and not yet received, and the
    # earliest needed_by among those requests (inventory/blank_requests keeps them, through
    # tree.set_on_order): the projection counts them as on order.
    on_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    on_order_due: Mapped[date | None] = mapped_column(Date)
    # The median days from submission to first receipt over the office's last fulfilled
    # requests, once there are enough of them (tree.set_measured_lead_time): the projection
    # uses it instead of lead_time_days, which is a guess.
    measured_lead_time_days: Mapped[int | None] = mapped_column(Integer)
    # The letterhead and the signatory of its documents (berita acara pemusnahan).
    address: Mapped[str | None] = mapped_column(String(500))
    head_name: Mapped[str | None] = mapped_column(String(200))
    head_nip: Mapped[str | None] = mapped_column(String(18))
    # Cards awaiting destruction should not wait longer than this, nor pile up beyond this.
    destruction_interval_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    destruction_max_pending: Mapped[int] = mapped_column(Integer, default=500, server_default="500")
    # The public stock board (inventory/reports/board.py): whether it shows the number of blanks
    # (else only a status), and after how many days without a movement or a confirmation it
    # says "not updated" instead.
    public_quantity: Mapped[bool] = mapped_column(default=False, server_default=false())
    public_stale_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # Segregation of duties: who dispatched a transfer does not receive it (stock/transfers.py),
    # unless this is set and the office has one person only (a unit staffed by one).
    allow_self_receipt: Mapped[bool] = mapped_column(default=False, server_default=false())

    parent: Mapped[Office | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    __table_args__ = (
        CheckConstraint(f"kind IN {OFFICE_KINDS}", name="kind"),
        CheckConstraint("min_stock >= 0", name="min_stock_non_negative"),
        CheckConstraint("lead_time_days >= 0 AND safety_days >= 0", name="planning_days_non_negative"),
        CheckConstraint("print_capacity_per_day > 0", name="print_capacity_positive"),
        CheckConstraint("on_order >= 0", name="on_order_non_negative"),
        CheckConstraint(f"time_zone IN {tuple(ZONES)}", name="time_zone"),
        CheckConstraint(
            "destruction_interval_days > 0 AND destruction_max_pending > 0",
            name="destruction_settings_positive",
        ),
        CheckConstraint("public_stale_days > 0", name="public_stale_days_positive"),
        # One national office: the root every total adds up to (tree.create says so first).
        Index(
            "uq_offices_one_national",
            "kind",
            unique=True,
            sqlite_where=text("kind = 'national'"),
            postgresql_where=text("kind = 'national'"),
        ),
        # PostgreSQL uses a btree for `path LIKE '/1/7/%'` only with pattern ops.
        Index("ix_offices_path_pattern", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )


def _zone_of(context) -> str:
    """An office inserted without a zone (imported regions) takes its province's."""
    return zone_for_code(context.get_current_parameters()["code"]) or DEFAULT_ZONE

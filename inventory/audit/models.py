"""The audit table: one row per admin change. Never updated, never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import BigId, db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # The user who made the change; None for the command line, whose `actor` names the OS user.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    # What was changed: an office's code or a user's name (kept as text: it outlives renames).
    subject: Mapped[str] = mapped_column(String(200))
    # The changed fields before and after; never a password hash, a token or its hash.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_log_kind_id", "kind", "id"),
        Index("ix_audit_log_actor_id", "actor", "id"),
    )

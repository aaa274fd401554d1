"""The audit table: one row per admin change. Never updated, never deleted: the database itself
refuses an UPDATE or DELETE of a row (triggers below, created with the table here and by
migration 0017), so neither a bug nor a hand-typed statement can rewrite the record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, DateTime, ForeignKey, Index, String, event
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


APPEND_ONLY_MESSAGE = "audit_log is append-only"
# SQLite: one trigger per statement kind. PostgreSQL: one function, one trigger for both.
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    for verb in ("UPDATE", "DELETE")
)
POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
)
POSTGRESQL_DROP = ("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE",)

for _statement in SQLITE_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in POSTGRESQL_DROP:  # the function outlives the table otherwise
    event.listen(AuditEntry.__table__, "after_drop", DDL(_statement).execute_if(dialect="postgresql"))

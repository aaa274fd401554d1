"""Writing and reading the audit log.

`record` is called by the service that makes an admin change, after the change is flushed
and before the caller commits: the entry and the change land together, or neither does (a
refused request writes no entry). Values are made JSON-safe here (dates as ISO text).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..core.db import db
from ..core.principal import Principal
from .models import AuditEntry

# Every kind of entry; the API's filter and the dashboard's picker list these.
KINDS = (
    "office.created",
    "office.renamed",
    "office.closed",
    "office.reopened",
    "office.time_zone_changed",
    "office.regions_imported",
    "user.created",
    "user.role_changed",
    "user.disabled",
    "user.enabled",
    "user.password_reset",
    "token.issued",
    "token.revoked",
)


@dataclass(frozen=True)
class Actor:
    """Who made a change: a logged-in user, or someone at the command line (user_id None)."""

    user_id: int | None
    name: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.user_id, principal.name)

    @classmethod
    def command_line(cls) -> Actor:
        """The OS account that ran `flask ...`: the CLI has no Blangko user."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
            who = "unknown"
        return cls(None, f"cli:{who}"[:120])


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _plain_dict(values: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if values is None else {key: _plain(value) for key, value in values.items()}


def record(
    actor: Actor,
    kind: str,
    subject: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the caller's transaction (the caller commits it with the change)."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")  # a programming error, not input
    entry = AuditEntry(
        actor_id=actor.user_id,
        actor=actor.name,
        kind=kind,
        subject=subject,
        before=_plain_dict(before),
        after=_plain_dict(after),
    )
    db.session.add(entry)
    return entry


def entries(
    *,
    kind: list[str] | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Newest first; `before` (an id) continues from the previous page's last entry."""
    stmt = select(AuditEntry)
    if kind:
        stmt = stmt.where(AuditEntry.kind.in_(kind))
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if subject:
        stmt = stmt.where(AuditEntry.subject == subject)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    return list(db.session.execute(stmt.order_by(AuditEntry.id.desc()).limit(limit)).scalars())

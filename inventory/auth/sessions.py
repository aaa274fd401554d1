"""Dashboard sessions kept on the server: opened at log-in, ended by log-out, by SESSION_IDLE_MINUTES
of inactivity, by a password change and by disabling the user.

The cookie holds a random key (signed by Flask, so it cannot be forged either); the table
holds its SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from ..core.db import db, utcnow
from ..core.principal import Principal
from ..offices.models import Office
from .models import DashboardSession, User


@dataclass(frozen=True)
class OpenSession:
    principal: Principal
    key: str


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_cutoff(now: datetime | None = None) -> datetime:
    """Sessions last seen before this have ended."""
    return (now or utcnow()) - timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def start(user_id: int, password_hash: str) -> str:
    """Open a session for the user (caller commits); returns the key for the cookie."""
    now = utcnow()
    # Sessions that ended by idling go now (anyone's), so the table holds about one row per
    # open session without a cleaning job.
    db.session.execute(delete(DashboardSession).where(DashboardSession.last_seen_at < idle_cutoff(now)))
    key = secrets.token_urlsafe(32)
    db.session.add(
        DashboardSession(
            user_id=user_id,
            key_hash=_hash(key),
            password_fingerprint=fingerprint(password_hash),
            created_at=now,
            last_seen_at=now,
        )
    )
    return key


def touch(key: str) -> None:
    """Note activity on an open session (caller commits). Written at most once per
    SESSION_TOUCH_SECONDS, so most page views change nothing."""
    now = utcnow()
    recently = now - timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"])
    db.session.execute(
        update(DashboardSession)
        .where(
            DashboardSession.key_hash == _hash(key),
            DashboardSession.last_seen_at >= idle_cutoff(now),
            DashboardSession.last_seen_at < recently,
        )
        .values(last_seen_at=now)
    )


def find(key: str) -> OpenSession | None:
    """The open session with this key: not ended, not idle too long, its user active and its
    password the one it was opened with."""
    row = db.session.execute(
        select(
            User.id,
            User.name,
            User.role,
            User.office_id,
            Office.code,
            Office.path,
            User.password_hash,
            DashboardSession.password_fingerprint,
        )
        .join(DashboardSession, DashboardSession.user_id == User.id)
        .outerjoin(Office, Office.id == User.office_id)
        .where(
            DashboardSession.key_hash == _hash(key),
            DashboardSession.last_seen_at >= idle_cutoff(),
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
    ).first()
    if row is None or not hmac.compare_digest(fingerprint(row[6]), row[7]):
        return None
    return OpenSession(Principal(*row[:6]), key)


def end(key: str) -> None:
    """Log this session out (caller commits): every copy of its cookie stops working."""
    db.session.execute(delete(DashboardSession).where(DashboardSession.key_hash == _hash(key)))


def end_all(user_id: int, *, keep: str | None = None) -> int:
    """End every session of the user, but `keep` (caller commits); returns how many ended."""
    query = delete(DashboardSession).where(DashboardSession.user_id == user_id)
    if keep is not None:
        query = query.where(DashboardSession.key_hash != _hash(keep))
    return db.session.execute(query).rowcount


def refingerprint(key: str, password_hash: str) -> None:
    """This session goes on under the user's new password (caller commits)."""
    db.session.execute(
        update(DashboardSession)
        .where(DashboardSession.key_hash == _hash(key))
        .values(password_fingerprint=fingerprint(password_hash))
    )

"""The deliverer: sends what the outbox holds, with retries and exponential backoff.

Each notification goes through three short steps, never holding a transaction open
across the network call:

1. claim (one transaction): pick the oldest due pending row, `FOR UPDATE SKIP LOCKED` on
   PostgreSQL (SQLite's write lock serialises deliverers instead), count the attempt and
   push next_attempt_at forward by a lease so no other deliverer picks it up; commit.
2. send: webhook or e-mail, outside any transaction.
3. record (one transaction): a DeliveryAttempt row, and the notification delivered,
   rescheduled after a backoff, or failed after NOTIFY_MAX_ATTEMPTS; commit.

A deliverer that dies between 1 and 3 leaves a claimed, unsent row: its lease runs out
and it is tried again. Delivery is therefore at least once, never "marked delivered but
unsent"; receivers drop repeats by event id. A delivered row is never claimed again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select, update

from ..core.db import db, is_sqlite, utcnow
from . import channels
from .models import DeliveryAttempt, Notification, Subscription
from .outbox import decrypt_secret

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)  # so a generous NOTIFY_MAX_ATTEMPTS cannot mean "next year"


@dataclass
class PassResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.delivered or self.retrying or self.failed)

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} failed"


@dataclass(frozen=True)
class Claim:
    id: int
    event_id: str
    payload: str
    attempt: int  # this attempt's number, from 1
    channel: str
    url: str | None
    email: str | None
    secret_encrypted: str | None
    gave_up: str | None = None  # why it was marked failed instead of claimed


def backoff(attempt: int, base_seconds: float) -> timedelta:
    """Wait after failed attempt number `attempt`: base, 2 base, 4 base, ..."""
    return min(timedelta(seconds=base_seconds * 2 ** min(attempt - 1, 30)), MAX_BACKOFF)


def deliver_due(now: datetime | None = None, stop: threading.Event | None = None) -> PassResult:
    """One pass over the notifications due now, each tried at most once.

    `now` fixes the clock (for tests and replays); by default it is the wall clock.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    due_by = clock()
    result = PassResult()
    after = 0  # an id cursor, so a row rescheduled into the past cannot loop within a pass
    while not (stop and stop.is_set()):
        claim = _claim_next(after, due_by, clock)
        if claim is None:
            return result
        after = claim.id
        if claim.gave_up:
            result.failed += 1
            continue
        status = _record(claim, _send(claim, clock), clock)
        if status == "delivered":
            result.delivered += 1
        elif status == "pending":
            result.retrying += 1
        else:
            result.failed += 1
    return result


def deliver_forever(interval: float, stop: threading.Event, report: Callable[[PassResult], None]) -> None:
    """Poll every `interval` seconds until `stop` is set; a failed pass (say, the database
    restarting) is logged and the next poll tries again."""
    while not stop.is_set():
        try:
            result = deliver_due(stop=stop)
        except Exception:
            db.session.rollback()
            logger.exception("notification delivery pass failed; retrying in %s s", interval)
        else:
            if result:
                report(result)
        stop.wait(interval)


# --- the three steps -------------------------------------------------------------------


def _claim_next(after: int, due_by: datetime, clock: Callable[[], datetime]) -> Claim | None:
    """The oldest due row after `after`, claimed; None if there is none. A row not worth
    sending (see _reason_to_give_up) is marked failed instead, and returned with `gave_up`."""
    config = current_app.config
    # Lease: long enough for any send to finish, or a live deliverer's row could be
    # claimed again and sent twice.
    lease = timedelta(seconds=max(config["NOTIFY_LEASE_SECONDS"], 3 * config["NOTIFY_TIMEOUT_SECONDS"]))
    while True:
        try:
            row = db.session.execute(_due_after(after, due_by)).first()
            if row is None:
                db.session.commit()
                return None
            claim = Claim(*row[:3], row.attempts + 1, *row[4:8])
            why_not = _reason_to_give_up(row, config["NOTIFY_MAX_ATTEMPTS"])
            changes = (
                {"status": "failed", "last_error": why_not}
                if why_not
                else {"attempts": claim.attempt, "next_attempt_at": clock() + lease}
            )
            # Guarded by what we read, so the claim holds even without row locks: if
            # another deliverer got there first, nothing changes and we move on.
            claimed = db.session.execute(
                update(Notification)
                .where(
                    Notification.id == row.id,
                    Notification.status == "pending",
                    Notification.attempts == row.attempts,
                    Notification.next_attempt_at <= due_by,
                )
                .values(**changes)
            ).rowcount
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        if claimed:
            return replace(claim, gave_up=why_not)
        after = row.id


def _due_after(after: int, due_by: datetime):
    stmt = (
        select(
            Notification.id,
            Notification.event_id,
            Notification.payload,
            Notification.attempts,
            Subscription.channel,
            Subscription.url,
            Subscription.email,
            Subscription.secret_encrypted,
            Subscription.active,
        )
        .join(Subscription, Subscription.id == Notification.subscription_id)
        .where(
            Notification.status == "pending", Notification.next_attempt_at <= due_by, Notification.id > after
        )
        .order_by(Notification.id)
        .limit(1)
    )
    if not is_sqlite(db.engine):
        # Two deliverers skip each other's rows instead of queueing behind them.
        stmt = stmt.with_for_update(skip_locked=True, of=Notification)
    return stmt


def _reason_to_give_up(row, max_attempts: int) -> str | None:
    if not row.active:
        return "subscription cancelled before delivery"
    if row.attempts >= max_attempts:
        # Only after deliverers died mid-send: a finished attempt decides this in _record.
        return f"gave up after {row.attempts} attempts (the last one was interrupted)"
    return None


def _send(claim: Claim, clock: Callable[[], datetime]) -> tuple[channels.Outcome, int]:
    """Try once; any failure, even a bug, is an unsuccessful attempt rather than a stuck queue."""
    config = current_app.config
    started = time.monotonic()
    try:
        if claim.channel == "webhook":
            try:
                secret = decrypt_secret(claim.secret_encrypted or "")
            except ValueError as error:
                outcome = channels.Outcome(False, error=str(error), permanent=True)
            else:
                outcome = channels.post_webhook(
                    claim.url or "",
                    claim.payload.encode(),
                    event_id=claim.event_id,
                    secret=secret,
                    timestamp=int(clock().timestamp()),
                    timeout=config["NOTIFY_TIMEOUT_SECONDS"],
                    blocked=channels.networks(config["WEBHOOK_BLOCKED_NETWORKS"]),
                )
        else:
            outcome = channels.send_email(
                config,
                claim.email or "",
                json.loads(claim.payload),
                event_id=claim.event_id,
                timeout=config["NOTIFY_TIMEOUT_SECONDS"],
            )
    except Exception as error:
        code, message = channels.describe(error)
        outcome = channels.Outcome(False, code, message)
    return outcome, int((time.monotonic() - started) * 1000)


def _record(claim: Claim, sent: tuple[channels.Outcome, int], clock: Callable[[], datetime]) -> str:
    """Write the attempt and the notification's new state; returns that state."""
    outcome, duration_ms = sent
    config = current_app.config
    now = clock()
    if outcome.succeeded:
        status, changes = "delivered", {"delivered_at": now, "last_error": None}
    elif outcome.permanent or claim.attempt >= config["NOTIFY_MAX_ATTEMPTS"]:
        status, changes = "failed", {"last_error": outcome.error}
    else:
        retry_at = now + backoff(claim.attempt, config["NOTIFY_BACKOFF_SECONDS"])
        status, changes = "pending", {"last_error": outcome.error, "next_attempt_at": retry_at}
    if not outcome.succeeded:
        logger.warning("notification %s attempt %s: %s", claim.id, claim.attempt, outcome.error)
    try:
        db.session.execute(
            insert(DeliveryAttempt).values(
                notification_id=claim.id,
                attempted_at=now,
                succeeded=outcome.succeeded,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=duration_ms,
            )
        )
        # A success always counts, even if the subscription was cancelled meanwhile; a
        # failure only moves a row still pending.
        guard = Notification.status != "delivered" if outcome.succeeded else Notification.status == "pending"
        db.session.execute(
            update(Notification).where(Notification.id == claim.id, guard).values(status=status, **changes)
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return status

"""Ancestors' subtree figures, settled just after a movement's answer is sent.

Every movement queues its ancestors' share of it (pending_rollups, rollups.py) instead of
writing their rows: the national rows would otherwise be written, and locked until commit,
by every print in the country. Here the queue is taken in batches, added to the ancestors'
rollups and daily usage, and announced (TotalsSettled: their alerts are re-evaluated), all
in one short transaction per batch.

When: once a request that queued a share has sent its answer (a WSGI server closes every
response, and `call_on_close` runs then), its process's settler thread is woken; it waits
SETTLE_INTERVAL_SECONDS (1 s) for more answers, then settles everything queued. So an
ancestor follows a print within that interval plus one batch, the printing client never
waits for it, and under load the ancestors are written and evaluated once per batch, not
once per print. (With an interval of 0, as in the tests, the answering thread settles
right after its answer.) One settler at a time works (PostgreSQL: a transaction-scoped
advisory lock). A settler that finds the lock taken comes back after its interval (with an
interval of 0, after a few milliseconds): the holder may have begun before our share was
committed, and it does not look again unless its batch was full. A process that exits
normally settles on its way out; if one is killed between its commit and its settling,
`flask --app wsgi stock settle --loop` (README "Production")
takes the rest within its interval; `stock verify` counts queued shares in, so the books
prove the same either way.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import defaultdict
from datetime import date

from flask import Flask, after_this_request, current_app, g, has_request_context
from sqlalchemy import delete, exists, func, select, text

from ..core import bus
from ..core.db import connection, db, end_reads, reading
from ..offices.models import Office
from . import custody, rollups
from .events import TotalsSettled
from .rollups import P, ancestry

log = logging.getLogger(__name__)

BATCH = 2_000
# Any 64-bit number no other advisory lock uses (the Idempotency-Key locks hash user and key).
_SETTLER_KEY = 0x626C616E_676B6F01
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_SCHEDULED = "blangko_settle_after_response"
_SETTLER = "blangko_settler"


def settle_after_response() -> None:
    """Ask for the queue to be settled once this request's answer has been sent."""
    if not has_request_context() or g.get(_SCHEDULED):
        return
    setattr(g, _SCHEDULED, True)
    app = current_app._get_current_object()

    interval = app.config["SETTLE_INTERVAL_SECONDS"]
    after_sent = (lambda: _settle_now(app)) if interval <= 0 else _settler(app, interval).nudge

    @after_this_request
    def _schedule(response):
        response.call_on_close(after_sent)
        return response


class _Settler:
    """A process's settling thread: woken by answers that queued shares, it waits `interval`
    for more to arrive, then settles everything queued in one go. Started lazily, so each
    forked server process (gunicorn's workers) gets its own.

    It comes back by itself, without a new answer, after a round that was turned away by
    another settler, left a backlog (MAX_BATCHES full batches) or failed (the database
    restarting: then after a longer pause each time, up to a minute). A process that exits
    normally (a server stopping, reloading or recycling its workers) settles once on its way
    out, for the daemon thread dies with it, mid-wait."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app, self.interval, self.pid = app, interval, os.getpid()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.started = threading.Lock()
        self.in_round = False
        atexit.register(self.on_exit)

    def nudge(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            with self.started:
                if self.thread is None or not self.thread.is_alive():
                    self.thread = threading.Thread(target=self._run, name="blangko-settler", daemon=True)
                    self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        failures = 0
        while True:
            self.wake.wait()
            time.sleep(min(self.interval * 2**failures, _MAX_PAUSE))  # gather the answers that follow
            self.wake.clear()  # a nudge from now on wakes the next round
            self.in_round = True
            outcome = _settle_quietly(self.app)
            self.in_round = False
            failures = min(failures + 1, _MAX_DOUBLINGS) if outcome == FAILED else 0
            if outcome != DONE:
                self.wake.set()

    def on_exit(self) -> None:
        """Shares this process queued and has not settled yet: an answer woke the thread, or
        its round is under way (the thread lives on while exit handlers run: waiting our
        turn lets its round commit before it dies with the process)."""
        if os.getpid() == self.pid and (self.wake.is_set() or self.in_round):
            _settle_now(self.app)


_MAX_PAUSE, _MAX_DOUBLINGS = 60.0, 16  # seconds between tries while settling fails, at most


def _settler(app: Flask, interval: float) -> _Settler:
    settler = app.extensions.get(_SETTLER)
    if settler is None or settler.pid != os.getpid():  # none yet, or inherited through a fork
        settler = app.extensions[_SETTLER] = _Settler(app, interval)
    return settler


# How a round ended: all queued settled (as the round saw it), another settler at work, a
# backlog left after MAX_BATCHES, or an error (logged).
DONE, BUSY, MORE, FAILED = "done", "busy", "more", "failed"
MAX_BATCHES = 50  # a round's batches: a backlog of any size does not keep one thread at it
_RETRY_SECONDS, _RETRIES = 0.02, 250  # with no interval: how the answering thread waits its turn


def _settle_now(app: Flask) -> None:
    """No interval: the answering thread settles, waiting its turn while another settler works.
    After a failure it leaves the shares to the next answer or to `stock settle --loop`."""
    for _ in range(_RETRIES):
        outcome = _settle_quietly(app)
        if outcome in (DONE, FAILED):
            return
        if outcome == BUSY:
            time.sleep(_RETRY_SECONDS)


def _settle_quietly(app: Flask) -> str:
    """After the answer: a failure here is logged, never shown to the client whose work has
    committed; the queue keeps the shares until the next round, settler or the worker."""
    with app.app_context():
        try:
            return _settle(BATCH, MAX_BATCHES)[1]
        except Exception:
            log.exception("Settling ancestors' figures failed; the queue keeps them for the next try.")
            return FAILED
        finally:
            db.session.remove()


def settle_pending(batch: int | None = None, *, until_empty: bool = False) -> int:
    """Settle what is queued, batch after batch (BATCH shares), each in its own transaction
    (call it with no transaction open), for one round of MAX_BATCHES batches or, with
    `until_empty`, until the queue is empty or another settler holds it; returns how many
    shares were settled."""
    settled = 0
    while True:
        taken, outcome = _settle(batch or BATCH, MAX_BATCHES)
        settled += taken
        if not until_empty or outcome != MORE:
            return settled


def _settle(batch: int, max_batches: int) -> tuple[int, str]:
    """(shares settled, how the round ended: DONE, BUSY or MORE).

    It goes on only after a full batch, that is while a backlog is left: under steady load
    something is always queued again by the time a batch commits, and taking it at once
    would settle a dozen prints at a time, over and over, instead of one interval's worth
    (the next nudge brings this or another settler back within the interval).
    """
    settled = 0
    for _ in range(max_batches):
        if not _anything_queued():
            return settled, DONE
        taken = settle_batch(batch)
        if taken is None:  # another settler is at work: the caller comes back later
            return settled, BUSY
        settled += taken
        if taken < batch:
            return settled, DONE
    return settled, MORE


def settle_batch(batch: int = BATCH) -> int | None:
    """One transaction: take up to `batch` queued shares, oldest first, and add them to the
    ancestors. None when another settler holds the queue (PostgreSQL)."""
    try:
        connection_ = connection()
        postgresql = connection_.dialect.name == "postgresql"
        if postgresql and not connection_.execute(_TRY_LOCK, {"key": _SETTLER_KEY}).scalar():
            end_reads(db.session)  # nothing written; a commit keeps the prepared statements
            return None
        taken = _take(batch)
        db.session.commit()
        return taken
    except BaseException:
        db.session.rollback()
        raise


def settle_within_transaction() -> int:
    """Settle everything queued as part of the transaction in hand: for work that has no
    answer to send first (the demo's seed), so it commits with its ancestors' figures."""
    return _take(None)


def _take(batch: int | None) -> int:
    # Oldest first: a debit's share is queued after the credit that made it possible, so
    # any prefix of the queue keeps every ancestor's figures at or above zero.
    oldest = select(P.c.id).order_by(P.c.id).limit(batch).scalar_subquery()
    rows = connection().execute(delete(P).where(P.c.id.in_(oldest)).returning(*P.c)).all()
    if rows:
        _add_to_ancestors(rows)
    return len(rows)


def _anything_queued() -> bool:
    with reading():
        return db.session.execute(select(exists().where(P.c.id.is_not(None)))).scalar()


def _add_to_ancestors(rows) -> None:
    paths = dict(
        db.session.execute(
            select(Office.id, Office.path).where(Office.id.in_({row.office_id for row in rows}))
        ).all()
    )
    stock: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    usage: dict[tuple[int, date, str], list[int]] = defaultdict(lambda: [0, 0])
    printed_at = {row.office_id for row in rows if row.day is not None}  # see prints._alerts_now
    for row in rows:
        for ancestor in ancestry(paths[row.office_id])[:-1]:
            stock[ancestor][0] += row.on_hand
            stock[ancestor][1] += row.in_transit_in
            if row.day is not None:
                usage[(ancestor, row.day, row.reason)][0] += row.printed
                usage[(ancestor, row.day, row.reason)][1] += row.spoiled
    rollups.apply_to_ancestors(
        {office_id: tuple(delta) for office_id, delta in stock.items()},
        {key: tuple(delta) for key, delta in usage.items()},
    )
    bus.publish(TotalsSettled(tuple(sorted(stock.keys() | printed_at))))
    # Spoiled prints went into custody in their own transactions; the offices' destruction
    # alerts are weighed here, once a batch (it reads their custody ledgers), after their
    # custody rows are locked, last, as every writer of custody takes them.
    spoiled_at = sorted({row.office_id for row in rows if row.spoiled > 0})
    if spoiled_at:
        custody.lock(*spoiled_at)
        custody.changed(*spoiled_at)


def queued_count() -> int:
    """Shares not yet settled (the health of the settler, for `stock settle` and verify)."""
    return db.session.execute(select(func.count()).select_from(P)).scalar_one()

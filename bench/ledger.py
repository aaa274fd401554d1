"""Ledger size versus read latency: bulk-load movements fast, then time the stock and ledger reads.

Loading goes around the API on purpose (a million POSTs would take hours): one
transaction appends one-blank deliveries with sqlite3's executemany or PostgreSQL's
COPY, and moves the balance and the subtree rollups by the same amount, so the books
still add up (`flask stock verify` would pass).
"""

from __future__ import annotations

import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass

from sqlalchemy import select, text, update

from inventory.core.db import db, utcnow
from inventory.offices.tree import OfficeRef
from inventory.stock import rollups
from inventory.stock.ledger import B, M

from .fixture import app_for
from .load import Client, Request, get_json

COLUMNS = ("office_id", "kind", "quantity", "balance_after", "actor_id", "occurred_at", "recorded_at")
COPY_CHUNK = 50_000


def bulk_load(url: str, office: OfficeRef, actor_id: int, count: int) -> float:
    """Append `count` deliveries of one blank to the office's ledger; returns the seconds it took."""
    started = time.perf_counter()
    with app_for(url):
        connection = db.session.connection()  # BEGIN (IMMEDIATE on SQLite)
        on_hand = connection.execute(select(B.c.on_hand).where(B.c.office_id == office.id)).scalar_one()
        raw = connection.connection.driver_connection
        if connection.dialect.name == "sqlite":
            _sqlite_rows(raw, connection.dialect, office.id, actor_id, on_hand, count)
        else:
            _copy_rows(raw, office.id, actor_id, on_hand, count)
        connection.execute(
            update(B)
            .where(B.c.office_id == office.id)
            .values(on_hand=B.c.on_hand + count, updated_at=utcnow())
        )
        rollups.shift({office.path: (count, 0)})
        db.session.commit()
        if connection.dialect.name == "postgresql":
            # What autovacuum would soon do on its own: fresh statistics and visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
                maintenance.execute(text("VACUUM ANALYZE movements"))
    return time.perf_counter() - started


def _sqlite_rows(raw, dialect, office_id: int, actor_id: int, on_hand: int, count: int) -> None:
    # Timestamps stored exactly as SQLAlchemy stores them on SQLite.
    stamp = M.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)(utcnow())
    columns = ", ".join(COLUMNS)
    rows = ((office_id, "delivery", 1, on_hand + n, actor_id, stamp, stamp) for n in range(1, count + 1))
    raw.executemany(f"INSERT INTO movements ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _copy_rows(raw, office_id: int, actor_id: int, on_hand: int, count: int) -> None:
    stamp = utcnow().isoformat()
    prefix = f"{office_id}\tdelivery\t1\t"
    suffix = f"\t{actor_id}\t{stamp}\t{stamp}\n"
    with raw.cursor() as cursor, cursor.copy(f"COPY movements ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for start in range(1, count + 1, COPY_CHUNK):
            stop = min(start + COPY_CHUNK, count + 1)
            copy.write("".join(f"{prefix}{on_hand + n}{suffix}" for n in range(start, stop)))


@dataclass(frozen=True)
class Reads:
    """Median latency in seconds of each read, and what the server said the office holds."""

    on_hand: int
    stock: float
    first_page: float  # limit=50
    page_1000: float  # limit=1: page 1,000 exists with 1,000 movements
    # limit=50, page 1,000 (rows 49,951-50,000), and page 1 timed in turns with it, when
    # the ledger is that long.
    deep_page: float | None = None
    deep_first_page: float | None = None


@dataclass(frozen=True)
class Ledger:
    """A server whose database holds one office's ledger, and a token that may read it."""

    port: int
    office: OfficeRef
    token: str

    def get(self, path: str) -> dict:
        return get_json(self.port, f"/api/v1/offices/{self.office.code}{path}", self.token)

    def request(self, path: str) -> Request:
        auth = {"Authorization": f"Bearer {self.token}"}
        return Request("GET", f"/api/v1/offices/{self.office.code}{path}", headers=auth)


def measure_reads(small: Ledger, large: Ledger, samples: int) -> tuple[Reads, Reads]:
    """The same reads on both ledgers, timed in turns; on a long ledger, page 1,000 against page 1 too."""
    medians: tuple[dict, dict] = ({}, {})
    paths = (_paths(small), _paths(large))
    for name in paths[0]:
        medians[0][name], medians[1][name] = in_turns(
            [(small, paths[0][name]), (large, paths[1][name])], samples
        )
    reads = []
    for ledger, found in zip((small, large), medians, strict=True):
        on_hand = ledger.get("/stock")["on_hand"]
        if on_hand >= 50_000:
            deep = f"/ledger?limit=50&before={_cursor(ledger, limit=50, page=1000)}"
            found["deep_page"], found["deep_first_page"] = in_turns(
                [(ledger, deep), (ledger, "/ledger?limit=50")], samples
            )
        reads.append(Reads(on_hand, **found))
    return reads[0], reads[1]


def in_turns(reads: list[tuple[Ledger, str]], samples: int, warmup: int = 20) -> list[float]:
    """Median latency of each read, taken in turns so a slow moment of the machine hits all alike.

    Request n of every read goes before request n + 1 of any, in an order that alternates.
    """
    timings: list[list[float]] = [[] for _ in reads]
    order = list(range(len(reads)))
    with ExitStack() as stack:
        clients = [stack.enter_context(Client(ledger.port)) for ledger, _ in reads]
        requests = [ledger.request(path) for ledger, path in reads]
        for n in range(warmup + samples):
            for i in order if n % 2 else reversed(order):
                elapsed = clients[i].time(requests[i])
                if n >= warmup:
                    timings[i].append(elapsed)
    return [statistics.median(found) for found in timings]


def _paths(ledger: Ledger) -> dict[str, str]:
    return {
        "stock": "/stock",
        "first_page": "/ledger?limit=50",
        "page_1000": f"/ledger?limit=1&before={_cursor(ledger, limit=1, page=1000)}",
    }


def _cursor(ledger: Ledger, limit: int, page: int) -> int:
    """The `before` that opens `page`, found the way a client would: following next_before."""
    cursor = None
    for _ in range(page - 1):
        query = f"limit={limit}" + (f"&before={cursor}" if cursor else "")
        cursor = ledger.get(f"/ledger?{query}")["next_before"]
        if cursor is None:
            raise RuntimeError(f"The ledger ends before page {page} at limit={limit}.")
    return cursor

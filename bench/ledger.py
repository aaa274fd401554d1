"""Ledger size versus read latency: bulk-load movements fast, then time every read of the office.

Loading goes around the API on purpose (a million POSTs would take hours): one
transaction appends one-blank deliveries with sqlite3's executemany or PostgreSQL's
COPY, and moves the balance and the subtree rollups by the same amount, so the books
still add up (`flask stock verify` would pass). The movements are spread evenly over the
last `days` (a history, not one burst), so the office page's 90-day chart and the
projection's window see their share of a long ledger, as they would at a busy office.

The reads: the office page (dashboard HTML, logged in, with its balance chart), the stock
API, stock card pages (first, and page 1,000), the projection and the reports over the
office's regency.
"""

from __future__ import annotations

import http.client
import re
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import select, text, update

from inventory.core.db import db, utcnow
from inventory.offices.tree import OfficeRef
from inventory.planning.figures import today
from inventory.stock import rollups, settlement
from inventory.stock.ledger import B, M

from .fixture import app_for
from .load import Client, Request, get_json
from .servers import HOST

COLUMNS = ("office_id", "kind", "quantity", "balance_after", "actor_id", "occurred_at", "recorded_at")
COPY_CHUNK = 50_000


def bulk_load(url: str, office: OfficeRef, actor_id: int, count: int, days: float) -> float:
    """Append `count` deliveries of one blank, evenly over the last `days`, to the office's
    ledger; returns the seconds it took."""
    started = time.perf_counter()
    with app_for(url):
        connection = db.session.connection()  # BEGIN (IMMEDIATE on SQLite)
        on_hand = connection.execute(select(B.c.on_hand).where(B.c.office_id == office.id)).scalar_one()
        raw = connection.connection.driver_connection
        if connection.dialect.name == "sqlite":
            _sqlite_rows(raw, connection.dialect, office.id, actor_id, on_hand, count, days)
        else:
            _copy_rows(raw, office.id, actor_id, on_hand, count, days)
        connection.execute(
            update(B)
            .where(B.c.office_id == office.id)
            .values(on_hand=B.c.on_hand + count, updated_at=utcnow())
        )
        rollups.shift({office.path: (count, 0)})
        settlement.settle_within_transaction()  # the ancestors' share, as a request's settler would
        db.session.commit()
        if connection.dialect.name == "postgresql":
            # What autovacuum would soon do on its own: fresh statistics and visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
                maintenance.execute(text("VACUUM ANALYZE movements"))
    return time.perf_counter() - started


def _stamps(count: int, days: float):
    """`count` times, oldest first, evenly over the last `days`, the last one now."""
    now = utcnow()
    step = timedelta(days=days) / count
    return (now - step * (count - n) for n in range(1, count + 1))


def _sqlite_rows(raw, dialect, office_id: int, actor_id: int, on_hand: int, count: int, days: float) -> None:
    # Timestamps stored exactly as SQLAlchemy stores them on SQLite.
    stored = M.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
    columns = ", ".join(COLUMNS)
    rows = (
        (office_id, "delivery", 1, on_hand + n, actor_id, stamp, stamp)
        for n, stamp in enumerate(map(stored, _stamps(count, days)), start=1)
    )
    raw.executemany(f"INSERT INTO movements ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _copy_rows(raw, office_id: int, actor_id: int, on_hand: int, count: int, days: float) -> None:
    prefix = f"{office_id}\tdelivery\t1\t"
    stamps = _stamps(count, days)
    with raw.cursor() as cursor, cursor.copy(f"COPY movements ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for start in range(1, count + 1, COPY_CHUNK):
            stop = min(start + COPY_CHUNK, count + 1)
            lines = []
            for n in range(start, stop):
                stamp = next(stamps).isoformat()
                lines.append(f"{prefix}{on_hand + n}\t{actor_id}\t{stamp}\t{stamp}\n")
            copy.write("".join(lines))


@dataclass(frozen=True)
class Read:
    key: str
    label: str
    path: str  # absolute; {code}, {regency}, {window} filled per office
    web: bool = False  # the dashboard: a session cookie instead of the token


REGENCY = "62.02"
# The balance chart is drawn inside the office page (no route of its own at 787ff02), so the
# page's figure includes it; a chart-data route, when there is one, is one more Read here.
READS = (
    Read("office_page", "office page (dashboard HTML, logged in, with its balance chart)", "/offices/{code}",
         web=True),
    Read("stock", "`GET .../stock`", "/api/v1/offices/{code}/stock"),
    Read("first_page", "stock card page 1 (limit=50)", "/api/v1/offices/{code}/ledger?limit=50"),
    Read("page_1000", "stock card page 1,000 (limit=1)",
         "/api/v1/offices/{code}/ledger?limit=1&before={deep}"),
    Read("projection", "`GET .../projection`", "/api/v1/offices/{code}/projection"),
    Read("report_stock", "stock report of its regency", f"/api/v1/reports/stock?under={REGENCY}"),
    Read("report_consumption", "consumption report of the office, 90 days by day",
         "/api/v1/reports/consumption?under={code}&bucket=day&{window}"),
)  # fmt: skip


@dataclass(frozen=True)
class Reads:
    """Median latency in seconds of each read (by Read.key), and what the server said the office holds."""

    on_hand: int
    medians: dict[str, float] = field(default_factory=dict)
    # limit=50, page 1,000 (rows 49,951-50,000), and page 1 timed in turns with it, when
    # the ledger is that long.
    deep_page: float | None = None
    deep_first_page: float | None = None


@dataclass(frozen=True)
class Ledger:
    """A server whose database holds one office's ledger, a token that may read it, and a
    dashboard session (cookie) of the same user."""

    port: int
    office: OfficeRef
    token: str
    cookie: str = ""

    def get(self, path: str) -> dict:
        return get_json(self.port, f"/api/v1/offices/{self.office.code}{path}", self.token)

    def request(self, path: str, web: bool = False) -> Request:
        if web:
            return Request("GET", path, headers={"Cookie": self.cookie})
        return Request("GET", path, headers={"Authorization": f"Bearer {self.token}"})


def measure_reads(small: Ledger, large: Ledger, samples: int, page_samples: int) -> tuple[Reads, Reads]:
    """The same reads on both ledgers, timed in turns; on a long ledger, page 1,000 against page 1 too."""
    medians: tuple[dict, dict] = ({}, {})
    fills = (_fills(small), _fills(large))
    for read in READS:
        count = page_samples if read.web else samples
        medians[0][read.key], medians[1][read.key] = in_turns(
            [(ledger, ledger.request(read.path.format(**fill), read.web))
             for ledger, fill in zip((small, large), fills, strict=True)],
            count,
            warmup=min(20, count),
        )  # fmt: skip
    reads = []
    for ledger, found in zip((small, large), medians, strict=True):
        on_hand = ledger.get("/stock")["on_hand"]
        deep = first = None
        if on_hand >= 50_000:
            deep_path = f"/ledger?limit=50&before={_cursor(ledger, limit=50, page=1000)}"
            deep, first = in_turns(
                [(ledger, ledger.request(f"/api/v1/offices/{ledger.office.code}{path}"))
                 for path in (deep_path, "/ledger?limit=50")],
                samples,
            )  # fmt: skip
        reads.append(Reads(on_hand, found, deep, first))
    return reads[0], reads[1]


def log_in(port: int, name: str, password: str) -> str:
    """Log in to the dashboard as a browser would (CSRF token, form post); the Cookie header."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", "/login")
        response = connection.getresponse()
        page = response.read().decode()
        cookies = _cookies(response, {})
        field_html = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
        token = re.search(r'value="([^"]+)"', field_html.group(0)).group(1) if field_html else ""
        form = urlencode({"username": name, "password": password, "csrf_token": token, "next": ""})
        connection.request("POST", "/login", form, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        })  # fmt: skip
        response = connection.getresponse()
        response.read()
        cookies = _cookies(response, cookies)
    finally:
        connection.close()
    if response.status != 302:
        raise RuntimeError(f"Log-in as {name} answered {response.status}, not a redirect.")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> dict[str, str]:
    found = dict(jar)
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def in_turns(reads: list[tuple[Ledger, Request]], samples: int, warmup: int = 20) -> list[float]:
    """Median latency of each read, taken in turns so a slow moment of the machine hits all alike.

    Request n of every read goes before request n + 1 of any, in an order that alternates.
    """
    timings: list[list[float]] = [[] for _ in reads]
    order = list(range(len(reads)))
    with ExitStack() as stack:
        clients = [stack.enter_context(Client(ledger.port)) for ledger, _ in reads]
        for n in range(warmup + samples):
            for i in order if n % 2 else reversed(order):
                elapsed = clients[i].time(reads[i][1])
                if n >= warmup:
                    timings[i].append(elapsed)
    return [statistics.median(found) for found in timings]


def _fills(ledger: Ledger) -> dict[str, str]:
    end = today()
    return {
        "code": ledger.office.code,
        "deep": str(_cursor(ledger, limit=1, page=1000)),
        "window": f"from={end - timedelta(days=89)}&to={end}",
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

"""Serial custody at scale: GET /serials/{serial} and a transfer with "lowest", at 1k and 1M ranges.

`.venv/bin/python -m bench.serials [--only sqlite|postgresql] [--samples N]`. For each database,
two fresh migrated databases (bench/databases.py) get the bench's offices and users
(bench/fixture.py), then `RANGES` serial ranges of ten blanks each, bulk-loaded around the API
as a national history would leave them: most printed (ended by a print, with a delivery and a
print in their trail), the highest 500 still held by Baamang. Both apps then answer through
the whole Flask stack (token, scope, schema) in this process, requests to the small and the
large database in turns, so a slow moment of the machine hits both alike; the medians and the
large/small ratio are printed (the issue asks for at most 1.5x).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))  # the app refuses the development key

from inventory import create_app
from inventory.auth.models import User
from inventory.auth.tokens import issue_token
from inventory.core.db import db, utcnow
from inventory.stock.ledger import M

from .databases import SQLITE, fresh_database, probe_postgresql
from .fixture import PRINT_OFFICE, app_for, prepare

SIZES = (1_000, 1_000_000)
HELD = 500  # ranges Baamang still holds, the highest-numbered
BLANKS = 100_000  # Baamang's stock: more than the held ranges, which must not exceed it
PER_RANGE = 10
CHUNK = 50_000
GROWTH_LIMIT = 1.5


def load(url: str, ranges: int) -> dict:
    """Offices, users, Baamang's stock, and `ranges` serial ranges with their trails.

    As a national history leaves them: each range delivered by a delivery of 1,000 ranges,
    and all but the highest HELD ended by a print of their own, so the trail's movements are
    as many and as varied as the ranges (the planner sees the statistics it would in life)."""
    fixture = prepare(url, BLANKS)
    with app_for(url):
        warehouse = db.session.get(User, fixture.warehouse_id)
        token = issue_token(warehouse)
        office_id, actor_id = fixture.print_office.id, warehouse.id
        connection = db.session.connection()
        raw = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        now = utcnow()
        if sqlite:  # timestamps stored exactly as SQLAlchemy stores them on SQLite
            now = M.c.occurred_at.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)(
                now
            )
        first_id = (connection.execute(select(func.max(M.c.id))).scalar() or 0) + 1
        deliveries = -(-ranges // 1000)
        movement_rows = [
            (first_id + k, office_id, "delivery", 0, BLANKS, None, None, f"BENCH-{k}", actor_id, now, now)
            for k in range(deliveries)
        ]
        _write(raw, sqlite, "movements", MOVEMENT_COLUMNS, movement_rows)
        for start in range(0, ranges, CHUNK):
            stop = min(start + CHUNK, ranges)
            range_rows, move_rows, movement_rows = [], [], []
            for i in range(start, stop):
                held = i >= ranges - HELD
                first, last = i * PER_RANGE, i * PER_RANGE + PER_RANGE - 1
                printed = first_id + deliveries + i
                range_rows.append((i + 1, "KTP", 10, first, last, office_id if held else None,
                                   None if held else printed))  # fmt: skip
                move_rows.append((i + 1, first_id + i // 1000, first, last))
                if not held:
                    movement_rows.append((printed, office_id, "print", -1, BLANKS, "printed", "new_record",
                                          None, actor_id, now, now))  # fmt: skip
                    move_rows.append((i + 1, printed, first, last))
            _write(raw, sqlite, "movements", MOVEMENT_COLUMNS, movement_rows)
            _write(raw, sqlite, "serial_ranges", RANGE_COLUMNS, range_rows)
            _write(raw, sqlite, "serial_moves", MOVE_COLUMNS, move_rows)
        if not sqlite:
            for table in ("serial_ranges", "movements"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
            maintenance.execute(
                text("ANALYZE" if sqlite else "VACUUM ANALYZE movements, serial_ranges, serial_moves")
            )
        count = db.session.execute(select(func.count()).select_from(text("serial_ranges"))).scalar()
        assert count == ranges, count
    return {"token": token, "ranges": ranges}


MOVEMENT_COLUMNS = ("id", "office_id", "kind", "quantity", "balance_after", "outcome", "reason", "reference",
                    "actor_id", "occurred_at", "recorded_at")  # fmt: skip
RANGE_COLUMNS = ("id", "prefix", "width", "first", "last", "office_id", "ended_by_id")
MOVE_COLUMNS = ("root_id", "movement_id", "first", "last")


def _write(raw, sqlite: bool, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    if sqlite:
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def measure(urls: dict[int, str], loaded: dict[int, dict], samples: int) -> dict[str, dict[int, float]]:
    """Median seconds of each request on each size, taken in turns."""
    # No app context is held open: each request pushes its own, as in production.
    apps = {size: create_app("config.Config", SQLALCHEMY_DATABASE_URI=url) for size, url in urls.items()}
    clients = {size: app.test_client() for size, app in apps.items()}
    sizes = sorted(urls)
    rng = random.Random(20231120)
    timings: dict[str, dict[int, list[float]]] = {"lookup": {}, "lowest": {}}
    try:
        for n in range(samples + 20):
            for size in sizes if n % 2 else reversed(sizes):
                headers = {"Authorization": f"Bearer {loaded[size]['token']}"}
                number = rng.randrange(size * PER_RANGE)
                path = f"/api/v1/serials/KTP{number:010d}"
                lookup = _timed(clients[size], "GET", path, headers, None, 200)
                body = {"from": PRINT_OFFICE, "to": "62.02.06", "quantity": 3, "serials": "lowest"}
                lowest = _timed(clients[size], "POST", "/api/v1/transfers", headers, body, 201)
                if n >= 20:
                    timings["lookup"].setdefault(size, []).append(lookup)
                    timings["lowest"].setdefault(size, []).append(lowest)
    finally:
        for app in apps.values():
            with app.app_context():
                db.engine.dispose()
    return {
        name: {size: statistics.median(found) for size, found in by_size.items()}
        for name, by_size in timings.items()
    }


def _timed(client, method: str, path: str, headers: dict, body, status: int) -> float:
    started = time.perf_counter()
    response = client.open(path, method=method, headers=headers, json=body)
    elapsed = time.perf_counter() - started
    if response.status_code != status:
        raise SystemExit(f"{method} {path}: {response.status_code} {response.get_json()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serial lookups and lowest transfers at 1k and 1M ranges.")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--large", type=int, default=SIZES[1], help="ranges of the large database")
    args = parser.parse_args(argv)
    backends = [SQLITE]
    postgresql, why = probe_postgresql()
    if postgresql is not None:
        backends.append(postgresql)
    else:
        print(f"PostgreSQL skipped: {why}")
    workdir = Path(tempfile.mkdtemp(prefix="blangko-bench-serials-"))
    worst = 0.0
    for backend in backends:
        if args.only and backend.name != args.only:
            continue
        with (
            fresh_database(backend, workdir, "serials_small") as small,
            fresh_database(backend, workdir, "serials_large") as large,
        ):
            sizes = (SIZES[0], args.large)
            urls = dict(zip(sizes, (small, large), strict=True))
            loaded = {}
            for size, url in urls.items():
                started = time.perf_counter()
                loaded[size] = load(url, size)
                print(
                    f"{backend.label}: {size:,} ranges loaded in {time.perf_counter() - started:.1f} s",
                    flush=True,
                )
            medians = measure(urls, loaded, args.samples)
        for name, label in (("lookup", "GET /serials/{serial}"), ("lowest", 'POST /transfers "lowest"')):
            small_ms, large_ms = (medians[name][size] * 1000 for size in sizes)
            ratio = large_ms / small_ms
            worst = max(worst, ratio)
            print(
                f"{backend.label}: {label}: {small_ms:.2f} ms at {sizes[0]:,} ranges, "
                f"{large_ms:.2f} ms at {sizes[1]:,}, ratio {ratio:.2f} (limit {GROWTH_LIMIT})"
            )
    return 0 if worst <= GROWTH_LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())

"""The whole country for the reports benchmark: every official office, stock, population, a year of prints.

The offices come from `inventory.regions.import_regions()` (38 provinces, 514
regencies, 7,277 districts), as a real deployment would create them. Everything
else goes around the API on purpose (a year of national prints is tens of millions
of POSTs) but keeps the books the app keeps:

* every balance equals its ledger: one delivery per stocked office, and a
  `transfer_out` for each transfer still in transit from a regency to a district;
* office_rollups hold the true subtree sums of stock and population;
* daily_usage holds each district's prints per day and reason, rolled up to its
  regency, province and the national office, exactly as inventory/stock/service.py rolls them up.

Print movements themselves are not loaded: the reports never read the ledger.
Alerts are then opened by the app's own `alerts.evaluate`, so they match the figures.
Random but seeded, so every run loads the same country.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, insert, select, text, update

from inventory.auth.models import User
from inventory.auth.tokens import issue_token
from inventory.core.db import db, utcnow
from inventory.offices.models import Office
from inventory.offices.regions import NATIONAL_CODE, import_regions
from inventory.planning import alerts
from inventory.planning.models import Population
from inventory.stock.ledger import B, M, T
from inventory.stock.models import DailyUsage, OfficeRollup
from inventory.stock.rollups import ancestry

SEED = 2024
# (reason, chance a district prints it on a working day, fewest, most cards that day)
REASONS = (("new_record", 1.0, 5, 40), ("replacement", 0.9, 2, 20), ("data_change", 0.6, 1, 10),
           ("other", 0.3, 1, 4))  # fmt: skip
SPOILED_ONE_IN = 40  # ~2.5 % of blanks spoil: printers run hot, ribbons smear
U = DailyUsage.__table__
R = OfficeRollup.__table__


@dataclass(frozen=True)
class Country:
    offices: int
    districts: int
    usage_rows: int
    open_alerts: int
    token: str  # a national manager's: reads every area
    seconds: dict[str, float]


def build(as_of: date, days: int) -> Country:
    """Load the country into the app's database (inside an app context); `days` of prints up to as_of."""
    rng = random.Random(SEED)
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    import_regions()
    db.session.commit()
    seconds["offices"] = time.perf_counter() - started

    offices = db.session.execute(
        select(Office.id, Office.code, Office.kind, Office.parent_id, Office.path)
    ).all()
    national = next(o for o in offices if o.code == NATIONAL_CODE)
    user = User(name="bench-national", role="manager", office_id=national.id, active=True)
    db.session.add(user)
    db.session.flush()
    token = issue_token(user)

    started = time.perf_counter()
    _stock(offices, user.id, rng)
    _population(offices, as_of, rng)
    db.session.commit()
    seconds["stock_population"] = time.perf_counter() - started

    started = time.perf_counter()
    usage_rows = _usage(offices, as_of, days, rng)
    db.session.commit()
    seconds["usage"] = time.perf_counter() - started

    _analyze()
    started = time.perf_counter()
    alerts.evaluate([o.id for o in offices])
    db.session.commit()
    seconds["alerts"] = time.perf_counter() - started
    open_alerts = db.session.execute(
        text("SELECT count(*) FROM alerts WHERE resolved_at IS NULL")
    ).scalar_one()
    _analyze()
    districts = sum(1 for o in offices if o.kind == "district")
    return Country(len(offices), districts, usage_rows, open_alerts, token, seconds)


def _stock(offices, actor_id: int, rng: random.Random) -> None:
    """Shelves at every level, a few empty districts, and 10 % of districts with blanks on the way."""
    on_hand = {o.id: _shelf(o.kind, rng) for o in offices}
    in_transit_in: dict[int, int] = defaultdict(int)
    in_transit_out: dict[int, int] = defaultdict(int)
    transfers = []
    for office in offices:
        if office.kind == "district" and rng.random() < 0.10:
            quantity = rng.randint(100, 1000)
            transfers.append((office.parent_id, office.id, quantity))
            in_transit_in[office.id] += quantity
            in_transit_out[office.parent_id] += quantity
    now = utcnow()
    movements = []
    running = {}
    for office in offices:  # the delivery covers what is on the shelf and what left in transfers
        delivered = on_hand[office.id] + in_transit_out[office.id]
        if delivered:
            running[office.id] = delivered
            movements.append(_movement(office.id, "delivery", delivered, delivered, actor_id, now))
    transfer_rows = []
    for transfer_id, (source, destination, quantity) in enumerate(transfers, start=1):
        running[source] -= quantity
        transfer_rows.append({"id": transfer_id, "from_office_id": source, "to_office_id": destination,
                              "quantity": quantity, "status": "in_transit", "note": "bench",
                              "dispatched_by_id": actor_id, "dispatched_at": now})  # fmt: skip
        movements.append(
            _movement(source, "transfer_out", -quantity, running[source], actor_id, now, transfer_id)
        )
    if transfer_rows:
        db.session.execute(insert(T), transfer_rows)
    db.session.execute(insert(M), movements)
    db.session.execute(
        update(B)
        .where(B.c.office_id == bindparam("oid"))
        .values(on_hand=bindparam("a"), in_transit_in=bindparam("b"), in_transit_out=bindparam("c")),
        [{"oid": o.id, "a": on_hand[o.id], "b": in_transit_in[o.id], "c": in_transit_out[o.id]}
         for o in offices],
    )  # fmt: skip
    subtree = _subtree_sums(offices, lambda o: (on_hand[o.id], in_transit_in[o.id]))
    db.session.execute(
        update(R)
        .where(R.c.office_id == bindparam("oid"))
        .values(on_hand=bindparam("a"), in_transit_in=bindparam("b")),
        [{"oid": oid, "a": a, "b": b} for oid, (a, b) in subtree.items()],
    )
    # Thresholds like a manager would set them: a district warns under 200 blanks on its shelf.
    db.session.execute(update(Office).where(Office.kind.in_(("district", "regency"))).values(min_stock=200))


def _shelf(kind: str, rng: random.Random) -> int:
    if kind == "district":
        return 0 if rng.random() < 0.03 else rng.randint(300, 6000)
    return {"national": 200_000, "province": rng.randint(20_000, 100_000)}.get(
        kind, rng.randint(1000, 30_000)
    )


def _movement(office_id, kind, quantity, balance_after, actor_id, now, transfer_id=None) -> dict:
    return {"office_id": office_id, "kind": kind, "quantity": quantity, "balance_after": balance_after,
            "transfer_id": transfer_id, "actor_id": actor_id, "occurred_at": now, "recorded_at": now,
            "reference": "BENCH"}  # fmt: skip


def _population(offices, as_of: date, rng: random.Random) -> None:
    """Districts carry their own figures; every office above takes the sum (as rollups.refresh does)."""
    figures = {}
    for office in offices:
        if office.kind == "district":
            target = rng.randint(8_000, 120_000)
            figures[office.id] = (target, target - rng.randint(0, target // 30), rng.randint(0, 300))
    db.session.execute(
        insert(Population),
        [{"office_id": oid, "target": t, "recorded": r, "print_backlog": b, "as_of": as_of,
          "updated_at": utcnow()} for oid, (t, r, b) in figures.items()],
    )  # fmt: skip
    subtree = _subtree_sums(offices, lambda o: figures.get(o.id, (0, 0, 0)))
    db.session.execute(
        update(R)
        .where(R.c.office_id == bindparam("oid"))
        .values(
            target=bindparam("t"),
            recorded=bindparam("r"),
            print_backlog=bindparam("b"),
            population_as_of=as_of,
        ),
        [{"oid": oid, "t": t, "r": r, "b": b} for oid, (t, r, b) in subtree.items()],
    )


def _subtree_sums(offices, figures_of) -> dict[int, tuple[int, ...]]:
    sums: dict[int, list[int]] = {}
    for office in offices:
        own = figures_of(office)
        for ancestor in ancestry(office.path):
            total = sums.setdefault(ancestor, [0] * len(own))
            for i, value in enumerate(own):
                total[i] += value
    return {oid: tuple(values) for oid, values in sums.items()}


def _usage(offices, as_of: date, days: int, rng: random.Random) -> int:
    """Prints on every working day (Monday to Friday), streamed day by day as they would accrue."""
    districts = [(o.id, o.parent_id) for o in offices if o.kind == "district"]
    regencies = {o.id: ancestry(o.path) for o in offices if o.kind == "regency"}
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    count = 0
    if connection.dialect.name == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY daily_usage (office_id, day, reason, printed, spoiled) FROM STDIN") as copy,
        ):
            for rows in _days(districts, regencies, as_of, days, rng):
                count += len(rows)
                copy.write("".join(f"{o}\t{d}\t{r}\t{p}\t{s}\n" for o, d, r, p, s in rows))
    else:
        # A big page cache for the load only (the key order is not the day order); put back after.
        raw.execute("PRAGMA cache_size = -500000")
        for rows in _days(districts, regencies, as_of, days, rng):
            count += len(rows)
            raw.executemany("INSERT INTO daily_usage VALUES (?, ?, ?, ?, ?)", rows)
        raw.execute("PRAGMA cache_size = -2000")
    return count


def _days(districts, regencies, as_of: date, days: int, rng: random.Random):
    """One list of rows per working day: every district's, then the regencies' and those above."""
    draw = rng.random
    for offset in range(days - 1, -1, -1):
        day = as_of - timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        iso = day.isoformat()
        rows, by_regency = [], defaultdict(lambda: [0, 0])
        for district, regency in districts:
            for reason, chance, low, high in REASONS:
                roll = draw()
                if roll >= chance:
                    continue
                consumed = low + int(roll / chance * (high - low + 1))
                spoiled = consumed // SPOILED_ONE_IN + (draw() * SPOILED_ONE_IN < consumed % SPOILED_ONE_IN)
                rows.append((district, iso, reason, consumed - spoiled, spoiled))
                total = by_regency[(regency, reason)]
                total[0] += consumed - spoiled
                total[1] += spoiled
        above: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        for (regency, reason), (printed, spoiled) in by_regency.items():
            for office_id in regencies[regency]:  # the regency, its province, the national office
                total = above[(office_id, reason)]
                total[0] += printed
                total[1] += spoiled
        rows.extend((office_id, iso, reason, p, s) for (office_id, reason), (p, s) in above.items())
        yield rows


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would give."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
            maintenance.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()

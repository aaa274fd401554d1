"""Prints on the national tree: one office, 500 districts, and the alerts cron under load.

The whole country (bench/national_data.py: 7,830 offices, usage history, open alerts) on a
fresh database; an operator at the national office (its area is every office, so one token
prints anywhere, as the floor does); a million blanks at one district and enough at 500
districts picked at random (seeded) that no print meets an empty shelf. Then, with the real
app and the floor served side by side, wrk drives:

* single: every print at one district (all contend for one balance row);
* spread: each print at one of the 500 districts, picked at random per request;
* cron: spread prints while `flask alerts evaluate` re-evaluates the nation, against spread
  prints without it just before and just after.

Real and floor run in alternating slices (order reversed every round); each round gives one
pair per figure, and the figure is the median of the pairs.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from inventory.auth.models import User
from inventory.auth.tokens import issue_token
from inventory.core.db import db
from inventory.core.principal import Principal
from inventory.offices.models import Office
from inventory.offices.regions import NATIONAL_CODE
from inventory.offices.tree import OfficeRef
from inventory.planning.figures import today
from inventory.stock import rollups
from inventory.stock import service as stock
from inventory.stock.ledger import M
from inventory.stock.verify import problems

from . import national_data, servers
from .burn import turns_per_ms
from .databases import FLASK
from .fixture import app_for
from .wrk import Load, Run, WrkResult, drive, merge

PRINT = {"outcome": "printed", "reason": "new_record"}
SEED = 11
SINGLE_BLANKS = 1_000_000
SPREAD_BLANKS = 50_000  # per district: more than a run prints at any one of them


def over(a: WrkResult, b: WrkResult) -> float:
    """a's rate over b's; NaN when b printed nothing (every answer an error: shown, not hidden)."""
    return a.rate / b.rate if b.rate else float("nan")


@dataclass(frozen=True)
class Nation:
    url: str
    single: str  # path of the one office
    spread: list[str]  # paths of the districts
    operator_id: int
    floor_actor_id: int  # the floor's prints are its own, so they can be told apart (_books)
    token: str
    load_line: str


@dataclass
class Pairs:
    """One endpoint pair measured in slices: every slice kept, pooled and paired by round."""

    real: list[WrkResult] = field(default_factory=list)
    floor: list[WrkResult] = field(default_factory=list)

    @property
    def real_all(self) -> WrkResult:
        return merge(self.real)

    @property
    def floor_all(self) -> WrkResult:
        return merge(self.floor)

    def ratios(self) -> list[float]:
        return [over(r, f) for r, f in zip(self.real, self.floor, strict=True)]

    @property
    def ratio(self) -> float:
        """Median over rounds of real/floor in that round."""
        return statistics.median(self.ratios())


@dataclass
class CronRun:
    without: WrkResult  # spread prints just before and just after the cron
    during: WrkResult  # spread prints while it ran
    cron_seconds: float
    cron_output: str

    @property
    def p99_ratio(self) -> float:
        return self.during.percentile(99) / self.without.percentile(99)


@dataclass
class Control:
    """The floor burning the app's extra CPU per print (_control): one office and spread, by round."""

    burn_ms: float
    warmup_ok: int = 0  # prints answered 2xx while warming up (the books count them)
    single: list[WrkResult] = field(default_factory=list)
    spread: list[WrkResult] = field(default_factory=list)

    @property
    def gain(self) -> float:
        return statistics.median(over(s, o) for s, o in zip(self.spread, self.single, strict=True))

    def slices(self) -> list[WrkResult]:
        return [*self.single, *self.spread]


@dataclass
class NationFigures:
    load_line: str
    spread_count: int
    single: Pairs
    spread: Pairs | None
    cron: CronRun | None
    books: str
    control: Control | None = None

    def gains(self) -> tuple[float, float] | None:
        """Median over rounds of spread/single, for the real app and for the floor."""
        if self.spread is None:
            return None
        real = [over(s, o) for s, o in zip(self.spread.real, self.single.real, strict=True)]
        floor = [over(s, o) for s, o in zip(self.spread.floor, self.single.floor, strict=True)]
        return statistics.median(real), statistics.median(floor)

    def slices(self) -> list[WrkResult]:
        found = [*self.single.real, *self.single.floor]
        if self.spread:
            found += [*self.spread.real, *self.spread.floor]
        if self.control:
            found += self.control.slices()
        if self.cron:
            found += [self.cron.without, self.cron.during]
        return found


def prepare(url: str, days: int, districts: int) -> Nation:
    """The country, an operator at the national office, and stock where the prints will go."""
    started = time.perf_counter()
    with app_for(url):
        country = national_data.build(today(), days)
        national = db.session.execute(select(Office).where(Office.code == NATIONAL_CODE)).scalar_one()
        users = {}
        for role in ("operator", "warehouse"):
            users[role] = User(name=f"bench-national-{role}", role=role, office=national, active=True)
            db.session.add(users[role])
        users["floor"] = User(name="bench-floor", role="operator", office=national, active=False)
        db.session.add(users["floor"])
        db.session.flush()
        token = issue_token(users["operator"])
        rows = db.session.execute(
            select(Office.id, Office.code, Office.path).where(Office.kind == "district").order_by(Office.code)
        ).all()
        picked = random.Random(SEED).sample(rows, districts + 1)
        keeper = users["warehouse"]
        actor = Principal(keeper.id, keeper.name, "warehouse", national.id, national.code, national.path)
        for n, row in enumerate(picked):
            office = OfficeRef(row.id, row.code, row.path)
            stock.receive(office, actor, SINGLE_BLANKS if n == 0 else SPREAD_BLANKS, document_no="BENCH")
        stock.settle_within_transaction()  # the ancestors' share, as a request's settler would
        db.session.commit()
        operator_id, floor_actor_id = users["operator"].id, users["floor"].id
    load_line = (
        f"{country.offices:,} offices ({country.districts:,} districts), {days} days of usage"
        f" ({country.usage_rows:,} daily usage rows), {country.open_alerts:,} open alerts;"
        f" built in {time.perf_counter() - started:.0f} s"
    )
    paths = [f"/api/v1/offices/{row.code}/prints" for row in picked]
    return Nation(url, paths[0], paths[1:], operator_id, floor_actor_id, token, load_line)


def measure(nation: Nation, workdir: Path, args, spread: bool, cron: bool, say) -> NationFigures:
    single_load = Load([nation.single], PRINT, nation.token, args.connections)
    spread_load = Load(nation.spread, PRINT, nation.token, args.connections)
    floor_env = {"DATABASE_URL": nation.url, "BENCH_ACTOR_ID": str(nation.floor_actor_id)}
    recorded = runs = 0
    with (
        servers.gunicorn("real", "wsgi:app", {"DATABASE_URL": nation.url}, workdir) as real,
        servers.gunicorn("floor", "bench.floor:app", floor_env, workdir) as floor,
    ):
        for server in (real, floor):
            for load in (single_load, spread_load) if spread or cron else (single_load,):
                recorded += _checked(server, drive(server.port, load, args.warmup), say).ok
                runs += 1
        plan = [("single", single_load)] + ([("spread", spread_load)] if spread else [])
        say(f"  warmed up; {args.seconds:g} s per endpoint and load in {args.rounds} rounds:"
            f" {', '.join(name for name, _ in plan)}")  # fmt: skip
        measured = {name: Pairs() for name, _ in plan}
        slice_seconds = args.seconds / args.rounds
        for n in range(args.rounds):
            order = [(name, load, server) for name, load in plan for server in (real, floor)]
            for name, load, server in order if n % 2 == 0 else reversed(order):
                result = _checked(server, drive(server.port, load, slice_seconds, nation.url), say)
                getattr(measured[name], server.name).append(result)
                recorded += result.ok
                runs += 1
        control = None
        if spread:
            control = _control(measured["single"], (single_load, spread_load), floor_env, workdir, args, say)
            recorded += control.warmup_ok + sum(result.ok for result in control.slices())
            runs += len(control.slices()) + 2
        cron_run = None
        if cron:
            cron_run = _cron(real, spread_load, nation.url, args.seconds / 2, say)
            recorded += cron_run.without.ok + cron_run.during.ok
            runs += 3
    books = _books(
        nation.url, recorded, in_flight=runs * args.connections, floor_actor_id=nation.floor_actor_id
    )
    return NationFigures(
        nation.load_line,
        len(nation.spread),
        measured["single"],
        measured.get("spread"),
        cron_run,
        books,
        control,
    )


def _control(single: Pairs, loads: tuple[Load, Load], floor_env: dict, workdir: Path, args, say) -> Control:
    """The floor made to cost what the app costs per print, measured at one office and spread.

    Its burn is the app's CPU per print over the floor's at one office (the machine's busy
    cores over prints/s, median of the rounds just measured), converted to turns of
    bench/burn.py on the idle machine and spent before the transaction (bench/floor.py).
    Its gain from spreading is what a print of the app's price can gain here when nothing
    but the balance row serialises it.
    """
    extra = [
        r.cores_busy / r.rate - f.cores_busy / f.rate
        for r, f in zip(single.real, single.floor, strict=True)
        if r.cores_busy and f.cores_busy and r.rate and f.rate
    ]
    burn_ms = max(0.0, statistics.median(extra) * 1000) if extra else 0.0
    turns = round(burn_ms * turns_per_ms())  # measured now, while the servers are idle
    env = {**floor_env, "BENCH_FLOOR_BURN_TURNS": str(turns)}
    control = Control(burn_ms)
    with servers.gunicorn("control", "bench.floor:app", env, workdir) as server:
        for load in loads:  # unmeasured, but their prints are in the ledger all the same
            control.warmup_ok += _checked(server, drive(server.port, load, args.warmup), say).ok
        say(f"  control: the floor burning {burn_ms:.2f} ms of CPU per print, {args.rounds} rounds")
        for n in range(args.rounds):
            for name, load in (("single", loads[0]), ("spread", loads[1]))[:: 1 if n % 2 == 0 else -1]:
                result = _checked(
                    server,
                    drive(server.port, load, args.seconds / args.rounds, floor_env["DATABASE_URL"]),
                    say,
                )
                getattr(control, name).append(result)
    return control


def _cron(real: servers.Server, load: Load, url: str, baseline: float, say) -> CronRun:
    """p99 of spread prints with the cron running, against the same load before and after it."""
    before = _checked(real, drive(real.port, load, baseline / 2), say)
    during = Run(real.port, load, 3600)
    time.sleep(1)  # wrk connected and printing before the cron starts
    started = time.perf_counter()
    done = subprocess.run(
        [str(FLASK), "--app", "wsgi", "alerts", "evaluate"],
        cwd=servers.ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    cron_seconds = time.perf_counter() - started
    during.stop()
    while_cron = _checked(real, during.result(), say)
    if done.returncode != 0:
        raise RuntimeError(f"alerts evaluate failed:\n{done.stdout}\n{done.stderr}")
    after = _checked(real, drive(real.port, load, baseline / 2), say)
    return CronRun(merge([before, after]), while_cron, cron_seconds, done.stdout.strip())


def _account_floor_prints(floor_actor_id: int) -> None:
    floor_prints = db.session.execute(
        select(Office.path, func.count())
        .join(M, M.c.office_id == Office.id)
        .where(M.c.kind == "print", M.c.actor_id == floor_actor_id)
        .group_by(Office.path)
    ).all()
    if floor_prints:
        rollups.shift({path: (-count, 0) for path, count in floor_prints})
        stock.settle_within_transaction()
        db.session.commit()


def _checked(server: servers.Server, result: WrkResult, say) -> WrkResult:
    if result.errors:
        say(f"  {server.name}: {result.errors} errors ({result.describe()}); its log ends:\n"
            f"{servers.tail(server.log, 20)}")  # fmt: skip
    return result


def _books(url: str, answered: int, in_flight: int, floor_actor_id: int) -> str:
    """Every 2xx is one print in the ledger, and every balance and total still equals its ledger.

    When a wrk run ends, each of its connections may have a print on the way that the server
    records but wrk no longer counts: the ledger may hold up to `in_flight` more, never fewer.
    The floor shares the database and writes only balances and ledger lines, so its prints
    are first brought into the subtree rollups (as the app's own would be), then the books
    are checked.
    """
    with app_for(url):
        _account_floor_prints(floor_actor_id)
        found = problems()
        prints = db.session.execute(select(func.count()).where(M.c.kind == "print")).scalar_one()
    if not answered <= prints <= answered + in_flight:
        found.append(
            f"{answered} prints answered 2xx but {prints} in the ledger (at most {in_flight} in flight)"
        )
    return "ok" if not found else "; ".join(found)

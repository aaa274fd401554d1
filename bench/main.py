"""Orchestration: for each database, a prints phase and a ledger phase, each on a fresh database."""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from inventory.core.db import db
from inventory.stock.ledger import M
from inventory.stock.verify import problems

from . import servers
from .databases import SQLITE, Backend, fresh_database, probe_postgresql
from .fixture import Fixture, app_for, prepare
from .ledger import Ledger, bulk_load, measure_reads
from .load import LoadResult, Request, drive, merge
from .report import (
    GROWTH_LIMIT,
    PRINT_TARGET,
    BackendFigures,
    LedgerFigures,
    PrintFigures,
    load_average,
    machine,
    markdown,
    ms,
    read_verdict,
    summary,
    verdict,
)

PRINT = {"outcome": "printed", "reason": "new_record"}
# Delivered before the prints phase: far more than a run can print, so no client meets an
# empty shelf, yet a plausible stock for one office (cf. the projection's days of cover).
BLANKS = 1_000_000
SMALL_LEDGER = 1_000


# (flag, environment variable, type, default, help)
OPTIONS = (
    # A minute per endpoint in six alternating slices: on this shared machine ten seconds in
    # two slices gave ratios 0.05 apart from one run to the next.
    ("--seconds", "BENCH_SECONDS", float, 60, "measured seconds per print endpoint"),
    ("--warmup", "BENCH_WARMUP", float, 2, "unmeasured seconds of load on each endpoint first"),
    ("--rounds", "BENCH_ROUNDS", int, 6, "slices the measured time is cut into, real and floor alternating"),
    ("--clients", "BENCH_CLIENTS", int, 8, "client processes driving the print endpoints"),
    ("--ledger-rows", "BENCH_LEDGER_ROWS", int, 1_000_000, "movements of the large ledger"),
    ("--samples", "BENCH_SAMPLES", int, 200, "requests behind each read latency median"),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="make bench: the print endpoint against its floor, ledger reads at 1k and 1M."
    )
    for flag, variable, kind, default, text in OPTIONS:
        value = kind(os.environ.get(variable, default))
        parser.add_argument(flag, type=kind, default=value, help=f"{text} ({variable}, default {default:,})")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--skip", choices=["prints", "ledger"], help="leave out one phase")
    parser.add_argument("--results", type=Path, help="also write the results as Markdown to this file")
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _stop_on_signals()
    workdir = Path(tempfile.mkdtemp(prefix="blangko-bench-"))
    say(f"Machine: {machine()}; load average {load_average()} (figures are noisy on a busy machine).")
    atexit.register(servers.stop_all)
    try:
        results = [run_backend(backend, skipped, workdir, args) for backend, skipped in _backends(args)]
    except KeyboardInterrupt:
        say("\nInterrupted: servers stopped, temporary databases dropped.")
        return 130
    finally:
        servers.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    text = summary(results, args.clients, args.seconds, args.samples)
    say("\n" + text)
    if args.results:
        args.results.write_text(markdown(text))
        say(f"\nWritten to {args.results}")
    return 0


def _stop_on_signals() -> None:
    def handler(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)


def _backends(args: argparse.Namespace) -> list[tuple[Backend, str | None]]:
    found: list[tuple[Backend, str | None]] = []
    if args.only != "postgresql":
        found.append((SQLITE, None))
    if args.only != "sqlite":
        backend, detail = probe_postgresql()
        if backend is None:
            say(f"PostgreSQL unreachable ({detail}): skipped.")
            found.append((Backend("postgresql", "PostgreSQL"), f"unreachable ({detail})"))
        else:
            found.append((backend, None))
    return found


def run_backend(
    backend: Backend, skipped: str | None, workdir: Path, args: argparse.Namespace
) -> BackendFigures:
    figures = BackendFigures(backend.label, skipped=skipped)
    if skipped:
        return figures
    say(f"\n== {backend.label} ==")
    if args.skip != "prints":
        figures.prints = run_prints(backend, workdir, args)
    if args.skip != "ledger":
        figures.ledger = run_ledger(backend, workdir, args)
    return figures


def run_prints(backend: Backend, workdir: Path, args: argparse.Namespace) -> PrintFigures:
    """Real and floor on one database, measured in alternating slices (real, floor, floor, real...)."""
    with fresh_database(backend, workdir, "prints") as url:
        fixture = prepare(url, BLANKS)
        request = Request.post_json(f"/api/v1/offices/{fixture.print_office.code}/prints", PRINT,
                                    fixture.operator_token)  # fmt: skip
        env = {"DATABASE_URL": url}
        floor_env = {
            **env,
            "BENCH_OFFICE_ID": str(fixture.print_office.id),
            "BENCH_ACTOR_ID": str(fixture.operator_id),
        }
        with (
            servers.gunicorn("real", "wsgi:app", env, workdir) as real,
            servers.gunicorn("floor", "bench.floor:app", floor_env, workdir) as floor,
        ):
            recorded = 0
            for server in (real, floor):
                recorded += drive(server.port, request, args.clients, args.warmup).ok
            say(f"prints: warmed up ({recorded} prints); measuring {args.seconds:g} s each"
                f" in {args.rounds} alternating slices")  # fmt: skip
            slices: dict[str, list[LoadResult]] = {"real": [], "floor": []}
            for n in range(args.rounds):
                # ABBA order, so a drift in the machine's speed weighs on both alike.
                for server in (real, floor) if n % 2 == 0 else (floor, real):
                    result = drive(server.port, request, args.clients, args.seconds / args.rounds)
                    slices[server.name].append(result)
                    recorded += result.ok
                    if result.errors:
                        say(f"  {server.name}: {dict(result.statuses)}; last lines of its log:\n"
                            f"{servers.tail(server.log, 40)}")  # fmt: skip
        books = _print_books(url, fixture, recorded)
    figures = PrintFigures(merge(slices["real"]), merge(slices["floor"]), books)
    for name, result in (("real", figures.real), ("floor", figures.floor)):
        say(f"  {name:<5} {result.rate:8.0f} prints/s  p99 {result.percentile(99) * 1000:.1f} ms"
            f"  errors {result.errors}")  # fmt: skip
    say(f"  real/floor = {figures.ratio:.2f}: {verdict(figures.ratio >= PRINT_TARGET)}; books: {books}")
    return figures


def _print_books(url: str, fixture: Fixture, answered: int) -> str:
    """Every 201 is one print in the ledger, and every balance still equals its ledger."""
    with app_for(url):
        found = problems()
        prints = db.session.execute(
            select(func.count()).where(M.c.office_id == fixture.print_office.id, M.c.kind == "print")
        ).scalar_one()
    if prints != answered:
        found.append(f"{answered} prints answered 201 but {prints} in the ledger")
    return "ok" if not found else "; ".join(found)


def run_ledger(backend: Backend, workdir: Path, args: argparse.Namespace) -> LedgerFigures:
    """The same office with 1,000 and with 1M movements, in two databases served side by side."""
    with (
        fresh_database(backend, workdir, "ledger_1k") as small_url,
        fresh_database(backend, workdir, "ledger_large") as large_url,
    ):
        small_fixture, large_fixture = prepare(small_url, 0), prepare(large_url, 0)
        bulk_load(small_url, small_fixture.ledger_office, small_fixture.warehouse_id, SMALL_LEDGER)
        seconds = bulk_load(
            large_url, large_fixture.ledger_office, large_fixture.warehouse_id, args.ledger_rows
        )
        say(f"ledger: bulk-loaded {args.ledger_rows:,} movements in {seconds:.1f} s")
        with (
            servers.gunicorn("reads-1k", "wsgi:app", {"DATABASE_URL": small_url}, workdir) as small_server,
            servers.gunicorn("reads-large", "wsgi:app", {"DATABASE_URL": large_url}, workdir) as large_server,
        ):
            small, large = measure_reads(
                Ledger(small_server.port, small_fixture.ledger_office, small_fixture.manager_token),
                Ledger(large_server.port, large_fixture.ledger_office, large_fixture.manager_token),
                args.samples,
            )
        for reads, wanted in ((small, SMALL_LEDGER), (large, args.ledger_rows)):
            if reads.on_hand != wanted:
                raise RuntimeError(f"The office holds {reads.on_hand}, expected {wanted}.")
        found = []
        for url in (small_url, large_url):
            with app_for(url):
                found += problems()
    figures = LedgerFigures(small, large, args.ledger_rows, seconds, "ok" if not found else "; ".join(found))
    for label, reads in (("1k", small), (f"{args.ledger_rows:,}", large)):
        say(f"  {label:>9}: stock {ms(reads.stock)} ms, page 1 {ms(reads.first_page)} ms,"
            f" page 1,000 {ms(reads.page_1000)} ms")  # fmt: skip
    say(f"  large/1k within {GROWTH_LIMIT}x: {verdict(read_verdict(figures))}")
    return figures

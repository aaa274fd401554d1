"""Orchestration: for each database, a prints phase on the national tree and a ledger phase.

Prints (bench/national.py): one office and, on PostgreSQL, 500 districts, app against floor,
then the alerts cron under load. Ledger (bench/ledger.py): every read of an office with 1k
and with 1M movements. Each phase on fresh databases; every figure ends in one summary
table with its target and verdict (bench/report.py), and the exit code ignores verdicts.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

from inventory.stock.verify import problems

from . import national, servers
from .databases import SQLITE, Backend, fresh_database, probe_postgresql
from .fixture import app_for, prepare
from .ledger import Ledger, bulk_load, log_in, measure_reads
from .report import (
    BackendFigures,
    LedgerFigures,
    figures,
    load_average,
    machine,
    markdown,
    summary,
    verdict,
)

SMALL_LEDGER = 1_000


# (flag, environment variable, type, default, help)
OPTIONS = (
    # Per endpoint and load, cut into --rounds alternating slices: 3 pairs of 8 s, as issue 11
    # measured; a quick look: BENCH_SECONDS=8 BENCH_ROUNDS=2.
    ("--seconds", "BENCH_SECONDS", float, 24, "measured seconds per endpoint and load (prints)"),
    ("--warmup", "BENCH_WARMUP", float, 2, "unmeasured seconds of load on each endpoint and load first"),
    ("--rounds", "BENCH_ROUNDS", int, 3, "slices the measured time is cut into, app and floor alternating"),
    ("--connections", "BENCH_CONNECTIONS", int, 8, "wrk connections driving the print endpoints"),
    ("--districts", "BENCH_DISTRICTS", int, 500, "districts the spread prints go to (PostgreSQL)"),
    ("--national-days", "BENCH_NATIONAL_DAYS", int, 60, "days of usage history in the national tree"),
    ("--ledger-rows", "BENCH_LEDGER_ROWS", int, 1_000_000, "movements of the large ledger"),
    ("--ledger-days", "BENCH_LEDGER_DAYS", float, 730, "days both ledgers' movements are spread over"),
    ("--samples", "BENCH_SAMPLES", int, 200, "requests behind each API read latency median"),
    ("--page-samples", "BENCH_PAGE_SAMPLES", int, 30, "requests behind the office page's median"),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="make bench: prints against their floor on the national tree, the cron under"
        " load, and reads at 1k and 1M movements."
    )
    for flag, variable, kind, default, text in OPTIONS:
        value = kind(os.environ.get(variable, default))
        parser.add_argument(flag, type=kind, default=value, help=f"{text} ({variable}, default {default:,})")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--skip", choices=["prints", "ledger"], help="leave out one phase")
    parser.add_argument("--no-cron", action="store_true", help="leave out the cron under load")
    parser.add_argument(
        "--spread-on-sqlite",
        action="store_true",
        help="measure the spread on SQLite too (one writer at a time)",
    )
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
    load_seen = [load_average()]
    try:
        results = []
        for backend, skipped in _backends(args):
            results.append(run_backend(backend, skipped, workdir, args))
            load_seen.append(load_average())
    except KeyboardInterrupt:
        say("\nInterrupted: servers stopped, temporary databases dropped.")
        return 130
    finally:
        servers.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    text = summary(results, args, load_seen)
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
    figures_ = BackendFigures(backend.name, backend.label, skipped=skipped)
    if skipped:
        return figures_
    say(f"\n== {backend.label} ==")
    if args.skip != "prints":
        figures_.nation = run_prints(backend, workdir, args)
    if args.skip != "ledger":
        figures_.ledger = run_ledger(backend, workdir, args)
    for figure in figures(figures_):
        say(f"  {figure.name}: {figure.value} {figure.target} {verdict(figure.ok)}")
    return figures_


def run_prints(backend: Backend, workdir: Path, args: argparse.Namespace) -> national.NationFigures:
    """One office, 500 districts (PostgreSQL) and the cron under load, on the national tree."""
    spread = backend.name == "postgresql" or args.spread_on_sqlite
    with fresh_database(backend, workdir, "national") as url:
        nation = national.prepare(url, args.national_days, args.districts)
        say(f"prints: {nation.load_line}")
        return national.measure(nation, workdir, args, spread=spread, cron=not args.no_cron, say=say)


def run_ledger(backend: Backend, workdir: Path, args: argparse.Namespace) -> LedgerFigures:
    """The same office with 1,000 and with 1M movements, in two databases served side by side."""
    with (
        fresh_database(backend, workdir, "ledger_1k") as small_url,
        fresh_database(backend, workdir, "ledger_large") as large_url,
    ):
        small_fixture, large_fixture = prepare(small_url, 0), prepare(large_url, 0)
        bulk_load(
            small_url, small_fixture.ledger_office, small_fixture.warehouse_id, SMALL_LEDGER, args.ledger_days
        )
        seconds = bulk_load(
            large_url,
            large_fixture.ledger_office,
            large_fixture.warehouse_id,
            args.ledger_rows,
            args.ledger_days,
        )
        say(f"ledger: bulk-loaded {args.ledger_rows:,} movements over {args.ledger_days:g} days"
            f" in {seconds:.1f} s")  # fmt: skip
        with (
            servers.gunicorn("reads-1k", "wsgi:app", {"DATABASE_URL": small_url}, workdir) as small_server,
            servers.gunicorn("reads-large", "wsgi:app", {"DATABASE_URL": large_url}, workdir) as large_server,
        ):
            ledgers = [
                Ledger(server.port, fixture.ledger_office, fixture.manager_token,
                       log_in(server.port, fixture.manager_name, fixture.manager_password))
                for server, fixture in ((small_server, small_fixture), (large_server, large_fixture))
            ]  # fmt: skip
            small, large = measure_reads(*ledgers, args.samples, args.page_samples)
        for reads, wanted in ((small, SMALL_LEDGER), (large, args.ledger_rows)):
            if reads.on_hand != wanted:
                raise RuntimeError(f"The office holds {reads.on_hand}, expected {wanted}.")
        found = []
        for url in (small_url, large_url):
            with app_for(url):
                found += problems()
    return LedgerFigures(
        small, large, args.ledger_rows, args.ledger_days, seconds, "ok" if not found else "; ".join(found)
    )

"""The figures as tables, and every figure issue 11 names as one line with its target and verdict."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .ledger import READS, Reads
from .national import NationFigures, Pairs, over
from .servers import WORKERS
from .wrk import WrkResult, merge

PRINT_TARGET = 0.60  # real prints/s over floor prints/s, at least (one office, and spread)
GAIN_SHARE = 0.80  # of the floor's gain from spreading, the app keeps at least this share
CRON_LIMIT = 2.0  # print p99 while the alerts cron runs over p99 without it, under this
GROWTH_LIMIT = 1.5  # latency with 1M movements over latency with 1k, at most
# Below this the floor itself gained nothing from spreading (a CPU-starved machine: nothing
# left to un-serialise), and the app's share of that gain is noise, not a verdict.
MIN_FLOOR_GAIN = 1.10


@dataclass
class LedgerFigures:
    small: Reads
    large: Reads
    rows: int
    days: float
    load_seconds: float
    books: str


@dataclass
class BackendFigures:
    name: str  # sqlite / postgresql
    label: str
    nation: NationFigures | None = None
    ledger: LedgerFigures | None = None
    skipped: str | None = None
    load: list[str] = field(default_factory=list)  # load averages seen during the run


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    target: str
    ok: bool | None  # None: shown for information, no target


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else "pass" if ok else "FAIL"


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.2f}"


def gain_share(real_gain: float, floor_gain: float) -> float:
    """How much of the floor's gain from spreading the app keeps: (app - 1) / (floor - 1).

    The gain is what spreading adds above 1x; when the floor gains nothing (floor_gain <= 1)
    there is nothing to keep, and the share is 1 if the app does not lose more than it.
    """
    if floor_gain <= 1:
        return 1.0 if real_gain >= floor_gain else real_gain / floor_gain
    return (real_gain - 1) / (floor_gain - 1)


def figures(backend: BackendFigures) -> list[Figure]:
    """Every measured figure of one database, with its target and verdict."""
    db = backend.label.split(" (")[0]
    found: list[Figure] = []
    nation = backend.nation
    if nation:
        single = nation.single
        found.append(
            Figure(
                f"{db}: one office, app/floor prints ({_pairs(single)})",
                f"{single.ratio:.2f}",
                f">= {PRINT_TARGET:.2f}",
                single.ratio >= PRINT_TARGET,
            )
        )
        if nation.spread:
            spread = nation.spread
            real_gain, floor_gain = nation.gains()
            share = gain_share(real_gain, floor_gain)
            districts = f"{nation.spread_count} districts"
            judged = share >= GAIN_SHARE if floor_gain >= MIN_FLOOR_GAIN else None
            target = f">= {GAIN_SHARE:.2f}" + (
                "" if judged is not None else f" (no verdict: the floor gained under {MIN_FLOOR_GAIN:.2f}x)"
            )
            found += [
                Figure(
                    f"{db}: {nation.spread_count} districts, app/floor prints ({_pairs(spread)})",
                    f"{spread.ratio:.2f}",
                    f">= {PRINT_TARGET:.2f}",
                    spread.ratio >= PRINT_TARGET,
                ),
                Figure(f"{db}: spread gain (spread/single), app", f"{real_gain:.2f}x", "", None),
                Figure(f"{db}: spread gain (spread/single), floor", f"{floor_gain:.2f}x", "", None),
                Figure(
                    f"{db}: app's share of the floor's gain, (app-1)/(floor-1)",
                    f"{share:.2f}",
                    target,
                    judged,
                ),
                Figure(
                    f"{db}: cores busy (of {os.cpu_count()}), app / floor: one office; {districts}",
                    f"{_both(single, 'cores_busy', '{:.2f}')}; {_both(spread, 'cores_busy', '{:.2f}')}",
                    "",
                    None,
                ),
                Figure(
                    f"{db}: spread gain per busy core (prints/s over cores busy), app / floor",
                    f"{_per_core_gain(single.real_all, spread.real_all)} / "
                    f"{_per_core_gain(single.floor_all, spread.floor_all)}",
                    "",
                    None,
                ),
                *_control_figures(db, nation, real_gain),
                Figure(
                    f"{db}: backends waiting on a lock, app / floor: one office; {districts}",
                    f"{_both(single, 'lock_waits', '{:.0%}')}; {_both(spread, 'lock_waits', '{:.0%}')}",
                    "",
                    None,
                ),
            ]
        if nation.cron:
            cron = nation.cron
            ratio = cron.p99_ratio
            found += [
                Figure(
                    f"{db}: print p99 with / without `alerts evaluate` ({ms(cron.during.percentile(99))}"
                    f" vs {ms(cron.without.percentile(99))} ms)",
                    f"{ratio:.2f}x",
                    f"< {CRON_LIMIT:g}x",
                    ratio < CRON_LIMIT,
                ),
                Figure(
                    f"{db}: `alerts evaluate` over the nation took", f"{cron.cron_seconds:.1f} s", "", None
                ),
            ]
        errors = sum(result.errors for result in nation.slices())
        found.append(
            Figure(f"{db}: print errors (non-2xx, timeouts, socket errors)", str(errors), "0", errors == 0)
        )
        found.append(
            Figure(
                f"{db}: books after the prints (stock verify, 2xx = ledger)",
                nation.books,
                "ok",
                nation.books == "ok",
            )
        )
    if backend.ledger:
        ledger = backend.ledger
        for read in READS:
            growth = ledger.large.medians[read.key] / ledger.small.medians[read.key]
            found.append(
                Figure(
                    f"{db}: {read.label}, {ledger.rows:,} vs 1k movements"
                    f" ({ms(ledger.large.medians[read.key])} vs {ms(ledger.small.medians[read.key])} ms)",
                    f"{growth:.2f}x",
                    f"<= {GROWTH_LIMIT}x",
                    growth <= GROWTH_LIMIT,
                )
            )
        found.append(Figure(f"{db}: books after the ledger load", ledger.books, "ok", ledger.books == "ok"))
    return found


def _control_figures(db: str, nation: NationFigures, real_gain: float) -> list[Figure]:
    """The control (national.py): the floor burning the app's extra CPU per print; no target."""
    control = nation.control
    if control is None:
        return []
    return [
        Figure(
            f"{db}: spread gain of the control (the floor burning {control.burn_ms:.2f} ms of CPU per"
            " print outside its transaction: the app's extra CPU per print at one office)",
            f"{control.gain:.2f}x",
            "",
            None,
        ),
        Figure(
            f"{db}: CPU per print at one office (cores busy over prints/s), app / floor / control",
            " / ".join(
                _cpu_per_print(result)
                for result in (nation.single.real_all, nation.single.floor_all, merge(control.single))
            ),
            "",
            None,
        ),
        Figure(
            f"{db}: app / control prints: one office; {nation.spread_count} districts",
            f"{over(nation.single.real_all, merge(control.single)):.2f};"
            f" {over(nation.spread.real_all, merge(control.spread)):.2f}",
            "",
            None,
        ),
        Figure(
            f"{db}: app's share of the control's gain, (app-1)/(control-1)",
            f"{gain_share(real_gain, control.gain):.2f}",
            "",
            None,
        ),
    ]


def _cpu_per_print(result: WrkResult) -> str:
    if not (result.cores_busy and result.rate):
        return "-"
    return f"{result.cores_busy / result.rate * 1000:.2f} ms"


def _per_core_gain(single: WrkResult, spread: WrkResult) -> str:
    """Spread over single in prints per busy core: the gain with the idle CPU taken out (a
    load that left cores idle at one office can gain them by spreading; one that kept them
    busy cannot)."""
    if not (single.cores_busy and spread.cores_busy and single.rate):
        return "-"
    return f"{(spread.rate / spread.cores_busy) / (single.rate / single.cores_busy):.2f}x"


def _both(pairs: Pairs, name: str, form: str) -> str:
    values = [getattr(result, name) for result in (pairs.real_all, pairs.floor_all)]
    return " / ".join("-" if value is None else form.format(value) for value in values)


def _pairs(pairs: Pairs) -> str:
    return f"median of {len(pairs.real)} pairs: " + ", ".join(f"{r:.2f}" for r in pairs.ratios())


def client_share(results: list[WrkResult]) -> str:
    if not results:
        return "n/a"
    pooled = merge(results)
    worst = max(result.client_share for result in results)
    return f"{pooled.client_share:.1%} of {os.cpu_count()} cores on average, {worst:.1%} in the busiest slice"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _row(name: str, result: WrkResult) -> list[str]:
    return [
        name,
        f"{result.rate:.0f}",
        ms(result.percentile(50)),
        ms(result.percentile(99)),
        str(result.errors),
        f"{result.client_share:.1%}",
        "-" if result.cores_busy is None else f"{result.cores_busy:.2f}",
        "-" if result.lock_waits is None else f"{result.lock_waits:.0%}",
    ]


def _rate_rows(name: str, pairs: Pairs) -> list[list[str]]:
    return [
        _row(f"{name}, {who}", result)
        for who, result in (("app", pairs.real_all), ("floor", pairs.floor_all))
    ]


def backend_section(backend: BackendFigures, args) -> str:
    out = [f"### {backend.label}", ""]
    if backend.skipped:
        return "\n".join([*out, f"Skipped: {backend.skipped}", ""])
    if backend.nation:
        nation = backend.nation
        out += [f"National tree: {nation.load_line}.", ""]
        rows = _rate_rows("one office", nation.single)
        if nation.spread:
            rows += _rate_rows(f"{nation.spread_count} districts", nation.spread)
        if nation.control:
            control = nation.control
            rows += [
                _row("one office, control", merge(control.single)),
                _row(f"{nation.spread_count} districts, control", merge(control.spread)),
            ]
        if nation.cron:
            rows += [
                _row("spread, app, without the cron", nation.cron.without),
                _row("spread, app, while the cron ran", nation.cron.during),
            ]
        out += [
            f"Prints: wrk, {args.connections} connections, {args.seconds:g} s per endpoint and load in"
            f" {args.rounds} slices, app and floor alternating; gunicorn with {WORKERS} sync workers each.",
            "",
            table(
                ["load", "prints/s", "p50 ms", "p99 ms", "errors", "client CPU", "cores busy", "lock waits"],
                rows,
            ),
            "",
        ]
        if nation.cron:
            out += [
                f"Cron: `flask alerts evaluate` took {nation.cron.cron_seconds:.1f} s"
                f" ({nation.cron.cron_output}).",
                "",
            ]
    if backend.ledger:
        g = backend.ledger
        rows = []
        for read in READS:
            short, long = g.small.medians[read.key], g.large.medians[read.key]
            rows.append(
                [
                    read.label,
                    ms(short),
                    ms(long),
                    f"{long / short:.2f}x",
                    verdict(long / short <= GROWTH_LIMIT),
                ]
            )
        out += [
            f"Reads: medians of requests taken in turns from two databases served side by side, whose"
            f" office holds 1,000 and {g.rows:,} movements over {g.days:g} days (bulk-loaded in"
            f" {g.load_seconds:.1f} s); {args.page_samples} requests for the page,"
            f" {args.samples} for the rest.",
            "",
            table(["read", "1k ms", f"{g.rows:,} ms", "ratio", f"<= {GROWTH_LIMIT}x"], rows),
            "",
        ]
        if g.large.deep_page is not None:
            out += [
                f"Deep page at {g.rows:,}: page 1,000 at limit=50 (rows 49,951-50,000)"
                f" {ms(g.large.deep_page)} ms vs page 1 {ms(g.large.deep_first_page)} ms timed in turns"
                f" with it ({g.large.deep_page / g.large.deep_first_page:.2f}x).",
                "",
            ]
    return "\n".join(out)


def summary(results: list[BackendFigures], args, load_seen: list[str]) -> str:
    """Every database's tables, then one line per figure with its target and verdict."""
    sections = [backend_section(backend, args) for backend in results]
    rows = []
    for backend in results:
        if backend.skipped:
            rows.append([f"{backend.label}", f"skipped: {backend.skipped}", "", "-"])
        for figure in figures(backend):
            rows.append([figure.name, figure.value, figure.target, verdict(figure.ok)])
    slices = [result for backend in results if backend.nation for result in backend.nation.slices()]
    rows.append(["load client (wrk) CPU share", client_share(slices), "", "-"])
    rows.append(["machine load average (1, 5, 15 min) during the run", "; ".join(load_seen), "", "-"])
    failed = sum(1 for row in rows if row[-1] == "FAIL")
    return "\n".join(
        [
            *sections,
            "### Summary",
            "",
            table(["figure", "value", "target", "verdict"], rows),
            "",
            f"{failed} figure(s) FAIL." if failed else "Every figure with a target passes.",
            "",
            FAIRNESS,
        ]
    )


def markdown(text: str) -> str:
    """The summary as a results file: when, where, then the figures."""
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench` on {machine()};"
            f" load average at the end {load_average()}.",
            "",
            text,
            "",
        ]
    )


def load_average() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()},"
        f" Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


FAIRNESS = """\
How to read this:
- The load client is wrk (bench/prints.lua picks each request's office at random from the
  list), one process per slice; its CPU share is its own CPU seconds (wait4) over wall
  seconds times the cores, i.e. what it took from the servers it measures.
- The floor is bench/floor.py: the same URL, body and gunicorn setup, and on SQLite the
  app's own WAL / busy_timeout / BEGIN IMMEDIATE, but only the guarded balance UPDATE and
  the ledger INSERT of the office in the path, in one transaction: no auth, validation,
  ORM, rollups or alerts. App and floor run on the same database in alternating slices
  (order reversed every round); each round gives a pair, the figure is the median ratio.
- One office: every print contends for one balance row. Spread: each print goes to one of
  500 districts picked at random, so only what all offices share still serialises. The
  gain is spread/single per round (median); the app's share of the floor's gain is
  (app gain - 1) / (floor gain - 1).
- Control (PostgreSQL): the floor again, but each print first burns in its worker, outside
  the transaction, the CPU the app spends per print beyond the floor (machine-wide busy
  cores over prints/s at one office, median of the rounds). It holds the balance row no
  longer than the floor; its gain is what spreading can give a print of the app's price on
  this machine. When it gains about what the app gains, the share above measures the CPU
  each side leaves idle at one office, not a row that all offices share.
- Cores busy: the whole machine's busy CPU over the slices (/proc/stat), servers, database
  and wrk together; near the core count, the load is bound by CPU, and spreading it over
  offices can gain only what was spent waiting; the gain per busy core takes that out.
  Lock waits (PostgreSQL): the share of the
  database's active backends found waiting on a lock, sampled every 20 ms
  (bench/sampling.py); near zero when prints share no row.
- Cron: the same spread load on the app without the cron (half before, half after) and
  while `flask alerts evaluate` re-evaluates every office of the nation; p99 of all answers.
- Reads: the same office, requests and page sizes on two databases that differ only in how
  many movements the office holds, spread evenly over the same span of days. Page 1,000 is
  read at limit=1 on both (with 1,000 movements there is no page 1,000 at limit=50); its
  cursor is found by following next_before, as a client would. Latencies include a TCP
  connect (gunicorn's sync workers close the connection after each answer)."""

"""Turns the figures into the verdict lines and the Markdown tables for the README."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .ledger import Reads
from .load import LoadResult

PRINT_TARGET = 0.60  # real prints/s over floor prints/s, at least
GROWTH_LIMIT = 1.5  # latency with 1M movements over latency with 1k, at most


@dataclass
class PrintFigures:
    real: LoadResult
    floor: LoadResult
    books: str  # "ok" or what the consistency check found

    @property
    def ratio(self) -> float:
        return self.real.rate / self.floor.rate if self.floor.rate else 0.0


@dataclass
class LedgerFigures:
    small: Reads
    large: Reads
    rows: int
    load_seconds: float
    books: str


@dataclass
class BackendFigures:
    label: str
    prints: PrintFigures | None = None
    ledger: LedgerFigures | None = None
    skipped: str | None = None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.2f}"


def print_rows(figures: PrintFigures) -> list[list[str]]:
    rows = []
    for name, result in (("real `POST /prints`", figures.real), ("floor (2 writes, Core)", figures.floor)):
        rows.append(
            [
                name,
                f"{result.rate:.0f}",
                ms(result.percentile(50)),
                ms(result.percentile(99)),
                str(result.errors),
                f"{result.client_cores:.2f}",
            ]
        )
    return rows


def read_rows(figures: LedgerFigures) -> list[list[str]]:
    small, large = figures.small, figures.large
    rows = []
    for name, short, long in (
        ("`GET /stock`", small.stock, large.stock),
        ("ledger page 1 (limit=50)", small.first_page, large.first_page),
        ("ledger page 1,000 (limit=1)", small.page_1000, large.page_1000),
    ):
        growth = long / short
        rows.append([name, ms(short), ms(long), f"{growth:.2f}x", verdict(growth <= GROWTH_LIMIT)])
    return rows


def read_verdict(figures: LedgerFigures) -> bool:
    return all(row[-1] == "PASS" for row in read_rows(figures))


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def backend_section(figures: BackendFigures, clients: int, seconds: float, samples: int) -> str:
    out = [f"### {figures.label}", ""]
    if figures.skipped:
        return "\n".join([*out, f"Skipped: {figures.skipped}", ""])
    if figures.prints:
        p = figures.prints
        passed = verdict(p.ratio >= PRINT_TARGET)
        out += [
            f"Prints: {clients} client processes, {seconds:g} s per endpoint, gunicorn with 2 sync workers.",
            "",
            table(
                ["endpoint", "prints/s", "p50 ms", "p99 ms", "errors", "load generator (cores)"],
                print_rows(p),
            ),
            "",
            f"**real/floor = {p.ratio:.2f}** (target >= {PRINT_TARGET:.2f}): **{passed}**."
            f" Books after the run: {p.books}.",
            "",
        ]
    if figures.ledger:
        g = figures.ledger
        out += [
            f"Reads: median of {samples} requests per ledger, taken in turns from two databases served"
            f" side by side, whose office holds 1,000 and {g.rows:,} movements (bulk-loaded in"
            f" {g.load_seconds:.1f} s).",
            "",
            table(["read", "1k ms", f"{g.rows:,} ms", "ratio", f"<= {GROWTH_LIMIT}x"], read_rows(g)),
            "",
        ]
        if g.large.deep_page is not None:
            out += [
                f"Deep page at {g.rows:,}: page 1,000 at limit=50 (rows 49,951-50,000)"
                f" {ms(g.large.deep_page)} ms vs page 1 {ms(g.large.deep_first_page)} ms timed in turns"
                f" with it ({g.large.deep_page / g.large.deep_first_page:.2f}x).",
                "",
            ]
        out += [f"Books of both databases after the run: {g.books}.", ""]
    return "\n".join(out)


def summary(results: list[BackendFigures], clients: int, seconds: float, samples: int) -> str:
    """Every database's tables, the verdicts, and how to read them."""
    sections = [backend_section(figures, clients, seconds, samples) for figures in results]
    verdicts = []
    for figures in results:
        if figures.prints:
            ok = figures.prints.ratio >= PRINT_TARGET
            verdicts.append(f"- {figures.label}: prints real/floor {figures.prints.ratio:.2f}"
                            f" (>= {PRINT_TARGET:.2f}) {verdict(ok)}")  # fmt: skip
        if figures.ledger:
            ok = read_verdict(figures.ledger)
            verdicts.append(f"- {figures.label}: reads at {figures.ledger.rows:,} vs 1,000 movements"
                            f" (<= {GROWTH_LIMIT}x) {verdict(ok)}")  # fmt: skip
        if figures.skipped:
            verdicts.append(f"- {figures.label}: skipped, {figures.skipped}")
    return "\n".join([*sections, "Verdicts:", *verdicts, "", FAIRNESS])


def markdown(text: str) -> str:
    """The summary as a results file: when, where, then the figures."""
    return "\n".join([
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench` on {machine()};"
        f" load average at the end {load_average()}.",
        "",
        text,
        "",
    ])  # fmt: skip


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
- The floor is bench/floor.py: the same URL, body and gunicorn setup, and on SQLite the
  app's own WAL / busy_timeout / BEGIN IMMEDIATE, but only the guarded balance UPDATE and
  the ledger INSERT in one transaction: no auth, validation, ORM, rollups or alerts. The
  ratio is the share of that database-bound ceiling the real endpoint reaches. Real and
  floor run on the same database in alternating slices, so machine noise hits both.
- All clients print at the same office, so every print contends for one balance row,
  as at a busy service point. Latencies are seen by the clients, queueing included.
- Ledger reads: the same office, requests and page sizes on two databases that differ
  only in how many movements the office (and so the table) holds. Page 1,000 is read at
  limit=1 on both: with 1,000 movements there is no page 1,000 at limit=50, and a 1-row
  page against a 50-row page would time JSON, not the ledger. Its cursor is found by
  following next_before from page 1, as a client would. A ratio near 1 means the read
  costs the same however long the ledger grows."""

"""Reading a population CSV (`code,target,recorded,print_backlog,as_of`): every problem, by line.

Parsing is separate from writing so an import can refuse a file with all its problems
listed at once: a clerk fixing a spreadsheet wants the whole list, not one error per run.
The header is line 1; blank lines are skipped but still counted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from ..core.schemas import EARLIEST, LATEST

COLUMNS = ("code", "target", "recorded", "print_backlog", "as_of")
NUMBERS = ("target", "recorded", "print_backlog")
MAX_FIGURE = 1_000_000_000  # Indonesia has ~280 million people; more is a typo
INTEGER = re.compile(r"^[+-]?\d+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# code -> (office id, office path) for the codes that exist.
Lookup = Callable[[Iterable[str]], dict[str, tuple[int, str]]]


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class CsvRow:
    line: int
    code: str
    office_id: int
    path: str
    figures: dict[str, Any]


def problems(target: int, recorded: int, print_backlog: int) -> list[tuple[str, str]]:
    """(field, reason) for figures that cannot all be true at once; the API applies the same rules."""
    values = {"target": target, "recorded": recorded, "print_backlog": print_backlog}
    found = [(name, f"{name} is negative ({value})") for name, value in values.items() if value < 0]
    if found:
        return found
    if recorded > target:
        found.append(("recorded", f"recorded ({recorded}) exceeds target ({target})"))
    # The backlog is recorded residents still waiting for their card: a part of `recorded`.
    if print_backlog > recorded:
        found.append(("print_backlog", f"print_backlog ({print_backlog}) exceeds recorded ({recorded})"))
    return found


def parse_csv(handle: TextIO, lookup: Lookup) -> tuple[list[CsvRow], list[RowError]]:
    """The rows ready to write, or every error found; rows are only good if errors is empty."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        return [], [RowError(1, f"the file is empty; expected the header {','.join(COLUMNS)}")]
    index, header_errors = _header(header)
    if header_errors:
        return [], header_errors
    parsed, errors, first_seen = [], [], {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        values, row_errors = _row(record, index, len(header))
        errors += [RowError(line, reason) for reason in row_errors]
        code = values.get("code")
        if code:
            if code in first_seen:
                errors.append(RowError(line, f"duplicate code {code} (already on line {first_seen[code]})"))
            else:
                first_seen[code] = line
                if not row_errors:
                    parsed.append((line, code, values))
    known = lookup(first_seen)
    unknown = [(line, code) for code, line in first_seen.items() if code not in known]
    errors += [RowError(line, f"unknown office code {code!r}") for line, code in unknown]
    errors.sort(key=lambda error: error.line)
    rows = [CsvRow(line, code, *known[code], values) for line, code, values in parsed if code in known]
    return rows, errors


def _header(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    names = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in names]
    twice = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    errors = []
    if missing:
        errors.append(RowError(1, f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"))
    if twice:
        errors.append(RowError(1, f"column(s) {', '.join(twice)} appear more than once"))
    return {name: names.index(name) for name in COLUMNS if name in names}, errors


def _row(record: list[str], index: dict[str, int], width: int) -> tuple[dict[str, Any], list[str]]:
    """The row's values and what is wrong with it (extra columns beyond the header are refused)."""
    errors = []
    if len(record) > width:
        errors.append(f"{len(record)} values but the header has {width} columns")
    cells = {name: record[i].strip() if i < len(record) else "" for name, i in index.items()}
    values: dict[str, Any] = {"code": cells["code"]}
    for name in COLUMNS:
        if not cells[name]:
            errors.append(f"{name} is empty")
    for name in NUMBERS:
        text = cells[name]
        if not text:
            continue
        if not INTEGER.match(text):
            errors.append(f"{name} is not a whole number ({text!r})")
        elif abs(int(text)) > MAX_FIGURE:
            errors.append(f"{name} is too large ({text})")
        else:
            values[name] = int(text)
    if cells["as_of"]:
        values["as_of"] = _date(cells["as_of"])
        if values["as_of"] is None:
            errors.append(f"as_of is not a date in YYYY-MM-DD form ({cells['as_of']!r})")
        elif not EARLIEST <= values["as_of"] <= LATEST:  # the API's own bounds (schemas.Day)
            errors.append(f"as_of is not between {EARLIEST.year} and {LATEST.year} ({cells['as_of']!r})")
    if all(name in values for name in NUMBERS):
        errors += [reason for _field, reason in problems(*(values[name] for name in NUMBERS))]
    return values, errors


def _date(text: str) -> date | None:
    if not ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2023-02-30
        return None

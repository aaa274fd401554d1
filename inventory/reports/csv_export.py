"""Reports as CSV files a spreadsheet opens cleanly. Pure: rows in, text out.

Choices, so every report behaves the same:

* RFC 4180: comma-separated, CRLF line ends, a header row of the JSON field names.
* UTF-8 with a byte-order mark. Without it Excel reads a UTF-8 file as the local
  ANSI code page and garbles any non-ASCII office name; LibreOffice, pandas
  (`encoding="utf-8-sig"`) and Python's csv module read it fine.
* Plain values: integers as digits, fractions with a dot, dates as ISO 8601
  (YYYY-MM-DD), a missing value as an empty cell, lists joined by spaces.
* Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
  gets a leading apostrophe: office names are user input, and a CSV must not be
  able to run anything on the reader's machine (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """One value as a spreadsheet should see it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = " ".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Written as they are (the csv module turns None into an empty cell): most cells of a report.
_PLAIN = frozenset({int, float, type(None)})


def render(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The whole file: BOM, header, one line per row (missing keys are empty cells)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    plain = _PLAIN
    for row in rows:
        values = [row.get(column) for column in columns]
        writer.writerow([value if type(value) in plain else cell(value) for value in values])
    return buffer.getvalue()


def filename(*parts: object) -> str:
    """A safe attachment name: blangko-stock-62.02-district-2024-05-01.csv."""
    stem = "-".join(str(part) for part in ("blangko", *parts) if part not in (None, ""))
    return re.sub(r"[^0-9A-Za-z._-]", "_", stem) + ".csv"


def content_disposition(name: str) -> str:
    return f'attachment; filename="{name}"'

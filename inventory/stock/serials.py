"""Serial notations, as users type them: pure rules, no database.

A serial is a prefix and a number: `KTP0001000` is prefix `KTP`, width 7, number 1000. Its
identity is all three, so `KTP01` and `KTP001` are two different serials. A range is first..last
of one prefix and width. Opaque identifiers (chip UIDs) are read the same way, their trailing
digits (up to 18, which a 64-bit column holds) as the number, or with width 0 and number 0 when
they end in a letter; each is a range of one, and a UID always reads the same, so it is found
and refused twice the same way.

Notations: `KTP0001000-KTP0001999` (first-last), `KTP0001000+1000` (first plus count), a single
serial, and lists of them separated by commas, semicolons, spaces or new lines.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass

MAX_DIGITS = 18  # 10**18 - 1 fits a BigInteger on PostgreSQL and SQLite alike
MAX_SERIAL_LENGTH = 64
# Blanks in one request: a national delivery is thousands, a manifest of chip UIDs as many.
MAX_COUNT = 10_000_000
MAX_RANGES = 10_000

_SERIAL = re.compile(rf"^([A-Za-z0-9._:]*?)([0-9]{{0,{MAX_DIGITS}}})$")
_ALLOWED = re.compile(r"^[A-Za-z0-9._:]+$")
_SEPARATORS = re.compile(r"[\s,;]+")
_JOINED = re.compile(r"\s*([-+])\s*")
MANIFEST_HEADERS = frozenset({"serial", "serials", "uid", "chip_uid", "serial_no", "nomor_seri"})


class NotationError(ValueError):
    """A notation that names no serials: the message says what is wrong with which part."""


@dataclass(frozen=True, order=True)
class SerialRange:
    prefix: str
    width: int
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def serial(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}" if self.width else self.prefix

    def __str__(self) -> str:
        if self.first == self.last:
            return self.serial(self.first)
        return f"{self.serial(self.first)}-{self.serial(self.last)}"

    def overlaps(self, other: SerialRange) -> bool:
        return (self.prefix, self.width) == (other.prefix, other.width) and (
            self.first <= other.last and other.first <= self.last
        )


def parse_serial(text: str) -> tuple[str, int, int]:
    """One serial: (prefix, width, number)."""
    if not text or len(text) > MAX_SERIAL_LENGTH:
        raise NotationError(f"A serial has 1 to {MAX_SERIAL_LENGTH} characters: {text[:80]!r}.")
    if not _ALLOWED.match(text):
        raise NotationError(f"A serial has only letters, digits and . _ : in it: {text[:80]!r}.")
    prefix, digits = _SERIAL.match(text).groups()
    if not digits:
        return prefix, 0, 0
    return prefix, len(digits), int(digits)


def parse_one(text: str) -> SerialRange:
    """One blank's serial (a print names one), read into a range of one: the API and the
    dashboard's counter read it alike."""
    found = parse_range(text)
    if found.count != 1:
        raise NotationError("Name one serial.")
    return found


def parse_range(text: str) -> SerialRange:
    """`A-B`, `A+count` or a single serial."""
    if "+" in text:
        first_text, _, count_text = text.partition("+")
        prefix, width, first = parse_serial(first_text)
        if not count_text.isascii() or not count_text.isdigit() or len(count_text) > 9:
            raise NotationError(f"After + comes a count of blanks: {text[:80]!r}.")
        count = int(count_text)
        if not 1 <= count <= MAX_COUNT:
            raise NotationError(f"A count is 1 to {MAX_COUNT:,}: {text[:80]!r}.")
        if not width:
            raise NotationError(f"Only a serial ending in digits starts a count: {text[:80]!r}.")
        last = first + count - 1
        if len(str(last)) > width:
            raise NotationError(f"{text[:80]!r} runs past {width} digits.")
        return _checked(SerialRange(prefix, width, first, last), text)
    if "-" in text:
        first_text, _, last_text = text.partition("-")
        prefix, width, first = parse_serial(first_text)
        last_prefix, last_width, last = parse_serial(last_text)
        if last_prefix != prefix:
            raise NotationError(f"Both ends of a range have the same prefix: {text[:80]!r}.")
        if last_width != width:
            raise NotationError(f"Both ends of a range have the same number of digits: {text[:80]!r}.")
        if not width:
            raise NotationError(f"A range runs between serials ending in digits: {text[:80]!r}.")
        if last < first:
            raise NotationError(f"A range's last serial comes after its first: {text[:80]!r}.")
        return _checked(SerialRange(prefix, width, first, last), text)
    prefix, width, number = parse_serial(text)
    return SerialRange(prefix, width, number, number)


def _checked(found: SerialRange, text: str) -> SerialRange:
    if found.count > MAX_COUNT:
        raise NotationError(f"A range is at most {MAX_COUNT:,} blanks: {text[:80]!r}.")
    return found


def parse_notations(items: list[str]) -> list[SerialRange]:
    """Every range named by a list of notations (each may itself be a list); no serial twice."""
    # "KTP0001000 - KTP0001999" is one range, as typed: spaces around - and + are not separators.
    items = [_JOINED.sub(r"\1", item.strip()) for item in items]
    ranges = [parse_range(part) for item in items for part in _SEPARATORS.split(item) if part]
    return checked_list(ranges)


def checked_list(ranges: list[SerialRange]) -> list[SerialRange]:
    if not ranges:
        raise NotationError("Name at least one serial.")
    if len(ranges) > MAX_RANGES:
        raise NotationError(f"At most {MAX_RANGES:,} ranges at once; join neighbours into ranges.")
    if total(ranges) > MAX_COUNT:
        raise NotationError(f"At most {MAX_COUNT:,} blanks at once.")
    ordered = sorted(ranges)
    for before, after in itertools.pairwise(ordered):
        if before.overlaps(after):
            raise NotationError(f"{before} and {after} name the same serial twice.")
    return ranges


def parse_manifest(content: str) -> list[SerialRange]:
    """A delivery's manifest: a text file of serials (one a line, or separated as in a notation)
    or a CSV whose first column is the serial, with or without a header row. Each line is a
    range of one, or a range if written as one."""
    rows = list(csv.reader(io.StringIO(content)))
    cells = [row[0].strip() for row in rows if row and row[0].strip()]
    if cells and cells[0].lower() in MANIFEST_HEADERS:
        cells = cells[1:]
    if len(rows) and all(len(row) <= 1 for row in rows):  # plain text: any separator will do
        return parse_notations(cells)
    return checked_list([parse_range(cell) for cell in cells])


def total(ranges: list[SerialRange]) -> int:
    return sum(found.count for found in ranges)


def carve(held: SerialRange, taken: SerialRange) -> list[SerialRange]:
    """What is left of `held` once `taken` (inside it) is taken out: none, one or two ranges."""
    left = []
    if held.first < taken.first:
        left.append(SerialRange(held.prefix, held.width, held.first, taken.first - 1))
    if taken.last < held.last:
        left.append(SerialRange(held.prefix, held.width, taken.last + 1, held.last))
    return left

"""The usage report (laporan penggunaan blangko): what every office of an area held, received,
sent, printed, spoiled and adjusted over a period, read from the books: the ledger, and for
prints the daily totals written with each of them (usage_sums).

Each row is one office's own books (its stock card), not its subtree: a regency's row is
its own warehouse, its districts have rows of their own on the next level. So a row agrees
with the office's stock card line for line, and the report holds one level per sheet,
from the level asked for down to the districts, then the mobile units of the area.

Days are the office's local days (its time zone), as on its stock card and in its usage:
a row's period runs from `from` 00:00 to the end of `to` in the office's zone, and the
report reads the ledger once per zone present in the area (at most three).

The figures: see usage_rules; how they are read: usage_sums. Opening and closing come from
the balance now less the stock card since the period began, read in the same statement as
the balance (one snapshot), so the report reads nothing older than the period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..core.db import db
from ..core.errors import Invalid
from ..offices.models import Office
from ..offices.time_zones import ZONES
from ..planning.figures import today
from ..stock.models import PRINT_REASONS
from .service import LEVELS, MAX_RANGE_DAYS, resolve_level
from .usage_custody import custody_columns, custody_figures, custody_row
from .usage_rules import ADJUSTMENT_KINDS, default_period, figure_columns, office_figures, totals
from .usage_sums import office_sums

OFFICE = Office.__table__
PARENT = Office.__table__.alias("parent")
MOBILE = "mobile"
OFFICE_FIELDS = ("office", "name", "kind", "parent", "active", "time_zone")


def report_levels(level: str) -> list[str]:
    """The sheets: the level asked for and every level below it, then the mobile units."""
    return [*LEVELS[LEVELS.index(level) :], MOBILE]


def usage_report(under: Office, level: str | None, first: date | None, last: date | None) -> dict:
    level = resolve_level(under, level)
    first, last = default_period(today(under.time_zone), first, last)
    if first > last:
        raise Invalid("`from` must be on or before `to`.", error="bad_range", field="from")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise Invalid(
            f"Ask for at most {MAX_RANGE_DAYS} days at a time.", error="range_too_long", field="from"
        )
    levels = report_levels(level)
    offices = _offices(under.path, levels)
    figures: dict[int, dict] = {}
    for zone in sorted({office.time_zone for office in offices}):
        start, end = period_bounds(first, last, zone)
        in_zone = select(OFFICE.c.id).where(
            OFFICE.c.path.startswith(under.path), OFFICE.c.kind.in_(levels), OFFICE.c.time_zone == zone
        )
        in_zone_figures = office_sums(in_zone, first, last, start, end)
        custody = custody_figures(in_zone, start, end)
        for office_id, found in in_zone_figures.items():
            found["custody"] = custody_row(custody, office_id)
        figures.update(in_zone_figures)
    reasons = list(PRINT_REASONS) + sorted(
        {reason for found in figures.values() for reason in found["reasons"]} - set(PRINT_REASONS)
    )
    columns = usage_columns(reasons)
    sheets = []
    for kind in levels:
        rows = [_row(office, figures.get(office.id), reasons) for office in offices if office.kind == kind]
        sheets.append({"level": kind, "count": len(rows), "totals": totals(rows, columns), "rows": rows})
    return {
        "under": under.code,
        "under_name": under.name,
        "level": level,
        "from": first,
        "to": last,
        "reasons": reasons,
        "adjustment_kinds": list(ADJUSTMENT_KINDS),
        "columns": list(columns),
        "levels": sheets,
    }


def usage_columns(reasons: list[str]) -> tuple[str, ...]:
    """The figures of every row, custody ones included when custody is switched on."""
    return (*figure_columns(reasons), *custody_columns())


def csv_columns(reasons: list[str]) -> tuple[str, ...]:
    return ("level", *OFFICE_FIELDS, *usage_columns(reasons))


def csv_rows(report: dict) -> list[dict]:
    """Every level's rows in one table, each with its level (the totals are left to the spreadsheet)."""
    return [{"level": sheet["level"], **row} for sheet in report["levels"] for row in sheet["rows"]]


def period_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the days first..last at an office keeping `zone`'s time."""
    start = datetime.combine(first, time(), ZONES[zone]).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), ZONES[zone]).astimezone(UTC)
    return start, end


OFFICE_COLUMNS = (*(OFFICE.c[name] for name in ("id", "code", "name", "kind")), PARENT.c.code.label("parent"),
                  OFFICE.c.active, OFFICE.c.time_zone)  # fmt: skip


def _offices(path: str, levels: list[str]) -> list:
    return db.session.execute(
        select(*OFFICE_COLUMNS)
        .outerjoin(PARENT, PARENT.c.id == OFFICE.c.parent_id)
        .where(OFFICE.c.path.startswith(path), OFFICE.c.kind.in_(levels))
        .order_by(OFFICE.c.code)
    ).all()


def _row(office, found: dict | None, reasons: list[str]) -> dict:
    found = found or {"on_hand": 0, "since_start": 0, "sums": [], "custody": {}}
    return {
        "office": office.code,
        "name": office.name,
        "kind": office.kind,
        "parent": office.parent,
        "active": office.active,
        "time_zone": office.time_zone,
        **office_figures(found["on_hand"], found["since_start"], found["sums"], reasons),
        **found.get("custody", {}),
    }

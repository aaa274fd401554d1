"""The usage report (laporan penggunaan blangko): what every office of an area held, received,
sent, printed, spoiled and adjusted over a period, read from the ledger.

Each row is one office's own books (its stock card), not its subtree: a regency's row is
its own warehouse, its districts have rows of their own on the next level. So a row agrees
with the office's stock card line for line, and the report holds one level per sheet,
from the level asked for down to the districts, then the mobile units of the area.

Days are the office's local days (its time zone), as on its stock card and in its usage:
a row's period runs from `from` 00:00 to the end of `to` in the office's zone, and the
report reads the ledger once per zone present in the area (at most three).

The figures: see usage_rules. Opening and closing come from the balance now less the ledger
lines since, read in the same statement as the balance (one snapshot), so the report reads
only the lines of the period and after it, not the office's whole history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, null, select, union_all

from ..core.db import db
from ..core.errors import Invalid
from ..offices.models import Office
from ..offices.time_zones import ZONES
from ..planning.figures import today
from ..stock.models import PRINT_REASONS, Balance, Movement
from .service import LEVELS, MAX_RANGE_DAYS, resolve_level
from .usage_custody import custody_columns, custody_figures, custody_row
from .usage_rules import ADJUSTMENT_KINDS, default_period, figure_columns, office_figures, totals

OFFICE = Office.__table__
PARENT = Office.__table__.alias("parent")
BALANCE = Balance.__table__
M = Movement.__table__
UNDONE = Movement.__table__.alias("undone")  # the movement a reversal reverses
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
        in_zone_figures = _ledger_sums(in_zone, start, end)
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


def _ledger_sums(offices, start: datetime, end: datetime) -> dict[int, dict]:
    """Per office: its balance, the sum of its lines since `start`, and the period's sums by column.

    One statement (a snapshot on PostgreSQL too): the balances and the ledger lines since
    `start`, grouped by the kind, outcome and print reason that decide their column; a
    reversal is grouped under those of the movement it undoes.
    """
    kind = func.coalesce(UNDONE.c.kind, M.c.kind)
    outcome = func.coalesce(UNDONE.c.outcome, M.c.outcome)
    reason = case((kind == "print", func.coalesce(UNDONE.c.reason, M.c.reason)), else_=null())
    lines = (
        select(
            M.c.office_id,
            kind.label("kind"),
            outcome.label("outcome"),
            reason.label("reason"),
            func.sum(M.c.quantity).label("since_start"),
            func.sum(case((M.c.occurred_at < end, M.c.quantity), else_=0)).label("inside"),
        )
        .select_from(M.outerjoin(UNDONE, and_(M.c.kind == "reversal", UNDONE.c.id == M.c.reverses_id)))
        .where(M.c.office_id.in_(offices), M.c.occurred_at >= start)
        .group_by(M.c.office_id, kind, outcome, reason)
    )
    balances = select(
        BALANCE.c.office_id,
        literal("balance").label("kind"),
        null().label("outcome"),
        null().label("reason"),
        BALANCE.c.on_hand.label("since_start"),
        literal(0).label("inside"),
    ).where(BALANCE.c.office_id.in_(offices))
    found: dict[int, dict] = {}
    for office_id, kind_, outcome_, reason_, since_start, inside in db.session.execute(
        union_all(lines, balances)
    ):
        office = found.setdefault(office_id, {"on_hand": 0, "since_start": 0, "sums": [], "reasons": set()})
        if kind_ == "balance":
            office["on_hand"] = int(since_start)
            continue
        office["since_start"] += int(since_start)
        office["sums"].append((kind_, outcome_, reason_, int(inside)))
        if reason_ is not None:
            office["reasons"].add(reason_)
    return found


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

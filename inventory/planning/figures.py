"""Gathers what the projection needs for offices, in a fixed number of queries whatever the ledger holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, case, func, or_, select

from ..core.db import among, connection, db
from ..offices.models import Office
from ..offices.time_zones import DEFAULT_ZONE, today_in, todays
from ..stock.models import Balance, DailyUsage, OfficeRollup
from ..stock.rollups import ancestry
from .projection import Inputs, Projection, Usage, horizon_basis, horizon_for, project
from .redistribution import Position, need_for, suggest

# Prints that replace a card someone already holds: demand that goes on after everyone is recorded.
REPLACEMENT_REASONS = ("replacement", "data_change")


@dataclass(frozen=True)
class OfficeFigures:
    """One office's settings, own stock and the projection for its whole subtree."""

    office_id: int
    code: str
    path: str
    own_on_hand: int
    min_stock: int
    lead_time_days: int
    target_date: date | None
    inputs: Inputs
    projection: Projection
    on_order_due: date | None = None  # the earliest needed_by of what requests are owed


def today(time_zone: str = DEFAULT_ZONE) -> date:
    """Today at an office keeping this zone's time (WIB: the capital's, for the whole country)."""
    return today_in(time_zone)


def on_local_days(read: Callable[[date], Iterable[Mapping]]) -> Iterator[tuple[Mapping, date]]:
    """Rows read by `read(as_of)`, each with today as its office's zone has it (`time_zone` column).

    Read first on the capital's (WIB) date, which every office shares but for two hours a
    night; only offices of a zone already on another date then need a second read, so a
    print in WIB's tree costs one statement at any hour (this runs on every print).
    """
    todays_ = todays()
    first = todays_[DEFAULT_ZONE]
    later: set[date] = set()
    for row in read(first):
        if todays_[row["time_zone"]] == first:
            yield row, first
        else:
            later.add(todays_[row["time_zone"]])
    for as_of in sorted(later):
        for row in read(as_of):
            if todays_[row["time_zone"]] == as_of:
                yield row, as_of


def figures_for(
    office_ids: list[int], horizon_days: int | None = None, as_of: date | None = None
) -> list[OfficeFigures]:
    """Settings, own stock, subtree rollups and usage window for many offices, in one query;
    as of each office's local today unless `as_of` is given."""
    connection_ = connection()
    statement = figures_statement(connection_.dialect.name)

    def read(day: date):
        return connection_.execute(statement, figures_parameters(office_ids, day)).mappings().all()

    if as_of:
        return figures_of_rows(read(as_of), as_of, horizon_days)
    return figures_on_days(on_local_days(read), horizon_days)


def figures_on_days(
    rows: Iterable[tuple[Mapping, date]], horizon_days: int | None = None
) -> list[OfficeFigures]:
    """Figures of rows each read as of its own office's today (on_local_days), in their order:
    the offices sharing a day are worked out together (figures_of_rows)."""
    rows = list(rows)
    by_day: dict[date, list[Mapping]] = {}
    for row, day in rows:
        by_day.setdefault(day, []).append(row)
    done = {
        figures.office_id: figures
        for day, same_day in by_day.items()
        for figures in figures_of_rows(same_day, day, horizon_days)
    }
    return [done[row["id"]] for row, _ in rows]


Windows = dict[int, tuple[str, Usage]]  # office id -> (code, usage over the window)


def figures_of_rows(rows: list, as_of: date, horizon_days: int | None = None) -> list[OfficeFigures]:
    """Rows of figures_statement to figures. An office whose window is too small a sample
    takes its rates from the nearest ancestor's: those among the rows are read from them,
    the rest in one more statement, only when needed (alerts evaluate an office with all
    its ancestors, so a print needs none)."""
    window = current_app.config["USAGE_WINDOW_DAYS"]
    windows: Windows = {row["id"]: (row["code"], _usage(row, as_of, window)) for row in rows}
    add_ancestor_windows(windows, [row["path"] for row in rows], as_of)
    return [figures_of(row, as_of, horizon_days, ancestors_usage(row["path"], windows)) for row in rows]


def add_ancestor_windows(windows: Windows, paths: Iterable[str], as_of: date) -> None:
    """Read into `windows` those of the ancestors of the offices at `paths` whose own window is
    below the minimum sample (RATE_MIN_PRINTS), where not there already: one statement, or none."""
    minimum = current_app.config["RATE_MIN_PRINTS"]
    wanted = {
        ancestor
        for path in paths
        if (own := ancestry(path)[-1]) not in windows or windows[own][1].consumed < minimum
        for ancestor in ancestry(path)[:-1]
    } - windows.keys()
    if not wanted:
        return
    statement = figures_statement(connection().dialect.name)
    window = current_app.config["USAGE_WINDOW_DAYS"]
    for row in connection().execute(statement, figures_parameters(sorted(wanted), as_of)).mappings():
        windows[row["id"]] = (row["code"], _usage(row, as_of, window))


def ancestors_usage(path: str, windows: Windows) -> tuple[tuple[str, Usage], ...]:
    """The windows of the office's ancestors, nearest first, as the projection takes them."""
    return tuple(windows[a] for a in reversed(ancestry(path)[:-1]) if a in windows)


def figures_parameters(office_ids: list[int], as_of: date) -> dict:
    """What figures_statement (or a statement built on it) needs to read these offices on `as_of`."""
    since = as_of - timedelta(days=current_app.config["USAGE_WINDOW_DAYS"] - 1)
    return {"ids": office_ids, "since": since, "as_of": as_of}


# Alerts re-evaluate on every print, under the locks of the office's balance and rollups,
# so this is one statement, built once per dialect, on the tables: each further statement
# or ORM entity there lengthens the time other prints of the office queue for those locks
# (bench/). Replacement reasons are spelled out, not an IN list: that would be expanding.
_O, _B, _R, _DU = Office.__table__, Balance.__table__, OfficeRollup.__table__, DailyUsage.__table__
_REPLACEMENT = or_(*(_DU.c.reason == reason for reason in REPLACEMENT_REASONS))


@cache
def figures_statement(dialect: str) -> Select:
    """Each office's settings, own and subtree stock, and usage window; see figures_parameters."""
    window = (
        select(
            _DU.c.office_id,
            func.sum(_DU.c.printed).label("printed"),
            func.sum(_DU.c.spoiled).label("spoiled"),
            func.sum(case((_REPLACEMENT, _DU.c.printed), else_=0)).label("replacement"),
            func.min(_DU.c.day).label("first_day"),
        )
        .where(
            among(_DU.c.office_id, "ids", dialect),
            _DU.c.day >= bindparam("since"),
            _DU.c.day <= bindparam("as_of"),
        )
        .group_by(_DU.c.office_id)
        .subquery("window")
    )
    return (
        select(
            _O.c.id, _O.c.code, _O.c.path, _O.c.min_stock, _O.c.target_date, _O.c.lead_time_days,
            _O.c.measured_lead_time_days, _O.c.safety_days, _O.c.print_capacity_per_day, _O.c.time_zone,
            _O.c.on_order, _O.c.on_order_due,
            _B.c.on_hand.label("own_on_hand"),
            _R.c.on_hand.label("subtree_on_hand"), _R.c.in_transit_in, _R.c.target, _R.c.recorded,
            _R.c.print_backlog, window.c.printed, window.c.spoiled, window.c.replacement,
            window.c.first_day,
        )
        .join(_B, _B.c.office_id == _O.c.id)
        .join(_R, _R.c.office_id == _O.c.id)
        .outerjoin(window, window.c.office_id == _O.c.id)
        .where(among(_O.c.id, "ids", dialect))
    )  # fmt: skip


def figures_of(
    office, as_of: date, horizon_days: int | None = None, ancestors: tuple[tuple[str, Usage], ...] = ()
) -> OfficeFigures:
    """`office`: a row of figures_statement as a mapping (reading a Row's columns as attributes
    cost ten times as much, and this runs for four offices on every print), the office's
    settings with its own and subtree stock; `ancestors`: see ancestors_usage."""
    usage = _usage(office, as_of, current_app.config["USAGE_WINDOW_DAYS"])
    lead_time = lead_time_of(office)
    inputs = Inputs(
        as_of=as_of,
        on_hand=office["subtree_on_hand"],
        in_transit_in=office["in_transit_in"],
        target=office["target"],
        recorded=office["recorded"],
        print_backlog=office["print_backlog"],
        usage=usage,
        horizon_days=horizon_for(as_of, horizon_days, office["target_date"]),
        lead_time_days=lead_time,
        safety_days=office["safety_days"],
        target_date=office["target_date"],
        print_capacity_per_day=office["print_capacity_per_day"],
        on_order=office["on_order"],
        ancestors_usage=ancestors,
        min_sample=current_app.config["RATE_MIN_PRINTS"],
        code=office["code"],
    )
    return OfficeFigures(
        office["id"],
        office["code"],
        office["path"],
        office["own_on_hand"],
        office["min_stock"],
        lead_time,
        office["target_date"],
        inputs,
        project(inputs),
        office["on_order_due"],
    )


def lead_time_of(office) -> int:
    """The lead time the office's own fulfilled requests measured, else its setting."""
    measured = office["measured_lead_time_days"]
    return office["lead_time_days"] if measured is None else measured


def lead_time_basis(office: Office) -> str:
    return "setting" if office.measured_lead_time_days is None else "measured"


def _usage(row, as_of: date, window: int) -> Usage:
    """Prints over the last `window` days; a younger history is measured over its own length."""
    if row["first_day"] is None:
        return Usage(window)
    days = min(window, (as_of - row["first_day"]).days + 1)
    return Usage(days, int(row["printed"] or 0), int(row["spoiled"] or 0), int(row["replacement"] or 0))


def projection_report(office: Office, horizon_days: int | None = None) -> dict:
    """Every input and every output, so a manager can redo the arithmetic."""
    figures = figures_for([office.id], horizon_days)[0]
    inputs = figures.inputs
    return {
        "office": office.code,
        "as_of": inputs.as_of,
        "horizon_days": inputs.horizon_days,
        "horizon_basis": horizon_basis(inputs.as_of, horizon_days, inputs.target_date),
        "inputs": {
            "on_hand": inputs.on_hand,
            "in_transit_in": inputs.in_transit_in,
            "on_order": inputs.on_order,
            "target": inputs.target,
            "recorded": inputs.recorded,
            "print_backlog": inputs.print_backlog,
            "window_days": inputs.usage.window_days,
            "printed_in_window": inputs.usage.printed,
            "spoiled_in_window": inputs.usage.spoiled,
            "replacements_in_window": inputs.usage.replacement,
            "lead_time_days": inputs.lead_time_days,
            "lead_time_basis": lead_time_basis(office),
            "lead_time_setting_days": office.lead_time_days,
            "safety_days": inputs.safety_days,
            "target_date": inputs.target_date,
            "print_capacity_per_day": inputs.print_capacity_per_day,
            "min_sample_prints": inputs.min_sample,
        },
        "outputs": figures.projection.as_dict(),
    }


def redistribution_report(office: Office, horizon_days: int | None = None) -> dict:
    """Suggested transfers among an office (say a regency) and the offices directly under it."""
    children = (
        db.session.execute(select(Office.id).where(Office.parent_id == office.id, Office.active.is_(True)))
        .scalars()
        .all()
    )
    figures = {f.office_id: f for f in figures_for([office.id, *children], horizon_days)}
    positions = [_position(figures[child]) for child in children]
    parent = figures[office.id]
    children_demand = sum(figures[child].projection.projected_demand for child in children)
    own_need = max(parent.projection.projected_demand - children_demand, 0)
    positions.append(Position(office.code, parent.own_on_hand, own_need, parent.own_on_hand))
    suggestions, uncovered = suggest(positions)
    return {
        "office": office.code,
        "horizon_days": parent.inputs.horizon_days,
        "positions": [
            {
                "office": p.code,
                "have": p.have,
                "need": p.need,
                "surplus": p.surplus,
                "deficit": p.deficit,
                "days_of_cover": p.days_of_cover,
            }
            for p in positions
        ],
        "suggestions": [
            {
                "from": s.source,
                "to": s.destination,
                "quantity": s.quantity,
                "effect": s.effect,
                "transfer": {
                    "from": s.source,
                    "to": s.destination,
                    "quantity": s.quantity,
                    "note": f"Redistribution suggested for {s.destination}",
                },
            }
            for s in suggestions
        ],
        "uncovered_deficit": uncovered,
    }


def _position(figures: OfficeFigures) -> Position:
    p, inputs = figures.projection, figures.inputs
    daily_demand = max(p.average_daily_use, p.projected_demand / max(inputs.horizon_days, 1))
    return Position(
        figures.code,
        p.remaining,
        need_for(p.projected_demand, daily_demand, inputs.safety_days),
        figures.own_on_hand,
        p.days_of_cover,
    )

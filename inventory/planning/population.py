"""Population figures per office: who must hold a card, who is recorded, who waits for a print.

An office's own figures (Population) win; an office without them takes the sum of its
children's (OfficeRollup's population columns, kept here). Every change refreshes the
effective figures up the tree and re-evaluates alerts there, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select, update

from ..core.db import db, utcnow
from ..core.errors import Invalid
from ..offices.models import Office
from ..stock import rollups
from ..stock.models import OfficeRollup
from ..stock.rollups import R, ancestry
from .alerts import replan
from .models import Population
from .population_csv import RowError, parse_csv, problems

# Demo figures for Kotawaringin Timur's 17 districts (see inventory/demo.py).
SAMPLE_CSV = Path(__file__).resolve().parent / "data" / "population_62.02.csv"
FIGURES = ("target", "recorded", "print_backlog", "as_of")
# Above this many rows one sweep of the whole tree is cheaper than walking up from each office.
PER_PATH_REFRESH_LIMIT = 100
REPLAN_CHUNK = 200


def set_population(office: Office, figures: dict[str, Any]) -> Population:
    """Create or replace the office's own figures, then bring the tree and its alerts in step."""
    errors = problems(figures["target"], figures["recorded"], figures["print_backlog"])
    if errors:
        field_name, reason = errors[0]
        raise Invalid(f"{reason}.", error="bad_population", field=field_name)
    _lock_tree([office.path])
    row = _upsert({office.id: figures})[0][office.id]
    refresh_population(office.path)
    _replan([office.path])
    return row


def clear_population(office: Office) -> bool:
    """Drop the office's own figures so it falls back to its children's; False if it had none."""
    _lock_tree([office.path])
    own = db.session.get(Population, office.id)
    if own is None:
        return False
    db.session.delete(own)
    db.session.flush()
    refresh_population(office.path)
    _replan([office.path])
    return True


def get_population(office: Office) -> dict[str, Any]:
    """Own figures (or None) and the effective ones, saying where the effective ones come from."""
    own = db.session.get(Population, office.id)
    rollup = rollups.rollup_of(office.id)
    if own is not None:
        source = "own"
    elif rollup["population_as_of"] is not None:  # at least one office below has figures
        source = "children"
    else:
        source = "none"
    return {
        "office": office.code,
        "source": source,
        "own": None if own is None else {name: getattr(own, name) for name in (*FIGURES, "updated_at")},
        "effective": {
            "target": rollup["target"],
            "recorded": rollup["recorded"],
            "print_backlog": rollup["print_backlog"],
            "as_of": rollup["population_as_of"],
            "unrecorded": max(rollup["target"] - rollup["recorded"], 0),
        },
    }


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_csv(path: str | Path) -> ImportReport:
    """All or nothing: every bad row is reported by line number and nothing is written.

    On success the rows are upserted, the effective figures refreshed and alerts
    re-evaluated, all in the caller's transaction (the caller commits).
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:  # -sig: files saved by Excel
        return import_rows(handle)


def import_rows(handle: TextIO, within: str | None = None) -> ImportReport:
    """`import_csv` for a file already open (the dashboard's upload). With `within` (an
    office path), a code outside that subtree is reported like an unknown one: a manager's
    file writes only in their area, and learns nothing of the offices outside it."""
    rows, errors = parse_csv(handle, _known_offices if within is None else _known_within(within))
    report = ImportReport(rows=len(rows), errors=errors)
    if errors or not rows:
        return report
    paths = [row.path for row in rows]
    sweep = len(paths) > PER_PATH_REFRESH_LIMIT
    _lock_tree(None if sweep else paths)
    _, report.updated = _upsert({row.office_id: row.figures for row in rows})
    report.created = len(rows) - report.updated
    if sweep:
        refresh_all_populations()
    else:
        for office_path in paths:
            refresh_population(office_path)
    _replan(paths)
    return report


# --- helpers ---------------------------------------------------------------------------


def _known_offices(codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """code -> (id, path) of the offices that exist, looked up in chunks (SQLite caps bound parameters)."""
    codes, found = sorted(set(codes)), {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        rows = db.session.execute(select(Office.code, Office.id, Office.path).where(Office.code.in_(chunk)))
        found.update({row.code: (row.id, row.path) for row in rows})
    return found


def _known_within(path: str):
    def lookup(codes: Iterable[str]) -> dict[str, tuple[int, str]]:
        return {code: found for code, found in _known_offices(codes).items() if found[1].startswith(path)}

    return lookup


def _upsert(figures_by_office: dict[int, dict[str, Any]]) -> tuple[dict[int, Population], int]:
    """Write own figures; returns the rows by office id and how many of them existed before."""
    office_ids = list(figures_by_office)
    rows: dict[int, Population] = {}
    for start in range(0, len(office_ids), 500):
        chunk = office_ids[start : start + 500]
        found = db.session.execute(select(Population).where(Population.office_id.in_(chunk))).scalars()
        rows.update({row.office_id: row for row in found})
    existed, now = len(rows), utcnow()
    for office_id, figures in figures_by_office.items():
        row = rows.get(office_id)
        if row is None:
            row = rows[office_id] = Population(office_id=office_id)
            db.session.add(row)
        for name in FIGURES:
            setattr(row, name, figures[name])
        row.updated_at = now
    db.session.flush()  # refresh_population reads the rows back
    return rows, existed


def _lock_tree(paths: list[str] | None) -> None:
    """Lock the rollup rows up the tree from these offices (every row if None), in office-id order.

    Refreshing updates rollups from the office upwards (or deepest first for the whole
    tree), against the global lock order (rollup rows by ascending office id) that stock
    movements follow. Taking the locks in that order first means a population write and a
    movement never deadlock, and two writers of one office's figures queue instead of
    racing the insert.
    """
    if db.engine.dialect.name != "postgresql":
        return  # SQLite writers hold the database lock from BEGIN IMMEDIATE
    lock = select(OfficeRollup.office_id).order_by(OfficeRollup.office_id).with_for_update()
    if paths is None:
        db.session.execute(lock)
        return
    office_ids = sorted({office_id for path in paths for office_id in ancestry(path)})
    for start in range(0, len(office_ids), 1000):
        db.session.execute(lock.where(OfficeRollup.office_id.in_(office_ids[start : start + 1000])))


def _replan(paths: list[str]) -> None:
    # refresh_population wrote the rollups with Core UPDATEs, which leave OfficeRollup objects
    # already loaded in this session stale; expire them so nothing plans with old sums.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, OfficeRollup):
            db.session.expire(obj)
    for start in range(0, len(paths), REPLAN_CHUNK):
        replan(*paths[start : start + REPLAN_CHUNK])


# --- effective figures up the tree (the population columns of OfficeRollup) -----------


def refresh_population(path: str) -> None:
    """Recompute effective population figures from the office up to the root."""
    for office_id in reversed(ancestry(path)):
        _refresh(office_id)


def refresh_all_populations() -> None:
    """Recompute every office, deepest first: for bulk imports."""
    offices = db.session.execute(select(Office.id, Office.path)).all()
    for office_id, _path in sorted(offices, key=lambda row: -len(ancestry(row.path))):
        _refresh(office_id)


def _refresh(office_id: int) -> None:
    """An office with its own figures uses them; one without takes the sum of its children."""
    own = db.session.get(Population, office_id)
    if own is not None:
        figures = {"target": own.target, "recorded": own.recorded, "print_backlog": own.print_backlog,
                   "population_as_of": own.as_of}  # fmt: skip
    else:
        figures = _children_sum(office_id)
    db.session.execute(update(R).where(R.c.office_id == office_id).values(**figures))


def _children_sum(office_id: int) -> dict:
    row = db.session.execute(
        select(
            func.coalesce(func.sum(R.c.target), 0),
            func.coalesce(func.sum(R.c.recorded), 0),
            func.coalesce(func.sum(R.c.print_backlog), 0),
            func.min(R.c.population_as_of),
        )
        .join(Office, Office.id == R.c.office_id)
        .where(Office.parent_id == office_id)
    ).one()
    return {"target": row[0], "recorded": row[1], "print_backlog": row[2], "population_as_of": row[3]}

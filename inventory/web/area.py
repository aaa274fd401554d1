"""The figures an overview shows: an area's offices, each with a status, and the area's totals."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..auth import permissions
from ..core.db import db
from ..core.principal import Principal
from ..offices import tree
from ..offices.models import Office
from ..planning import alerts
from ..planning.figures import OfficeFigures, figures_for
from ..planning.models import Alert
from ..reports.rules import STATUSES, children_status, office_status


def status_of(f: OfficeFigures, alert_kinds: Iterable[str] = (), below: Counter | None = None) -> str:
    """ok / low / shortfall / out, judged exactly as the stock report judges it."""
    p, below = f.projection, below or Counter()
    return office_status(
        remaining=p.remaining,
        projected_demand=p.projected_demand,
        shortfall=p.shortfall,
        own_on_hand=f.own_on_hand,
        min_stock=f.min_stock,
        reorder_now="reorder_now" in alert_kinds,
        children_out=below["out"],
        children_short=below["short"],
    )


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    kind: str
    path: str
    status: str
    remaining: int
    own_on_hand: int
    days_of_cover: float | None
    stockout_date: date | None
    projected_demand: int
    shortfall: int
    suggested_order: int
    target: int
    recorded: int
    open_alerts: int
    has_children: bool
    children_out: int = 0  # offices directly under it with nothing left while blanks are needed
    children_short: int = 0  # ... or that will run short

    @property
    def recorded_percent(self) -> float | None:
        return round(100 * self.recorded / self.target, 1) if self.target else None

    def to_reach(self, target_percent: float) -> int:
        """Residents still to record for the area to reach the national target."""
        return max(math.ceil(self.target * target_percent / 100 - 1e-9) - self.recorded, 0)


def roots_for(principal: Principal) -> list[Office]:
    """Where a user's overview starts: their own office, or the top of the tree for an admin."""
    if principal.office_code:
        return [tree.get_by_code(principal.office_code)]
    return list(db.session.execute(select(Office).where(Office.parent_id.is_(None))).scalars())


def ancestors_in_area(principal: Principal, office: Office) -> list[Office]:
    """The breadcrumb from the top of the user's area down to (not including) `office`."""
    ids = [int(part) for part in office.path.strip("/").split("/")[:-1]]
    if not ids:
        return []
    found = {o.id: o for o in db.session.execute(select(Office).where(Office.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found and permissions.in_area(principal, found[i].path)]


def rows_for(office_list: list[Office]) -> list[Row]:
    """One row per office, in a fixed number of queries however many offices."""
    if not office_list:
        return []
    ids = [o.id for o in office_list]
    figures = {f.office_id: f for f in figures_for(ids)}
    kinds: dict[int, list[str]] = defaultdict(list)
    for office_id, kind in db.session.execute(
        select(Alert.office_id, Alert.kind).where(Alert.office_id.in_(ids), Alert.resolved_at.is_(None))
    ):
        kinds[office_id].append(kind)
    children = db.session.execute(
        select(Office.id, Office.parent_id).where(Office.parent_id.in_(ids), Office.active.is_(True))
    ).all()
    below: dict[int, Counter] = defaultdict(Counter)
    for f in figures_for([child_id for child_id, _ in children]) if children else ():
        p = f.projection
        counted = children_status(
            remaining=p.remaining, projected_demand=p.projected_demand, shortfall=p.shortfall
        )
        below[_parent_id(f.path)][counted] += 1
    parents = {parent_id for _, parent_id in children}
    return [_row(o, figures[o.id], kinds[o.id], o.id in parents, below[o.id]) for o in office_list]


def _parent_id(path: str) -> int:
    return int(path.strip("/").split("/")[-2])


def _row(office: Office, f: OfficeFigures, alert_kinds: list[str], has_children: bool, below: Counter) -> Row:
    p = f.projection
    return Row(
        office.code, office.name, office.kind, office.path, status_of(f, alert_kinds, below), p.remaining,
        f.own_on_hand, p.days_of_cover, p.stockout_date, p.projected_demand, p.shortfall,
        p.suggested_order, f.inputs.target, f.inputs.recorded, len(alert_kinds), has_children,
        below["out"], below["short"],
    )  # fmt: skip


def children_of(office: Office) -> list[Office]:
    return list(
        db.session.execute(
            select(Office).where(Office.parent_id == office.id, Office.active.is_(True)).order_by(Office.code)
        ).scalars()
    )


SORT_KEYS = {
    "code": lambda r: r.code,
    "name": lambda r: r.name.lower(),
    "status": lambda r: STATUSES.index(r.status),
    "stock": lambda r: r.remaining,
    "cover": lambda r: math.inf if r.days_of_cover is None else r.days_of_cover,
    "shortfall": lambda r: r.shortfall,
    "recorded": lambda r: -1 if r.recorded_percent is None else r.recorded_percent,
    "alerts": lambda r: r.open_alerts,
}


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """Sort by one column; ties keep code order, whatever the direction."""
    by_code = sorted(rows, key=SORT_KEYS["code"])
    return sorted(by_code, key=SORT_KEYS.get(key, SORT_KEYS["status"]), reverse=descending)


def own_alerts(office: Office) -> list[dict]:
    """The unresolved alerts of the office itself (for an area's office: the whole area's figures)."""
    ids = db.session.execute(
        select(Alert.id).where(Alert.office_id == office.id, Alert.resolved_at.is_(None)).order_by(Alert.id)
    ).scalars()
    return [alerts.get_alert(alert_id) for alert_id in ids]


def alerts_below(office: Office) -> int:
    """How many unresolved alerts the offices below this one have."""
    return db.session.execute(
        select(func.count())
        .select_from(Alert)
        .join(Office, Office.id == Alert.office_id)
        .where(Alert.resolved_at.is_(None), Office.path.startswith(office.path), Office.id != office.id)
    ).scalar_one()

"""Alert lifecycle: at most one unresolved alert per office and kind, kept in step with the figures.

`evaluate` runs inside the transaction of every stock movement, transfer, population or
settings change (StockMoved and PlanningSettingsChanged, by inventory/handlers.py, and the
population services) for the offices touched; for their ancestors, whose subtree totals
changed too, it runs when those totals settle, just after (TotalsSettled), so no print
writes the alerts every office of a province or the nation shares. It costs a fixed
number of queries per call, whatever the ledger holds.
Openings, escalations and resolutions are announced (AlertChanged) in the same
transaction, so their notifications land with them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..auth.models import User
from ..core import bus
from ..core.db import connection, db, reading, utcnow
from ..core.errors import Conflict, NotFound
from ..offices.events import PlanningSettingsChanged
from ..offices.models import Office
from ..stock import rollups
from ..stock.events import StockMoved, TotalsSettled
from ..stock.rollups import ancestry
from .alert_rules import Situation, Verdict, verdicts
from .events import AlertChanged
from .figures import OfficeFigures, figures_on_days, figures_parameters, figures_statement, on_local_days
from .models import Alert

SEVERITY_RANK = {"warning": 0, "critical": 1}


def on_stock_moved(event: StockMoved) -> None:
    """Stock moved: those offices' own alerts (low stock, stock-out) follow in the same
    transaction, exactly; their ancestors' follow once their totals settle (below)."""
    evaluate(sorted({ancestry(path)[-1] for path in event.paths}))


def on_totals_settled(event: TotalsSettled) -> None:
    """Ancestors' subtree totals caught up with movements below them (stock/settlement.py)."""
    if event.office_ids:
        evaluate(list(event.office_ids))


def on_settings_changed(event: PlanningSettingsChanged) -> None:
    replan(event.path)


def replan(*paths: str) -> None:
    """Something other than stock moved (population, settings): re-evaluate alerts up the tree.

    Locks the same rollup rows a movement would, so alert writes stay serialised per office.
    """
    rollups.lock(*paths)
    evaluate_paths(*paths)


def replan_everything(survey: int = 200, batch: int = 10) -> int:
    """Re-evaluate every office, from cron as days pass and usage windows move.

    Prints never wait long for it: offices are surveyed `survey` at a time in read-only
    transactions (no lock held, on SQLite no write lock), and only those whose alerts would
    change are re-evaluated, `batch` at a time, each batch in its own short transaction that
    takes their rollup rows first, in id order, as a movement does, so it cannot deadlock
    with prints. Returns how many offices were surveyed.
    """
    return in_short_transactions(stale, _evaluate_with_rollups_locked, survey, batch)


def in_short_transactions(
    stale: Callable[[list[int]], list[int]], write: Callable[[list[int]], None], survey: int, batch: int
) -> int:
    """Every office surveyed read-only (`stale` says which need writing), then `write` on those,
    `batch` at a time, each batch in a transaction of its own. Returns how many were surveyed."""
    with reading():
        office_ids = db.session.execute(select(Office.id).order_by(Office.id)).scalars().all()
    for start in range(0, len(office_ids), survey):
        with reading():
            changing = stale(office_ids[start : start + survey])
        for at in range(0, len(changing), batch):
            try:
                write(changing[at : at + batch])
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
    return len(office_ids)


def _evaluate_with_rollups_locked(office_ids: list[int]) -> None:
    rollups.lock_offices(office_ids)
    evaluate(office_ids)


def evaluate_paths(*paths: str) -> None:
    """Re-evaluate the offices at these paths and all their ancestors."""
    office_ids = sorted({office_id for path in paths for office_id in ancestry(path)})
    if office_ids:
        evaluate(office_ids)


# Runs on every print, under the office's stock locks: one statement, built once, read as
# plain rows: the offices' figures, each with its unresolved alerts (one row per alert, or
# one row with no alert). Loading Alert entities and flushing them, or one statement more,
# cost more than the work itself (bench/); the entity is loaded only when an alert opens,
# escalates or resolves, for the outbox.
_A = Alert.__table__


@cache
def _evaluation(dialect: str) -> Select:
    figures = figures_statement(dialect)
    return figures.add_columns(
        _A.c.id.label("alert_id"),
        _A.c.kind.label("alert_kind"),
        _A.c.severity.label("alert_severity"),
        _A.c.figures.label("alert_figures"),
    ).outerjoin(_A, and_(_A.c.office_id == figures.selected_columns.id, _A.c.resolved_at.is_(None)))


_REFRESH = (
    update(_A)
    .where(_A.c.id == bindparam("alert_id"))
    .values(
        figures=bindparam("figures"),
        message=bindparam("message"),
        severity=bindparam("severity"),
        updated_at=bindparam("now", type_=_A.c.updated_at.type),
    )
)


class Unresolved(NamedTuple):
    id: int
    office_id: int
    kind: str
    severity: str
    figures: str


def evaluate(office_ids: list[int]) -> None:
    offices, unresolved = _read(office_ids)
    for figures in figures_on_days(offices.values()):
        _apply(figures, verdicts(_situation(figures)), unresolved)


def stale(office_ids: list[int]) -> list[int]:
    """Which of these offices' alerts `evaluate` would change now (open, refresh or resolve):
    a read only, so a survey of the whole tree holds no lock while it works."""
    offices, unresolved = _read(office_ids)
    found = []
    for figures in figures_on_days(offices.values()):
        now_true = verdicts(_situation(figures))
        held = {
            kind: alert
            for (office_id, kind), alert in unresolved.items()
            if office_id == figures.office_id and kind in STOCK_KINDS
        }
        if set(held) != set(now_true) or any(
            held[kind].figures != _json(verdict.figures) or held[kind].severity != verdict.severity
            for kind, verdict in now_true.items()
        ):
            found.append(figures.office_id)
    return found


def _read(office_ids: list[int]) -> tuple[dict, dict]:
    offices, unresolved = {}, {}
    connection_ = connection()
    statement = _evaluation(connection_.dialect.name)

    def read(as_of):
        return connection_.execute(statement, figures_parameters(office_ids, as_of)).mappings()

    # Each office as of its local today (offices of other zones differ two hours a night).
    for row, as_of in on_local_days(read):
        office_id, alert_id = row["id"], row["alert_id"]
        offices.setdefault(office_id, (row, as_of))
        if alert_id is not None:
            unresolved[(office_id, row["alert_kind"])] = Unresolved(
                alert_id, office_id, row["alert_kind"], row["alert_severity"], row["alert_figures"]
            )
    return offices, unresolved


def _situation(figures: OfficeFigures) -> Situation:
    return Situation(
        figures.code,
        figures.own_on_hand,
        figures.min_stock,
        figures.lead_time_days,
        figures.target_date,
        figures.projection,
        figures.inputs.on_order,
        figures.on_order_due,
        figures.inputs.as_of,
    )


# Kinds the stock figures decide; destruction_overdue is custody's (custody_alerts.py).
# The kinds `evaluate` decides (alert_rules.verdicts); others (destruction_overdue) have
# their own evaluation (custody_alerts.py), and a stock movement leaves them as they are.
STOCK_KINDS = frozenset(
    {
        "low_stock",
        "stockout",
        "projected_shortfall",
        "reorder_now",
        "stockout_before_target",
        "request_overdue",
    }
)


def _apply(figures: OfficeFigures, now_true: dict[str, Verdict], unresolved: dict) -> None:
    # Alerts are written in one order, by kind, whoever evaluates: two evaluations of one
    # office at once (a print at or under min_stock, and the settler) wait for each other
    # instead of each holding a row the other wants.
    for kind, verdict in sorted(now_true.items()):
        alert = unresolved.get((figures.office_id, kind))
        if alert is None:
            _open(figures, verdict)
        else:
            _update(figures, alert, verdict)
    for (office_id, kind), alert in sorted(unresolved.items()):
        if office_id == figures.office_id and kind not in now_true and kind in STOCK_KINDS:
            _resolve(figures, alert.id)


@cache
def _insert_if_none_unresolved(dialect: str):
    """INSERT an alert unless one of its office and kind is unresolved (the unique index):
    on PostgreSQL it waits for a transaction opening the same alert, then inserts nothing."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(_A)
        .on_conflict_do_nothing(
            index_elements=[_A.c.office_id, _A.c.kind], index_where=_A.c.resolved_at.is_(None)
        )
        .returning(_A.c.id)
    )


def _open(figures: OfficeFigures, verdict: Verdict) -> None:
    now = utcnow()
    connection_ = connection()
    opened = connection_.execute(
        _insert_if_none_unresolved(connection_.dialect.name),
        {"office_id": figures.office_id, "kind": verdict.kind, "status": "open", "severity": verdict.severity,
         "message": verdict.message, "figures": _json(verdict.figures), "opened_at": now, "updated_at": now},
    ).scalar()  # fmt: skip
    if opened is None:  # opened meanwhile by another evaluation of the office, now committed
        existing = _unresolved(figures.office_id, verdict.kind)
        if existing is None:  # and resolved again since: open it anew
            return _open(figures, verdict)
        _update(figures, existing, verdict)
        return
    bus.publish(AlertChanged(_entity(opened), "opened", figures.code, figures.path))


_UNRESOLVED = select(_A.c.id, _A.c.office_id, _A.c.kind, _A.c.severity, _A.c.figures).where(
    _A.c.office_id == bindparam("office_id"), _A.c.kind == bindparam("kind"), _A.c.resolved_at.is_(None)
)


def _unresolved(office_id: int, kind: str) -> Unresolved | None:
    row = connection().execute(_UNRESOLVED, {"office_id": office_id, "kind": kind}).first()
    return Unresolved(*row) if row else None


def _update(figures: OfficeFigures, alert, verdict: Verdict) -> None:
    """`alert`: as read with the figures. Its figures follow the stock; a rise in severity is news."""
    new_figures = _json(verdict.figures)
    if new_figures == alert.figures and verdict.severity == alert.severity:
        return
    connection().execute(
        _REFRESH,
        {"alert_id": alert.id, "figures": new_figures, "message": verdict.message,
         "severity": verdict.severity, "now": utcnow()},
    )  # fmt: skip
    if SEVERITY_RANK[verdict.severity] > SEVERITY_RANK[alert.severity]:
        bus.publish(AlertChanged(_entity(alert.id), "escalated", figures.code, figures.path))


def _resolve(figures: OfficeFigures, alert_id: int) -> None:
    alert = _entity(alert_id)
    now = utcnow()
    alert.status, alert.resolved_at, alert.updated_at = "resolved", now, now
    db.session.flush()
    bus.publish(AlertChanged(alert, "resolved", figures.code, figures.path))


# The lifecycle steps, for the custody alerts (custody_alerts.py), which weigh other figures.
open_alert, update_alert, resolve_alert = _open, _update, _resolve


def _entity(alert_id: int) -> Alert:
    """The Alert as stored now (after a Core UPDATE, not a stale copy from the identity map)."""
    return db.session.get(Alert, alert_id, populate_existing=True)


def _json(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True, default=str)


as_json = _json  # how an alert's figures are stored, for custody_alerts.py to compare with


# --- reading and acknowledging ---------------------------------------------------


def _alert_rows():
    return (
        select(
            Alert,
            Office.code.label("office"),
            Office.name.label("office_name"),
            Office.path.label("office_path"),
            Office.time_zone.label("office_time_zone"),  # the dashboard shows times on the office's clock
            User.name.label("acknowledged_by"),
        )
        .join(Office, Office.id == Alert.office_id)
        .outerjoin(User, User.id == Alert.acknowledged_by_id)
    )


def _out(row) -> dict:
    alert = row.Alert
    return {
        "id": alert.id,
        "office": row.office,
        "office_name": row.office_name,
        "office_path": row.office_path,
        "office_time_zone": row.office_time_zone,
        "kind": alert.kind,
        "status": alert.status,
        "severity": alert.severity,
        "message": alert.message,
        "figures": json.loads(alert.figures),
        "opened_at": alert.opened_at,
        "updated_at": alert.updated_at,
        "resolved_at": alert.resolved_at,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": row.acknowledged_by,
        "acknowledgement_note": alert.acknowledgement_note,
    }


def list_alerts(
    *,
    area_path: str | None,
    status: str | None = None,
    kind: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[dict]:
    """Newest first, keyset-paginated; `area_path` limits to an office and everything below it."""
    stmt = _alert_rows().order_by(Alert.id.desc()).limit(limit)
    if area_path:
        stmt = stmt.where(Office.path.startswith(area_path))
    if status == "unresolved":
        stmt = stmt.where(Alert.resolved_at.is_(None))
    elif status:
        stmt = stmt.where(Alert.status == status)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    if before_id:
        stmt = stmt.where(Alert.id < before_id)
    return [_out(row) for row in db.session.execute(stmt)]


def get_alert(alert_id: int) -> dict:
    row = db.session.execute(_alert_rows().where(Alert.id == alert_id)).first()
    if row is None:
        raise NotFound(f"No alert {alert_id}.", error="alert_not_found")
    return _out(row)


# Kinds that record an event rather than a condition (transit_alerts.py): nothing clears them
# but a manager having seen them, so the acknowledgement resolves them.
RESOLVED_BY_ACKNOWLEDGEMENT = frozenset({"loss_in_transit"})


def acknowledge(alert_id: int, user_id: int, note: str) -> dict:
    """A manager has seen it. The alert stays unresolved until its condition clears (or, for a
    kind of RESOLVED_BY_ACKNOWLEDGEMENT, is resolved by this)."""
    acknowledged = db.session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == "open")
        .values(
            status="acknowledged",
            acknowledged_at=utcnow(),
            acknowledged_by_id=user_id,
            acknowledgement_note=note,
        )
        .returning(Alert.id)
    ).first()
    if acknowledged is None:
        current = get_alert(alert_id)
        raise Conflict(
            f"Alert {alert_id} is {current['status']}, not open.", error=f"alert_{current['status']}"
        )
    alert = get_alert(alert_id)
    if alert["kind"] in RESOLVED_BY_ACKNOWLEDGEMENT:
        _resolve(_Seen(alert["office"], alert["office_path"]), alert_id)
        alert = get_alert(alert_id)
    return alert


class _Seen(NamedTuple):
    """The office of an alert resolved by its acknowledgement, as _resolve reads it."""

    code: str
    path: str

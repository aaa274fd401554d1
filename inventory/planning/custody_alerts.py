"""destruction_overdue: cards awaiting destruction kept too long or piled too high (issue 12 §2).

Evaluated for an office whenever its custody changes (CustodyChanged), its destruction
settings change, and daily from cron (`flask alerts evaluate`), as waiting days pass with no
movement at all. Custody is per office, not per subtree: no ancestor is re-evaluated. The
alert rows and their notifications are the stock alerts' (alerts.py); the rule is pure
(alert_rules.destruction_overdue).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from ..core.db import db
from ..offices.events import PlanningSettingsChanged
from ..offices.models import Office
from ..offices.time_zones import local_day, today_in
from ..stock import custody
from ..stock.events import CustodyChanged
from . import alerts
from .alert_rules import CustodySituation, destruction_overdue
from .models import Alert

KIND = "destruction_overdue"


class Place(NamedTuple):
    """What opening, updating or resolving an alert needs of its office (as alerts.OfficeFigures has)."""

    office_id: int
    code: str
    path: str


def on_custody_changed(event: CustodyChanged) -> None:
    evaluate(list(event.office_ids))


def on_settings_changed(event: PlanningSettingsChanged) -> None:
    office_id = db.session.execute(select(Office.id).where(Office.path == event.path)).scalar_one()
    custody.lock(office_id)
    evaluate([office_id])


def evaluate(office_ids: list[int]) -> None:
    for action, place, alert, verdict in _plan(office_ids):
        if action == "open":
            alerts.open_alert(place, verdict)
        elif action == "update":
            alerts.update_alert(place, alert, verdict)
        else:
            alerts.resolve_alert(place, alert.id)


def stale(office_ids: list[int]) -> list[int]:
    """Which of these offices' destruction alerts `evaluate` would change: a read only."""
    return sorted(
        {place.office_id for _action, place, _alert, _verdict in _plan(office_ids, changes_only=True)}
    )


def _plan(office_ids: list[int], changes_only: bool = False) -> list[tuple]:
    unresolved = {
        row.office_id: alerts.Unresolved(row.id, row.office_id, row.kind, row.severity, row.figures)
        for row in db.session.execute(
            select(Alert.id, Alert.office_id, Alert.kind, Alert.severity, Alert.figures).where(
                Alert.office_id.in_(office_ids), Alert.kind == KIND, Alert.resolved_at.is_(None)
            )
        )
    }
    planned = []
    for figures in custody.alert_figures(office_ids):
        zone = figures["time_zone"]
        since = figures["waiting_since"]
        verdict = destruction_overdue(
            CustodySituation(
                figures["code"],
                figures["awaiting"],
                local_day(since, zone) if since is not None else None,
                today_in(zone),
                figures["destruction_interval_days"],
                figures["destruction_max_pending"],
            )
        )
        place = Place(figures["id"], figures["code"], figures["path"])
        alert = unresolved.get(figures["id"])
        if verdict is not None and alert is None:
            planned.append(("open", place, alert, verdict))
        elif verdict is not None:
            unchanged = (
                alert.figures == alerts.as_json(verdict.figures) and alert.severity == verdict.severity
            )
            if not (changes_only and unchanged):
                planned.append(("update", place, alert, verdict))
        elif alert is not None:
            planned.append(("resolve", place, alert, verdict))
    return planned


def evaluate_everything(survey: int = 200, batch: int = 20) -> None:
    """From the daily cron, as alerts.replan_everything does: surveys read-only, then writes only
    the offices whose destruction alerts change, a short transaction per batch."""
    alerts.in_short_transactions(stale, _evaluate_with_custody_locked, survey, batch)


def _evaluate_with_custody_locked(office_ids: list[int]) -> None:
    custody.lock(*office_ids)
    evaluate(office_ids)

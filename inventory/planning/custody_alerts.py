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

from ..core.db import db, reading
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
    unresolved = {
        row.office_id: alerts.Unresolved(row.id, row.office_id, row.kind, row.severity, row.figures)
        for row in db.session.execute(
            select(Alert.id, Alert.office_id, Alert.kind, Alert.severity, Alert.figures).where(
                Alert.office_id.in_(office_ids), Alert.kind == KIND, Alert.resolved_at.is_(None)
            )
        )
    }
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
            alerts.open_alert(place, verdict)
        elif verdict is not None:
            alerts.update_alert(place, alert, verdict)
        elif alert is not None:
            alerts.resolve_alert(place, alert.id)


def evaluate_everything(batch: int = 50) -> None:
    """From the daily cron: a short transaction per batch of offices, so prints never wait long."""
    with reading():
        office_ids = db.session.execute(select(Office.id).order_by(Office.id)).scalars().all()
    for start in range(0, len(office_ids), batch):
        try:
            evaluate(office_ids[start : start + batch])
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise

"""loss_in_transit: blanks a transfer carried that never arrived, for the source's managers (issue 14).

Not a condition the figures decide, as the stock alerts are, but an event someone must look
into: opened by the receipt that found the shortfall (LossInTransit, in its transaction),
resolved by a manager acknowledging it (alerts.acknowledge). While it is unresolved, a
further short receipt from the same source joins it (one unresolved alert per office and
kind, as for every kind); the first such joins raise it to critical, which notifies again.
Its figures list every transfer it covers with what was sent, counted, missing and the
missing serials, so the acknowledgement covers them all.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from sqlalchemy import select

from ..core.db import db
from ..stock.events import LossInTransit
from . import alerts
from .alert_rules import Verdict
from .models import Alert

KIND = "loss_in_transit"


class Place(NamedTuple):
    """What opening or updating an alert needs of its office (as alerts.OfficeFigures has)."""

    office_id: int
    code: str
    path: str


def on_loss_in_transit(event: LossInTransit) -> None:
    place = Place(event.office_id, event.office_code, event.office_path)
    unresolved = db.session.execute(
        select(Alert.id, Alert.office_id, Alert.kind, Alert.severity, Alert.figures).where(
            Alert.office_id == event.office_id, Alert.kind == KIND, Alert.resolved_at.is_(None)
        )
    ).first()
    loss = {
        "transfer": event.transfer_id,
        "to": event.destination_code,
        "sent": event.sent,
        "counted": event.counted,
        "missing": event.sent - event.counted,
        "serials": list(event.serials),
        "note": event.note,
        "movement": event.movement_id,
        "received_by": event.actor.name,
    }
    if unresolved is None:
        alerts.open_alert(place, verdict(event.office_code, [loss]))
        return
    earlier = json.loads(unresolved.figures)["transfers"]
    alerts.update_alert(place, alerts.Unresolved(*unresolved), verdict(event.office_code, [*earlier, loss]))


def verdict(code: str, losses: list[dict]) -> Verdict:
    """One loss is a warning; more than one from the same source before anyone looked is critical."""
    missing = sum(loss["missing"] for loss in losses)
    transfers = ", ".join(str(loss["transfer"]) for loss in losses)
    message = f"{missing} blanks sent by {code} did not arrive (transfer {transfers})."
    serials = [serial for loss in losses for serial in loss["serials"]]
    if serials:
        message += " Missing serials: " + ", ".join(serials)
    return Verdict(
        KIND,
        "critical" if len(losses) > 1 else "warning",
        message,
        {"missing": missing, "transfers": losses},
    )

"""The office's lead time as its requests show it: from submission to the first blanks received,
over its last fulfilled requests (rules.measured_lead_time), kept on the office for the
projection (as on_order is), since planning sits below requests and cannot read them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from ..core.db import db
from ..offices import tree
from . import rules
from .models import BlankRequest, RequestEvent

R = BlankRequest.__table__
H = RequestEvent.__table__
RECEIPTS = ("receive", "deliver")  # the history's actions that bring blanks in


def refresh_lead_time(office_id: int) -> None:
    """After one of the office's requests is fulfilled."""
    first_receipt = (
        select(func.min(H.c.at))
        .where(H.c.request_id == R.c.id, H.c.action.in_(RECEIPTS))
        .scalar_subquery()
        .label("first_receipt")
    )
    rows = db.session.execute(
        select(R.c.submitted_at, first_receipt)
        .where(R.c.office_id == office_id, R.c.status == "fulfilled", R.c.submitted_at.is_not(None))
        .order_by(R.c.updated_at.desc(), R.c.id.desc())
        .limit(rules.LEAD_TIME_SAMPLE)
    ).all()
    days = [
        (_aware(row.first_receipt) - _aware(row.submitted_at)).total_seconds() / 86400
        for row in rows
        if row.first_receipt is not None
    ]
    tree.set_measured_lead_time(office_id, rules.measured_lead_time(days))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite forgets the zone

"""GET /reports/requests: per requesting office of an area, what its requests for blanks asked,
what was approved and received, the fill rate and the median lead time; JSON or CSV."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import func, select

from ..blank_requests.models import BlankRequest, RequestEvent
from ..core.db import db
from ..core.parsing import Blueprint
from ..core.schemas import CODE, Day, Strict
from ..offices.models import Office
from . import csv_export
from .api import CSV_DOC, _area, csv_response, json_response, wants_csv
from .schemas import FORMATS

blp = Blueprint("request_reports", __name__, description="Requests for blanks of an area, per office.")

R, H, OFFICES = BlankRequest.__table__, RequestEvent.__table__, Office.__table__
COLUMNS = (
    "office",
    "name",
    "requests",
    "asked",
    "approved",
    "received",
    "fill_rate",
    "median_lead_time_days",
)
DECIDED = ("approved", "partially_fulfilled", "fulfilled", "closed")


class RequestReportQuerySchema(Strict):
    under = fields.String(required=True, validate=CODE, metadata={"example": "62"})
    from_ = Day(data_key="from", metadata={"description": "Requests submitted on or after this day (UTC)."})
    to = Day(metadata={"description": "Requests submitted on or before this day (UTC)."})
    format = fields.String(validate=validate.OneOf(FORMATS))


class RequestReportRowSchema(ma.Schema):
    office = fields.String()
    name = fields.String()
    requests = fields.Integer(metadata={"description": "Submitted, not cancelled before a decision."})
    asked = fields.Integer()
    approved = fields.Integer()
    received = fields.Integer()
    fill_rate = fields.Float(allow_none=True, metadata={"description": "received / asked."})
    median_lead_time_days = fields.Float(
        allow_none=True,
        metadata={"description": "Submission to first receipt, over requests that received any."},
    )


class RequestReportSchema(ma.Schema):
    under = fields.String()
    from_ = fields.Date(data_key="from", attribute="from", allow_none=True)
    to = fields.Date(allow_none=True)
    rows = fields.List(fields.Nested(RequestReportRowSchema))


@blp.route("/reports/requests", methods=["GET"])
@blp.arguments(RequestReportQuerySchema(), location="query")
@blp.response(200, RequestReportSchema)
@blp.alt_response(200, success=True, content_type="text/csv", **CSV_DOC)
def request_report(query):
    """Asked, approved, received, fill rate and median lead time per requesting office of an area."""
    under = _area(query["under"])
    report = {"under": under.code, "from": query.get("from_"), "to": query.get("to"),
              "rows": rows(under.path, query.get("from_"), query.get("to"))}  # fmt: skip
    if wants_csv(query):
        name = csv_export.filename("requests", under.code, report["from"], report["to"])
        return csv_response(csv_export.render(COLUMNS, report["rows"]), name)
    return json_response(report)


def rows(path: str, first: date | None, last: date | None) -> list[dict]:
    first_receipt = (
        select(H.c.request_id, func.min(H.c.at).label("at"))
        .where(H.c.action.in_(("receive", "deliver")))
        .group_by(H.c.request_id)
        .subquery()
    )
    stmt = (
        select(
            OFFICES.c.code,
            OFFICES.c.name,
            R.c.quantity,
            R.c.approved_quantity,
            R.c.status,
            R.c.received,
            R.c.submitted_at,
            first_receipt.c.at.label("first_receipt"),
        )
        .join(OFFICES, OFFICES.c.id == R.c.office_id)
        .outerjoin(first_receipt, first_receipt.c.request_id == R.c.id)
        .where(OFFICES.c.path.startswith(path), R.c.submitted_at.is_not(None), R.c.status != "cancelled")
        .order_by(OFFICES.c.code)
    )
    if first is not None:
        stmt = stmt.where(R.c.submitted_at >= _midnight(first))
    if last is not None:
        stmt = stmt.where(R.c.submitted_at < _midnight(last + timedelta(days=1)))
    by_office: dict[str, dict] = {}
    lead_times: dict[str, list[float]] = {}
    for row in db.session.execute(stmt):
        out = by_office.setdefault(
            row.code,
            {"office": row.code, "name": row.name, "requests": 0, "asked": 0, "approved": 0, "received": 0},
        )
        out["requests"] += 1
        out["asked"] += row.quantity
        out["approved"] += row.approved_quantity if row.status in DECIDED else 0
        out["received"] += row.received
        if row.first_receipt is not None:
            days = (_aware(row.first_receipt) - _aware(row.submitted_at)).total_seconds() / 86400
            lead_times.setdefault(row.code, []).append(days)
    for code, out in by_office.items():
        out["fill_rate"] = round(out["received"] / out["asked"], 4) if out["asked"] else None
        found = lead_times.get(code)
        out["median_lead_time_days"] = round(statistics.median(found), 1) if found else None
    return list(by_office.values())


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC

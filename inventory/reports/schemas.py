"""Shapes of the reports in the API (the CSV files carry the same field names as columns)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..core.schemas import CODE, Day, Strict
from .rules import BUCKETS, STATUSES
from .service import LEVELS, MAX_RANGE_DAYS

FORMATS = ("json", "csv")


def _about(text: str) -> dict:
    return {"description": text}


def _format_field() -> fields.String:
    return fields.String(
        validate=validate.OneOf(FORMATS),
        metadata=_about("csv for a spreadsheet file; else `Accept: text/csv` decides; JSON by default."),
    )


class StockReportQuerySchema(Strict):
    under = fields.String(
        required=True, validate=CODE, metadata={"description": "The area: an office code.", "example": "62"}
    )
    level = fields.String(
        validate=validate.OneOf(LEVELS),
        metadata={"description": "Which offices get a row; by default the level just below `under`."},
    )
    horizon_days = fields.Integer(
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "Projection horizon; by default up to each office's target date, else 90."},
    )
    format = _format_field()


class StockRowSchema(ma.Schema):
    office = fields.String()
    name = fields.String()
    kind = fields.String()
    parent = fields.String(allow_none=True, metadata={"description": "Code of the office above."})
    active = fields.Boolean()
    on_hand = fields.Integer(metadata={"description": "Blanks held by the office and every office below it."})
    own_on_hand = fields.Integer(metadata={"description": "Blanks on the office's own shelf."})
    in_transit_in = fields.Integer(metadata={"description": "Blanks on their way into the subtree."})
    unrecorded = fields.Integer(metadata={"description": "Residents who should hold a card and do not yet."})
    print_backlog = fields.Integer(metadata={"description": "Recorded residents waiting for their card."})
    projected_demand = fields.Integer(metadata=_about("Blanks needed over the horizon, spoils included."))
    shortfall = fields.Integer(metadata=_about("Projected demand less on hand and in transit, if positive."))
    suggested_order = fields.Integer()
    average_daily_use = fields.Float(metadata=_about("Blanks consumed per day over the usage window."))
    days_of_cover = fields.Float(allow_none=True, metadata={"description": "None without recent use."})
    stockout_date = fields.Date(allow_none=True)
    open_alerts = fields.Integer(metadata={"description": "Unresolved alerts (open or acknowledged)."})
    alert_kinds = fields.List(fields.String())
    children = fields.Integer(metadata=_about("Open offices directly under this one."))
    children_out = fields.Integer(
        metadata=_about("Of those, how many have nothing left while blanks are needed.")
    )
    children_short = fields.Integer(metadata=_about("Of those, how many will run short (and are not out)."))
    spoilage_source = fields.String(
        metadata={
            "enum": ["measured", "ancestor", "default"],
            "description": "Where the rates come from: own window, the nearest ancestor's, or the defaults.",
        }
    )
    status = fields.String(
        metadata={
            "enum": list(STATUSES),
            "description": "out: nothing left while blanks are needed; shortfall: will run short, or "
            "offices directly under it are out or short; low: own shelf at or below its minimum, or "
            "reorder now; else ok.",
        }
    )


class StockReportSchema(ma.Schema):
    under = fields.String()
    under_name = fields.String()
    level = fields.String(metadata={"enum": list(LEVELS)})
    as_of = fields.Date()
    count = fields.Integer()
    statuses = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata=_about("Rows per status."))
    rows = fields.List(fields.Nested(StockRowSchema))


class ConsumptionQuerySchema(Strict):
    under = fields.String(required=True, validate=CODE, metadata={"example": "62.02"})
    from_ = Day(
        data_key="from",
        metadata={"description": "First day; by default 30 days, 12 weeks or 12 months before `to`."},
    )
    to = Day(metadata=_about(f"Last day (default today); at most {MAX_RANGE_DAYS} days in all."))
    bucket = fields.String(load_default="day", validate=validate.OneOf(BUCKETS),
                           metadata={"description": "week: ISO weeks, Monday first."})  # fmt: skip
    format = _format_field()


class OutcomeSchema(ma.Schema):
    printed = fields.Integer()
    spoiled = fields.Integer()
    spoilage_rate = fields.Float(allow_none=True, metadata={"description": "spoiled / (printed + spoiled)."})


class ConsumptionFiguresSchema(OutcomeSchema):
    consumed = fields.Integer(metadata={"description": "printed + spoiled: blanks used up."})
    by_reason = fields.Dict(keys=fields.String(), values=fields.Nested(OutcomeSchema))


class ConsumptionBucketSchema(ConsumptionFiguresSchema):
    label = fields.String(metadata={"example": "2024-W19"})
    start = fields.Date(metadata={"description": "First day of the bucket inside the range."})
    end = fields.Date(metadata={"description": "Last day of the bucket inside the range."})


class ConsumptionReportSchema(ma.Schema):
    under = fields.String()
    under_name = fields.String()
    bucket = fields.String(metadata={"enum": list(BUCKETS)})
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    reasons = fields.List(fields.String())
    totals = fields.Nested(ConsumptionFiguresSchema)
    buckets = fields.List(fields.Nested(ConsumptionBucketSchema))

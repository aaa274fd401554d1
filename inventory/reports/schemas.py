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
    on_order = fields.Integer(
        metadata={
            "description": "Approved by requests for blanks and not yet received (the office's own "
            "requests): the suggested order leaves it out, as the office projection does."
        }
    )
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


# --- usage -------------------------------------------------------------------------

USAGE_FORMATS = ("json", "csv", "xlsx", "pdf")


class UsageQuerySchema(Strict):
    under = fields.String(required=True, validate=CODE, metadata={"example": "62.02"})
    level = fields.String(
        validate=validate.OneOf(LEVELS),
        metadata=_about(
            "The first level reported; every level below it follows (one sheet each), then the "
            "area's mobile units. By default the level just below `under`."
        ),
    )
    from_ = Day(
        data_key="from",
        metadata=_about(
            "First day (the office's local days). Without `from` and `to`: the last full calendar "
            "month in the area office's time zone; with `to` alone: the first day of `to`'s month."
        ),
    )
    to = Day(metadata=_about(f"Last day (default today); at most {MAX_RANGE_DAYS} days in all."))
    format = fields.String(
        validate=validate.OneOf(USAGE_FORMATS),
        metadata=_about("csv, xlsx or pdf for a file; else the Accept header decides; JSON by default."),
    )


def _figure(text: str) -> fields.Integer:
    return fields.Integer(metadata=_about(text))


class UsageFiguresSchema(ma.Schema):
    """The figures of a row or of a level's totals; printed_<reason> for every reason in `reasons`."""

    opening = _figure("On the office's shelf when the period began.")
    received = _figure("Deliveries, less deliveries reversed in the period.")
    transfers_in = _figure("Transfers received from other offices.")
    transfers_returned = _figure("Transfers cancelled back to this office.")
    transfers_out = _figure("Transfers dispatched to other offices.")
    printed_new_record = _figure("Cards printed for a new record (reversed prints taken off).")
    printed_replacement = _figure("Cards printed to replace a lost or damaged one.")
    printed_data_change = _figure("Cards printed after a change of data.")
    printed_other = _figure("Cards printed for another reason.")
    printed = _figure("All cards printed.")
    spoiled = _figure("Blanks spoiled while printing.")
    adjustment_stocktake = _figure("Differences found by stocktakes (signed).")
    adjustment_loss = _figure("Losses (negative).")
    adjustment_damage = _figure("Blanks damaged in store (negative).")
    adjustment_found = _figure("Blanks found (positive).")
    adjustment_correction = _figure("Corrections (signed).")
    adjustment_defective = _figure("Defective blanks moved into custody for destruction (negative).")
    adjustment_loss_in_transit = _figure(
        "Blanks sent that did not arrive, written off at the source (negative); the same blanks show "
        "in transfers_returned, so the source's row adds up."
    )
    adjustments = _figure("All adjustments, signed.")
    total_in = _figure("received + transfers_in + transfers_returned + positive adjustment kinds.")
    total_out = _figure("transfers_out + printed + spoiled + negative adjustment kinds (as positive).")
    closing = _figure("On the shelf when the period ended: opening + total_in - total_out.")
    custody_opening = _figure("Cards awaiting destruction when the period began.")
    custody_added = _figure("Spoiled prints, returned cards and defective blanks kept (reversals taken off).")
    custody_sent = _figure("Cards sent to another office for destruction.")
    custody_received = _figure("Cards received for destruction (and custody transfers cancelled back).")
    custody_destroyed = _figure("Cards destroyed by signed berita acara (reversed ones taken off).")
    custody_closing = _figure("Cards awaiting destruction when the period ended.")


class UsageRowSchema(UsageFiguresSchema):
    office = fields.String()
    name = fields.String()
    kind = fields.String()
    parent = fields.String(allow_none=True)
    active = fields.Boolean()
    time_zone = fields.String(metadata=_about("The zone whose days bound this row's period."))


class UsageLevelSchema(ma.Schema):
    level = fields.String(metadata={"enum": [*LEVELS, "mobile"]})
    count = fields.Integer()
    totals = fields.Nested(UsageFiguresSchema)
    rows = fields.List(fields.Nested(UsageRowSchema))


class UsageReportSchema(ma.Schema):
    under = fields.String()
    under_name = fields.String()
    level = fields.String(metadata={"enum": list(LEVELS)})
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    reasons = fields.List(
        fields.String(), metadata=_about("Print reasons, one printed_<reason> figure each.")
    )
    adjustment_kinds = fields.List(fields.String())
    columns = fields.List(fields.String(), metadata=_about("The figures of each row, in the files' order."))
    levels = fields.List(fields.Nested(UsageLevelSchema))

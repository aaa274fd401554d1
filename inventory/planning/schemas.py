"""Shapes of the planning API: population figures, projections, alerts, redistribution."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from ..core.schemas import CODE, Day, Strict, UtcDateTime, cursor, words
from .models import ALERT_KINDS, ALERT_STATUSES, SEVERITIES
from .population_csv import MAX_FIGURE, problems

FIGURE = validate.Range(min=0, max=MAX_FIGURE)


class PopulationInSchema(Strict):
    target = fields.Integer(
        required=True,
        strict=True,
        validate=FIGURE,
        metadata={"description": "Residents who must hold a card."},
    )
    recorded = fields.Integer(
        required=True, strict=True, validate=FIGURE, metadata={"description": "Residents recorded so far."}
    )
    print_backlog = fields.Integer(
        required=True,
        strict=True,
        validate=FIGURE,
        metadata={"description": "Recorded residents still waiting for their card."},
    )
    as_of = Day(required=True, metadata={"description": "Date of the figures (YYYY-MM-DD)."})

    @validates_schema
    def consistent(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        for field_name, reason in problems(data["target"], data["recorded"], data["print_backlog"]):
            errors.setdefault(field_name, []).append(f"{reason}.")
        if errors:
            raise ma.ValidationError(errors)


class FiguresSchema(ma.Schema):
    target = fields.Integer()
    recorded = fields.Integer()
    print_backlog = fields.Integer()
    as_of = fields.Date(allow_none=True)


class OwnFiguresSchema(FiguresSchema):
    updated_at = UtcDateTime()


class EffectiveFiguresSchema(FiguresSchema):
    unrecorded = fields.Integer(metadata={"description": "target - recorded"})


class PopulationSchema(ma.Schema):
    office = fields.String()
    source = fields.String(
        metadata={
            "enum": ["own", "children", "none"],
            "description": "Where the effective figures come from: the office's own, "
            "the sum of the offices below it, or nowhere yet.",
        }
    )
    own = fields.Nested(OwnFiguresSchema, allow_none=True)
    effective = fields.Nested(
        EffectiveFiguresSchema,
        metadata={"description": "What projections use. as_of is the oldest date among the summed offices."},
    )


class ProjectionQuerySchema(Strict):
    horizon_days = fields.Integer(
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "Days ahead; default: up to the office's target_date, else 90."},
    )


class ProjectionInputsSchema(ma.Schema):
    on_hand = fields.Integer(metadata={"description": "Blanks held by the office and every office below it."})
    in_transit_in = fields.Integer(metadata={"description": "Blanks on their way into that subtree."})
    on_order = fields.Integer(
        metadata={
            "description": "Approved by requests for blanks, not yet received: off the suggested order."
        }
    )
    target = fields.Integer()
    recorded = fields.Integer()
    print_backlog = fields.Integer()
    window_days = fields.Integer(metadata={"description": "Days of print history measured."})
    printed_in_window = fields.Integer()
    spoiled_in_window = fields.Integer()
    replacements_in_window = fields.Integer(
        metadata={"description": "Printed for replacement or data change."}
    )
    lead_time_days = fields.Integer(
        metadata={"description": "The lead time used: measured from the office's requests, or its setting."}
    )
    lead_time_basis = fields.String(
        metadata={
            "description": "`measured`: the median days from submission to first receipt over the office's "
            "last fulfilled requests (from 3 on); `setting`: lead_time_days as set."
        }
    )
    lead_time_setting_days = fields.Integer(metadata={"description": "The office's lead_time_days setting."})
    safety_days = fields.Integer()
    target_date = fields.Date(allow_none=True)
    print_capacity_per_day = fields.Integer(allow_none=True)
    min_sample_prints = fields.Integer(
        metadata={"description": "Prints a window needs for its rates to be used (RATE_MIN_PRINTS)."}
    )


class ProjectionOutputsSchema(ma.Schema):
    remaining = fields.Integer(metadata={"description": "on_hand + in_transit_in"})
    unrecorded = fields.Integer(metadata={"description": "target - recorded"})
    backlog = fields.Integer()
    spoilage_rate = fields.Float(metadata={"description": "spoiled / (printed + spoiled) over the window"})
    spoilage_source = fields.String(
        metadata={
            "enum": ["measured", "ancestor", "default"],
            "description": "Where the spoilage and replacement rates come from: the office's own window "
            "(with at least min_sample_prints prints), the nearest ancestor's that has that many, or the "
            "defaults (2 % spoiled, no replacements).",
        }
    )
    rates_office = fields.String(allow_none=True, metadata={"description": "Whose window gave the rates."})
    rates_sample = fields.Integer(metadata={"description": "Prints (printed + spoiled) behind the rates."})
    replacement_share = fields.Float(
        metadata={"description": "Of printed cards, those that replace one (replacement, data change)."}
    )
    replacements_per_day = fields.Float(
        metadata={"description": "replacement_share x the office's own printed cards a day"}
    )
    projected_demand = fields.Integer(
        metadata={
            "description": "(unrecorded + backlog + replacements/day x horizon) / (1 - spoilage), rounded up"
        }
    )
    average_daily_use = fields.Float(metadata={"description": "(printed + spoiled) / window days"})
    days_of_cover = fields.Float(allow_none=True, metadata={"description": "remaining / daily use"})
    stockout_date = fields.Date(allow_none=True)
    shortfall = fields.Integer(metadata={"description": "projected_demand - remaining, when positive"})
    suggested_order = fields.Integer()
    days_to_target = fields.Integer(allow_none=True)
    days_to_print_everyone = fields.Float(allow_none=True)
    runs_out_first = fields.String(
        allow_none=True, metadata={"enum": ["blanks", "capacity", "neither", None]}
    )
    target_passed = fields.Boolean(
        metadata={"description": "The target date is behind as_of: no deadline, the horizon is the default."}
    )


class ProjectionSchema(ma.Schema):
    office = fields.String()
    as_of = fields.Date()
    horizon_days = fields.Integer()
    horizon_basis = fields.String(
        metadata={
            "enum": ["requested", "target_date", "target_passed", "default"],
            "description": "Why this horizon: asked for, up to the office's target_date, the default "
            "because the target date has passed, or the default (no target date).",
        }
    )
    inputs = fields.Nested(ProjectionInputsSchema)
    outputs = fields.Nested(ProjectionOutputsSchema)


# --- alerts ----------------------------------------------------------------------


class AlertSchema(ma.Schema):
    id = fields.Integer()
    office = fields.String()
    office_name = fields.String()
    kind = fields.String(metadata={"enum": list(ALERT_KINDS)})
    status = fields.String(metadata={"enum": list(ALERT_STATUSES)})
    severity = fields.String(metadata={"enum": list(SEVERITIES)})
    message = fields.String()
    figures = fields.Dict(metadata={"description": "The figures behind the alert, kept current while open."})
    opened_at = UtcDateTime()
    updated_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)
    acknowledged_at = UtcDateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    acknowledgement_note = fields.String(allow_none=True)


class AlertQuerySchema(Strict):
    status = fields.String(
        validate=validate.OneOf((*ALERT_STATUSES, "unresolved")),
        metadata={"description": "open, acknowledged, resolved, or unresolved (open or acknowledged)."},
    )
    kind = fields.String(validate=validate.OneOf(ALERT_KINDS))
    office = fields.String(validate=CODE, metadata={"description": "This office and everything below it."})
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AlertPageSchema(ma.Schema):
    items = fields.List(fields.Nested(AlertSchema))
    next_before = fields.Integer(allow_none=True)


class AcknowledgeSchema(Strict):
    note = fields.String(required=True, validate=words(1, 2000))


# --- redistribution --------------------------------------------------------------


class RedistributionQuerySchema(Strict):
    horizon_days = fields.Integer(validate=validate.Range(min=1, max=3650))


class PositionSchema(ma.Schema):
    office = fields.String()
    have = fields.Integer(metadata={"description": "On hand in the subtree plus in transit to it."})
    need = fields.Integer(metadata={"description": "Projected demand plus safety days of daily demand."})
    surplus = fields.Integer(metadata={"description": "Spare blanks on the office's own shelf."})
    deficit = fields.Integer()
    days_of_cover = fields.Float(allow_none=True)


class TransferBodySchema(ma.Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    quantity = fields.Integer()
    note = fields.String()


class SuggestionSchema(ma.Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    quantity = fields.Integer()
    effect = fields.Dict(metadata={"description": "Per office: have, need and shortfall before and after."})
    transfer = fields.Nested(TransferBodySchema, metadata={"description": "POST this to /transfers to act."})


class RedistributionSchema(ma.Schema):
    office = fields.String()
    horizon_days = fields.Integer()
    positions = fields.List(fields.Nested(PositionSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    uncovered_deficit = fields.Integer(metadata={"description": "Short even after redistribution."})

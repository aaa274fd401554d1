"""Shapes of population figures and projections in the API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from .population_csv import MAX_FIGURE, problems
from .schemas import Day, Strict, UtcDateTime

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
    target = fields.Integer()
    recorded = fields.Integer()
    print_backlog = fields.Integer()
    window_days = fields.Integer(metadata={"description": "Days of print history measured."})
    printed_in_window = fields.Integer()
    spoiled_in_window = fields.Integer()
    replacements_in_window = fields.Integer(
        metadata={"description": "Printed for replacement or data change."}
    )
    lead_time_days = fields.Integer()
    safety_days = fields.Integer()
    target_date = fields.Date(allow_none=True)
    print_capacity_per_day = fields.Integer(allow_none=True)


class ProjectionOutputsSchema(ma.Schema):
    remaining = fields.Integer(metadata={"description": "on_hand + in_transit_in"})
    unrecorded = fields.Integer(metadata={"description": "target - recorded"})
    backlog = fields.Integer()
    spoilage_rate = fields.Float(metadata={"description": "spoiled / (printed + spoiled) over the window"})
    spoilage_source = fields.String(metadata={"enum": ["measured", "default"]})
    replacements_per_day = fields.Float()
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


class ProjectionSchema(ma.Schema):
    office = fields.String()
    as_of = fields.Date()
    horizon_days = fields.Integer()
    horizon_basis = fields.String(
        metadata={
            "enum": ["requested", "target_date", "default"],
            "description": "Why this horizon: asked for, up to the office's target_date, or the default.",
        }
    )
    inputs = fields.Nested(ProjectionInputsSchema)
    outputs = fields.Nested(ProjectionOutputsSchema)

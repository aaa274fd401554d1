"""Shapes of alerts in the API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from .models_alerts import ALERT_KINDS, ALERT_STATUSES, SEVERITIES
from .schemas import CODE, Strict, UtcDateTime


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
    before = fields.Integer(validate=validate.Range(min=1))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AlertPageSchema(ma.Schema):
    items = fields.List(fields.Nested(AlertSchema))
    next_before = fields.Integer(allow_none=True)


class AcknowledgeSchema(Strict):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))

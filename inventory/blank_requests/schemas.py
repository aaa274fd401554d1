"""Request and response shapes of the requests API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..core.schemas import CODE, Day, Strict, StrictBoolean, UtcDateTime, cursor, words
from ..stock.schemas import TransferSchema
from .models import ACTIONS
from .rules import STATUSES

QUANTITY = validate.Range(min=1, max=10_000_000)


class RequestCreateSchema(Strict):
    office = fields.String(required=True, validate=CODE, metadata={"example": "62.02"})
    supplier = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={"description": "The parent by default; any office above, or a sibling lending blanks."},
    )
    via = fields.List(
        fields.String(validate=CODE),
        load_default=list,
        validate=validate.Length(max=5),
        metadata={"description": "Offices between requester and supplier that decide first, nearest first."},
    )
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)
    justification = fields.String(
        load_default=None,
        allow_none=True,
        validate=words(3, 2000),
        metadata={"description": "Needed when the quantity differs from the projection's suggestion."},
    )
    needed_by = Day(load_default=None, allow_none=True)
    emergency = StrictBoolean(load_default=False)


class DecisionSchema(Strict):
    note = fields.String(load_default=None, allow_none=True, validate=words(3, 2000))


class ApproveSchema(DecisionSchema):
    approved_quantity = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=QUANTITY,
        metadata={
            "description": "The quota: at most what was asked or the step before granted; lower needs a note."
        },
    )


class RequestQuerySchema(Strict):
    from_ = fields.String(data_key="from", validate=CODE, metadata={"description": "The requesting office."})
    to = fields.String(validate=CODE, metadata={"description": "The supplier."})
    status = fields.String(validate=validate.OneOf(STATUSES))
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RequesterFiguresSchema(ma.Schema):
    on_hand = fields.Integer()
    in_transit_in = fields.Integer()
    shortfall = fields.Integer()
    suggested_order = fields.Integer()
    days_of_cover = fields.Float(allow_none=True)
    average_daily_use = fields.Float()
    unrecorded = fields.Integer()
    target_date = fields.Date(allow_none=True)


class AfterGrantingSchema(ma.Schema):
    on_hand = fields.Integer(metadata={"description": "The supplier's own stock once the quota has left it."})
    days_of_cover = fields.Float(allow_none=True)


class RequestSchema(ma.Schema):
    id = fields.Integer()
    office = fields.String()
    supplier = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    quantity = fields.Integer(metadata={"description": "Asked."})
    suggested_quantity = fields.Integer(allow_none=True)
    approved_quantity = fields.Integer(allow_none=True)
    shipped = fields.Integer(metadata={"description": "Dispatched and not called back, plus deliveries."})
    received = fields.Integer()
    outstanding = fields.Integer(metadata={"description": "Approved and not yet received."})
    awaiting = fields.String(
        allow_none=True, metadata={"description": "The office whose decision it awaits."}
    )
    justification = fields.String(allow_none=True)
    needed_by = fields.Date(allow_none=True)
    emergency = fields.Boolean()
    created_at = UtcDateTime()
    submitted_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime()


class RouteStepSchema(ma.Schema):
    position = fields.Integer()
    office = fields.String()


class HistorySchema(ma.Schema):
    action = fields.String(metadata={"enum": list(ACTIONS)})
    status = fields.String()
    office = fields.String(allow_none=True, metadata={"description": "The deciding office, for decisions."})
    quantity = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    actor = fields.String()
    at = UtcDateTime()


class DeliveryLineSchema(ma.Schema):
    movement_id = fields.Integer()
    quantity = fields.Integer()
    document_no = fields.String(allow_none=True)
    occurred_at = UtcDateTime()


class RequestDetailSchema(RequestSchema):
    route = fields.List(fields.Nested(RouteStepSchema))
    history = fields.List(fields.Nested(HistorySchema))
    transfers = fields.List(fields.Nested(TransferSchema))
    deliveries = fields.List(fields.Nested(DeliveryLineSchema))


class RequestListItemSchema(RequestSchema):
    requester = fields.Nested(RequesterFiguresSchema)
    supplier_after = fields.Nested(AfterGrantingSchema)


class RequestPageSchema(ma.Schema):
    items = fields.List(fields.Nested(RequestListItemSchema))
    next_before = fields.Integer(allow_none=True)


class RequestSuggestionSchema(ma.Schema):
    office = fields.String()
    supplier = fields.String(allow_none=True)
    quantity = fields.Integer()
    justification = fields.String()
    figures = fields.Nested(RequesterFiguresSchema)

"""Request and response shapes of the stock API (offices with their stock, movements,
prints, transfers); flask-smorest turns them into the OpenAPI spec."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from ..core.schemas import CODE, Day, Strict, StrictBoolean, UtcDateTime, cursor, text, words
from ..offices.models import OFFICE_KINDS
from ..offices.time_zones import ZONES
from .models import (
    CUSTODY_CATEGORIES,
    MOVEMENT_KINDS,
    PRINT_OUTCOMES,
    PRINT_REASONS,
    TRANSFER_CUSTODIES,
    TRANSFER_STATUSES,
)

# --- offices -------------------------------------------------------------------------


class StockSchema(ma.Schema):
    office = fields.String()
    on_hand = fields.Integer()
    in_transit_in = fields.Integer()
    in_transit_out = fields.Integer()
    subtree_on_hand = fields.Integer(metadata={"description": "This office and every office below it."})


TIME_ZONE = (
    "WIB, WITA or WIT: the office's usage days, report buckets and today are its local days. "
    "Defaults to the zone of the code's province (else the parent's, else WIB)."
)


class OfficeCreateSchema(Strict):
    code = fields.String(required=True, validate=CODE, metadata={"example": "62.02.05"})
    name = fields.String(required=True, validate=words(1, 200))
    kind = fields.String(required=True, validate=validate.OneOf(OFFICE_KINDS))
    parent_code = fields.String(load_default=None, allow_none=True, validate=CODE)
    time_zone = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ZONES),
                              metadata={"description": TIME_ZONE})  # fmt: skip


class OfficeUpdateSchema(Strict):
    name = fields.String(validate=words(1, 200))
    min_stock = fields.Integer(
        strict=True,  # like every other count in the API: a JSON integer, not "5" or 5.0
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "Low-stock threshold."},
    )
    active = StrictBoolean()
    time_zone = fields.String(validate=validate.OneOf(ZONES), metadata={"description": TIME_ZONE})
    # Planning settings (inventory/projection.py); managers may change them in their area.
    target_date = Day(
        allow_none=True, metadata={"description": "Everyone should hold a card by then, e.g. election day."}
    )
    lead_time_days = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=365),
        metadata={"description": "Days a re-supply takes."},
    )
    safety_days = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=365), metadata={"description": "Days of spare cover."}
    )
    print_capacity_per_day = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "Cards the office can print a day: printers x cards per printer."},
    )
    # The letterhead and signatory of the office's documents (berita acara pemusnahan).
    address = fields.String(allow_none=True, validate=words(1, 500))
    head_name = fields.String(allow_none=True, validate=words(1, 200))
    head_nip = fields.String(
        allow_none=True, validate=validate.Regexp(r"^[0-9]{18}$", error="A NIP is 18 digits.")
    )
    destruction_interval_days = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "Cards should not await destruction longer than this (alert)."},
    )
    destruction_max_pending = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=10_000_000),
        metadata={"description": "Cards awaiting destruction beyond this raise an alert."},
    )


class OfficeSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    parent_code = fields.Function(lambda office: office.parent.code if office.parent else None)
    min_stock = fields.Integer()
    active = fields.Boolean()
    target_date = fields.Date(allow_none=True)
    lead_time_days = fields.Integer()
    safety_days = fields.Integer()
    print_capacity_per_day = fields.Integer(allow_none=True)
    time_zone = fields.String(metadata={"enum": list(ZONES), "description": TIME_ZONE})
    address = fields.String(allow_none=True)
    head_name = fields.String(allow_none=True)
    head_nip = fields.String(allow_none=True)
    destruction_interval_days = fields.Integer()
    destruction_max_pending = fields.Integer()
    stock = fields.Nested(StockSchema, dump_only=True)


class OfficeQuerySchema(Strict):
    parent = fields.String(validate=CODE)
    kind = fields.String(validate=validate.OneOf(OFFICE_KINDS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class OfficePageSchema(ma.Schema):
    items = fields.List(fields.Nested(OfficeSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


# --- movements -----------------------------------------------------------------------


class MovementSchema(ma.Schema):
    id = fields.Integer()
    office = fields.String()
    kind = fields.String(metadata={"enum": list(MOVEMENT_KINDS)})
    quantity = fields.Integer(metadata={"description": "Signed: negative takes blanks out."})
    balance_after = fields.Integer()
    outcome = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    transfer_id = fields.Integer(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    client_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    batch_no = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    actor = fields.String()
    occurred_at = UtcDateTime(metadata={"description": "When it happened, as the client reported."})
    recorded_at = UtcDateTime(metadata={"description": "When the server recorded it."})


class MovementResultSchema(ma.Schema):
    movement = fields.Nested(MovementSchema)
    on_hand = fields.Integer()


class DeliverySchema(Strict):
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    batch_no = text(100, load_default=None, allow_none=True)
    document_no = text(100, load_default=None, allow_none=True)
    received_at = UtcDateTime(load_default=None, allow_none=True)
    note = text(2000, load_default=None, allow_none=True)


class PrintSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(PRINT_OUTCOMES))
    reason = fields.String(required=True, validate=validate.OneOf(PRINT_REASONS))
    printed_at = UtcDateTime(load_default=None, allow_none=True)


class BatchPrintItemSchema(PrintSchema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class BatchPrintSchema(Strict):
    prints = fields.List(
        fields.Dict(),
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "Each item: client_id, outcome, reason, printed_at."},
    )


class BatchItemResultSchema(ma.Schema):
    index = fields.Integer()
    client_id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["recorded", "already_recorded", "refused"]})
    movement_id = fields.Integer(allow_none=True)
    error = fields.String()
    message = fields.String()
    errors = fields.Dict()


class BatchResultSchema(ma.Schema):
    recorded = fields.Integer()
    already_recorded = fields.Integer()
    refused = fields.Integer()
    on_hand = fields.Integer()
    results = fields.List(fields.Nested(BatchItemResultSchema))


class AdjustmentSchema(Strict):
    counted = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=100_000_000),
        metadata={"description": "Physical count; the movement is the difference."},
    )
    kind = fields.String(
        validate=validate.OneOf(("loss", "damage", "found", "correction", "defective")),
        metadata={"description": "`defective` (negative): blanks that cannot be used, kept for destruction."},
    )
    quantity = fields.Integer(strict=True, validate=validate.Range(min=-1_000_000, max=1_000_000))
    reason = fields.String(required=True, validate=words(3, 500))

    @validates_schema
    def one_form(self, data, **kwargs):
        if "counted" in data:
            if "kind" in data or "quantity" in data:
                raise ma.ValidationError("Send either `counted` or `kind` with `quantity`, not both.")
        elif "kind" not in data or "quantity" not in data:
            raise ma.ValidationError("Send `counted`, or `kind` with a signed `quantity`.")


class ReverseSchema(Strict):
    reason = fields.String(required=True, validate=words(3, 500))


class LedgerQuerySchema(Strict):
    kind = fields.List(fields.String(validate=validate.OneOf(MOVEMENT_KINDS)))
    since = UtcDateTime(metadata={"description": "occurred_at at or after"})
    until = UtcDateTime(metadata={"description": "occurred_at before"})
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class LedgerPageSchema(ma.Schema):
    office = fields.String()
    items = fields.List(fields.Nested(MovementSchema))
    next_before = fields.Integer(
        allow_none=True, metadata={"description": "Pass as `before` for the next page."}
    )


# --- transfers -----------------------------------------------------------------------


class TransferCreateSchema(Strict):
    from_ = fields.String(required=True, validate=CODE, data_key="from")
    to = fields.String(required=True, validate=CODE)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    note = text(2000, load_default=None, allow_none=True)
    custody = fields.String(
        load_default="stock",
        validate=validate.OneOf(TRANSFER_CUSTODIES),
        metadata={"description": "`spoiled`: cards awaiting destruction (one `category` a transfer)."},
    )
    category = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CUSTODY_CATEGORIES))

    @validates_schema
    def category_with_custody(self, data, **kwargs):
        if data.get("custody") == "spoiled" and data.get("category") is None:
            raise ma.ValidationError("A custody transfer names its category.", "category")
        if data.get("custody") == "stock" and data.get("category") is not None:
            raise ma.ValidationError(
                "Only a custody transfer (`custody`: `spoiled`) has a category.", "category"
            )


class TransferSchema(ma.Schema):
    id = fields.Integer()
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    quantity = fields.Integer()
    status = fields.String(metadata={"enum": list(TRANSFER_STATUSES)})
    note = fields.String(allow_none=True)
    custody = fields.String(metadata={"enum": list(TRANSFER_CUSTODIES)})
    category = fields.String(allow_none=True, metadata={"enum": list(CUSTODY_CATEGORIES)})
    dispatched_by = fields.String()
    dispatched_at = UtcDateTime()
    closed_by = fields.String(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)


class TransferQuerySchema(Strict):
    office = fields.String(validate=CODE)
    status = fields.String(validate=validate.OneOf(TRANSFER_STATUSES))
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class TransferPageSchema(ma.Schema):
    items = fields.List(fields.Nested(TransferSchema))
    next_before = fields.Integer(allow_none=True)

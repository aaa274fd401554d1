"""Request and response shapes of the offices API (offices_api.py): an office, its settings
and its stock; flask-smorest turns them into the OpenAPI spec."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..core.schemas import CODE, Day, Strict, StrictBoolean, words
from ..offices.models import OFFICE_KINDS
from ..offices.time_zones import ZONES


class StockSchema(ma.Schema):
    office = fields.String()
    on_hand = fields.Integer()
    in_transit_in = fields.Integer()
    in_transit_out = fields.Integer()
    subtree_on_hand = fields.Integer(metadata={"description": "This office and every office below it."})
    serial_tracked = fields.Integer(metadata={"description": "Blanks on hand whose serials are recorded."})


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
    serials_required = StrictBoolean(metadata={"description": "Refuse prints that name no serial."})
    allow_self_receipt = StrictBoolean(
        metadata={
            "description": "Let who dispatched a transfer receive it here (else 403 same_person); "
            "honoured only while the office has one active user."
        }
    )
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
    # The public stock board (/papan).
    public_quantity = StrictBoolean(
        metadata={
            "description": "Show residents the number of blanks on the public board, not only a status."
        }
    )
    public_stale_days = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=365),
        metadata={
            "description": "Days without a movement or confirmation before the board says 'not updated'."
        },
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
    serials_required = fields.Boolean()
    address = fields.String(allow_none=True)
    head_name = fields.String(allow_none=True)
    head_nip = fields.String(allow_none=True)
    destruction_interval_days = fields.Integer()
    destruction_max_pending = fields.Integer()
    public_quantity = fields.Boolean()
    public_stale_days = fields.Integer()
    allow_self_receipt = fields.Boolean()
    stock = fields.Nested(StockSchema, dump_only=True)


class RegionImportSchema(Strict):
    under = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9]{2}(\.[0-9]{2})?$", error="A province (62) or regency (62.02) code."
        ),
        metadata={"description": "An official province or regency code.", "example": "62"},
    )


class RegionImportResultSchema(ma.Schema):
    under = fields.String()
    created = fields.Integer(metadata={"description": "Offices created now."})
    already_present = fields.Integer(metadata={"description": "Offices of the area that existed already."})


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

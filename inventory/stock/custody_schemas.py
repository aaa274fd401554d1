"""Request and response shapes of custody: returned cards, the custody card, destruction records."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from ..core.schemas import Day, Strict, UtcDateTime, cursor, text, words
from .models import (
    CUSTODY_CATEGORIES,
    CUSTODY_KINDS,
    DESTRUCTION_METHODS,
    DESTRUCTION_STATUSES,
    RETURN_REASONS,
)
from .serials import NotationError, parse_notations

# Counts are Integer columns: within 32 bits, and a plausible day's burning.
COUNT = validate.Range(min=0, max=10_000_000)
NIP = validate.Regexp(r"^[0-9]{18}$", error="A NIP is 18 digits.")


class ReturnedCardsSchema(Strict):
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100_000))
    reason = fields.String(required=True, validate=validate.OneOf(RETURN_REASONS))
    note = text(2000, load_default=None, allow_none=True)
    returned_at = UtcDateTime(load_default=None, allow_none=True)


class CustodyMovementSchema(ma.Schema):
    id = fields.Integer()
    office = fields.String()
    category = fields.String(metadata={"enum": list(CUSTODY_CATEGORIES)})
    kind = fields.String(metadata={"enum": list(CUSTODY_KINDS)})
    quantity = fields.Integer(metadata={"description": "Signed: + into this office's custody, - out of it."})
    reason = fields.String(allow_none=True)
    movement_id = fields.Integer(allow_none=True)
    transfer_id = fields.Integer(allow_none=True)
    destruction_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    actor = fields.String()
    occurred_at = UtcDateTime()
    recorded_at = UtcDateTime()


class ReturnedCardsResultSchema(ma.Schema):
    custody_movement = fields.Nested(CustodyMovementSchema)
    awaiting = fields.Integer(metadata={"description": "Returned cards now awaiting destruction here."})


class CategoryFiguresSchema(ma.Schema):
    awaiting = fields.Integer()
    in_transit_in = fields.Integer()


class CustodyQuerySchema(Strict):
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CustodySchema(ma.Schema):
    office = fields.String()
    awaiting = fields.Integer(metadata={"description": "Every category together."})
    categories = fields.Dict(keys=fields.String(), values=fields.Nested(CategoryFiguresSchema))
    items = fields.List(fields.Nested(CustodyMovementSchema), metadata={"description": "Newest first."})
    next_before = fields.Integer(allow_none=True)


class WitnessSchema(Strict):
    name = fields.String(required=True, validate=words(1, 200))
    nip = fields.String(load_default=None, allow_none=True, validate=NIP)
    institution = fields.String(required=True, validate=words(1, 200))
    role = fields.String(required=True, validate=words(1, 200))


class CountsSchema(Strict):
    spoiled_print = fields.Integer(strict=True, validate=COUNT)
    returned_card = fields.Integer(strict=True, validate=COUNT)
    defective_blank = fields.Integer(strict=True, validate=COUNT)

    @validates_schema
    def something(self, data, **kwargs):
        if not sum(data.values()):
            raise ma.ValidationError("Count at least one card.")


class DestructionSerials(fields.List):
    """The serials of the spoiled prints a record burns, as users type them (stock/serials.py),
    kept as ranges in serial order: signing links each to its blank (destruction_serials.py)."""

    def __init__(self, **kwargs) -> None:
        description = (
            "Serials of the spoiled prints burned, where known: ranges (`KTP0001030-KTP0001031`, "
            "`KTP0001030+2`), single serials or chip UIDs; kept as ranges in serial order. At most "
            "as many as `counts.spoiled_print`; on signing each must be a blank spoiled at the office "
            "or below it and not destroyed yet (409 serial_not_in_custody, serial_already_destroyed)."
        )
        super().__init__(
            fields.String(validate=words(1, 100)),
            validate=validate.Length(max=1000),
            metadata={"description": description, "example": ["KTP0001030-KTP0001031"]},
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        items = super()._deserialize(value, attr, data, **kwargs)
        try:
            return [str(found) for found in sorted(parse_notations(items))] if items else []
        except NotationError as error:
            raise ma.ValidationError(str(error)) from None


def _destruction_fields(required: bool) -> dict[str, fields.Field]:
    """A record's fields: all required to draft it, any of them to change a draft."""
    return {
        "document_no": fields.String(required=required, validate=words(1, 100)),
        "destroyed_on": Day(required=required),
        "place": fields.String(required=required, validate=words(1, 200)),
        "method": fields.String(required=required, validate=validate.OneOf(DESTRUCTION_METHODS)),
        "witnesses": fields.List(
            fields.Nested(WitnessSchema),
            required=required,
            validate=validate.Length(min=2, max=20),
            metadata={"description": "At least two: Satpol PP, Inspektorat, police, journalists..."},
        ),
        "counts": fields.Nested(CountsSchema, required=required),
        "serials": DestructionSerials(),
        "note": text(2000, allow_none=True),
    }


DestructionCreateSchema = Strict.from_dict(_destruction_fields(True), name="DestructionCreateSchema")
DestructionUpdateSchema = Strict.from_dict(_destruction_fields(False), name="DestructionUpdateSchema")


class ReverseDestructionSchema(Strict):
    reason = fields.String(required=True, validate=words(3, 500))


class DestructionSchema(ma.Schema):
    id = fields.Integer()
    office = fields.String()
    status = fields.String(metadata={"enum": list(DESTRUCTION_STATUSES)})
    document_no = fields.String()
    destroyed_on = fields.Date()
    place = fields.String()
    method = fields.String(metadata={"enum": list(DESTRUCTION_METHODS)})
    witnesses = fields.List(fields.Nested(WitnessSchema))
    counts = fields.Nested(CountsSchema)
    total = fields.Integer()
    serials = fields.List(fields.String())
    note = fields.String(allow_none=True)
    reversal_of = fields.Integer(allow_none=True)
    created_by = fields.String()
    created_at = UtcDateTime()
    signed_by = fields.String(allow_none=True)
    signed_at = UtcDateTime(allow_none=True)
    reported_by = fields.String(allow_none=True)
    reported_at = UtcDateTime(allow_none=True)
    scan_sha256 = fields.String(allow_none=True)
    scan_content_type = fields.String(allow_none=True)
    scan_size = fields.Integer(allow_none=True)
    scan_uploaded_at = UtcDateTime(allow_none=True)


class DestructionQuerySchema(Strict):
    status = fields.String(validate=validate.OneOf(DESTRUCTION_STATUSES))
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DestructionPageSchema(ma.Schema):
    items = fields.List(fields.Nested(DestructionSchema))
    next_before = fields.Integer(allow_none=True)

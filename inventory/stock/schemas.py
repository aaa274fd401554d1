"""Request and response shapes of the stock API (movements, prints, transfers, serials;
the offices' are in office_schemas.py); flask-smorest turns them into the OpenAPI spec."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from ..core.schemas import CODE, INT64_MAX, Strict, StrictBoolean, UtcDateTime, cursor, text, words
from .models import (
    CUSTODY_CATEGORIES,
    MOVEMENT_KINDS,
    PRINT_OUTCOMES,
    PRINT_REASONS,
    SERIAL_DESTRUCTION_STEPS,
    TRANSFER_CUSTODIES,
    TRANSFER_STATUSES,
)
from .serials import MAX_RANGES, NotationError, parse_notations, parse_one


class Serials(fields.List):
    """Serial ranges as users type them (stock/serials.py), read into SerialRange values."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("metadata", {"description": SERIALS, "example": ["KTP0001000-KTP0001999"]})
        super().__init__(
            fields.String(validate=validate.Length(min=1, max=1_000_000)),
            validate=validate.Length(min=1, max=MAX_RANGES),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_notations(super()._deserialize(value, attr, data, **kwargs))
        except NotationError as error:
            raise ma.ValidationError(str(error)) from None


SERIALS = (
    "Serial ranges: `KTP0001000-KTP0001999`, `KTP0001000+1000` (first plus count), single serials "
    "or chip UIDs; each item may list several, separated by commas or spaces."
)


class TransferSerials(fields.Field):
    """`"lowest"`, or serial ranges as in Serials."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "lowest":
            return value
        if isinstance(value, list):
            return Serials().deserialize(value, attr, data, **kwargs)
        raise ma.ValidationError('Send "lowest" or a list of serial ranges.')


class SerialField(fields.String):
    """One serial, read into a range of one."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_one(text)
        except NotationError as error:
            raise ma.ValidationError(str(error)) from None


class AgainstRequest(Strict):
    """A shipment against a request for blanks: its id, and over_approve to ship past the quota."""

    request_id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=INT64_MAX),
        metadata={"description": "The request for blanks this fills (POST /requests)."},
    )
    over_approve = StrictBoolean(
        load_default=False,
        metadata={"description": "Ship more than the request's quota: managers of the supplier only."},
    )

    @validates_schema
    def over_what(self, data, **kwargs):
        # Without a request there is no quota to pass: the flag would only widen who may ship.
        if data.get("over_approve") and data.get("request_id") is None:
            raise ma.ValidationError("over_approve goes with a request_id.", field_name="over_approve")


# --- movements -----------------------------------------------------------------------


class MovementSchema(ma.Schema):
    id = fields.Integer()
    office = fields.String()
    kind = fields.String(metadata={"enum": list(MOVEMENT_KINDS)})
    quantity = fields.Integer(metadata={"description": "Signed: negative takes blanks out."})
    balance_after = fields.Integer(
        metadata={"description": "On hand right after it was recorded (a stocktake's count)."}
    )
    balance = fields.Integer(
        metadata={
            "description": "On hand after it in the order movements happened (occurred_at, id), "
            "as the stock card shows it; differs from balance_after where a movement dated "
            "earlier was recorded later. Not in a write's answer."
        }
    )
    outcome = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    transfer_id = fields.Integer(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    client_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    batch_no = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    request_id = fields.Integer(allow_none=True, metadata={"description": "A delivery's request for blanks."})
    actor = fields.String()
    serials = fields.List(fields.String(), metadata={"description": "Serial ranges it carried, if named."})
    occurred_at = UtcDateTime(metadata={"description": "When it happened, as the client reported."})
    recorded_at = UtcDateTime(metadata={"description": "When the server recorded it."})


class MovementResultSchema(ma.Schema):
    movement = fields.Nested(MovementSchema)
    on_hand = fields.Integer()


class DeliverySchema(AgainstRequest):
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    batch_no = text(100, load_default=None, allow_none=True)
    document_no = text(100, load_default=None, allow_none=True)
    received_at = UtcDateTime(load_default=None, allow_none=True)
    note = text(2000, load_default=None, allow_none=True)
    serials = Serials(load_default=None)


class ManifestQuerySchema(Strict):
    """A delivery whose serials come as a manifest file (the body): its other fields."""

    quantity = fields.Integer(
        strict=False,  # a query string carries text
        validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "When given, the manifest must name as many blanks."},
    )
    batch_no = text(100, load_default=None)
    document_no = text(100, load_default=None)
    received_at = UtcDateTime(load_default=None)
    note = text(2000, load_default=None)


class PrintFieldsSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(PRINT_OUTCOMES))
    reason = fields.String(required=True, validate=validate.OneOf(PRINT_REASONS))
    printed_at = UtcDateTime(load_default=None, allow_none=True)


class PrintSchema(PrintFieldsSchema):
    serial = SerialField(
        load_default=None,
        metadata={
            "description": "The blank's serial: the office must hold it.",
            "example": "KTP0001000",
            "minLength": 1,
            "maxLength": 64,
        },
    )


class BatchPrintItemSchema(PrintFieldsSchema):
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
    confirm = StrictBoolean(
        metadata={
            "description": "With `counted`: record a difference of more than 5 % of the books or 100 "
            "blanks (422 `confirmation_required` without it); the caller is recorded as who confirmed."
        }
    )

    @validates_schema
    def one_form(self, data, **kwargs):
        if "confirm" in data and "counted" not in data:
            raise ma.ValidationError("`confirm` goes with `counted` only.", "confirm")
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
    serial_tracked = fields.Integer(metadata={"description": "Blanks on hand whose serials are recorded."})


# --- transfers -----------------------------------------------------------------------


class TransferCreateSchema(AgainstRequest):
    from_ = fields.String(required=True, validate=CODE, data_key="from")
    to = fields.String(required=True, validate=CODE)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    note = text(2000, load_default=None, allow_none=True)
    serials = TransferSerials(
        load_default=None,
        metadata={
            "description": '"lowest" (the lowest-numbered blanks the source holds) or serial ranges.',
            "oneOf": [{"type": "string", "enum": ["lowest"]}, {"type": "array", "items": {"type": "string"}}],
        },
    )
    custody = fields.String(
        load_default="stock",
        validate=validate.OneOf(TRANSFER_CUSTODIES),
        metadata={"description": "`spoiled`: cards awaiting destruction (one `category` a transfer)."},
    )
    category = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CUSTODY_CATEGORIES))
    planned = StrictBoolean(
        load_default=False,
        metadata={
            "description": "Plan it only (status `planned`): nothing moves until warehouse staff "
            "POST /transfers/{id}/dispatch. Managers or warehouse staff of `from`; no `serials` "
            "(chosen at dispatch), `request_id` or custody `category` (422 not_plannable)."
        },
    )

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
    dispatched_by = fields.String(allow_none=True, metadata={"description": "None while planned."})
    dispatched_at = UtcDateTime(allow_none=True)
    planned_by = fields.String(allow_none=True, metadata={"description": "Who planned it, if it was."})
    planned_at = UtcDateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    serials = fields.List(fields.String(), metadata={"description": "Serial ranges it carries, if any."})
    request_id = fields.Integer(allow_none=True)
    counted = fields.Integer(metadata={"description": "On a receipt with a count: the blanks that arrived."})
    missing = fields.Integer(metadata={"description": "On a short receipt: the blanks that did not arrive."})
    missing_serials = fields.List(
        fields.String(), metadata={"description": "On a short receipt with serials: the ranges missing."}
    )
    loss = fields.Nested(
        MovementSchema,
        metadata={"description": "On a short receipt: the `loss_in_transit` recorded at the source."},
    )


class CancelSchema(Strict):
    """Optional: what the caller means to cancel."""

    plan_only = StrictBoolean(
        load_default=False,
        metadata={
            "description": "Only call off a plan: 409 transfer_not_planned, and nothing moves, if it "
            "was dispatched meanwhile (without it, the warehouse calls back whatever it is now)."
        },
    )


class PlannedDispatchSchema(Strict):
    """Optional: the serials of the blanks that leave, as POST /transfers takes them."""

    serials = TransferSerials(
        load_default=None,
        metadata={
            "description": '"lowest" (the lowest-numbered blanks the source holds) or serial ranges, '
            "as many as the planned quantity (422 serial_count_mismatch).",
            "oneOf": [{"type": "string", "enum": ["lowest"]}, {"type": "array", "items": {"type": "string"}}],
        },
    )


class ReceiptSchema(Strict):
    """Optional: how many blanks actually arrived, and why not all."""

    counted = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=1_000_000),
        metadata={
            "description": "Blanks that arrived (all, when absent, less any `missing_serials`). Fewer "
            "than sent: the destination lands what arrived, and the difference goes back onto the "
            "source's books and off them as a `loss_in_transit` naming the transfer, with the note; "
            "the source's managers get a `loss_in_transit` alert. More than sent: 422 "
            "counted_exceeds_sent. Cards for destruction: 409 missing_cards_need_naming."
        },
    )
    note = text(400, load_default=None, allow_none=True)
    missing_serials = Serials(
        load_default=None,
        metadata={
            "description": "A transfer carrying serials received short must name the missing ones, as "
            "many as are missing (422 missing_serials_required); they end with the loss at the source. "
            "422 serial_not_in_transfer for serials it does not carry.",
            "example": ["KTP0001008-KTP0001009"],
        },
    )


class TransferQuerySchema(Strict):
    office = fields.String(validate=CODE)
    status = fields.String(validate=validate.OneOf(TRANSFER_STATUSES))
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class TransferPageSchema(ma.Schema):
    items = fields.List(fields.Nested(TransferSchema))
    next_before = fields.Integer(allow_none=True)


# --- serials -------------------------------------------------------------------------


class SerialRangeSchema(ma.Schema):
    range = fields.String()
    first = fields.String()
    last = fields.String()
    count = fields.Integer()
    transfer_id = fields.Integer()


class SerialHoldingsSchema(ma.Schema):
    office = fields.String()
    held_count = fields.Integer(metadata={"description": "Serialled blanks the office holds."})
    in_transit_count = fields.Integer(metadata={"description": "Serialled blanks on their way to it."})
    held = fields.List(fields.Nested(SerialRangeSchema))
    in_transit = fields.List(fields.Nested(SerialRangeSchema))


class SerialHoldingsQuerySchema(Strict):
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10_000))


class SerialStepSchema(ma.Schema):
    movement_id = fields.Integer(allow_none=True, metadata={"description": "None for a destruction step."})
    destruction_id = fields.Integer(
        allow_none=True, metadata={"description": "The destruction record (or its reversal) of this step."}
    )
    kind = fields.String(
        metadata={
            "enum": [*MOVEMENT_KINDS, *SERIAL_DESTRUCTION_STEPS],
            "description": "A movement's kind, or `destruction` (a signed record burned it) and "
            "`destruction_reversal` (a reversal record gave it back to custody).",
        }
    )
    outcome = fields.String(allow_none=True)
    office = fields.String()
    occurred_at = UtcDateTime()
    actor = fields.String()
    document_no = fields.String(allow_none=True)
    transfer_id = fields.Integer(allow_none=True)
    range = fields.String(metadata={"description": "The range this movement carried."})


class SerialEndSchema(ma.Schema):
    movement_id = fields.Integer()
    kind = fields.String()
    outcome = fields.String(allow_none=True)
    office = fields.String()


class SerialDestroyedBySchema(ma.Schema):
    id = fields.Integer(metadata={"description": "The destruction record (berita acara)."})
    document_no = fields.String()
    destroyed_on = fields.Date()


class SerialStorySchema(ma.Schema):
    serial = fields.String()
    range = fields.String(metadata={"description": "The range holding it now."})
    office = fields.String(allow_none=True, metadata={"description": "The office holding it, if held."})
    transfer_id = fields.Integer(allow_none=True, metadata={"description": "The transfer carrying it."})
    ended_by = fields.Nested(SerialEndSchema, allow_none=True)
    destroyed_by = fields.Nested(
        SerialDestroyedBySchema,
        allow_none=True,
        metadata={"description": "The signed destruction record that burned this spoiled blank, if any."},
    )
    trail = fields.List(fields.Nested(SerialStepSchema))

"""The stock API: deliveries, prints, counts, adjustments, an office's ledger, reversals, and
two-step transfers between offices (dispatch, then receive or cancel; or plan, then dispatch)."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from marshmallow import ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from ..auth import permissions
from ..core.context import current_principal
from ..core.errors import Invalid, NotFound
from ..core.parsing import Blueprint
from ..core.unit_of_work import IDEMPOTENCY_HEADER, idempotent, writes
from ..offices import tree
from . import ledger, serial_lookup, serial_ranges, service
from .schemas import (
    AdjustmentSchema,
    BatchPrintItemSchema,
    BatchPrintSchema,
    BatchResultSchema,
    CancelSchema,
    DeliverySchema,
    LedgerPageSchema,
    LedgerQuerySchema,
    ManifestQuerySchema,
    MovementResultSchema,
    MovementSchema,
    PlannedDispatchSchema,
    PrintSchema,
    ReceiptSchema,
    ReverseSchema,
    SerialHoldingsQuerySchema,
    SerialHoldingsSchema,
    SerialStorySchema,
    TransferCreateSchema,
    TransferPageSchema,
    TransferQuerySchema,
    TransferSchema,
)
from .serials import NotationError, parse_manifest, total

blp = Blueprint("stock", __name__, description="Deliveries, prints, adjustments, ledger, reversals.")
IDEMPOTENT = {"parameters": [IDEMPOTENCY_HEADER]}
_item_schema = BatchPrintItemSchema()


def office_for(code: str, action: str) -> tree.OfficeRef:
    office = tree.ref_by_code(code)
    permissions.require(current_principal(), action, office.path)
    return office


def print_office(code: str) -> tree.OfficeRef:
    """A print's office, by its remembered place: one query less on the busiest route."""
    office = tree.place_by_code(code)
    permissions.require(current_principal(), permissions.PRINT, office.path)
    return office


def with_on_hand(movement: dict) -> dict:
    return {"movement": movement, "on_hand": movement["balance_after"]}


@blp.route("/offices/<code>/deliveries", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(DeliverySchema())
@idempotent
@blp.response(201, MovementResultSchema)
@writes
def deliver(data, code):
    """Record blanks received by an office (warehouse); with `request_id`, against that request."""
    # Past a request's quota, only a manager of the supplier ships (checked against the request).
    office = office_for(code, permissions.OVER_APPROVE if data["over_approve"] else permissions.DELIVER)
    return with_on_hand(service.receive(office, current_principal(), **data))


MANIFEST_BODY = {
    "required": True,
    "description": "The manifest: one serial or chip UID a line (text), or a CSV whose first column "
    "is the serial, with or without a header row; each line a range of one unless written as a range.",
    "content": {kind: {"schema": {"type": "string"}} for kind in ("text/plain", "text/csv")},
}
MANIFEST_TYPES = ("text/plain", "text/csv")


@blp.route("/offices/<code>/deliveries/manifest", methods=["POST"])
@blp.doc(requestBody=MANIFEST_BODY, **IDEMPOTENT)
@blp.arguments(ManifestQuerySchema(), location="query")
@idempotent
@blp.response(201, MovementResultSchema)
@writes
def deliver_manifest(query, code):
    """Record a delivery whose blanks' serials (chip UIDs) come as a manifest file (warehouse)."""
    office = office_for(code, permissions.DELIVER)
    if request.mimetype not in MANIFEST_TYPES:
        raise UnsupportedMediaType(f"Send the manifest as {' or '.join(MANIFEST_TYPES)}.")
    try:
        serials = parse_manifest(request.get_data().decode("utf-8"))
    except UnicodeDecodeError:
        raise Invalid(
            "The manifest is not UTF-8 text.", error="invalid_manifest", field="manifest", location="body"
        ) from None
    except NotationError as error:
        raise Invalid(str(error), error="invalid_manifest", field="manifest", location="body") from None
    quantity = query.pop("quantity", None) or total(serials)
    return with_on_hand(service.receive(office, current_principal(), quantity, serials=serials, **query))


@blp.route("/offices/<code>/prints", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(PrintSchema())
@idempotent
@blp.response(201, MovementResultSchema)
@writes
def print_card(data, code):
    """Log one card print, printed or spoiled; 409 insufficient_stock when no blank is left."""
    office = print_office(code)
    return with_on_hand(service.consume(office, current_principal(), **data))


@blp.route("/offices/<code>/prints/batch", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(BatchPrintSchema())
@idempotent
@blp.response(200, BatchResultSchema)
@writes
def print_batch(data, code):
    """Upload up to 1,000 prints made offline; each client_id is recorded at most once."""
    office = office_for(code, permissions.PRINT)
    valid, results = [], []
    for index, raw in enumerate(data["prints"]):
        try:
            valid.append((index, _item_schema.load(raw)))
        except ValidationError as error:
            results.append(
                {
                    "index": index,
                    "client_id": _client_id(raw),
                    "status": "refused",
                    "error": "validation_error",
                    "message": "Invalid print.",
                    "errors": error.messages,
                }
            )
    outcomes = service.consume_batch(office, current_principal(), [item for _, item in valid])
    results += [{"index": index, **outcome} for (index, _), outcome in zip(valid, outcomes, strict=True)]
    results.sort(key=lambda result: result["index"])
    summary = {
        status: sum(r["status"] == status for r in results)
        for status in ("recorded", "already_recorded", "refused")
    }
    return {**summary, "on_hand": ledger.balance_of(office.id)["on_hand"], "results": results}


def _client_id(raw) -> str | None:
    value = raw.get("client_id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


@blp.route("/offices/<code>/adjustments", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(AdjustmentSchema())
@idempotent
@blp.response(201, MovementResultSchema)
@writes
def adjust(data, code):
    """Correct stock after a physical count (`counted`) or a loss, damage, find or correction."""
    office = office_for(code, permissions.ADJUST)
    principal = current_principal()
    if "counted" in data:
        count = service.count(office, principal, data["counted"], data["reason"], data.get("confirm", False))
        return with_on_hand(count)
    return with_on_hand(service.adjust(office, principal, data["kind"], data["quantity"], data["reason"]))


@blp.route("/offices/<code>/ledger", methods=["GET"])
@blp.arguments(LedgerQuerySchema(), location="query")
@blp.response(200, LedgerPageSchema)
def stock_card(query, code):
    """The stock card, newest first by when each movement happened, with the balance after
    each in that order (`balance`). Follow `next_before` for older pages."""
    office = office_for(code, permissions.READ)
    limit = min(query["limit"], current_app.config["LEDGER_PAGE_MAX"])
    items = ledger.ledger(
        office,
        kinds=query.get("kind"),
        since=query.get("since"),
        until=query.get("until"),
        before_id=query.get("before"),
        limit=limit,
    )
    next_before = items[-1]["id"] if len(items) == limit else None
    serial_tracked = serial_ranges.tracked(office.id)
    return {
        "office": office.code,
        "items": items,
        "next_before": next_before,
        "serial_tracked": serial_tracked,
    }


@blp.route("/movements/<id:movement_id>/reverse", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(ReverseSchema())
@idempotent
@blp.response(201, MovementResultSchema)
@writes
def reverse(data, movement_id):
    """Undo a wrong entry with an opposite, linked movement (managers)."""
    principal = current_principal()
    original = ledger.get_movement(movement_id)
    permissions.require(principal, permissions.REVERSE, original["office_path"])
    return with_on_hand(service.reverse(movement_id, principal, data["reason"]))


@blp.route("/movements/<id:movement_id>", methods=["GET"])
@blp.response(200, MovementSchema)
def movement(movement_id):
    """One movement of the ledger."""
    found = ledger.get_movement(movement_id)
    permissions.require(current_principal(), permissions.READ, found["office_path"])
    office = tree.OfficeRef(found["office_id"], found["office_code"], found["office_path"])
    return ledger.movement_on_card(office, movement_id)


# --- transfers ---------------------------------------------------------------------

transfers_blp = Blueprint("transfers", __name__, description="Blanks moving between offices.")
IDEMPOTENT = {"parameters": [IDEMPOTENCY_HEADER]}


@transfers_blp.route("/transfers")
class Transfers(MethodView):
    @transfers_blp.arguments(TransferQuerySchema(), location="query")
    @transfers_blp.response(200, TransferPageSchema)
    def get(self, query):
        """Transfers touching your area, newest first; filter by office and status."""
        principal = current_principal()
        office_id = None
        if "office" in query:
            office = tree.get_by_code(query["office"])
            permissions.require(principal, permissions.READ, office.path)
            office_id = office.id
        area = None if principal.is_admin else principal.office_path
        items = ledger.list_transfers(
            office_id=office_id,
            status=query.get("status"),
            area_path=area,
            before_id=query.get("before"),
            limit=query["limit"],
        )
        next_before = items[-1]["id"] if len(items) == query["limit"] else None
        return {"items": items, "next_before": next_before}

    @transfers_blp.doc(**IDEMPOTENT)
    @transfers_blp.arguments(TransferCreateSchema())
    @idempotent
    @transfers_blp.response(201, TransferSchema)
    @writes
    def post(self, data):
        """Dispatch blanks: they leave `from` now and show in transit until received.

        With `request_id`, against that request (from its supplier to its requester). With
        `planned: true`, only planned (status `planned`, nothing moves): managers or warehouse
        staff of `from` plan; warehouse staff dispatch it later (POST /transfers/{id}/dispatch)."""
        principal = current_principal()
        source, destination = tree.get_by_code(data["from_"]), tree.get_by_code(data["to"])
        if data["planned"]:
            permissions.require_any(principal, permissions.PLANNERS, source.path)
            return service.plan(
                tree.OfficeRef.of(source),
                tree.OfficeRef.of(destination),
                principal,
                data["quantity"],
                data["note"],
                serials=data["serials"],
                request_id=data["request_id"],
                category=data["category"],
            )
        # Past a request's quota, only a manager of the supplier ships.
        action = permissions.OVER_APPROVE if data["over_approve"] else permissions.TRANSFER
        permissions.require(principal, action, source.path)
        return service.dispatch(
            tree.OfficeRef.of(source),
            tree.OfficeRef.of(destination),
            principal,
            data["quantity"],
            data["note"],
            data["serials"],
            request_id=data["request_id"],
            over_approve=data["over_approve"],
            category=data["category"],
        )


def _transfer_for(transfer_id: int, side: str) -> None:
    transfer = ledger.get_transfer(transfer_id)
    office = tree.get_by_code(transfer[side])
    permissions.require(current_principal(), permissions.TRANSFER, office.path)


@transfers_blp.route("/transfers/<id:transfer_id>", methods=["GET"])
@transfers_blp.response(200, TransferSchema)
def get_transfer(transfer_id):
    """One transfer, with the serial ranges it carries."""
    transfer = service.transfer_with_serials(transfer_id)
    principal = current_principal()
    paths = [tree.get_by_code(transfer[side]).path for side in ("from", "to")]
    if not any(permissions.may(principal, permissions.READ, path) for path in paths):
        permissions.require(principal, permissions.READ, paths[0])
    return transfer


@transfers_blp.route("/transfers/<id:transfer_id>/receive", methods=["POST"])
@transfers_blp.arguments(ReceiptSchema(), required=False)  # no body: everything sent arrived
@idempotent
@transfers_blp.doc(**IDEMPOTENT)
@transfers_blp.response(200, TransferSchema)
@writes
def receive(data, transfer_id):
    """The destination received the blanks (warehouse of the destination's area), as counted.

    Not by whoever dispatched the transfer (403 same_person), unless the receiving office
    allows it (`allow_self_receipt`) and has one active user only."""
    _transfer_for(transfer_id, "to")
    return service.receive_counted(
        transfer_id, current_principal(), data.get("counted"), data.get("note"), data.get("missing_serials")
    )


@transfers_blp.route("/transfers/<id:transfer_id>/dispatch", methods=["POST"])
@transfers_blp.arguments(PlannedDispatchSchema(), required=False)  # no body: no serials named
@idempotent
@transfers_blp.doc(**IDEMPOTENT)
@transfers_blp.response(200, TransferSchema)
@writes
def dispatch_planned(data, transfer_id):
    """Dispatch a planned transfer (warehouse of the source): its blanks leave now, as with POST
    /transfers, and whoever dispatches it is its dispatcher (who may not receive it).

    409 transfer_not_planned once it was dispatched or cancelled; 409 insufficient_stock, with
    nothing written, where the source no longer holds enough."""
    _transfer_for(transfer_id, "from")
    return service.dispatch_planned(transfer_id, current_principal(), data.get("serials"))


@transfers_blp.route("/transfers/<id:transfer_id>/cancel", methods=["POST"])
@transfers_blp.arguments(CancelSchema(), required=False)  # no body: cancel whatever it is now
@idempotent
@transfers_blp.doc(**IDEMPOTENT)
@transfers_blp.response(200, TransferSchema)
@writes
def cancel(data, transfer_id):
    """Call back a transfer still in transit (the blanks return to the source), or call off a
    planned one (nothing moved): warehouse of the source; a planned one also its managers.
    With `plan_only`, only a plan is called off (409 transfer_not_planned once it has left)."""
    transfer = ledger.get_transfer(transfer_id)
    source_path = tree.get_by_code(transfer["from"]).path
    return service.cancel_as(
        transfer, current_principal(), source_path, plan_only=data.get("plan_only", False)
    )


# --- serials -------------------------------------------------------------------------

serials_blp = Blueprint(
    "serials", __name__, description="Serialled blanks: who holds which, and their trail."
)


@serials_blp.route("/offices/<code>/serials", methods=["GET"])
@serials_blp.arguments(SerialHoldingsQuerySchema(), location="query")
@serials_blp.response(200, SerialHoldingsSchema)
def office_serials(query, code):
    """The serial ranges an office holds, and those in transit to it, in serial order."""
    office = office_for(code, permissions.READ)
    return {"office": office.code, **serial_ranges.held_by(office.id, query["limit"])}


@serials_blp.route("/serials/<serial>", methods=["GET"])
@serials_blp.response(200, SerialStorySchema)
def serial_story(serial):
    """Where one blank is (its range and holder, or the print that ended it and the record that burned
    it) and every movement and destruction record that carried it."""
    try:
        story = serial_lookup.find(serial)
    except NotationError as error:
        raise Invalid(str(error), error="invalid_serial", field="serial", location="path") from None
    principal = current_principal()
    if not any(permissions.may(principal, permissions.READ, path) for path in story.pop("_paths")):
        raise NotFound(f"No blank with serial {serial} in your area.", error="serial_not_found")
    return story

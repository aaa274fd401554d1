"""The custody API: returned cards, an office's custody card, and destruction records
(berita acara pemusnahan): draft, edit, sign, scan, report, reverse, and the PDF."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from ..auth import permissions
from ..core.context import current_principal
from ..core.errors import DomainError
from ..core.parsing import Blueprint
from ..core.unit_of_work import IDEMPOTENCY_HEADER, idempotent, writes
from ..offices import tree
from . import custody, destruction_pdf, destructions
from .custody_schemas import (
    CustodyQuerySchema,
    CustodySchema,
    DestructionCreateSchema,
    DestructionPageSchema,
    DestructionQuerySchema,
    DestructionSchema,
    DestructionUpdateSchema,
    ReturnedCardsResultSchema,
    ReturnedCardsSchema,
    ReverseDestructionSchema,
)

blp = Blueprint("custody", __name__, description="Cards awaiting destruction, and their destruction records.")
IDEMPOTENT = {"parameters": [IDEMPOTENCY_HEADER]}
BINARY = {"schema": {"type": "string", "format": "binary"}}
SCAN_BODY = {
    "required": True,
    "description": "The signed record, scanned: PDF, JPEG or PNG, sent as is with its Content-Type.",
    "content": {content_type: BINARY for content_type in destructions.SCAN_TYPES.values()},
}


class ScanTooLarge(DomainError):
    status = 413
    error = "scan_too_large"


def office_for(code: str, action: str) -> tree.OfficeRef:
    office = tree.ref_by_code(code)
    permissions.require(current_principal(), action, office.path)
    return office


def record_for(destruction_id: int, action: str) -> dict:
    record = destructions.get(destruction_id)
    permissions.require(current_principal(), action, record["office_path"])
    return record


@blp.route("/offices/<code>/returned-cards", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(ReturnedCardsSchema())
@idempotent
@blp.response(201, ReturnedCardsResultSchema)
@writes
def returned_cards(data, code):
    """Old cards surrendered by residents, kept for destruction (operators)."""
    office = office_for(code, permissions.PRINT)
    return custody.returned_cards(office, current_principal(), **data)


@blp.route("/offices/<code>/custody", methods=["GET"])
@blp.arguments(CustodyQuerySchema(), location="query")
@blp.response(200, CustodySchema)
def custody_card(query, code):
    """Cards awaiting destruction here, per category, and the custody card (newest first)."""
    office = office_for(code, permissions.READ)
    categories = custody.custody_of(office.id)
    items = custody.custody_ledger(office.id, before_id=query.get("before"), limit=query["limit"])
    for item in items:
        item["office"] = office.code
    return {
        "office": office.code,
        "awaiting": sum(figures["awaiting"] for figures in categories.values()),
        "categories": categories,
        "items": items,
        "next_before": items[-1]["id"] if len(items) == query["limit"] else None,
    }


@blp.route("/offices/<code>/destructions")
class OfficeDestructions(MethodView):
    @blp.arguments(DestructionQuerySchema(), location="query")
    @blp.response(200, DestructionPageSchema)
    def get(self, query, code):
        """The office's destruction records, newest first."""
        office = office_for(code, permissions.READ)
        items = destructions.list_for(
            office, status=query.get("status"), before_id=query.get("before"), limit=query["limit"]
        )
        return {"items": items, "next_before": items[-1]["id"] if len(items) == query["limit"] else None}

    @blp.doc(**IDEMPOTENT)
    @blp.arguments(DestructionCreateSchema())
    @idempotent
    @blp.response(201, DestructionSchema)
    @writes
    def post(self, data, code):
        """Draft a berita acara pemusnahan (managers); nothing leaves custody until it is signed."""
        office = office_for(code, permissions.DESTROY)
        return destructions.draft(office, current_principal(), data)


@blp.route("/destructions/<id:destruction_id>")
class Destruction(MethodView):
    @blp.response(200, DestructionSchema)
    def get(self, destruction_id):
        """One destruction record."""
        return record_for(destruction_id, permissions.READ)

    @blp.arguments(DestructionUpdateSchema(), required=False)
    @idempotent
    @blp.response(200, DestructionSchema)
    @writes
    def patch(self, changes, destruction_id):
        """Change a draft; 409 destruction_not_draft once signed."""
        record_for(destruction_id, permissions.DESTROY)
        return destructions.edit(destruction_id, changes)

    @blp.response(204)
    @writes
    def delete(self, destruction_id):
        """Delete a draft; 409 destruction_not_draft once signed."""
        record_for(destruction_id, permissions.DESTROY)
        destructions.discard(destruction_id)


@blp.route("/destructions/<id:destruction_id>/sign", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@idempotent
@blp.response(200, DestructionSchema)
@writes
def sign(destruction_id):
    """Sign: the cards leave custody (409 insufficient_custody if not held) and the record is frozen."""
    record_for(destruction_id, permissions.DESTROY)
    return destructions.sign(destruction_id, current_principal())


@blp.route("/destructions/<id:destruction_id>/report", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@idempotent
@blp.response(200, DestructionSchema)
@writes
def report(destruction_id):
    """Mark a signed record, with its scan, as reported to the province."""
    record_for(destruction_id, permissions.DESTROY)
    return destructions.report(destruction_id, current_principal())


@blp.route("/destructions/<id:destruction_id>/reverse", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(ReverseDestructionSchema())
@idempotent
@blp.response(201, DestructionSchema)
@writes
def reverse(data, destruction_id):
    """Correct a signed record: a reversal record names it and puts its cards back into custody."""
    record_for(destruction_id, permissions.DESTROY)
    return destructions.reverse(destruction_id, current_principal(), data["reason"])


@blp.route("/destructions/<id:destruction_id>/scan")
class Scan(MethodView):
    @blp.doc(requestBody=SCAN_BODY)
    @blp.response(200, DestructionSchema)
    @writes
    def put(self, destruction_id):
        """Attach the signed record's scan (PDF, JPEG or PNG; 413 over the size limit, 415 otherwise)."""
        record_for(destruction_id, permissions.DESTROY)
        limit = current_app.config["DESTRUCTION_SCAN_MAX_BYTES"]
        content = request.get_data(cache=True)
        if len(content) > limit:
            raise ScanTooLarge(f"The scan is larger than {limit} bytes.", limit=limit)
        return destructions.attach_scan(destruction_id, content, request.content_type)

    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/octet-stream")
    def get(self, destruction_id):
        """The scan as it was attached, with its content type."""
        record_for(destruction_id, permissions.READ)
        content, content_type = destructions.scan_of(destruction_id)
        return Response(content, content_type=content_type)


@blp.route("/destructions/<id:destruction_id>.pdf", methods=["GET"])
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
def destruction_pdf_view(destruction_id):
    """The berita acara in Indonesian on A4, to print, sign and scan."""
    record = record_for(destruction_id, permissions.READ)
    office = tree.get_by_code(record["office"])
    letterhead = {key: getattr(office, key) for key in ("name", "address", "head_name", "head_nip")}
    body = destruction_pdf.render(record, letterhead)
    name = f"berita-acara-pemusnahan-{destruction_id}.pdf"
    return Response(
        body, content_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )

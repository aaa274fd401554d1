"""The requests API: a request for blanks, its transitions, the suggestion that pre-fills it,
and the lists requesters and approvers read."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..auth import permissions
from ..core.context import current_principal
from ..core.parsing import Blueprint
from ..core.unit_of_work import IDEMPOTENCY_HEADER, idempotent, writes
from ..offices import tree
from . import letter, reading, service, suggestion
from .schemas import (
    ApproveSchema,
    DecisionSchema,
    RequestCreateSchema,
    RequestDetailSchema,
    RequestPageSchema,
    RequestQuerySchema,
    RequestSuggestionSchema,
)

blp = Blueprint(
    "requests", __name__, description="Requests for blanks up the office tree, and their fulfilment."
)
IDEMPOTENT = {"parameters": [IDEMPOTENCY_HEADER]}


@blp.route("/requests")
class Requests(MethodView):
    @blp.arguments(RequestQuerySchema(), location="query")
    @blp.response(200, RequestPageSchema)
    def get(self, query):
        """Requests of your area and those addressed to it, newest first; `to=62&status=submitted`
        is what the province has to decide, with each requester's figures beside it."""
        principal = current_principal()
        office = tree.get_by_code(query["from_"]) if "from_" in query else None
        supplier = tree.get_by_code(query["to"]) if "to" in query else None
        items = reading.list_requests(
            principal,
            office=office,
            supplier=supplier,
            status=query.get("status"),
            before_id=query.get("before"),
            limit=query["limit"],
        )
        next_before = items[-1]["id"] if len(items) == query["limit"] else None
        return {"items": items, "next_before": next_before}

    @blp.doc(**IDEMPOTENT)
    @blp.arguments(RequestCreateSchema())
    @idempotent
    @blp.response(201, RequestDetailSchema)
    @writes
    def post(self, data):
        """A draft request (managers of the requesting office); submit it to send it."""
        principal = current_principal()
        office = tree.get_by_code(data["office"])
        permissions.require(principal, permissions.REQUEST_BLANKS, office.path)
        supplier = tree.get_by_code(data["supplier"]) if data["supplier"] else None
        via = [tree.get_by_code(code) for code in data["via"]]
        request_id = service.create(
            office,
            supplier,
            via,
            principal,
            quantity=data["quantity"],
            justification=data["justification"],
            needed_by=data["needed_by"],
            emergency=data["emergency"],
        )
        return reading.get_request(request_id)


@blp.route("/requests/<id:request_id>", methods=["GET"])
@blp.response(200, RequestDetailSchema)
def get_request(request_id):
    """One request with its route, whole history, transfers and deliveries."""
    reading.require_readable(current_principal(), request_id)
    return reading.get_request(request_id)


PDF = {
    "description": "The letter, A4.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


@blp.route("/requests/<id:request_id>.pdf", methods=["GET"])
@blp.doc(responses={200: PDF})
def request_letter(request_id):
    """The request letter (surat permintaan blangko) in Indonesian, as a PDF on A4."""
    row = reading.require_readable(current_principal(), request_id)
    request = reading.get_request(request_id)
    pdf = letter.letter_pdf(
        request, tree.get_by_code(request["office"]), tree.get_by_code(request["supplier"])
    )
    name = f"surat-permintaan-blangko-{row.id}.pdf"
    return Response(
        pdf, content_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


@blp.route("/offices/<code>/requests/suggestion", methods=["GET"])
@blp.response(200, RequestSuggestionSchema)
def request_suggestion(code):
    """The quantity and justification the projection suggests (managers of the office)."""
    office = tree.get_by_code(code)
    permissions.require(current_principal(), permissions.REQUEST_BLANKS, office.path)
    return suggestion.suggestion(office)


def _transition(action: str, request_id: int, data: dict) -> dict:
    principal = current_principal()
    reading.require_readable(principal, request_id)
    service.act(request_id, action, principal, **data)
    return reading.get_request(request_id)


@blp.route("/requests/<id:request_id>/submit", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(DecisionSchema())
@idempotent
@blp.response(200, RequestDetailSchema)
@writes
def submit(data, request_id):
    """Send a draft to its first deciding office (requester's managers)."""
    return _transition("submit", request_id, data)


@blp.route("/requests/<id:request_id>/approve", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(ApproveSchema())
@idempotent
@blp.response(200, RequestDetailSchema)
@writes
def approve(data, request_id):
    """Grant a quota at the current step (its managers); lower than asked needs a note."""
    return _transition("approve", request_id, data)


@blp.route("/requests/<id:request_id>/reject", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(DecisionSchema())
@idempotent
@blp.response(200, RequestDetailSchema)
@writes
def reject(data, request_id):
    """Refuse at the current step, with a note (its managers)."""
    return _transition("reject", request_id, data)


@blp.route("/requests/<id:request_id>/cancel", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(DecisionSchema())
@idempotent
@blp.response(200, RequestDetailSchema)
@writes
def cancel(data, request_id):
    """Withdraw before a decision (requester's managers)."""
    return _transition("cancel", request_id, data)


@blp.route("/requests/<id:request_id>/close", methods=["POST"])
@blp.doc(**IDEMPOTENT)
@blp.arguments(DecisionSchema())
@idempotent
@blp.response(200, RequestDetailSchema)
@writes
def close(data, request_id):
    """The rest will not come: closed by the supplier's managers, with a note."""
    return _transition("close", request_id, data)

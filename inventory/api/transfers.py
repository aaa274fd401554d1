"""Two-step transfers between offices: dispatch, then receive or cancel."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from .. import ledger, offices, permissions, stock
from ..auth import current_principal
from ..schemas import TransferCreateSchema, TransferPageSchema, TransferQuerySchema, TransferSchema
from .transaction import IDEMPOTENCY_HEADER, idempotent, writes

blp = Blueprint("transfers", __name__, description="Blanks moving between offices.")
IDEMPOTENT = {"parameters": [IDEMPOTENCY_HEADER]}


@blp.route("/transfers")
class Transfers(MethodView):
    @blp.arguments(TransferQuerySchema(), location="query")
    @blp.response(200, TransferPageSchema)
    def get(self, query):
        """Transfers touching your area, newest first; filter by office and status."""
        principal = current_principal()
        office_id = None
        if "office" in query:
            office = offices.get_by_code(query["office"])
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

    @blp.doc(**IDEMPOTENT)
    @blp.arguments(TransferCreateSchema())
    @idempotent
    @blp.response(201, TransferSchema)
    @writes
    def post(self, data):
        """Dispatch blanks: they leave `from` now and show in transit until received."""
        principal = current_principal()
        source, destination = offices.get_by_code(data["from_"]), offices.get_by_code(data["to"])
        permissions.require(principal, permissions.TRANSFER, source.path)
        return stock.dispatch(
            ledger.OfficeRef.of(source),
            ledger.OfficeRef.of(destination),
            principal,
            data["quantity"],
            data["note"],
        )


def _transfer_for(transfer_id: int, side: str) -> None:
    transfer = ledger.get_transfer(transfer_id)
    office = offices.get_by_code(transfer[side])
    permissions.require(current_principal(), permissions.TRANSFER, office.path)


@blp.route("/transfers/<int:transfer_id>", methods=["GET"])
@blp.response(200, TransferSchema)
def get_transfer(transfer_id):
    """One transfer."""
    transfer = ledger.get_transfer(transfer_id)
    principal = current_principal()
    paths = [offices.get_by_code(transfer[side]).path for side in ("from", "to")]
    if not any(permissions.may(principal, permissions.READ, path) for path in paths):
        permissions.require(principal, permissions.READ, paths[0])
    return transfer


@blp.route("/transfers/<int:transfer_id>/receive", methods=["POST"])
@idempotent
@blp.doc(**IDEMPOTENT)
@blp.response(200, TransferSchema)
@writes
def receive(transfer_id):
    """The destination received the blanks (warehouse of the destination's area)."""
    _transfer_for(transfer_id, "to")
    return stock.receive_transfer(transfer_id, current_principal())


@blp.route("/transfers/<int:transfer_id>/cancel", methods=["POST"])
@idempotent
@blp.doc(**IDEMPOTENT)
@blp.response(200, TransferSchema)
@writes
def cancel(transfer_id):
    """Call back a transfer still in transit; the blanks return to the source."""
    _transfer_for(transfer_id, "from")
    return stock.cancel_transfer(transfer_id, current_principal())

"""The office resource: offices and their stock figures.

Served from the stock package, not from inventory/offices: an office's answer carries its
stock (balance and subtree total), which offices, the bottom of the domain, cannot read.
"""

from __future__ import annotations

from flask.views import MethodView

from ..audit.log import Actor
from ..auth import permissions
from ..core.context import current_principal
from ..core.parsing import Blueprint
from ..core.unit_of_work import idempotent, writes
from ..offices import admin, tree
from . import ledger, rollups, serial_ranges
from .office_schemas import (
    OfficeCreateSchema,
    OfficePageSchema,
    OfficeQuerySchema,
    OfficeSchema,
    OfficeUpdateSchema,
    RegionImportResultSchema,
    RegionImportSchema,
    StockSchema,
)

blp = Blueprint("offices", __name__, description="Offices: regencies, districts, mobile units.")

# What a PATCH of each field takes; a request needs every action its fields take.
FIELD_ACTIONS = {
    "name": permissions.MANAGE_OFFICES,
    "active": permissions.MANAGE_OFFICES,
    "time_zone": permissions.MANAGE_OFFICES,
    "min_stock": permissions.SET_THRESHOLD,
    "serials_required": permissions.SET_THRESHOLD,
    **dict.fromkeys(tree.PLANNING_SETTINGS, permissions.PLAN),
    **dict.fromkeys(("address", "head_name", "head_nip"), permissions.DESTROY),
    **dict.fromkeys(tree.DESTRUCTION_SETTINGS, permissions.SET_THRESHOLD),
    **dict.fromkeys(tree.PUBLIC_BOARD, permissions.SET_THRESHOLD),
    **dict.fromkeys(tree.RECEIPT_SETTINGS, permissions.SET_THRESHOLD),
}


def visible_office(code: str):
    """The office, if the caller may read it (404 before 403 would leak nothing useful here)."""
    office = tree.get_by_code(code)
    permissions.require(current_principal(), permissions.READ, office.path)
    return office


@blp.route("/offices")
class Offices(MethodView):
    @blp.arguments(OfficeQuerySchema(), location="query")
    @blp.response(200, OfficePageSchema)
    def get(self, query):
        """List offices in your area, by parent and kind."""
        principal = current_principal()
        area = None if principal.is_admin else principal.office_path
        items, total = tree.list_offices(area_path=area, **query)
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}

    @blp.arguments(OfficeCreateSchema())
    @idempotent
    @blp.response(201, OfficeSchema)
    @writes
    def post(self, data):
        """Create an office (admins). Recorded in the audit log."""
        principal = current_principal()
        permissions.require(principal, permissions.MANAGE_OFFICES)
        office = admin.create(Actor.of(principal), **data)
        office.stock = stock_of(office)
        return office


@blp.route("/offices/<code>")
class OfficeDetail(MethodView):
    @blp.response(200, OfficeSchema)
    def get(self, code):
        """One office with its stock."""
        office = visible_office(code)
        office.stock = stock_of(office)
        return office

    @blp.arguments(OfficeUpdateSchema(), required=False)  # every field is optional: no body, no change
    @idempotent
    @blp.response(200, OfficeSchema)
    @writes
    def patch(self, changes, code):
        """Rename, close or reopen (admins: recorded in the audit log); set min_stock and planning
        settings (managers in their area)."""
        principal = current_principal()
        office = tree.get_by_code(code)
        for needs in sorted({FIELD_ACTIONS[field] for field in changes} or {permissions.SET_THRESHOLD}):
            permissions.require(principal, needs, office.path)
        admin.update(Actor.of(principal), office, changes)
        office.stock = stock_of(office)
        return office


@blp.route("/regions/import", methods=["POST"])
@blp.arguments(RegionImportSchema())
@blp.response(200, RegionImportResultSchema)
@writes
def import_regions(data):
    """Create the offices of an official province or regency (Kemendagri codes) that are missing,
    with their ancestors (admins). Safe to repeat: what exists is left as it is."""
    principal = current_principal()
    permissions.require(principal, permissions.MANAGE_OFFICES)
    created, existing = admin.import_regions(Actor.of(principal), data["under"])
    return {"under": data["under"], "created": created, "already_present": existing}


@blp.route("/offices/<code>/stock")
@blp.response(200, StockSchema)
def office_stock(code):
    """On hand, in transit both ways, and the total held by the office and everything below it."""
    return stock_of(visible_office(code))


def stock_of(office) -> dict:
    """On hand and in transit (its balance), and what its whole subtree holds (its rollup)."""
    figures = ledger.balance_of(office.id)
    figures["subtree_on_hand"] = rollups.rollup_of(office.id)["on_hand"]
    figures["serial_tracked"] = serial_ranges.tracked(office.id)
    figures["office"] = office.code
    return figures

"""Offices and their stock figures."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from .. import offices, permissions
from ..auth import current_principal
from ..schemas import (
    OfficeCreateSchema,
    OfficePageSchema,
    OfficeQuerySchema,
    OfficeSchema,
    OfficeUpdateSchema,
    StockSchema,
)
from .transaction import idempotent, writes

blp = Blueprint("offices", __name__, description="Offices: regencies, districts, mobile units.")

# What a PATCH of each field takes; a request needs every action its fields take.
FIELD_ACTIONS = {
    "name": permissions.MANAGE_OFFICES,
    "active": permissions.MANAGE_OFFICES,
    "min_stock": permissions.SET_THRESHOLD,
    **dict.fromkeys(offices.PLANNING_SETTINGS, permissions.PLAN),
}


def visible_office(code: str):
    """The office, if the caller may read it (404 before 403 would leak nothing useful here)."""
    office = offices.get_by_code(code)
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
        items, total = offices.list_offices(area_path=area, **query)
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}

    @blp.arguments(OfficeCreateSchema())
    @idempotent
    @blp.response(201, OfficeSchema)
    @writes
    def post(self, data):
        """Create an office (admins)."""
        permissions.require(current_principal(), permissions.MANAGE_OFFICES)
        office = offices.create(**data)
        office.stock = offices.stock_of(office)
        return office


@blp.route("/offices/<code>")
class OfficeDetail(MethodView):
    @blp.response(200, OfficeSchema)
    def get(self, code):
        """One office with its stock."""
        office = visible_office(code)
        office.stock = offices.stock_of(office)
        return office

    @blp.arguments(OfficeUpdateSchema())
    @idempotent
    @blp.response(200, OfficeSchema)
    @writes
    def patch(self, changes, code):
        """Rename or deactivate (admins); set min_stock and planning settings (managers in their area)."""
        principal = current_principal()
        office = offices.get_by_code(code)
        for needs in sorted({FIELD_ACTIONS[field] for field in changes} or {permissions.SET_THRESHOLD}):
            permissions.require(principal, needs, office.path)
        offices.update(office, changes)
        office.stock = offices.stock_of(office)
        return office


@blp.route("/offices/<code>/stock")
@blp.response(200, StockSchema)
def office_stock(code):
    """On hand, in transit both ways, and the total held by the office and everything below it."""
    return offices.stock_of(visible_office(code))

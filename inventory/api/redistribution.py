"""Redistribution inside a regency: move blanks to where they run short before asking the ministry."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from .. import offices, permissions, planning
from ..auth import current_principal
from ..schemas import Strict

blp = Blueprint("redistribution", __name__, description="Suggested transfers between offices.")


class RedistributionQuerySchema(Strict):
    horizon_days = fields.Integer(validate=validate.Range(min=1, max=3650))


class PositionSchema(ma.Schema):
    office = fields.String()
    have = fields.Integer(metadata={"description": "On hand in the subtree plus in transit to it."})
    need = fields.Integer(metadata={"description": "Projected demand plus safety days of daily demand."})
    surplus = fields.Integer(metadata={"description": "Spare blanks on the office's own shelf."})
    deficit = fields.Integer()
    days_of_cover = fields.Float(allow_none=True)


class TransferBodySchema(ma.Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    quantity = fields.Integer()
    note = fields.String()


class SuggestionSchema(ma.Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    quantity = fields.Integer()
    effect = fields.Dict(metadata={"description": "Per office: have, need and shortfall before and after."})
    transfer = fields.Nested(TransferBodySchema, metadata={"description": "POST this to /transfers to act."})


class RedistributionSchema(ma.Schema):
    office = fields.String()
    horizon_days = fields.Integer()
    positions = fields.List(fields.Nested(PositionSchema))
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    uncovered_deficit = fields.Integer(metadata={"description": "Short even after redistribution."})


@blp.route("/offices/<code>/redistribution", methods=["GET"])
@blp.arguments(RedistributionQuerySchema(), location="query")
@blp.response(200, RedistributionSchema)
def redistribution(query, code):
    """Transfers from offices with spare cover to those heading for a shortfall (managers)."""
    office = offices.get_by_code(code)
    permissions.require(current_principal(), permissions.PLAN, office.path)
    return planning.redistribution_report(office, query.get("horizon_days"))

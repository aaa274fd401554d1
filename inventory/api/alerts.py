"""Alerts: read in your area, acknowledge as a manager."""

from __future__ import annotations

from flask_smorest import Blueprint

from .. import alerts, offices, permissions
from ..auth import current_principal
from ..schemas_alerts import AcknowledgeSchema, AlertPageSchema, AlertQuerySchema, AlertSchema
from .transaction import idempotent, writes

blp = Blueprint("alerts", __name__, description="Low stock, stock-outs and projected shortfalls.")


@blp.route("/alerts", methods=["GET"])
@blp.arguments(AlertQuerySchema(), location="query")
@blp.response(200, AlertPageSchema)
def list_alerts(query):
    """Alerts in your area, newest first; filter by status, kind and office (with its subtree)."""
    principal = current_principal()
    area = None if principal.is_admin else principal.office_path
    if "office" in query:
        office = offices.get_by_code(query["office"])
        permissions.require(principal, permissions.READ, office.path)
        area = office.path
    items = alerts.list_alerts(
        area_path=area,
        status=query.get("status"),
        kind=query.get("kind"),
        before_id=query.get("before"),
        limit=query["limit"],
    )
    return {"items": items, "next_before": items[-1]["id"] if len(items) == query["limit"] else None}


@blp.route("/alerts/<int:alert_id>", methods=["GET"])
@blp.response(200, AlertSchema)
def get_alert(alert_id):
    """One alert, with its current figures."""
    alert = alerts.get_alert(alert_id)
    permissions.require(current_principal(), permissions.READ, alert["office_path"])
    return alert


@blp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@blp.arguments(AcknowledgeSchema())
@idempotent
@blp.response(200, AlertSchema)
@writes
def acknowledge(data, alert_id):
    """Acknowledge an open alert with a note (managers). It resolves itself when the cause is gone."""
    principal = current_principal()
    permissions.require(principal, permissions.ACKNOWLEDGE, alerts.get_alert(alert_id)["office_path"])
    return alerts.acknowledge(alert_id, principal.user_id, data["note"])

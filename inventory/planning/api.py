"""The planning API: population figures and demand projections, alerts (read in your area,
acknowledged by managers), and suggested transfers inside an area."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import permissions
from ..core.context import current_principal
from ..core.parsing import Blueprint
from ..core.unit_of_work import idempotent, writes
from ..offices import tree
from ..offices.models import Office
from . import alerts, figures, population, projection
from .schemas import (
    AcknowledgeSchema,
    AlertPageSchema,
    AlertQuerySchema,
    AlertSchema,
    PopulationInSchema,
    PopulationSchema,
    ProjectionQuerySchema,
    ProjectionSchema,
    RedistributionQuerySchema,
    RedistributionSchema,
)

blp = Blueprint("planning", __name__, description="Population figures and demand projections.")


def planned_office(code: str) -> Office:
    """The office, if the caller may plan for it (managers in their area, admins)."""
    office = tree.get_by_code(code)
    permissions.require(current_principal(), permissions.PLAN, office.path)
    return office


@blp.route("/offices/<code>/population")
class OfficePopulation(MethodView):
    @blp.response(200, PopulationSchema)
    def get(self, code):
        """The office's own figures, if any, and the effective ones (own, else the sum of its children's)."""
        return population.get_population(planned_office(code))

    @blp.arguments(PopulationInSchema())
    @idempotent
    @blp.response(200, PopulationSchema)
    @writes
    def put(self, figures, code):
        """Set the office's own figures; they override the sum of its children's."""
        office = planned_office(code)
        population.set_population(office, figures)
        return population.get_population(office)

    @idempotent
    @blp.response(200, PopulationSchema)
    @writes
    def delete(self, code):
        """Drop the office's own figures: it takes the sum of its children's again."""
        office = planned_office(code)
        population.clear_population(office)
        return population.get_population(office)


@blp.route("/offices/<code>/projection", methods=["GET"])
@blp.arguments(ProjectionQuerySchema(), location="query")
@blp.response(200, ProjectionSchema)
@blp.doc(description=projection.__doc__)
def office_projection(query, code):
    """Will the blanks last? Every input and every output, to check the arithmetic."""
    office = planned_office(code)
    return figures.projection_report(office, query.get("horizon_days"))


# --- alerts ----------------------------------------------------------------------

alerts_blp = Blueprint("alerts", __name__, description="Low stock, stock-outs and projected shortfalls.")


@alerts_blp.route("/alerts", methods=["GET"])
@alerts_blp.arguments(AlertQuerySchema(), location="query")
@alerts_blp.response(200, AlertPageSchema)
def list_alerts(query):
    """Alerts in your area, newest first; filter by status, kind and office (with its subtree)."""
    principal = current_principal()
    area = None if principal.is_admin else principal.office_path
    if "office" in query:
        office = tree.get_by_code(query["office"])
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


@alerts_blp.route("/alerts/<id:alert_id>", methods=["GET"])
@alerts_blp.response(200, AlertSchema)
def get_alert(alert_id):
    """One alert, with its current figures."""
    alert = alerts.get_alert(alert_id)
    permissions.require(current_principal(), permissions.READ, alert["office_path"])
    return alert


@alerts_blp.route("/alerts/<id:alert_id>/acknowledge", methods=["POST"])
@alerts_blp.arguments(AcknowledgeSchema())
@idempotent
@alerts_blp.response(200, AlertSchema)
@writes
def acknowledge(data, alert_id):
    """Acknowledge an open alert with a note (managers). It resolves itself when the cause is gone."""
    principal = current_principal()
    permissions.require(principal, permissions.ACKNOWLEDGE, alerts.get_alert(alert_id)["office_path"])
    return alerts.acknowledge(alert_id, principal.user_id, data["note"])


# --- redistribution --------------------------------------------------------------

redistribution_blp = Blueprint("redistribution", __name__, description="Suggested transfers between offices.")


@redistribution_blp.route("/offices/<code>/redistribution", methods=["GET"])
@redistribution_blp.arguments(RedistributionQuerySchema(), location="query")
@redistribution_blp.response(200, RedistributionSchema)
def redistribution(query, code):
    """Transfers from offices with spare cover to those heading for a shortfall (managers)."""
    office = tree.get_by_code(code)
    permissions.require(current_principal(), permissions.PLAN, office.path)
    return figures.redistribution_report(office, query.get("horizon_days"))

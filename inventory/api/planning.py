"""Population figures and demand projections, for managers in their area."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from .. import offices, permissions, planning, population, projection
from ..auth import current_principal
from ..models import Office
from ..schemas_planning import PopulationInSchema, PopulationSchema, ProjectionQuerySchema, ProjectionSchema
from .transaction import idempotent, writes

blp = Blueprint("planning", __name__, description="Population figures and demand projections.")


def planned_office(code: str) -> Office:
    """The office, if the caller may plan for it (managers in their area, admins)."""
    office = offices.get_by_code(code)
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
    report = planning.projection_report(office, query.get("horizon_days"))
    report["horizon_basis"] = _horizon_basis(query.get("horizon_days"), report)
    return report


def _horizon_basis(requested: int | None, report: dict) -> str:
    # Mirrors projection.horizon_for, so a manager sees which rule chose the horizon.
    if requested:
        return "requested"
    target_date = report["inputs"]["target_date"]
    if target_date and target_date > report["as_of"]:
        return "target_date"
    return "default"

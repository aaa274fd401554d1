"""An office's settings: thresholds for its alerts, its planning figures, what the public board shows.

Each field needs the action its API field needs (stock.offices_api.FIELD_ACTIONS): a manager
of the area sets them all; anyone else may not open the page. A change goes through
offices.tree.update, as a PATCH does, so a past target date is refused with the same rule.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from ..auth import permissions
from ..core.db import db
from ..core.errors import DomainError, Forbidden
from ..offices import tree
from ..offices.models import Office
from ..planning import population
from ..planning.population_csv import COLUMNS, RowError
from ..stock.offices_api import FIELD_ACTIONS
from .blueprint import bp, can, office_for
from .forms import PopulationForm, PopulationUploadForm, SettingsForm
from .labels import describe

FIELDS = ("min_stock", "target_date", "lead_time_days", "safety_days", "print_capacity_per_day",
          "public_quantity", "public_stale_days")  # fmt: skip


SETTINGS_ACTIONS = tuple(sorted({FIELD_ACTIONS[name] for name in FIELDS}))


def _office(code: str) -> Office:
    return office_for(code, *SETTINGS_ACTIONS)


def _page(office: Office, form: SettingsForm, status: int = 200):
    return render_settings(office, status, settings_form=form)


def render_settings(
    office: Office,
    status: int = 200,
    *,
    settings_form: SettingsForm | None = None,
    population_form: PopulationForm | None = None,
    population_code: str = "",
    upload_form: PopulationUploadForm | None = None,
    upload_errors: list[RowError] | None = None,
):
    """The settings page, with whichever of its forms was just sent kept as it was filled in."""
    page = render_template(
        "web/settings.html",
        office=office,
        form=settings_form or SettingsForm(formdata=None, obj=office),
        population_rows=population_rows(office, population_form, population_code)
        if can(permissions.PLAN, office.path)
        else [],
        upload_form=upload_form or PopulationUploadForm(formdata=None),
        upload_errors=upload_errors or [],
        csv_columns=",".join(COLUMNS),
    )
    return page, status


def population_rows(office: Office, bound: PopulationForm | None = None, bound_code: str = "") -> list[dict]:
    """The office, then its open children by code: own and effective figures, and a form each."""
    children = db.session.execute(
        select(Office).where(Office.parent_id == office.id, Office.active.is_(True)).order_by(Office.code)
    ).scalars()
    rows = []
    for each in [office, *children]:
        figures = population.get_population(each)
        if bound is not None and each.code == bound_code:
            form = bound
        else:
            # Only the office's own figures: a sum of its children's, filled in, would be saved
            # over them by one careless click.
            form = PopulationForm(formdata=None, data=dict(figures["own"] or {}), settings_of=office.code)
        rows.append({"office": each, "figures": figures, "form": form})
    return rows


@bp.route("/offices/<code>/settings", methods=["GET"])
@login_required
def settings_page(code: str):
    office = _office(code)
    return _page(office, SettingsForm(formdata=None, obj=office))


@bp.route("/offices/<code>/settings", methods=["POST"])
@login_required
def save_settings(code: str):
    office = _office(code)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _page(office, form, 422)
    changes = {name: form[name].data for name in FIELDS}
    changes["public_quantity"] = bool(changes["public_quantity"])
    try:
        tree.update(office, changes)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Forbidden):
            raise
        field = error.details.get("field")
        if field in FIELDS:
            form[field].errors = [*form[field].errors, describe(error)]
        else:
            flash(describe(error), "error")
        return _page(tree.get_by_code(code), form, 422)
    flash(_("Settings of %(name)s saved.", name=office.name), "success")
    return redirect(url_for("web.settings_page", code=office.code))

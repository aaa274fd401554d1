"""Population figures in the browser, on the settings page: the office and the offices directly
under it, each edited in place, and a CSV upload for many at once.

The same rules as PUT /offices/{code}/population (planning.population.set_population) and the
CLI's import (planning.population.import_rows, all rows or none, every bad line reported). Each
needs PLAN on the office, as the API does; an upload writes only inside the office's subtree.
"""

from __future__ import annotations

import io

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import permissions
from ..core.db import db
from ..offices.models import Office
from ..planning import population
from .blueprint import bp, can, office_for, takes_files, write
from .forms import PopulationForm, PopulationUploadForm
from .labels import number
from .settings_page import SETTINGS_ACTIONS, render_settings

UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # a national file (7,277 districts) is about 300 kB


@bp.route("/offices/<code>/population", methods=["POST"])
@login_required
def save_population(code: str):
    office = office_for(code, permissions.PLAN)
    form = PopulationForm()
    settings_of = _settings_of(office, form.settings_of.data)
    if not form.validate_on_submit():
        return render_settings(settings_of, 422, population_form=form, population_code=office.code)
    figures = {name: form[name].data for name in ("target", "recorded", "print_backlog", "as_of")}
    if write(lambda: population.set_population(office, figures)) is None:
        return render_settings(settings_of, 422, population_form=form, population_code=office.code)
    flash(_("Population figures of %(name)s saved.", name=office.name), "success")
    return redirect(url_for("web.settings_page", code=settings_of.code, _anchor="population"))


@bp.route("/offices/<code>/population/clear", methods=["POST"])
@login_required
def clear_population(code: str):
    """Back to the sum of the offices below (DELETE /offices/{code}/population)."""
    office = office_for(code, permissions.PLAN)
    form = PopulationForm()
    settings_of = _settings_of(office, form.settings_of.data)
    # The CSRF token was checked before the view (blueprint._check_csrf).
    if write(lambda: population.clear_population(office)):
        flash(_("%(name)s takes the sum of the offices below it again.", name=office.name), "success")
    return redirect(url_for("web.settings_page", code=settings_of.code, _anchor="population"))


@bp.route("/offices/<code>/population/import", methods=["POST"])
@takes_files("file")
@login_required
def import_population(code: str):
    office = office_for(code, permissions.PLAN)
    form = PopulationUploadForm()
    if not form.validate_on_submit():
        return render_settings(office, 422, upload_form=form)
    raw = form.file.data.read(UPLOAD_MAX_BYTES + 1)
    if len(raw) > UPLOAD_MAX_BYTES:
        form.file.errors = [_("The file is larger than %(n)s MB.", n=UPLOAD_MAX_BYTES // (1024 * 1024))]
        return render_settings(office, 422, upload_form=form)
    try:
        text = raw.decode("utf-8-sig")  # -sig: files saved by Excel
    except UnicodeDecodeError:
        form.file.errors = [_("The file is not UTF-8 text: save it as “CSV UTF-8”.")]
        return render_settings(office, 422, upload_form=form)
    if "\x00" in text:
        form.file.errors = [_("The file holds characters that cannot be stored.")]
        return render_settings(office, 422, upload_form=form)
    try:
        report = population.import_rows(io.StringIO(text, newline=""), within=office.path)
    except BaseException:
        db.session.rollback()
        raise
    if not report.ok or not report.rows:  # all rows or none, as the CLI
        db.session.rollback()
        form.file.errors = [] if report.errors else [_("The file has no rows: nothing was imported.")]
        if report.errors:  # the page is long: say at the top that the list is further down
            flash(_("Nothing was imported: the file's errors are listed with the upload."), "error")
        return render_settings(office, 422, upload_form=form, upload_errors=report.errors)
    db.session.commit()
    flash(
        _(
            "Imported %(n)s offices: %(created)s new, %(updated)s updated.",
            n=number(report.rows),
            created=number(report.created),
            updated=number(report.updated),
        ),
        "success",
    )
    return redirect(url_for("web.settings_page", code=office.code, _anchor="population"))


def _settings_of(office: Office, code: str | None) -> Office:
    """Back to the page the form was on: this office's or its parent's settings, when the user
    may open that one (nothing else)."""
    if code and office.parent_id is not None and code != office.code:
        parent = db.session.get(Office, office.parent_id)
        if parent.code == code and all(can(action, parent.path) for action in SETTINGS_ACTIONS):
            return parent
    return office

"""The alerts of the user's area; managers acknowledge open ones here."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import permissions
from ..offices import tree
from ..planning import alerts
from .blueprint import bp, page_cursor, principal, write
from .forms import AcknowledgeForm

PAGE_SIZE = 100


@bp.route("/alerts")
@login_required
def alerts_page():
    user = principal()
    status = "resolved" if request.args.get("status") == "resolved" else "unresolved"
    office = None
    area_path = None if user.is_admin else user.office_path
    if request.args.get("office"):
        office = tree.get_by_code(request.args["office"])
        permissions.require(user, permissions.READ, office.path)
        area_path = office.path
    before = page_cursor()
    # Newest first, a page at a time: a national admin's area can hold thousands.
    items = alerts.list_alerts(area_path=area_path, status=status, before_id=before, limit=PAGE_SIZE + 1)
    older = items[PAGE_SIZE - 1]["id"] if len(items) > PAGE_SIZE else None
    items = items[:PAGE_SIZE]
    forms = {item["id"]: AcknowledgeForm(formdata=None) for item in items}
    return render_template(
        "web/alerts.html", items=items, status=status, forms=forms, office=office, older=older, before=before
    )


@bp.route("/alerts/<id:alert_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(alert_id: int):
    user = principal()
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        flash(_("Write a note to acknowledge an alert."), "error")
        return redirect(url_for("web.alerts_page", office=request.args.get("office") or None))
    alert = alerts.get_alert(alert_id)
    permissions.require(user, permissions.ACKNOWLEDGE, alert["office_path"])
    if write(lambda: alerts.acknowledge(alert_id, user.user_id, form.note.data.strip())):
        flash(_("Alert %(id)s acknowledged.", id=alert_id), "success")
    return redirect(url_for("web.alerts_page", office=request.args.get("office") or None))

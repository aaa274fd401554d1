"""The overview: the offices of an area, each with its status, and the area's totals."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import login_required

from ..auth import permissions
from ..offices import tree
from ..planning import alerts
from . import area
from .blueprint import bp, principal

PAGE_ALERTS = 5


@bp.route("/")
@login_required
def overview():
    user = principal()
    roots = area.roots_for(user)
    code = request.args.get("office")
    if code:
        root = tree.get_by_code(code)
        permissions.require(user, permissions.READ, root.path)
    elif len(roots) == 1:
        root = roots[0]
    else:  # several trees and no office chosen: list their tops
        root = None
    sort = request.args.get("sort", "status")
    sort = sort if sort in area.SORT_KEYS else "status"
    descending = (
        request.args.get("dir", "desc" if sort in ("status", "shortfall", "alerts") else "asc") == "desc"
    )
    children = area.children_of(root) if root else roots
    rows = area.rows_for([root, *children] if root else children)
    head, rows = (rows[0], rows[1:]) if root else (None, rows)
    if root:
        shown, below = area.own_alerts(root), area.alerts_below(root)
    else:
        shown, below = alerts.list_alerts(area_path=None, status="unresolved", limit=PAGE_ALERTS), 0
    return render_template(
        "web/overview.html",
        root=root,
        head=head,
        rows=area.sort_rows(rows, sort, descending),
        sort=sort,
        descending=descending,
        breadcrumb=area.ancestors_in_area(user, root) if root else [],
        alerts=shown,
        alerts_below=below,
        target_percent=current_app.config["RECORDING_TARGET_PERCENT"],
    )

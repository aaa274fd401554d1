"""The audit log in the browser (admins): newest first, by kind, actor and day, a page at a time."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import render_template, request
from flask_login import login_required

from ..audit import log
from ..auth import permissions
from ..offices.time_zones import DEFAULT_ZONE, ZONES
from .blueprint import bp, principal

PER_PAGE = 50


def _day(name: str):
    """A day from the query (yyyy-mm-dd), or None when absent or unreadable (the filter is dropped)."""
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
    except ValueError:
        return None


def _start_of(day) -> datetime:
    # Admins work on the capital's clock: a day here is a WIB day, as the times shown are.
    return datetime.combine(day, time(), tzinfo=ZONES[DEFAULT_ZONE])


@bp.route("/admin/audit")
@login_required
def audit_page():
    permissions.require(principal(), permissions.READ_AUDIT)
    kind = request.args.get("kind") or None
    actor = (request.args.get("actor") or "").strip()[:120] or None
    subject = (request.args.get("subject") or "").strip()[:200] or None
    since, until = _day("from"), _day("to")
    before = request.args.get("before", type=int)
    before = before if before is not None and 1 <= before < 2**63 else None
    entries = log.entries(
        kind=[kind] if kind in log.KINDS else None,
        actor=actor,
        subject=subject,
        since=_start_of(since) if since else None,
        until=_start_of(until) + timedelta(days=1) if until else None,
        before=before,
        limit=PER_PAGE,
    )
    next_before = entries[-1].id if len(entries) == PER_PAGE else None
    filters = {
        "kind": kind if kind in log.KINDS else "",
        "actor": actor or "",
        "subject": subject or "",
        "from": since.isoformat() if since else "",
        "to": until.isoformat() if until else "",
    }
    return render_template(
        "web/audit.html", entries=entries, kinds=log.KINDS, filters=filters, next_before=next_before,
        first_page=before is None,
    )  # fmt: skip

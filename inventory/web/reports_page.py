"""Reports in the browser: stock, consumption and usage of an area, on screen and as downloads.

The same service functions and documents as GET /api/v1/reports/... (reports/api.py), read
with the dashboard's session instead of a token: a download link is this page's address with
`format=`. The area must be in the user's area, as for the API.
"""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import permissions
from ..core.errors import DomainError, Invalid
from ..core.schemas import EARLIEST, LATEST
from ..offices import tree
from ..offices.models import Office
from ..planning.figures import today
from ..reports import csv_export, service, usage, usage_documents
from ..reports.api import csv_response, document_response
from ..reports.rules import BUCKETS
from ..reports.service import LEVELS
from . import area
from .blueprint import bp, principal
from .labels import describe

KINDS = ("stock", "consumption", "usage")
FORMATS = {"stock": ("csv",), "consumption": ("csv",), "usage": ("csv", "xlsx", "pdf")}


def _day(name: str) -> date | None:
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("%(value)s is not a date (YYYY-MM-DD).", value=value), field=name) from None
    if not EARLIEST <= day <= LATEST:  # the API's calendar: near its ends a bucket's days overflow
        raise Invalid(_("Choose a day from %(first)s to %(last)s.", first=EARLIEST, last=LATEST), field=name)
    return day


def _choice(name: str, allowed: tuple, default: str | None) -> str | None:
    value = request.args.get(name) or default
    if value is not None and value not in allowed:
        raise Invalid(_("Choose one of the offered values."), field=name)
    return value


@bp.route("/reports")
@login_required
def reports_page():
    user = principal()
    roots = area.roots_for(user)
    under: Office = tree.get_by_code(request.args.get("under") or roots[0].code)
    permissions.require(user, permissions.READ, under.path)
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else "stock"
    asked = {"kind": kind, "under": under.code}
    try:
        level = _choice("level", LEVELS, None)
        bucket = _choice("bucket", BUCKETS, "day")
        first, last = _day("from"), _day("to")
        wanted = _choice("format", FORMATS[kind], None)
        if kind == "stock":
            report = service.stock_report(under, level)
        elif kind == "consumption":
            report = service.consumption_report(under, bucket, first, last)
        else:
            report = usage.usage_report(under, level, first, last)
    except DomainError as error:
        page = render_template("web/reports.html", under=under, asked=asked, args=request.args,
                               report=None, problem=describe(error), formats=FORMATS[kind])  # fmt: skip
        return page, 422
    if wanted:
        return _download(kind, wanted, report, under)
    asked.update({"level": report.get("level"), "bucket": report.get("bucket"),
                  "from": report.get("from"), "to": report.get("to")})  # fmt: skip
    return render_template("web/reports.html", under=under, asked=asked, args=request.args, report=report,
                           problem=None, formats=FORMATS[kind])  # fmt: skip


def _download(kind: str, wanted: str, report: dict, under: Office):
    if kind == "stock":
        name = csv_export.filename("stock", report["under"], report["level"], report["as_of"])
        return csv_response(csv_export.render(service.STOCK_COLUMNS, report["rows"]), name)
    if kind == "consumption":
        name = csv_export.filename(
            "consumption", report["under"], report["bucket"], report["from"], report["to"]
        )
        rows = service.consumption_csv_rows(report)
        return csv_response(csv_export.render(service.consumption_columns(report["reasons"]), rows), name)
    parts = ("usage", report["under"], report["level"], report["from"], report["to"])
    if wanted == "csv":
        text = csv_export.render(usage.csv_columns(report["reasons"]), usage.csv_rows(report))
        return csv_response(text, csv_export.filename(*parts))
    if wanted == "xlsx":
        return document_response(usage_documents.xlsx(report), wanted, parts)
    return document_response(usage_documents.pdf(report, today(under.time_zone)), wanted, parts)

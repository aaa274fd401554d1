"""Reports of an area, as JSON or as a CSV file for a spreadsheet (see inventory/csv_export.py)."""

from __future__ import annotations

import json
from datetime import date

from flask import Response, request

from ..auth import permissions
from ..core.context import current_principal
from ..core.parsing import Blueprint
from ..offices import tree
from ..offices.models import Office
from ..planning.figures import today
from . import csv_export, service, usage, usage_documents
from .schemas import (
    ConsumptionQuerySchema,
    ConsumptionReportSchema,
    StockReportQuerySchema,
    StockReportSchema,
    UsageQuerySchema,
    UsageReportSchema,
)

blp = Blueprint("reports", __name__, description="Stock and consumption of an area, as JSON or CSV.")

CSV_DOC = {
    "schema": {"type": "string", "format": "binary"},
    "description": "With `?format=csv` or `Accept: text/csv`: UTF-8 (with BOM) CSV, a header row of "
    "the JSON field names, one line per row, sent as an attachment.",
}
VARY = {"Vary": "Accept"}  # the same URL answers JSON or CSV: caches must key on Accept


def _area(code: str) -> Office:
    office = tree.get_by_code(code)
    permissions.require(current_principal(), permissions.READ, office.path)
    return office


def wants_csv(query: dict) -> bool:
    """`format` wins; else the Accept header, with JSON on a tie (browsers send */*)."""
    if "format" in query:
        return query["format"] == "csv"
    return request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"


def json_response(report: dict) -> Response:
    """The report as JSON, written directly rather than through the response schema.

    A national stock report has ~7,300 rows of 19 fields; marshmallow would take longer
    to dump them than the database takes to add them up. The schemas still document the
    shape, and tests/reports/test_reports.py holds the output to them.
    """
    body = json.dumps(report, default=_iso, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status=200, content_type="application/json", headers=VARY)


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def csv_response(text: str, name: str) -> Response:
    headers = {"Content-Disposition": csv_export.content_disposition(name), **VARY}
    return Response(text, status=200, content_type=csv_export.CONTENT_TYPE, headers=headers)


@blp.route("/reports/stock", methods=["GET"])
@blp.arguments(StockReportQuerySchema(), location="query")
@blp.response(200, StockReportSchema)
@blp.alt_response(200, success=True, content_type="text/csv", **CSV_DOC)
def stock_report(query):
    """Stock position of every office of a level in an area, with its projection, alerts and status."""
    report = service.stock_report(_area(query["under"]), query.get("level"), query.get("horizon_days"))
    if wants_csv(query):
        name = csv_export.filename("stock", report["under"], report["level"], report["as_of"])
        return csv_response(csv_export.render(service.STOCK_COLUMNS, report["rows"]), name)
    return json_response(report)


@blp.route("/reports/consumption", methods=["GET"])
@blp.arguments(ConsumptionQuerySchema(), location="query")
@blp.response(200, ConsumptionReportSchema)
@blp.alt_response(200, success=True, content_type="text/csv", **CSV_DOC)
def consumption_report(query):
    """Blanks printed and spoiled in an area per day, ISO week or month, by print reason."""
    first: date | None = query.get("from_")
    report = service.consumption_report(_area(query["under"]), query["bucket"], first, query.get("to"))
    if wants_csv(query):
        name = csv_export.filename(
            "consumption", report["under"], report["bucket"], report["from"], report["to"]
        )
        rows = service.consumption_csv_rows(report)
        return csv_response(csv_export.render(service.consumption_columns(report["reasons"]), rows), name)
    return json_response(report)


USAGE_TYPES = {"json": "application/json", "csv": "text/csv", "xlsx": usage_documents.XLSX_CONTENT_TYPE,
               "pdf": usage_documents.PDF_CONTENT_TYPE}  # fmt: skip
XLSX_DOC = {
    "schema": {"type": "string", "format": "binary"},
    "description": "With `?format=xlsx` or that Accept: one sheet per level, Indonesian headers, "
    "figures as numbers, header frozen, totals in the last row.",
}
PDF_DOC = {
    "schema": {"type": "string", "format": "binary"},
    "description": "With `?format=pdf` or `Accept: application/pdf`: A4 landscape, letterhead, "
    "period, a table per level with totals, a signature block for the head of office.",
}


def usage_format(query: dict) -> str:
    """`format` wins; else the Accept header, with JSON on a tie (browsers send */*)."""
    if "format" in query:
        return query["format"]
    best = request.accept_mimetypes.best_match(list(USAGE_TYPES.values()))
    return next((name for name, mimetype in USAGE_TYPES.items() if mimetype == best), "json")


@blp.route("/reports/usage", methods=["GET"])
@blp.arguments(UsageQuerySchema(), location="query")
@blp.response(200, UsageReportSchema)
@blp.alt_response(200, success=True, content_type="text/csv", **CSV_DOC)
@blp.alt_response(200, success=True, content_type=usage_documents.XLSX_CONTENT_TYPE, **XLSX_DOC)
@blp.alt_response(200, success=True, content_type=usage_documents.PDF_CONTENT_TYPE, **PDF_DOC)
def usage_report(query):
    """Usage of blanks per office of an area over a period (laporan penggunaan blangko), from the books.

    Each row is one office's own books: opening balance, received, transfers in, returned and
    out, printed by reason, spoiled, adjustments by kind, closing balance; every row satisfies
    opening + total_in - total_out = closing. A reversal counts in the column of what it
    undoes, with the opposite sign, in the period it was recorded.
    """
    area = _area(query["under"])
    report = usage.usage_report(area, query.get("level"), query.get("from_"), query.get("to"))
    wanted = usage_format(query)
    parts = ("usage", report["under"], report["level"], report["from"], report["to"])
    if wanted == "csv":
        text = csv_export.render(usage.csv_columns(report["reasons"]), usage.csv_rows(report))
        return csv_response(text, csv_export.filename(*parts))
    if wanted == "xlsx":
        return document_response(usage_documents.xlsx(report), wanted, parts)
    if wanted == "pdf":
        return document_response(usage_documents.pdf(report, today(area.time_zone)), wanted, parts)
    return json_response(report)


def document_response(body: bytes, wanted: str, parts: tuple) -> Response:
    name = csv_export.filename(*parts).removesuffix(".csv") + f".{wanted}"
    headers = {"Content-Disposition": csv_export.content_disposition(name), **VARY}
    return Response(body, status=200, content_type=USAGE_TYPES[wanted], headers=headers)

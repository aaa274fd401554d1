"""Redistribution in the browser: the suggested transfers among an office and the offices
directly under it, each with its effect, and a button that creates the transfer.

The page needs PLAN, as GET /offices/{code}/redistribution does; the button needs PLAN or
TRANSFER at the sending office, as POST /transfers with planned: true does, so it is offered
only where the user may press it. It plans the transfer (stock.service.plan): nothing moves
until warehouse staff of the sender, who pack the blanks, dispatch it from their office page;
a suggestion already planned says so instead of offering a second one.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from ..auth import permissions
from ..core.db import db
from ..offices import tree
from ..offices.models import Office
from ..planning import figures
from ..stock import ledger
from ..stock import service as stock
from .blueprint import bp, can, office_for, principal, write_once
from .forms import RedistributeForm
from .labels import number, office_name


def _offices(codes: set[str]) -> dict[str, dict]:
    rows = db.session.execute(select(Office.code, Office.name, Office.path).where(Office.code.in_(codes)))
    return {code: {"name": office_name(name, code), "path": path} for code, name, path in rows}


def _planned(codes: set[str]) -> dict[tuple[str, str], dict]:
    """The planned transfers among these offices, by (from, to): the newest of each pair."""
    found: dict[tuple[str, str], dict] = {}
    for office_id in db.session.execute(select(Office.id).where(Office.code.in_(codes))).scalars():
        for transfer in ledger.list_transfers(office_id=office_id, status="planned", limit=100):
            found.setdefault((transfer["from"], transfer["to"]), transfer)
    return found


def _page(office: Office, status: int = 200):
    report = figures.redistribution_report(office)
    offices = _offices({office.code, *(p["office"] for p in report["positions"])})
    planned = _planned({s["from"] for s in report["suggestions"]})
    for suggestion in report["suggestions"]:
        suggestion["planned"] = planned.get((suggestion["from"], suggestion["to"]))
        suggestion["form"] = RedistributeForm(
            formdata=None,
            source=suggestion["from"],
            destination=suggestion["to"],
            quantity=suggestion["quantity"],
        )
    page = render_template("web/redistribution.html", office=office, report=report, offices=offices)
    return page, status


@bp.route("/offices/<code>/redistribution", methods=["GET"])
@login_required
def redistribution_page(code: str):
    return _page(office_for(code, permissions.PLAN))


@bp.route("/offices/<code>/redistribution", methods=["POST"])
@login_required
def redistribute(code: str):
    """Create one suggested transfer: its sender, receiver and quantity as the page showed them."""
    office = office_for(code)
    form = RedistributeForm()
    if not form.validate_on_submit():
        flash(_("This suggestion could not be read; reload the page and try again."), "error")
        return _after_refusal(office, 422)
    source = tree.get_by_code(form.source.data)
    permissions.require_any(principal(), permissions.PLANNERS, source.path)  # as POST /transfers, planned
    destination = tree.get_by_code(form.destination.data)
    note = f"Redistribution suggested for {destination.code}"  # as the API's suggestion body
    work = lambda: stock.plan(  # noqa: E731
        tree.OfficeRef.of(source), tree.OfficeRef.of(destination), principal(), form.quantity.data, note
    )
    if not write_once(form.nonce.data, work):
        return _after_refusal(office, 409)
    flash(
        _(
            "Transfer of %(n)s blanks from %(source)s to %(to)s planned: "
            "warehouse staff of %(source)s dispatch it from their office page.",
            n=number(form.quantity.data),
            source=office_name(source.name, source.code),
            to=office_name(destination.name, destination.code),
        ),
        "success",
    )
    # Back to the suggestions; warehouse staff, who may plan but not see them, to their office.
    page = "web.redistribution_page" if can(permissions.PLAN, office.path) else "web.office_page"
    return redirect(url_for(page, code=office.code))


def _after_refusal(office: Office, status: int):
    """The page again with the reason flashed; someone who may send but not see the page (the
    API lets warehouse staff plan) goes back to the office instead."""
    if can(permissions.PLAN, office.path):
        return _page(office, status)
    return redirect(url_for("web.office_page", code=office.code))

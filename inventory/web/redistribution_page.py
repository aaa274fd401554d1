"""Redistribution in the browser: the suggested transfers among an office and the offices
directly under it, each with its effect, and a button that creates the transfer.

The page needs PLAN, as GET /offices/{code}/redistribution does; the button needs TRANSFER at
the sending office, as POST /transfers does, so it is offered only where the user may press it.
The transfer leaves in transit at once (stock.service.dispatch); the receiving office counts it
in as any other.
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
from ..stock import service as stock
from .blueprint import bp, can, office_for, principal, write_once
from .forms import RedistributeForm
from .labels import number, office_name


def _offices(codes: set[str]) -> dict[str, dict]:
    rows = db.session.execute(select(Office.code, Office.name, Office.path).where(Office.code.in_(codes)))
    return {code: {"name": office_name(name, code), "path": path} for code, name, path in rows}


def _page(office: Office, status: int = 200):
    report = figures.redistribution_report(office)
    offices = _offices({office.code, *(p["office"] for p in report["positions"])})
    for suggestion in report["suggestions"]:
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
    source = office_for(form.source.data, permissions.TRANSFER)  # as POST /transfers
    destination = tree.get_by_code(form.destination.data)
    note = f"Redistribution suggested for {destination.code}"  # as the API's suggestion body
    work = lambda: stock.dispatch(  # noqa: E731
        tree.OfficeRef.of(source), tree.OfficeRef.of(destination), principal(), form.quantity.data, note
    )
    if not write_once(form.nonce.data, work):
        return _after_refusal(office, 409)
    flash(
        _(
            "Transfer of %(n)s blanks from %(source)s to %(to)s created: "
            "it is in transit until %(to)s receives it.",
            n=number(form.quantity.data),
            source=office_name(source.name, source.code),
            to=office_name(destination.name, destination.code),
        ),
        "success",
    )
    return redirect(url_for("web.redistribution_page", code=office.code))


def _after_refusal(office: Office, status: int):
    """The page again with the reason flashed; someone who may send but not plan (the API lets
    warehouse staff POST /transfers) goes back to the office instead."""
    if can(permissions.PLAN, office.path):
        return _page(office, status)
    return redirect(url_for("web.office_page", code=office.code))

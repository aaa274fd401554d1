"""One office: stock card, balance chart, projection, open alerts, and the forms of the user's role."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from ..auth import permissions
from ..core.db import db
from ..offices import tree
from ..offices.models import Office
from ..planning import figures, population
from ..stock import ledger, serial_ranges
from ..stock import service as stock
from ..stock.count_rules import needs_confirmation
from . import area, chart
from .blueprint import bp, office_for, principal, write, write_once
from .forms import (
    AdjustmentForm,
    DeliveryForm,
    PlannedDispatchForm,
    PostForm,
    PrintForm,
    ReceiptForm,
    StocktakeForm,
    TransferForm,
)
from .labels import number, office_name

LEDGER_ROWS = 20


def _destinations(office: Office) -> list[SelectChoice]:
    """Where blanks usually go from here: this office's children first, then its parent and siblings."""
    near = [Office.parent_id == office.id]
    if office.parent_id is not None:
        near += [Office.id == office.parent_id, Office.parent_id == office.parent_id]
    found = db.session.execute(
        select(Office.code, Office.name, Office.parent_id)
        .where(or_(*near), Office.id != office.id, Office.active.is_(True))
        .order_by(Office.code)
    ).all()
    found.sort(key=lambda o: o.parent_id != office.id)  # stable: children, then the rest, by code
    return [SelectChoice(code, office_name(name, code)) for code, name, _ in found]


def _forms(office: Office, bound: dict) -> dict:
    transfer = bound.get("transfer") or TransferForm(formdata=None)
    transfer.destination.choices = _destinations(office)
    return {
        "delivery": bound.get("delivery") or DeliveryForm(formdata=None),
        "print": bound.get("print") or PrintForm(formdata=None),
        "transfer": transfer,
        "stocktake": bound.get("stocktake") or StocktakeForm(formdata=None),
        "adjustment": bound.get("adjustment") or AdjustmentForm(formdata=None),
        "button": PostForm(formdata=None),
        "receipt": ReceiptForm(formdata=None),
    }


def _render(office: Office, status: int = 200, **bound):
    ref = tree.OfficeRef.of(office)
    movements = ledger.ledger(ref, limit=LEDGER_ROWS)
    report = figures.projection_report(office)
    today = report["as_of"]
    own = ledger.balance_of(office.id)
    balance_chart = chart.build(
        chart.balance_points(office.id, today, own["on_hand"], office.time_zone),
        today,
        own["on_hand"],
        report["outputs"]["stockout_date"],
        office.min_stock,
        office.target_date,
    )
    page = render_template(
        "web/office.html",
        office=office,
        row=area.rows_for([office])[0],
        own=own,
        report=report,
        chart=balance_chart,
        movements=movements,
        reversed_ids=ledger.reversed_among(m["id"] for m in movements),
        not_reversible=stock.NOT_REVERSIBLE,
        transfers=_transfers(office),
        planned=_planned(office),
        serial_tracked=office.serials_required or serial_ranges.tracked(office.id) > 0,
        alerts=area.own_alerts(office),
        alerts_below=area.alerts_below(office),
        breadcrumb=area.ancestors_in_area(principal(), office),
        forms=_forms(office, bound),
        target_percent=current_app.config["RECORDING_TARGET_PERCENT"],
        population_as_of=population.get_population(office)["effective"]["as_of"],
    )
    return page, status


def _transfers(office: Office) -> list[dict]:
    """The office's transfers on the road; an incoming one with the serials it carries (its receipt
    form asks for the missing ones) and whether the reader sent it (who sent it does not receive
    it, unless the office allows it: stock/receipts.py)."""
    found = ledger.list_transfers(office_id=office.id, status="in_transit", limit=50)
    me = principal().user_id
    for transfer in found:
        if transfer["to"] == office.code:
            transfer["serials"] = stock.transfer_with_serials(transfer["id"])["serials"]
            transfer["mine"] = transfer["dispatched_by_id"] == me and not office.allow_self_receipt
    return found


def _planned(office: Office) -> list[dict]:
    """Transfers planned from or to the office, not yet dispatched; an outgoing one with its own
    dispatch form (its own nonce: each is sent once)."""
    found = ledger.list_transfers(office_id=office.id, status="planned", limit=50)
    for transfer in found:
        if transfer["from"] == office.code:
            transfer["form"] = PlannedDispatchForm(formdata=None, lowest_serials=office.serials_required)
    return found


@bp.route("/offices/<code>")
@login_required
def office_page(code: str):
    return _render(office_for(code))


def _done(office: Office, message: str):
    flash(message, "success")
    return redirect(url_for("web.office_page", code=office.code))


@bp.route("/offices/<code>/deliveries", methods=["POST"])
@login_required
def deliver(code: str):
    office = office_for(code, permissions.DELIVER)
    form = DeliveryForm()
    if not form.validate_on_submit():
        return _render(office, 422, delivery=form)
    work = lambda: stock.receive(  # noqa: E731
        tree.OfficeRef.of(office),
        principal(),
        form.quantity.data,
        batch_no=form.batch_no.data or None,
        document_no=form.document_no.data or None,
        note=form.note.data or None,
    )
    if not write_once(form.nonce.data, work):
        return _render(office, 409, delivery=form)
    return _done(office, _("Delivery of %(n)s blanks recorded.", n=number(form.quantity.data)))


@bp.route("/offices/<code>/prints", methods=["POST"])
@login_required
def print_card(code: str):
    office = office_for(code, permissions.PRINT)
    form = PrintForm()
    if not form.validate_on_submit():
        return _render(office, 422, print=form)
    work = lambda: stock.consume(  # noqa: E731
        tree.OfficeRef.of(office), principal(), outcome=form.outcome.data, reason=form.reason.data
    )
    if not write_once(form.nonce.data, work):
        return _render(office, 409, print=form)
    return _done(office, _("Print recorded."))


@bp.route("/offices/<code>/transfers", methods=["POST"])
@login_required
def dispatch(code: str):
    office = office_for(code, permissions.TRANSFER)
    form = TransferForm()
    form.destination.choices = _destinations(office)
    if not form.validate_on_submit():
        return _render(office, 422, transfer=form)
    destination = tree.get_by_code(form.destination.data)
    work = lambda: stock.dispatch(  # noqa: E731
        tree.OfficeRef.of(office),
        tree.OfficeRef.of(destination),
        principal(),
        form.quantity.data,
        form.note.data or None,
    )
    if not write_once(form.nonce.data, work):
        return _render(office, 409, transfer=form)
    return _done(
        office,
        _(
            "%(n)s blanks sent to %(to)s.",
            n=number(form.quantity.data),
            to=office_name(destination.name, destination.code),
        ),
    )


@bp.route("/offices/<code>/stocktakes", methods=["POST"])
@login_required
def stocktake(code: str):
    office = office_for(code, permissions.ADJUST)
    form = StocktakeForm()
    if not form.validate_on_submit():
        return _render(office, 422, stocktake=form)
    # Asked here, in words, before the service refuses it (which it does too, under its lock).
    books = ledger.balance_of(office.id)["on_hand"]
    if needs_confirmation(books, form.counted.data) and not form.confirm.data:
        form.difference = {
            "books": books,
            "counted": form.counted.data,
            "difference": form.counted.data - books,
        }
        return _render(office, 422, stocktake=form)
    work = lambda: stock.count(  # noqa: E731
        tree.OfficeRef.of(office),
        principal(),
        form.counted.data,
        form.reason.data.strip(),
        confirmed=bool(form.confirm.data),
    )
    if not write_once(form.nonce.data, work):
        return _render(office, 409, stocktake=form)
    return _done(office, _("Stocktake recorded."))


@bp.route("/transfers/<id:transfer_id>/<any(receive, cancel):action>", methods=["POST"])
@login_required
def close_transfer(transfer_id: int, action: str):
    """Receive at the destination (as counted), or call back at the source: the same rule as the API."""
    transfer = ledger.get_transfer(transfer_id)
    if action == "cancel":
        return _cancel(transfer)
    office = office_for(transfer["to"], permissions.TRANSFER)
    form = ReceiptForm()
    if not form.validate_on_submit():
        if form.missing_serials.errors:
            flash(_("Transfer %(id)s: the missing serials could not be read: %(error)s", id=transfer_id,
                    error=form.missing_serials.errors[0]), "error")  # fmt: skip
        else:
            flash(_("Transfer %(id)s: enter the blanks that arrived, 0 or more.", id=transfer_id), "error")
        return redirect(url_for("web.office_page", code=office.code))
    counted, note, missing_serials = form.counted.data, form.note.data or None, form.missing_serials.data
    if missing_serials and counted == transfer["quantity"]:
        counted = None  # the form's count left as sent: the serials named missing say how many arrived
    work = lambda: stock.receive_counted(transfer_id, principal(), counted, note, missing_serials)  # noqa: E731
    received = write(work)
    if received is not None:
        if not received.get("missing"):
            flash(_("Transfer %(id)s received.", id=transfer_id), "success")
        else:
            flash(
                _(
                    "Transfer %(id)s: %(counted)s of %(sent)s arrived; %(missing)s recorded as lost in "
                    "transit at %(source)s, whose managers are alerted.",
                    id=transfer_id,
                    counted=number(received["counted"]),
                    sent=number(transfer["quantity"]),
                    missing=number(received["missing"]),
                    source=office_name(transfer["from_name"], transfer["from"]),
                ),
                "warning",
            )
    return redirect(url_for("web.office_page", code=office.code))


def _cancel(transfer: dict):
    """Call back one in transit (TRANSFER at the source), or call off a planned one (its
    managers too): the same rule as POST /transfers/{id}/cancel."""
    office = office_for(transfer["from"])
    plan_only = request.form.get("only") == "planned"  # the plan's own button: never a call-back
    work = lambda: stock.cancel_as(transfer, principal(), office.path, plan_only=plan_only)  # noqa: E731
    if PostForm().validate_on_submit() and write(work):
        flash(_("Transfer %(id)s cancelled.", id=transfer["id"]), "success")
    return redirect(url_for("web.office_page", code=office.code))


@bp.route("/transfers/<id:transfer_id>/dispatch", methods=["POST"])
@login_required
def dispatch_planned(transfer_id: int):
    """Send a planned transfer (TRANSFER at the source), as POST /transfers/{id}/dispatch."""
    transfer = ledger.get_transfer(transfer_id)
    office = office_for(transfer["from"], permissions.TRANSFER)
    form = PlannedDispatchForm()
    if not form.validate_on_submit():
        flash(_("This form could not be read; reload the page and try again."), "error")
        return redirect(url_for("web.office_page", code=office.code))
    serials = "lowest" if form.lowest_serials.data else None
    if write_once(form.nonce.data, lambda: stock.dispatch_planned(transfer_id, principal(), serials)):
        flash(
            _(
                "Transfer %(id)s dispatched: %(n)s blanks in transit to %(to)s.",
                id=transfer_id,
                n=number(transfer["quantity"]),
                to=office_name(transfer["to_name"], transfer["to"]),
            ),
            "success",
        )
    return redirect(url_for("web.office_page", code=office.code))

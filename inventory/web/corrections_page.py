"""Corrections in the browser: an adjustment of any kind the API takes, and the reversal of a
wrong movement from the stock card, after a page saying what will change.

The same permissions and service functions as POST /offices/{code}/adjustments (ADJUST) and
POST /movements/{id}/reverse (REVERSE, at the movement's office).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import permissions
from ..offices import tree
from ..stock import ledger
from ..stock import service as stock
from .blueprint import bp, office_for, principal, write_once
from .forms import AdjustmentForm, ReverseForm
from .labels import MOVEMENT_KINDS, number
from .office_page import _render


@bp.route("/offices/<code>/adjustments", methods=["POST"])
@login_required
def adjust(code: str):
    office = office_for(code, permissions.ADJUST)
    form = AdjustmentForm()
    if not form.validate_on_submit():
        return _render(office, 422, adjustment=form)
    kind, quantity = form.movement()
    work = lambda: stock.adjust(tree.OfficeRef.of(office), principal(), kind, quantity, form.reason.data)  # noqa: E731
    if not write_once(form.nonce.data, work):
        return _render(office, 409, adjustment=form)
    flash(
        _("%(kind)s of %(n)s blanks recorded.", kind=MOVEMENT_KINDS[kind], n=number(abs(quantity))), "success"
    )
    return redirect(url_for("web.office_page", code=office.code))


def _movement(movement_id: int):
    """The movement and its office, once the user may reverse there (as the API: REVERSE)."""
    movement = ledger.get_movement(movement_id)
    office = office_for(movement["office_code"], permissions.REVERSE)
    return movement, office


def _confirm_page(movement_id: int, form: ReverseForm, status: int = 200):
    movement, office = _movement(movement_id)
    on_hand = ledger.balance_of(office.id)["on_hand"]
    if movement["kind"] in stock.NOT_REVERSIBLE:
        refusal = _(
            "A %(kind)s cannot be reversed.", kind=MOVEMENT_KINDS.get(movement["kind"], movement["kind"])
        )
        if movement["kind"] in stock.TRANSFER_KINDS:
            refusal += " " + _("Cancel the transfer instead, at the office that sent it.")
    elif ledger.reversed_among([movement_id]):
        refusal = _("This movement has already been reversed.")
    elif on_hand - movement["quantity"] < 0:
        refusal = _(
            "Reversing it would take %(n)s blanks out, but only %(on_hand)s are on hand.",
            n=number(movement["quantity"]),
            on_hand=number(on_hand),
        )
    else:
        refusal = None
    card = ledger.movement_on_card(tree.OfficeRef.of(office), movement_id)
    page = render_template(
        "web/reverse.html",
        office=office,
        movement=card,
        form=form,
        refusal=refusal,
        on_hand=on_hand,
        after=on_hand - movement["quantity"],
    )
    return page, status if refusal is None else max(status, 409)


@bp.route("/movements/<id:movement_id>/reverse", methods=["GET"])
@login_required
def reverse_page(movement_id: int):
    return _confirm_page(movement_id, ReverseForm(formdata=None))


@bp.route("/movements/<id:movement_id>/reverse", methods=["POST"])
@login_required
def reverse(movement_id: int):
    movement, office = _movement(movement_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        return _confirm_page(movement_id, form, 422)
    if not write_once(form.nonce.data, lambda: stock.reverse(movement_id, principal(), form.reason.data)):
        return _confirm_page(movement_id, form, 409)
    flash(
        _(
            "Movement %(id)s reversed: %(n)s blanks %(direction)s.",
            id=movement_id,
            n=number(abs(movement["quantity"])),
            direction=_("taken out") if movement["quantity"] > 0 else _("put back"),
        ),
        "success",
    )
    return redirect(url_for("web.office_page", code=office.code))

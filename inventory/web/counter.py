"""The print counter: an operator's landing page, the print action first.

One press records a card (the reason chosen once and kept), one more a spoiled one; today's
tally answers in place when the page has its script (static/counter.js) and after a redirect
when it has not. A print pressed by mistake is taken back from here, within a short window,
as a reversal. End of day: the day's counts in one form, sent as one batch of prints.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    current_app,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import and_, exists, func, select

from ..auth import permissions
from ..core.db import db, utcnow
from ..offices import tree
from ..offices.models import Office
from ..offices.time_zones import ZONES, local_day
from ..stock import ledger, serial_ranges
from ..stock import service as stock
from ..stock.ledger import M
from . import counter_rules
from .blueprint import bp, office_for, principal, write, write_once
from .forms import CounterForm, DayForm, UndoForm, day_field
from .labels import PRINT_REASONS

REASON_KEY = "counter_reason"  # the reason chosen at the counter, kept for the next press
UNDO_REASON = "Undone at the counter: pressed by mistake."
R = M.alias("reversal")


def _office(code: str) -> Office:
    return office_for(code, permissions.PRINT)


def _not_reversed():
    return ~exists().where(R.c.reverses_id == M.c.id)


def tally(office: Office) -> dict:
    """This office's own prints of its local day, reversed ones left out, and its blanks on hand."""
    now = utcnow()
    zone = ZONES[office.time_zone]
    day = local_day(now, office.time_zone)
    start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)
    rows = db.session.execute(
        select(M.c.outcome, M.c.reason, func.count())
        .where(M.c.office_id == office.id, M.c.kind == "print", M.c.occurred_at >= start, _not_reversed())
        .group_by(M.c.outcome, M.c.reason)
    ).all()
    printed = dict.fromkeys(PRINT_REASONS, 0)
    spoiled = 0
    for outcome, reason, n in rows:
        if outcome == "spoiled":
            spoiled += n
        else:
            printed[reason] = printed.get(reason, 0) + n
    last = db.session.execute(
        select(M.c.id, M.c.kind, M.c.office_id, M.c.actor_id, M.c.recorded_at, M.c.outcome, M.c.reason)
        .where(
            and_(M.c.office_id == office.id, M.c.kind == "print", M.c.actor_id == principal().user_id),
            M.c.recorded_at >= now - timedelta(seconds=counter_rules.UNDO_SECONDS),
            _not_reversed(),
        )
        .order_by(M.c.id.desc())
        .limit(1)
    ).first()
    return {
        "day": day,
        "printed": printed,
        "spoiled": spoiled,
        "on_hand": ledger.balance_of(office.id)["on_hand"],
        "last": dict(last._mapping) if last else None,
    }


def _render(
    office: Office, status: int = 200, counter: CounterForm | None = None, day: DayForm | None = None
):
    counter = counter or CounterForm(formdata=None, reason=session.get(REASON_KEY, "new_record"))
    figures = tally(office)
    day = day or DayForm(formdata=None, day=figures["day"])
    page = render_template(
        "web/counter.html",
        office=office,
        # The serial box, where the office's blanks have recorded serials (prints must then say
        # which blank once no blank without one is left: 409 serials_needed).
        serial_tracked=office.serials_required or serial_ranges.tracked(office.id) > 0,
        form=counter,
        day_form=day,
        day_field=day_field,
        tally=figures,
        undo=UndoForm(formdata=None),
    )
    return page, status


def _answer(office: Office, status: int = 200):
    """To the page's script: the messages and the tally to put in place; to a plain form: the page."""
    if request.accept_mimetypes.best == "application/json":
        figures = tally(office)
        fragment = render_template(
            "web/counter_tally.html", office=office, tally=figures, undo=UndoForm(formdata=None)
        )
        messages = get_flashed_messages(with_categories=True)
        return jsonify(messages=messages, tally=fragment, on_hand=figures["on_hand"]), status
    if status >= 400:
        return _render(office, status)
    return redirect(url_for("web.counter", code=office.code))


@bp.route("/offices/<code>/counter")
@login_required
def counter(code: str):
    return _render(_office(code))


@bp.route("/offices/<code>/counter/prints", methods=["POST"])
@login_required
def counter_print(code: str):
    office = _office(code)
    form = CounterForm()
    if not form.validate_on_submit():
        if form.serial.errors:
            flash(_("The serial could not be read: %(error)s", error=form.serial.errors[0]), "error")
        else:
            flash(_("Choose a reason, then press Printed or Spoiled."), "error")
        return _answer(office, 422)
    session[REASON_KEY] = form.reason.data
    ref = tree.OfficeRef.of(office)
    chosen = {"outcome": form.outcome.data, "reason": form.reason.data, "serial": form.serial.data}
    work = lambda: stock.consume(ref, principal(), **chosen)  # noqa: E731
    if not write_once(form.nonce.data, work):
        return _answer(office, 409)
    if form.outcome.data == "spoiled":
        flash(_("Spoiled card recorded."), "success")
    else:
        flash(_("Print recorded."), "success")
    return _answer(office)


@bp.route("/offices/<code>/counter/undo", methods=["POST"])
@login_required
def counter_undo(code: str):
    office = _office(code)
    form = UndoForm()
    if not form.validate_on_submit():
        flash(_("Nothing to undo."), "error")
        return _answer(office, 422)

    too_late: list[int] = []

    def work():
        movement = ledger.get_movement(form.movement.data)
        if not counter_rules.may_undo(movement, office.id, principal().user_id, utcnow()):
            too_late.append(movement["id"])
            return None
        return stock.reverse(movement["id"], principal(), UNDO_REASON)

    if not write_once(form.nonce.data, work):
        if too_late:
            flash(_("This print can no longer be undone here; ask a manager for a reversal."), "error")
        return _answer(office, 409)
    flash(_("Last print undone (recorded as a reversal)."), "success")
    return _answer(office)


@bp.route("/offices/<code>/counter/day", methods=["POST"])
@login_required
def counter_day(code: str):
    """The day's counts as one batch: client_ids from office, day and a sequence, so a resend adds nothing."""
    office = _office(code)
    form = DayForm()
    today = local_day(utcnow(), office.time_zone)
    oldest = today - timedelta(days=current_app.config["PRINT_BACKDATE_DAYS"] - 1)
    if form.validate_on_submit() and not oldest <= form.day.data <= today:
        form.day.errors.append(_("Choose a day from %(first)s to %(last)s.", first=oldest, last=today))
    if not form.is_submitted() or form.errors:
        return _render(office, 422, day=form)
    items = counter_rules.day_prints(
        office.code, form.day.data, form.counts(), ZONES[office.time_zone], utcnow()
    )
    results = write(lambda: stock.consume_batch(tree.OfficeRef.of(office), principal(), items))
    if results is None:
        return _render(office, 409, day=form)
    statuses = ("recorded", "already_recorded", "refused")
    counted = {status: sum(r["status"] == status for r in results) for status in statuses}
    flash(
        _(
            "%(day)s: %(recorded)s cards recorded, %(already)s already recorded, %(refused)s refused.",
            day=form.day.data.isoformat(),
            recorded=counted["recorded"],
            already=counted["already_recorded"],
            refused=counted["refused"],
        ),
        "error" if counted["refused"] else "success",
    )
    return redirect(url_for("web.counter", code=office.code))

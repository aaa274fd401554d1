"""Requests for blanks: those of the manager's area and those awaiting its decision, a new request
pre-filled from the projection, and the submit, approve, reject and cancel buttons. Each view calls
one blank_requests function; the permission checks and the state rules are theirs, as in the API."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from ..auth import permissions
from ..blank_requests import reading, service, suggestion
from ..offices import tree
from ..offices.models import Office
from .blueprint import bp, office_for, page_cursor, principal, write, write_once
from .forms import ApproveForm, DecisionForm, RequestForm
from .labels import number, office_name

PAGE_SIZE = 100
ACTIONS = ("submit", "approve", "reject", "cancel")


def _awaiting_me(item: dict) -> bool:
    """A submitted request whose current step is the user's office (an admin decides any)."""
    user = principal()
    if item["status"] != "submitted" or not permissions.may(user, permissions.DECIDE_REQUESTS):
        return False
    return user.is_admin or item["awaiting"] == user.office_code


@bp.route("/requests")
@login_required
def requests_page():
    user = principal()
    before = page_cursor()
    items = reading.list_requests(user, before_id=before, limit=PAGE_SIZE + 1)
    older = items[PAGE_SIZE - 1]["id"] if len(items) > PAGE_SIZE else None
    items = items[:PAGE_SIZE]
    awaiting = [item for item in items if _awaiting_me(item)]
    approve = {item["id"]: ApproveForm(formdata=None, approved_quantity=_granted(item)) for item in awaiting}
    return render_template(
        "web/requests.html",
        items=items,
        awaiting=awaiting,
        approve_forms=approve,
        decision_form=DecisionForm(formdata=None),
        own_office=user.office_code,
        older=older,
        before=before,
    )


def _granted(item: dict) -> int:
    return item["approved_quantity"] if item["approved_quantity"] is not None else item["quantity"]


def _suppliers(office: Office) -> list[SelectChoice]:
    """Whom the office may ask here: its parent (the default), then each ancestor up to the nation."""
    found, above = [], office.parent
    while above is not None:
        found.append(SelectChoice(above.code, office_name(above.name, above.code)))
        above = above.parent
    return found


def _requester(code: str) -> Office:
    return office_for(code, permissions.REQUEST_BLANKS)


@bp.route("/offices/<code>/requests/new")
@login_required
def new_request(code: str):
    office = _requester(code)
    suggested = suggestion.suggestion(office)
    form = RequestForm(
        formdata=None,
        supplier=suggested["supplier"],
        quantity=suggested["quantity"] or None,
        justification=suggested["justification"],
    )
    return _render_new(office, form, suggested)


def _render_new(office: Office, form: RequestForm, suggested: dict | None = None, status: int = 200):
    form.supplier.choices = _suppliers(office)
    page = render_template("web/request_new.html", office=office, form=form, suggested=suggested)
    return page, status


@bp.route("/offices/<code>/requests", methods=["POST"])
@login_required
def create_request(code: str):
    office = _requester(code)
    form = RequestForm()
    form.supplier.choices = _suppliers(office)
    if not form.validate_on_submit():
        return _render_new(office, form, status=422)
    supplier = tree.get_by_code(form.supplier.data)
    created: list[int] = []
    tried: list[bool] = []

    def work() -> int:
        tried.append(True)
        request_id = service.create(
            office,
            supplier,
            [],
            principal(),
            quantity=form.quantity.data,
            justification=form.justification.data or None,
            needed_by=form.needed_by.data,
            emergency=form.emergency.data,
        )
        created.append(request_id)
        return request_id

    if not write_once(form.nonce.data, work):
        if not tried:  # the same form sent twice: the first one made the request
            return redirect(url_for("web.requests_page"))
        return _render_new(office, form, status=422)
    flash(
        _(
            "Request %(id)s for %(n)s blanks saved as a draft: submit it to send it.",
            id=created[0],
            n=number(form.quantity.data),
        ),
        "success",
    )
    return redirect(url_for("web.requests_page"))


@bp.route("/requests/<id:request_id>/<any(submit, approve, reject, cancel):action>", methods=["POST"])
@login_required
def request_action(request_id: int, action: str):
    """One transition; a refusal (wrong state, wrong office, a lower quota without a note) is flashed."""
    user = principal()
    form = ApproveForm() if action == "approve" else DecisionForm()
    if not form.validate_on_submit():
        flash(_("Request %(id)s: check the quota and the note.", id=request_id), "error")
        return redirect(url_for("web.requests_page"))
    reading.require_readable(user, request_id)
    extra = {"approved_quantity": form.approved_quantity.data} if action == "approve" else {}
    done = write(lambda: service.act(request_id, action, user, note=form.note.data or None, **extra) or True)
    if done:
        messages = {
            "submit": _("Request %(id)s submitted.", id=request_id),
            "approve": _("Request %(id)s approved.", id=request_id),
            "reject": _("Request %(id)s rejected.", id=request_id),
            "cancel": _("Request %(id)s cancelled.", id=request_id),
        }
        flash(messages[action], "success")
    return redirect(url_for("web.requests_page"))

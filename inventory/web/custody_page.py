"""Cards awaiting destruction at one office: how many per category, the returned-card form, and
the office's destruction records (berita acara) with a form to draft one, a button to sign a
draft and its PDF. Each form calls the stock function its API route calls, under the same
permission (returned cards: print; records: destroy; reading: read), and a draft is checked by
the API's own schema, so the page refuses exactly what the API refuses."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth import permissions
from ..offices import tree
from ..offices.models import Office
from ..stock import custody, destruction_pdf, destructions
from ..stock.custody_schemas import DestructionCreateSchema
from .blueprint import bp, office_for, principal, write, write_once
from .forms import DestructionForm, PostForm, ReturnedCardForm
from .labels import number

RECORDS = 50
# What the page says of a field the schema refused, in the reader's language.
FIELD_PROBLEMS = {
    "witnesses": lambda: _(
        "At least two witnesses, each with a name, an institution and a role; a NIP has 18 digits."
    ),
    "counts": lambda: _("Count at least one card."),
    "serials": lambda: _("Write serials as KTP0001030-KTP0001031, KTP0001030+2 or one by one."),
}


def _render(office: Office, status: int = 200, **forms):
    return render_template(
        "web/custody.html",
        office=office,
        categories=custody.custody_of(office.id),
        records=destructions.list_for(tree.OfficeRef.of(office), limit=RECORDS),
        returned_form=forms.get("returned") or ReturnedCardForm(formdata=None),
        destruction_form=forms.get("destruction") or DestructionForm(formdata=None),
        sign_form=PostForm(formdata=None),
    ), status


def _done(office: Office, message: str):
    flash(message, "success")
    return redirect(url_for("web.custody_page", code=office.code))


@bp.route("/offices/<code>/custody")
@login_required
def custody_page(code: str):
    return _render(office_for(code))


@bp.route("/offices/<code>/custody/returned-cards", methods=["POST"])
@login_required
def returned_cards(code: str):
    office = office_for(code, permissions.PRINT)
    form = ReturnedCardForm()
    if not form.validate_on_submit():
        return _render(office, 422, returned=form)
    work = lambda: custody.returned_cards(  # noqa: E731
        tree.OfficeRef.of(office), principal(), form.quantity.data, form.reason.data, form.note.data or None
    )
    if not write_once(form.nonce.data, work):
        return _render(office, 409, returned=form)
    return _done(office, _("%(n)s returned cards kept for destruction.", n=number(form.quantity.data)))


def _record_fields(form: DestructionForm) -> dict:
    """The form as the API's body, for the API's schema to check."""
    witnesses = [
        {"name": w.data["name"], "institution": w.data["institution"], "role": w.data["role"],
         "nip": w.data["nip"] or None}
        for w in form.witnesses
        if any(w.data[key] for key in ("name", "institution", "role", "nip"))
    ]  # fmt: skip
    counts = {name: form[name].data for name in ("spoiled_print", "returned_card", "defective_blank")}
    lines = (form.serials.data or "").replace(",", "\n").splitlines()
    return {
        "document_no": form.document_no.data,
        "destroyed_on": form.destroyed_on.data.isoformat(),
        "place": form.place.data,
        "method": form.method.data,
        "witnesses": witnesses,
        "counts": {name: value for name, value in counts.items() if value},
        "serials": [line.strip() for line in lines if line.strip()],
    }


@bp.route("/offices/<code>/custody/destructions", methods=["POST"])
@login_required
def draft_destruction(code: str):
    office = office_for(code, permissions.DESTROY)
    form = DestructionForm()
    if not form.validate_on_submit():
        return _render(office, 422, destruction=form)
    try:
        fields = DestructionCreateSchema().load(_record_fields(form))
    except ma.ValidationError as error:
        for name in error.messages:
            target = form.spoiled_print if name == "counts" else getattr(form, name, None)
            problem = FIELD_PROBLEMS.get(name, lambda: _("Check this field."))()
            if target is not None and name != "witnesses":
                target.errors = [*target.errors, problem]
            else:
                flash(problem, "error")
        return _render(office, 422, destruction=form)
    made: list[dict] = []
    if not write_once(
        form.nonce.data, lambda: made.append(destructions.draft(office, principal(), fields)) or True
    ):
        return _render(office, 409, destruction=form)
    return _done(
        office,
        _("Berita acara %(no)s drafted: sign it once the cards are destroyed.", no=made[0]["document_no"]),
    )


def _record(destruction_id: int, action: str) -> dict:
    record = destructions.get(destruction_id)
    permissions.require(principal(), action, record["office_path"])
    return record


@bp.route("/custody/destructions/<id:destruction_id>/sign", methods=["POST"])
@login_required
def sign_destruction(destruction_id: int):
    record = _record(destruction_id, permissions.DESTROY)
    if PostForm().validate_on_submit() and write(lambda: destructions.sign(destruction_id, principal())):
        flash(_("Berita acara %(no)s signed: its cards left custody.", no=record["document_no"]), "success")
    return redirect(url_for("web.custody_page", code=record["office"]))


@bp.route("/custody/destructions/<id:destruction_id>.pdf")
@login_required
def destruction_pdf_page(destruction_id: int):
    record = _record(destruction_id, permissions.READ)
    office = tree.get_by_code(record["office"])
    letterhead = {key: getattr(office, key) for key in ("name", "address", "head_name", "head_nip")}
    name = f"berita-acara-pemusnahan-{destruction_id}.pdf"
    return Response(
        destruction_pdf.render(record, letterhead),
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.app_template_global()
def custody_link_shown(office_path: str) -> bool:
    """Managers (and those who record returned cards) find the custody page from the office page."""
    return any(permissions.may(principal(), a, office_path) for a in (permissions.DESTROY, permissions.PRINT))

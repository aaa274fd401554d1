"""Admins manage the office tree in the browser: browse it, create an office under another,
rename, close and reopen one, import the official regions of a province or regency.

Each form calls offices.admin, as the API's routes do, so every change is recorded in the
audit log in its own transaction.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..audit.log import Actor
from ..auth import permissions
from ..offices import admin, tree
from ..offices.models import OFFICE_KINDS, Office
from .admin_forms import ActiveForm, OfficeCreateForm, RegionImportForm, RenameForm
from .blueprint import bp, principal, write
from .forms import PostForm, choices
from .labels import OFFICE_KINDS as KIND_LABELS

PER_PAGE = 100


def _admin() -> Actor:
    permissions.require(principal(), permissions.MANAGE_OFFICES)
    return Actor.of(principal())


def _kind_choices(form: OfficeCreateForm, parent: Office | None) -> None:
    allowed = [kind for kind in OFFICE_KINDS if (parent.kind if parent else None) in tree.PARENT_KINDS[kind]]
    form.kind.choices = choices({kind: KIND_LABELS[kind] for kind in allowed})


def _page(office: Office | None, status: int = 200, *, create=None, rename=None, regions=None):
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= 1_000_000 else 1
    if office is None:  # the roots: offices without a parent
        children = tree.roots()
        total = len(children)
    else:
        children, total = tree.list_offices(area_path=None, parent=office.code, page=page, per_page=PER_PAGE)
    create = create or OfficeCreateForm(formdata=None)
    _kind_choices(create, office)
    return render_template(
        "web/admin_offices.html",
        office=office,
        children=children,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        create_form=create,
        rename_form=rename or RenameForm(formdata=None, name=office.name if office else ""),
        regions_form=regions or RegionImportForm(formdata=None),
        post_form=PostForm(formdata=None),
    ), status


@bp.route("/admin/offices", methods=["GET"])
@login_required
def admin_offices():
    _admin()
    return _page(None)


@bp.route("/admin/offices/<code>", methods=["GET"])
@login_required
def admin_office(code: str):
    _admin()
    return _page(tree.get_by_code(code))


def _back(office: Office | None):
    if office is None:
        return redirect(url_for("web.admin_offices"))
    return redirect(url_for("web.admin_office", code=office.code))


@bp.route("/admin/offices", methods=["POST"], defaults={"code": None})
@bp.route("/admin/offices/<code>/children", methods=["POST"])
@login_required
def admin_create_office(code: str | None):
    actor = _admin()
    parent = tree.get_by_code(code) if code else None
    form = OfficeCreateForm()
    _kind_choices(form, parent)
    if not form.validate_on_submit():
        return _page(parent, 422, create=form)
    fields = {"code": form.code.data, "name": form.name.data, "kind": form.kind.data, "parent_code": code}
    office = write(lambda: admin.create(actor, **fields))
    if office is None:
        return _page(tree.get_by_code(code) if code else None, 422, create=form)
    flash(_("Office %(name)s (%(code)s) created.", name=office.name, code=office.code), "success")
    return redirect(url_for("web.admin_office", code=office.code))


@bp.route("/admin/offices/<code>/name", methods=["POST"])
@login_required
def admin_rename_office(code: str):
    actor = _admin()
    office = tree.get_by_code(code)
    form = RenameForm()
    if not form.validate_on_submit():
        return _page(office, 422, rename=form)
    if write(lambda: admin.update(actor, office, {"name": form.name.data})) is None:
        return _page(tree.get_by_code(code), 422, rename=form)
    flash(_("Office %(code)s renamed.", code=code), "success")
    return _back(office)


@bp.route("/admin/offices/<code>/active", methods=["POST"])
@login_required
def admin_office_active(code: str):
    actor = _admin()
    office = tree.get_by_code(code)
    form = ActiveForm()
    if form.validate_on_submit():
        active = form.active.data == "1"
        if write(lambda: admin.update(actor, office, {"active": active})) is not None:
            if active:
                message = _("Office %(code)s reopened.", code=code)
            else:
                message = _("Office %(code)s closed.", code=code)
            flash(message, "success")
    return _back(office)


@bp.route("/admin/regions", methods=["POST"])
@login_required
def admin_import_regions():
    actor = _admin()
    form = RegionImportForm()
    if not form.validate_on_submit():
        return _page(None, 422, regions=form)
    result = write(lambda: admin.import_regions(actor, form.under.data))
    if result is None:
        return _page(None, 422, regions=form)
    created, existing = result
    flash(
        _("%(created)s office(s) created, %(existing)s already present.", created=created, existing=existing),
        "success",
    )
    return redirect(url_for("web.admin_office", code=form.under.data))

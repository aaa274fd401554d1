"""Admins manage users in the browser: create one with a role and an office, change its role,
reset its password, disable or enable it, issue and revoke its API tokens.

Each form calls the service the API's route calls (auth.users), so it is checked and recorded
in the audit log the same way. A new token is shown on the page that answers the form, once:
never flashed, since a flash travels in the session cookie.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..audit.log import Actor
from ..auth import permissions, users
from ..auth.models import ROLES, User
from .admin_forms import ActiveForm, PasswordResetForm, UserChangeForm, UserCreateForm
from .blueprint import bp, principal, write
from .forms import PostForm, choices
from .labels import ROLE_LABELS

PER_PAGE = 50


def _admin() -> Actor:
    permissions.require(principal(), permissions.MANAGE_USERS)
    return Actor.of(principal())


def _role_choices(form) -> None:
    form.role.choices = choices({role: ROLE_LABELS[role] for role in ROLES})


def _list_page(form: UserCreateForm, status: int = 200):
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= 1_000_000 else 1
    items, total = users.list_users(page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "web/admin_users.html", users=items, total=total, page=page, pages=pages, form=form
    ), status


@bp.route("/admin/users", methods=["GET"])
@login_required
def admin_users():
    _admin()
    form = UserCreateForm(formdata=None)
    _role_choices(form)
    return _list_page(form)


@bp.route("/admin/users", methods=["POST"])
@login_required
def admin_create_user():
    actor = _admin()
    form = UserCreateForm()
    _role_choices(form)
    if not form.validate_on_submit():
        return _list_page(form, 422)
    user = write(
        lambda: users.create(
            actor,
            name=form.name.data,
            role=form.role.data,
            office=form.office.data or None,
            password=form.password.data or None,
        )
    )
    if user is None:
        return _list_page(form, 422)
    flash(_("User %(name)s created.", name=user.name), "success")
    return redirect(url_for("web.admin_user", user_id=user.id))


def _user_page(user: User, status: int = 200, *, change=None, password=None, token: str | None = None):
    change = change or UserChangeForm(
        formdata=None, role=user.role, office=user.office.code if user.office else ""
    )
    _role_choices(change)
    return render_template(
        "web/admin_user.html",
        user=user,
        tokens=users.tokens_of(user),
        change_form=change,
        password_form=password or PasswordResetForm(formdata=None),
        post_form=PostForm(formdata=None),
        new_token=token,
        yourself=user.id == principal().user_id,
    ), status


@bp.route("/admin/users/<id32:user_id>", methods=["GET"])
@login_required
def admin_user(user_id: int):
    _admin()
    return _user_page(users.get(user_id))


@bp.route("/admin/users/<id32:user_id>/role", methods=["POST"])
@login_required
def admin_change_user(user_id: int):
    actor = _admin()
    user = users.get(user_id)
    form = UserChangeForm()
    _role_choices(form)
    if not form.validate_on_submit():
        return _user_page(user, 422, change=form)
    changes = {"role": form.role.data, "office": form.office.data or None}
    if write(lambda: users.change(actor, user, changes)) is None:
        return _user_page(users.get(user_id), 422, change=form)
    flash(_("Role of %(name)s saved.", name=user.name), "success")
    return redirect(url_for("web.admin_user", user_id=user_id))


@bp.route("/admin/users/<id32:user_id>/active", methods=["POST"])
@login_required
def admin_set_active(user_id: int):
    actor = _admin()
    user = users.get(user_id)
    form = ActiveForm()
    if form.validate_on_submit():
        active = form.active.data == "1"
        if write(lambda: users.change(actor, user, {"active": active})) is not None:
            if active:
                message = _("%(name)s is enabled again.", name=user.name)
            else:
                message = _(
                    "%(name)s is disabled: its sessions have ended, its tokens no longer work.",
                    name=user.name,
                )
            flash(message, "success")
    return redirect(url_for("web.admin_user", user_id=user_id))


@bp.route("/admin/users/<id32:user_id>/password", methods=["POST"])
@login_required
def admin_reset_password(user_id: int):
    actor = _admin()
    user = users.get(user_id)
    form = PasswordResetForm(user_name=user.name)
    if not form.validate_on_submit():
        return _user_page(user, 422, password=form)

    def reset() -> bool:
        users.reset_password(actor, user, form.new.data)
        return True

    if write(reset) is None:
        return _user_page(users.get(user_id), 422, password=form)
    flash(_("Password of %(name)s set; its sessions have ended.", name=user.name), "success")
    return redirect(url_for("web.admin_user", user_id=user_id))


@bp.route("/admin/users/<id32:user_id>/tokens", methods=["POST"])
@login_required
def admin_issue_token(user_id: int):
    actor = _admin()
    user = users.get(user_id)
    form = PostForm()
    if not form.validate_on_submit():
        return redirect(url_for("web.admin_user", user_id=user_id))
    issued = write(lambda: users.issue(actor, user))
    if issued is None:
        return _user_page(users.get(user_id), 409)
    return _user_page(users.get(user_id), token=issued[1])  # the only time it is shown


@bp.route("/admin/users/<id32:user_id>/tokens/<id32:token_id>/revoke", methods=["POST"])
@login_required
def admin_revoke_token(user_id: int, token_id: int):
    actor = _admin()
    user = users.get(user_id)
    if PostForm().validate_on_submit() and write(lambda: users.revoke(actor, user, token_id)) is not None:
        flash(_("Token %(id)s revoked.", id=token_id), "success")
    return redirect(url_for("web.admin_user", user_id=user_id))

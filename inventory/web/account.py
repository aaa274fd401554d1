"""Logging in and out, and choosing the language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import accounts, permissions, sessions
from ..core.db import db, read_first, start_writing
from ..core.principal import Principal
from . import throttle
from .blueprint import bp, write
from .forms import LanguageForm, LoginForm, PasswordForm, PostForm
from .i18n import LANGUAGES
from .session import WebUser


def safe_next(target: str | None, default: str = "web.overview") -> str:
    """Only a path on this site: never another host, so a login link cannot send anyone away.

    A control character (CR, LF, NUL, ...) is a 400: no page of ours has one in its path,
    and in a Location header it would split the response.
    """
    if target and any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        abort(400)
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(default)


def landing(who: Principal, default: str) -> str:
    """An operator starts at their office's print counter; everyone else at the overview."""
    prints_here = who.office_code and permissions.may(who, permissions.PRINT, who.office_path)
    if who.role == "operator" and prints_here:
        return url_for("web.counter", code=who.office_code)
    return default


@bp.route("/login", methods=["GET", "POST"])
@throttle.throttled
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.overview"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        safe_next(form.next.data)  # refuse a poisoned link now, not after the password is typed
    if form.validate_on_submit():
        target = safe_next(form.next.data)
        user = write(lambda: _open_session(form.username.data.strip(), form.password.data))
        if user is not None:
            language = session.get("lang")
            session.clear()  # a fresh session for the new user: nothing carried over but the language
            if language:
                session["lang"] = language
            login_user(user)
            if (form.next.data or "/") == "/":
                target = landing(user.principal, target)
            return throttle.remember_device(redirect(target), user.name)
        flash(_("Wrong user name or password."), "error")
        return render_template("web/login.html", form=form), 401
    return render_template("web/login.html", form=form), 422 if request.method == "POST" else 200


def _open_session(name: str, password: str) -> WebUser | None:
    # The password is checked (a deliberately slow hash) before the write begins: on SQLite
    # no other writer waits for it (unless a transaction is already open, e.g. a stale cookie's).
    if not db.session().in_transaction():
        read_first()
    credentials = accounts.check_login(name, password)
    if credentials is None:
        return None
    start_writing()
    found = sessions.find(sessions.start(credentials.user_id, credentials.password_hash))
    return WebUser(found.principal, found.key) if found else None


@bp.route("/logout", methods=["POST"])
def logout():
    form = PostForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        write(lambda: sessions.end(current_user.session_key))  # every copy of the cookie ends with it
        language = session.get("lang")
        logout_user()
        session.clear()
        if language:
            session["lang"] = language
        flash(_("You have logged out."), "info")
    return redirect(url_for("web.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm(user_name=current_user.name)
    if form.validate_on_submit():
        changed = write(
            lambda: accounts.change_password(
                current_user.principal.user_id,
                form.current.data,
                form.new.data,
                session_key=current_user.session_key,
                revoke_api_tokens=form.revoke_tokens.data,
            )
        )
        if changed:
            if form.revoke_tokens.data:
                message = _("Password changed. Sessions elsewhere and your API tokens have been ended.")
            else:
                message = _("Password changed. Sessions elsewhere have been logged out.")
            flash(message, "success")
            return redirect(url_for("web.overview"))
        if changed is False:
            flash(_("The current password is wrong."), "error")
    status = 422 if request.method == "POST" else 200
    return render_template("web/password.html", form=form), status


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    target = safe_next(form.next.data)
    if form.validate_on_submit() and form.lang.data in LANGUAGES:
        session["lang"] = form.lang.data
    return redirect(target)

"""Who is logged in: Flask-Login over a signed session cookie, checked against the database each request."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..auth.models import User
from ..core.db import db
from ..core.principal import Principal
from ..offices.models import Office

# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class WebUser(UserMixin):
    """The session's user. Its id carries a fingerprint of the password hash, so changing
    a password (or disabling the user) ends every session opened with the old one."""

    def __init__(self, principal: Principal, password_hash: str) -> None:
        self.principal = principal
        self.fingerprint = fingerprint(password_hash)

    def get_id(self) -> str:
        return f"{self.principal.user_id}:{self.fingerprint}"

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def role(self) -> str:
        return self.principal.role


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _load(where) -> tuple[Principal, str] | None:
    row = db.session.execute(
        select(User.id, User.name, User.role, User.office_id, Office.code, Office.path, User.password_hash)
        .outerjoin(Office, Office.id == User.office_id)
        .where(where, User.active.is_(True), User.password_hash.is_not(None))
    ).first()
    return (Principal(*row[:6]), row[6]) if row else None


def load_user(session_id: str) -> WebUser | None:
    user_id, _, print_ = session_id.partition(":")
    if not user_id.isdigit():
        return None
    found = _load(User.id == int(user_id))
    if found is None or not hmac.compare_digest(fingerprint(found[1]), print_):
        return None
    return WebUser(*found)


def check_login(name: str, password: str) -> WebUser | None:
    """The user, if the name and password match an active user that has a password."""
    found = _load(User.name == name)
    if found is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(found[1], password):
        return None
    return WebUser(*found)


def change_password(user: WebUser, current: str, new: str) -> WebUser | None:
    """Set a new password if `current` is right (caller commits). Every other session opened
    with the old password ends with it; the returned WebUser keeps this one going."""
    if check_login(user.name, current) is None:
        return None
    new_hash = generate_password_hash(new)
    db.session.execute(update(User).where(User.id == user.principal.user_id).values(password_hash=new_hash))
    return WebUser(user.principal, new_hash)


class DashboardSessions(SecureCookieSessionInterface):
    """The cookie session belongs to the dashboard. The API authenticates every request with
    its bearer token and never reads or writes the cookie, so it does not open it: verifying
    and re-signing it cost a tenth of a print (bench/)."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path.startswith(API_PREFIX):
            return self.null_session_class()
        return super().open_session(app, request)


API_PREFIX = "/api/"


def init_app(app: Flask) -> None:
    app.session_interface = DashboardSessions()
    manager = LoginManager(app)
    manager.login_view = "web.login"
    manager.login_message = _l("Please log in to open this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)

"""Who is logged in: Flask-Login over a server-side session (auth/sessions.py), checked each request.

The signed cookie carries only the session's random key. Logging out deletes the session,
so a copied cookie is worthless afterwards; so does SESSION_IDLE_MINUTES without a request,
a password change and disabling the user.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, flash, redirect, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, login_url

from ..auth import sessions
from ..core.db import db
from ..core.principal import Principal
from .blueprint import bp


class WebUser(UserMixin):
    """The session's user; its Flask-Login id is the session key."""

    def __init__(self, principal: Principal, session_key: str) -> None:
        self.principal = principal
        self.session_key = session_key

    def get_id(self) -> str:
        return self.session_key

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def role(self) -> str:
        return self.principal.role


def load_user(session_key: str) -> WebUser | None:
    found = sessions.find(session_key)
    return WebUser(found.principal, found.key) if found else None


@bp.before_request
def _note_activity() -> None:
    # First thing in the request, in a transaction of its own: on SQLite a write after the
    # request's reads could fail at once rather than wait for the lock.
    key = session.get("_user_id")
    if isinstance(key, str) and request.endpoint != "web.static":
        sessions.touch(key)
        db.session.commit()


class DashboardSessions(SecureCookieSessionInterface):
    """The cookie session belongs to the dashboard. The API authenticates every request with
    its bearer token and never reads or writes the cookie, so it does not open it: verifying
    and re-signing it cost a tenth of a print (bench/). Nor does the public board (/papan),
    whose pages are the same for everyone and must not vary by cookie to be cached."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path.startswith(NO_SESSION_PREFIXES):
            return self.null_session_class()
        return super().open_session(app, request)


API_PREFIX = "/api/"
NO_SESSION_PREFIXES = (API_PREFIX, "/papan")


def init_app(app: Flask) -> None:
    app.session_interface = DashboardSessions()
    manager = LoginManager(app)
    manager.login_view = "web.login"
    manager.login_message = _l("Please log in to open this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    manager.unauthorized_handler(_log_in_first)


def _log_in_first():
    """To the log-in page. A form sent after the session ended (log-out elsewhere, a password
    change, 8 idle hours) was not saved: say so, and come back to the page it was sent from,
    not to its POST-only address (a GET there would be a 405)."""
    if request.method == "GET":
        flash(_l("Please log in to open this page."), "info")
        target = request.full_path.rstrip("?")
    else:
        flash(_l("Your session had ended, so the form was not saved. Log in and send it again."), "error")
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc in ("", request.host)
        target = (referrer.path + (f"?{referrer.query}" if referrer.query else "")) if same_site else "/"
    return redirect(login_url("web.login", next_url=target or "/"))

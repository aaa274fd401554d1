"""The dashboard: HTML pages served by the same app, for people rather than programs.

Log-in with a name and password (session cookie), CSRF on every form, Indonesian by
default with an English switch. Every page and form goes through the same permission
checks and service functions as the API; nothing here writes stock on its own.
No asset comes from the internet: the CSS is in static/, the chart is inline SVG.
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from flask_wtf.csrf import CSRFProtect

from . import (  # noqa: F401
    account,
    admin_offices,
    admin_users,
    alerts_page,
    audit_page,
    board,
    context,
    corrections_page,
    counter,
    custody_page,
    errors,
    field,
    i18n,
    office_page,
    overview,
    population_page,
    redistribution_page,
    reports_page,
    requests_page,
    session,
    settings_page,
    subscriptions_page,
    throttle,
)
from .blueprint import bp

csrf = CSRFProtect()

# Pages may load only what this app serves; SVG attributes are not inline CSS, so no
# 'unsafe-inline' is needed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def init_web(app: Flask) -> None:
    # CSRF is checked for the dashboard's forms only: the API authenticates with bearer
    # tokens, which a browser never sends by itself.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    i18n.init_app(app)
    session.init_app(app)
    throttle.init_app(app)
    app.register_blueprint(bp)
    board.init_app(app)


@bp.after_request
def _page_headers(response: Response) -> Response:
    # Runs before the app's own (core/headers.py), which adds nosniff, framing and referrer.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.endpoint != "web.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.before_request
def _check_csrf() -> None:
    # Only a form marked @takes_files takes a file, and only in its own file fields: any other
    # field sent as a file would reach the form as an object its validators cannot measure (a
    # 500). Refused as malformed, before anything reads it.
    if request.files:
        view = current_app.view_functions.get(request.endpoint or "")
        if not set(request.files) <= getattr(view, "file_fields", frozenset()):
            abort(400)
    # Also for forms a view forgot to validate: no state-changing request without a token.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()

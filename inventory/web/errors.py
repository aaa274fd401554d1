"""Refusals as pages and flash messages in the reader's language, never as a 500 or as JSON."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from ..core.errors import DomainError
from ..core.outage import is_database_unavailable, retry_after_header
from .blueprint import bp
from .i18n import current_language
from .labels import describe


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    return _error_page(error.status, describe(error))


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    message = _(
        "The form has expired or did not come from this site. Go back, reload the page and try again."
    )
    return _error_page(400, message)


@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(403)
@bp.errorhandler(405)
def http_error(error: HTTPException):
    messages = {
        400: _("The request is malformed."),
        403: _("You may not open this page."),
        404: _("Not found."),
        405: _("Not allowed."),
    }
    return _error_page(error.code or 500, messages.get(error.code, error.description))


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
@bp.errorhandler(PoolTimeout)
def database_error(error: Exception):
    """The database is down: a page of its own, which (unlike the others) needs no database."""
    if not is_database_unavailable(error):
        raise error  # a bug, not an outage: Flask's 500
    # Rendered without the context processors: Flask-Login's would load the user from the database.
    page = current_app.jinja_env.get_template("web/unavailable.html")
    return page.render(language=current_language(), request=request), 503, retry_after_header()


def _error_page(status: int, message: str):
    return render_template("web/error.html", status=status, message=message), status

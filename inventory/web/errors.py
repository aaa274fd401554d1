"""Refusals as pages and flash messages in the reader's language, never as a 500 or as JSON."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..core.errors import DomainError
from .blueprint import bp
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


def _error_page(status: int, message: str):
    return render_template("web/error.html", status=status, message=message), status

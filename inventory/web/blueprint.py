"""The dashboard blueprint and what every page shares: who is asking, and one unit of work per form."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..auth import permissions
from ..core.db import db
from ..core.errors import DomainError, Forbidden, Invalid
from ..core.models import IdempotencyKey
from ..core.principal import Principal
from ..core.schemas import INT64_MAX
from ..offices import tree
from ..offices.models import Office
from .labels import describe

bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)

T = TypeVar("T")


def principal() -> Principal:
    """The logged-in user as the permission checks know it (the same Principal the API builds)."""
    return current_user.principal


def office_for(code: str, *actions: str) -> Office:
    """The office a page is about, once the user may do each of `actions` there (403 otherwise;
    an unknown code is a 404)."""
    office = tree.get_by_code(code)
    for action in actions or (permissions.READ,):
        permissions.require(principal(), action, office.path)
    return office


def page_cursor(name: str = "before") -> int | None:
    """A list's `before` cursor: the id of a row, so ASCII digits within an id column (a larger
    number would overflow the driver: a 422 page, as the API's cursor, never a 500)."""
    value = request.args.get(name) or None
    if value is None:
        return None
    if not (len(value) <= 19 and value.isascii() and value.isdigit() and 1 <= int(value) <= INT64_MAX):
        raise Invalid(_("This page of the list does not exist; start again from its first page."), field=name)
    return int(value)


def takes_files(*fields: str) -> Callable[[T], T]:
    """Mark a view whose form takes these file fields; any other file part is refused (web/__init__.py)."""

    def mark(view: T) -> T:
        view.file_fields = frozenset(fields)  # type: ignore[attr-defined]
        return view

    return mark


def can(action: str, office_path: str | None = None) -> bool:
    return current_user.is_authenticated and permissions.may(principal(), action, office_path)


def write(work: Callable[[], T]) -> T | None:
    """Run one form's work and commit it; on a domain refusal roll back and flash the reason.

    Like the API's `writes`: the whole change lands or none of it. Any other error rolls
    back and propagates; so does Forbidden, whose page (errors.py) is the 403 the API's route
    answers: a user who may not act is refused, not sent back to the form with a message.
    """
    try:
        result = work()
        db.session.commit()
        return result
    except Forbidden:
        db.session.rollback()
        raise
    except DomainError as error:
        db.session.rollback()
        flash(describe(error), "error")
        return None
    except BaseException:
        db.session.rollback()
        raise


def write_once(nonce: str, work: Callable[[], object]) -> bool:
    """Record the form's nonce with its work: a second submission of the same form changes nothing."""
    fingerprint = hashlib.sha256(f"web {request.path}".encode()).hexdigest()
    key = IdempotencyKey(
        user_id=principal().user_id, key=f"web:{nonce}", request_hash=fingerprint, status_code=303, body=""
    )
    try:
        db.session.add(key)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        flash(_("This form was already sent; nothing was recorded twice."), "info")
        return False
    return write(work) is not None


@bp.app_template_global()
def may(action: str, office_path: str | None = None) -> bool:
    return can(action, office_path)

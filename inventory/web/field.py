"""The offline jemput bola unit: an installable page per office that records prints with no
network and uploads them when it has one.

The page (templates/web/field.html, static/field.js) keeps its queue in the browser's
IndexedDB, keyed by office, so neither a reload nor a new log-in loses it; the service
worker (static/field-sw.js, served here so its scope is the office's page) keeps the page
and its assets for use offline. An upload is one dashboard JSON request (session + CSRF,
an Idempotency-Key per upload) that records the prints through stock's batch verb, after
correcting a wrong device clock and refusing prints dated before the unit's last upload
(field_rules.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path

import marshmallow as ma
from flask import current_app, jsonify, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from marshmallow import fields, validate
from sqlalchemy import func, select

from ..auth import permissions
from ..core.context import set_principal
from ..core.db import db, utcnow
from ..core.errors import DomainError
from ..core.parsing import UNSTORABLE_MESSAGE, unstorable_fields
from ..core.schemas import Strict, UtcDateTime
from ..core.unit_of_work import idempotent, writes
from ..offices import tree
from ..offices.models import Office
from ..stock import ledger
from ..stock import service as stock
from ..stock.ledger import M
from ..stock.schemas import BatchPrintItemSchema
from . import field_rules
from .blueprint import bp, office_for, principal
from .labels import PRINT_OUTCOMES, PRINT_REASONS, describe

MAX_PRINTS = 1000  # as the API's batch


class UploadSchema(Strict):
    device = fields.String(required=True, validate=validate.Regexp(field_rules.DEVICE_PATTERN))
    device_time = UtcDateTime(required=True)
    prints = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=MAX_PRINTS))


_upload_schema = UploadSchema()
_item_schema = BatchPrintItemSchema()


def _office(code: str) -> Office:
    return office_for(code, permissions.PRINT)


@bp.route("/offices/<code>/field/")
@login_required
def field(code: str):
    office = _office(code)
    return render_template(
        "web/field.html",
        office=office,
        reasons=PRINT_REASONS,
        words={
            key: str(word) for key, word in {**PRINT_OUTCOMES, **PRINT_REASONS, **_refusal_words()}.items()
        },
    )


def _refusal_words() -> dict[str, str]:
    """Why the page's refused prints were refused, in the reader's language (the upload's
    answer carries the service's English message, shown where a reason is not named here)."""
    return {
        "insufficient_stock": _("No blank left for this print."),
        "printed_at_future": _("Dated ahead of the server's clock: check the device's clock."),
        "printed_at_too_old": _("Too old to record here: ask a manager for a stock correction."),
        "printed_before_last_upload": _("Dated before this unit's last upload: check the device's clock."),
        "validation_error": _("Not a valid print."),
    }


@bp.route("/offices/<code>/field/sw.js")
@login_required
def field_worker(code: str):
    """The service worker, from the page's own folder: its scope is that office's page."""
    office = _office(code)
    page = url_for("web.field", code=office.code)
    assets = [url_for("web.static", filename=name) for name in ("field.js", "style.css", "favicon.svg")]
    keep = [page, url_for("web.field_manifest", code=office.code), *assets]
    script = render_template(
        "web/field-sw.js", cache=f"blangko-field-{office.code}-{_ASSETS_VERSION}", keep=keep
    )
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _assets_version() -> str:
    """Changes when a kept asset changes, so a new worker keeps the new ones."""
    digest = hashlib.sha256()
    for name in ("field.js", "style.css", "favicon.svg"):
        digest.update((Path(bp.static_folder) / name).read_bytes())
    return digest.hexdigest()[:12]


_ASSETS_VERSION = _assets_version()


@bp.route("/offices/<code>/field/manifest.webmanifest")
@login_required
def field_manifest(code: str):
    office = _office(code)
    page = url_for("web.field", code=office.code)
    manifest = {
        "name": f"Blangko · {office.name}",
        "short_name": office.name[:12],
        "start_url": page,
        "scope": page,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "icons": [
            {"src": url_for("web.static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}
        ],
    }
    response = jsonify(manifest)
    response.mimetype = "application/manifest+json"
    return response


def _session_or_401(view: Callable) -> Callable:
    """The page's own background requests (token, upload) get a 401 in JSON once the session
    has ended, not login_required's redirect to the log-in page. That redirect flashes a
    message, so its answer sets a fresh session cookie; arriving while the operator has the
    log-in form open (the page retries when the network returns), it replaced the cookie that
    form's CSRF token lives in, the log-in failed with a 400, and the queue never uploaded."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            # Nor any cookie (Flask-Login marks a stale session not fresh): a copy written from
            # here could still land after the operator's new log-in and undo it.
            session.modified = False
            return _refusal(401, "login_required", "Log in again to upload.")
        return view(*args, **kwargs)

    return wrapper


@bp.route("/offices/<code>/field/token")
@_session_or_401
def field_token(code: str):
    """A fresh CSRF token for an upload: the page may have been kept offline for days."""
    _office(code)
    return jsonify(csrf_token=generate_csrf())


def _as_principal(view: Callable) -> Callable:
    """The logged-in user as the request's principal, as a token sets it for the API: the
    Idempotency-Key replay keeps its keys per user."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        set_principal(principal())
        return view(*args, **kwargs)

    return wrapper


@bp.route("/offices/<code>/field/uploads", methods=["POST"])
@_session_or_401
@_as_principal
@idempotent
@writes
def field_upload(code: str):
    office = _office(code)
    body, unstorable = _json_body()
    if not isinstance(body, dict):
        return _refusal(400, "bad_json", "Send a JSON object.")
    if unstorable:
        return _refusal(422, "unstorable_text", UNSTORABLE_MESSAGE, errors=unstorable)
    try:
        data = _upload_schema.load(body)
    except ma.ValidationError as error:
        return _refusal(422, "validation_error", "Invalid upload.", errors=error.messages)
    try:
        answer = _record(office, data)
    except DomainError as error:
        db.session.rollback()
        return _refusal(error.status, error.error, describe(error))
    return jsonify(answer)


def _json_body() -> tuple[object, dict]:
    """The body and where it holds text no database stores, read with the API's checks
    (core/parsing.py): nesting too deep or a number too long is no JSON here either."""
    if not request.is_json:
        return None, {}
    try:
        body = json.loads(request.get_data(cache=True))
        return body, unstorable_fields(body)
    except (RecursionError, ValueError):  # not JSON, not UTF-8, too deep (TooDeep), too long a number
        return None, {}


def _record(office: Office, data: dict) -> dict:
    now = utcnow()
    skew = current_app.config["PRINT_CLOCK_SKEW_MINUTES"]
    offset = field_rules.clock_offset(data["device_time"], now, skew)
    prefix = field_rules.client_prefix(data["device"])
    last_upload = _last_upload(office.id, prefix)
    results, valid = [], []
    for index, raw in enumerate(data["prints"]):
        try:
            item = _item_schema.load(raw)
        except ma.ValidationError as error:
            results.append(_refused(index, raw, "validation_error", "Invalid print.", errors=error.messages))
            continue
        if not item["client_id"].startswith(prefix):
            results.append(
                _refused(index, raw, "validation_error", f"A client_id of this unit starts {prefix}")
            )
            continue
        if offset is not None and item["printed_at"] is not None:
            item["printed_at"] += offset
        valid.append((index, item))
    known = _known(office.id, [item["client_id"] for _, item in valid])
    batch = []
    for index, item in valid:
        printed_at = item["printed_at"]
        if (
            item["client_id"] not in known
            and printed_at
            and field_rules.before_last_upload(printed_at, last_upload, skew)
        ):
            message = (
                f"Dated {printed_at.isoformat()}, before this unit's last upload: check the device's clock."
            )
            results.append(_refused(index, item, "printed_before_last_upload", message))
        else:
            batch.append((index, item))
    outcomes = (
        stock.consume_batch(tree.OfficeRef.of(office), principal(), [item for _, item in batch])
        if batch
        else []
    )
    for (index, item), outcome in zip(batch, outcomes, strict=True):
        if offset is not None and outcome["status"] == "recorded":
            outcome["printed_at"] = item["printed_at"].isoformat()
        results.append({"index": index, **outcome})
    results.sort(key=lambda result: result["index"])
    summary = {
        status: sum(r["status"] == status for r in results)
        for status in ("recorded", "already_recorded", "refused")
    }
    return {
        **summary,
        "clock_corrected_seconds": int(offset.total_seconds()) if offset is not None else 0,
        "on_hand": ledger.balance_of(office.id)["on_hand"],
        "results": results,
    }


def _last_upload(office_id: int, prefix: str) -> datetime | None:
    """When this unit's prints were last recorded: the ledger says, no table of its own needed."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    last = db.session.execute(
        select(func.max(M.c.recorded_at)).where(
            M.c.office_id == office_id, M.c.kind == "print", M.c.client_id.like(f"{escaped}%", escape="\\")
        )
    ).scalar()
    if last is not None and last.tzinfo is None:  # SQLite gives naive UTC
        last = last.replace(tzinfo=utcnow().tzinfo)
    return last


def _known(office_id: int, client_ids: list[str]) -> set[str]:
    if not client_ids:
        return set()
    rows = db.session.execute(
        select(M.c.client_id).where(M.c.office_id == office_id, M.c.client_id.in_(client_ids))
    )
    return set(rows.scalars())


def _refused(index: int, raw, error: str, message: str, **extra) -> dict:
    client_id = raw.get("client_id") if isinstance(raw, dict) else None
    return {
        "index": index,
        "client_id": client_id if isinstance(client_id, str) else None,
        "status": "refused",
        "error": error,
        "message": message,
        **extra,
    }


def _refusal(status: int, error: str, message: str, **extra):
    # A response, not a (body, status) pair: `idempotent` reads the view's status_code.
    response = jsonify(code=status, error=error, message=message, **extra)
    response.status_code = status
    return response

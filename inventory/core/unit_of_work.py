"""One unit of work per write request, with Idempotency-Key replay.

A retry carrying the same key and the same body gets the first answer back and changes
nothing, also when it arrives while the first is still running (it waits for it); the same
key with another body is refused (409). Only successful answers are
kept: a refused request wrote nothing, so running it again is safe. The key row is
written in the same transaction as the stock change, so a crash leaves neither.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, g, request
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from .context import current_principal
from .db import READ_ONLY_METHODS, connection, db, is_sqlite, read_first, start_writing
from .errors import Conflict, Invalid
from .models import IdempotencyKey

IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^,]*$"},
    "description": "Makes retries safe: a repeat with the same key and body returns the first answer.",
}


def writes(view: Callable) -> Callable:
    """The request's unit of work: committed when the view returns, rolled back on any error.

    Goes right above the view, below @blp.response: the write lock (SQLite) is taken only
    when the view starts, after the token lookup and the body's validation, and the work is
    committed before the answer is serialised, so other writers wait for neither. Under an
    Idempotency-Key the commit is left to `idempotent`, which keeps the answer with it.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            start_writing()
            result = view(*args, **kwargs)
            if not g.get(_KEYED):
                db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise

    setattr(wrapper, _WRITES, True)
    return wrapper


def idempotent(view: Callable) -> Callable:
    """Idempotency-Key replay for a `writes` route; goes above @blp.response, where the
    serialised answer is, so it can be kept in the same transaction as the work."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        setattr(g, _KEYED, True)
        try:
            start_writing()  # before the key lookup: a concurrent retry waits, then replays
            return _idempotent(key, view, args, kwargs)
        except BaseException:
            db.session.rollback()
            raise

    setattr(wrapper, _IDEMPOTENT, True)
    return wrapper


def is_idempotent(view: Callable | None) -> bool:
    """Whether a view takes an Idempotency-Key (tests check that every such route is raced)."""
    return getattr(view, _IDEMPOTENT, False)


_KEYED = "blangko_idempotency_key"
_WRITES = "blangko_writes"
_IDEMPOTENT = "blangko_idempotent"


def read_before_writing() -> None:
    """before_request, ahead of authentication: a route under `writes` reads its token before
    it takes the write lock (SQLite), so writers hold that lock only while they write."""
    if request.method not in READ_ONLY_METHODS and getattr(_view(), _WRITES, False):
        read_first()


def _view() -> Callable | None:
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)  # a MethodView: the method serves the request
    return getattr(view_class, request.method.lower(), None) if view_class else view


def _idempotent(key: str, view: Callable, args, kwargs) -> Response:
    # Two Idempotency-Key headers reach the app joined by a comma ("a,b"): a retry that sent
    # only "a" would then not be recognised, so a key with a comma is refused outright.
    if not 1 <= len(key) <= 200 or "," in key:
        raise Invalid(
            "Send one Idempotency-Key of 1 to 200 characters, without commas.",
            error="bad_idempotency_key",
            field="Idempotency-Key",
            location="headers",
        )
    user_id = current_principal().user_id
    fingerprint = _fingerprint()
    _wait_for_the_same_key(user_id, key)
    stored = _stored(user_id, key)
    if stored is not None:
        return _replay(stored, fingerprint)
    response = view(*args, **kwargs)
    if 200 <= response.status_code < 300:
        db.session.add(
            IdempotencyKey(
                user_id=user_id,
                key=key,
                request_hash=fingerprint,
                status_code=response.status_code,
                body=response.get_data(as_text=True),
            )
        )
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same key committed first: ours is undone, theirs stands.
        db.session.rollback()
        return _replay(_stored(user_id, key), fingerprint)
    return response


def _wait_for_the_same_key(user_id: int, key: str) -> None:
    """PostgreSQL: requests with one user's key run one at a time, so a retry sent while the
    first is still running waits for it and replays its answer. Without this, the retry ran
    the work again and was refused by what the first had done (already received, already
    reversed, the last blank gone): a success reported as a failure. The lock is the
    transaction's own, released at its commit or rollback. On SQLite the write lock, taken
    by start_writing() before this, already orders them."""
    if is_sqlite(db.engine):
        return
    digest = hashlib.sha256(f"{user_id}\n{key}".encode()).digest()
    lock = int.from_bytes(digest[:8], "big", signed=True)  # a collision only makes one wait
    connection().execute(_LOCK_KEY, {"lock": lock})


_LOCK_KEY = text("SELECT pg_advisory_xact_lock(:lock)")


def _fingerprint() -> str:
    """The request's method, path and body; JSON bodies are compared by content, so a retry
    whose client re-serialised the same body (other spacing or key order) is still a retry."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested too deep to read: compared as bytes, and refused by the view
        body = None
    if body is None:
        digest.update(request.get_data())
    else:
        digest.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()


def _stored(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.execute(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.request_hash != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used for a different request.", error="idempotency_key_reused"
        )
    response = Response(stored.body, status=stored.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response

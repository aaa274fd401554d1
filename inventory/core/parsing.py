"""How a request's input is read, so that no input can reach the database in a form it refuses.

Every path, query value and JSON body passes through here before a view runs:
- ids in paths are matched only within their column's range (`<id:...>`, `<id32:...>`), so an
  id that cannot exist is a 404 rather than an integer overflow in the driver;
- JSON the parser chokes on (nesting deep enough to exhaust the stack, integer literals past
  Python's digit limit) is a 400 `bad_json`, like any other body that is not JSON;
- text PostgreSQL cannot store (NUL) or that is not Unicode at all (unpaired surrogates, which
  JSON's `\\ud800` escapes can produce) is a 422 naming the field, on every database;
- a body shorter than its Content-Length (the client hung up) is a 400 and is never executed.
"""

from __future__ import annotations

import json
import re
import typing

import flask_smorest
from flask import Flask, request
from webargs import core
from webargs.flaskparser import FlaskParser, abort
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from .errors import Invalid
from .schemas import INT32_MAX, INT64_MAX

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "Text may not contain NUL characters or unpaired surrogates (\\u0000, \\ud800-\\udfff)."


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive id within a 64-bit column. No larger id can exist: no route matches (404).

    ASCII digits only: Python reads Arabic-Indic or full-width digits as numbers too, and an
    id spelled two ways would be two requests to Idempotency-Key replay."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", INT64_MAX)
        super().__init__(map, *args, **kwargs)


class Id32Converter(IdConverter):
    """`<id32:name>`: the same for the tables whose ids are 32-bit on PostgreSQL."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)


# No request of this API nests deeper than a few levels; a body nested deeper is refused before
# anything walks it, so no recursion (here, in marshmallow, in the error's JSON) can overflow.
MAX_JSON_DEPTH = 32
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class TooDeep(ValueError):
    pass


def unstorable_fields(value: typing.Any) -> dict:
    """Where in a parsed JSON value (keys included) text holds NUL or unpaired surrogates: nested
    like marshmallow's errors, {"prints": {0: {"client_id": [message]}}}; {} when nowhere.
    Raises TooDeep past MAX_JSON_DEPTH. Iterative, so depth alone cannot exhaust the stack."""
    if isinstance(value, str):
        return {"_schema": [UNSTORABLE_MESSAGE]} if UNSTORABLE.search(value) else {}
    found: dict = {}
    stack: list[tuple[tuple, typing.Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise TooDeep(path)
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, item in items:
            if isinstance(key, str) and UNSTORABLE.search(key):
                _put(found, (*path, key))
            elif isinstance(item, str):
                if UNSTORABLE.search(item):
                    _put(found, (*path, key))
            elif isinstance(item, (dict, list)):
                stack.append(((*path, key), item))
    return found


def _put(errors: dict, path: tuple) -> None:
    for key in path[:-1]:
        errors = errors.setdefault(key, {})
    errors[path[-1]] = [UNSTORABLE_MESSAGE]


class Parser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies with the checks above (paths and query
    strings are checked for every request, by `check_request`)."""

    def _raw_load_json(self, req) -> typing.Any:
        if not core.is_json(req.mimetype):
            if req.get_data(cache=True):
                # A route whose JSON body is optional (a receipt's count, a dispatch's serials)
                # would otherwise run as if nothing had been sent: a full receipt for a short one.
                abort(
                    415,
                    error="unsupported_media_type",
                    message="Send the body as JSON (Content-Type: application/json): nothing was done.",
                )
            return core.missing
        try:
            data = core.parse_json(req.get_data(cache=True))
            unstorable = unstorable_fields(data)
        except (RecursionError, ValueError) as error:
            if isinstance(error, json.JSONDecodeError):
                raise  # webargs' own answer: 400 malformed_json
            abort(
                400,
                exc=error,
                messages={"json": [_choke_reason(error)]},
                error="bad_json",
                message="The request body is JSON this service cannot read: " + _choke_reason(error),
            )
        if unstorable:
            abort(422, messages={"json": unstorable}, error="unstorable_text", message=UNSTORABLE_MESSAGE)
        return data


def _choke_reason(error: Exception) -> str:
    if isinstance(error, (RecursionError, TooDeep)):
        return f"it is nested more than {MAX_JSON_DEPTH} levels deep."
    return "a number in it is too long."


def _refuse_unstorable(values, location: str) -> None:
    pairs = values.items(multi=True) if isinstance(values, MultiDict) else values.items()
    for name, value in pairs:
        for text in (name, value):
            if isinstance(text, str) and UNSTORABLE.search(text):
                raise Invalid(UNSTORABLE_MESSAGE, error="unstorable_text", field=name, location=location)


class Blueprint(flask_smorest.Blueprint):
    """Every API blueprint: flask-smorest's, reading its arguments with the Parser above."""

    ARGUMENTS_PARSER = Parser()


def check_request() -> None:
    """Before every view, API and dashboard: path values that cannot be stored, and bodies cut short.

    The body is read here (and cached for the view) only when the request announced one (a
    Content-Length, or chunks): a client that hangs up mid-body has sent something that must
    not be acted on, even when the part that arrived happens to parse (gunicorn hands the
    short body over as if complete), and a malformed chunk is the client's error, not a 500."""
    _refuse_unstorable(request.view_args or {}, "path")
    _refuse_unstorable(request.args, "query")
    _refuse_unstorable(request.headers, "headers")  # Idempotency-Key is stored
    expected = request.content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if expected or chunked:
        try:
            received = len(request.get_data(cache=True))
        except RequestEntityTooLarge:
            raise  # larger than MAX_CONTENT_LENGTH: a 413, not a broken body
        except Exception:
            # The body could not be read whole: the client hung up (ClientDisconnected), or a
            # chunked body broke off or is malformed (each server raises its own error here).
            received = None
        if received is None or (not chunked and received != expected):
            announced = "its last chunk" if chunked else f"its Content-Length ({expected} bytes)"
            abort(
                400,
                error="incomplete_body",
                message=f"The body ended before {announced}, or could not be read: nothing was done.",
            )
    if request.mimetype in FORM_TYPES:  # the dashboard's forms: stored like any JSON field
        _refuse_unstorable(request.form, "form")


def init_parsing(app: Flask) -> None:
    """Register the id converters (before any blueprint's rules are read) and the request check."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["id32"] = Id32Converter
    app.before_request(check_request)

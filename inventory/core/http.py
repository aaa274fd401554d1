"""The one place that maps domain errors, and every other failure, to JSON.

The payload extends flask-smorest's own error shape ({code, status, message, errors})
with `error`, a stable machine-readable name clients can switch on.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .errors import DomainError


def _default_error_name(http_error: HTTPException) -> str:
    return (http_error.name or "error").lower().replace(" ", "_").replace("'", "")


class ErrorSchema(ma.Schema):
    """Every error body, as sent: the OpenAPI spec's `default` and 422 responses."""

    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    status = ma.fields.String(required=True, metadata={"description": "The HTTP status name."})
    error = ma.fields.String(
        required=True,
        metadata={"description": "What went wrong, for programs: insufficient_stock, validation_error..."},
    )
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for people."})
    errors = ma.fields.Dict(
        metadata={"description": "Per location and field: {location: {field: [message]}}; every 422 has it."}
    )
    details = ma.fields.Dict(metadata={"description": "The figures behind a refusal (on hand, needed...)."})


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        super()._register_error_handlers()
        self._app.register_error_handler(DomainError, self.handle_domain_error)

    def handle_http_exception(self, error: HTTPException):
        payload, code, headers = super().handle_http_exception(error)
        data = getattr(error, "data", None) or {}
        payload["error"] = data.get("error") or _error_name_for(error, payload)
        payload.setdefault("message", _message_for(error, payload))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}  # RFC 9110 requires it
        return payload, code, headers

    def handle_domain_error(self, error: DomainError):
        payload = {
            "code": error.status,
            "status": _STATUS_NAMES.get(error.status, "Error"),
            "error": error.error,
            "message": error.message,
        }
        if error.details:
            payload["details"] = error.details
        if error.status == 422:
            payload["errors"] = _field_errors(error)
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
        return payload, error.status, headers


def _field_errors(error: DomainError) -> dict:
    """A 422 the domain found (bad_sign, bad_parent...) gets `errors` shaped like webargs' own,
    {location: {field: [message]}}, so clients read every 422 the same way. The field comes from
    the error's `field` detail (`_schema` without one); the location from its `location` detail,
    else the request: services check the values of the query on reads and of the body on writes."""
    location = error.details.get("location") or ("query" if request.method == "GET" else "json")
    return {location: {error.details.get("field", "_schema"): [error.message]}}


_STATUS_NAMES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
}


def _error_name_for(error: HTTPException, payload: dict) -> str:
    if error.code == 422:
        return "validation_error"
    if error.code == 400 and "json" in (payload.get("errors") or {}):
        return "malformed_json"
    return _default_error_name(error)


def _message_for(error: HTTPException, payload: dict) -> str:
    if error.code == 422:
        return "Some fields are missing or invalid; see `errors`."
    if error.code == 400 and "json" in (payload.get("errors") or {}):
        return "The request body is not valid JSON."
    if error.code == 500:
        return "Internal server error."
    return error.description or error.name

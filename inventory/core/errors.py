"""Domain errors: what a service raises when it refuses a request. Plain exceptions, no Flask:
http.py is the one place that turns them (and every other failure) into JSON."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses. Subclasses fix the HTTP status and error name."""

    status = 409
    error = "conflict"

    def __init__(self, message: str, *, error: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if error:
            self.error = error
        self.details = details


class NotFound(DomainError):
    status = 404
    error = "not_found"


class Conflict(DomainError):
    status = 409
    error = "conflict"


class InsufficientStock(Conflict):
    error = "insufficient_stock"


class Invalid(DomainError):
    """A value that parses but makes no sense for the domain (422)."""

    status = 422
    error = "invalid"


class Forbidden(DomainError):
    status = 403
    error = "forbidden"


class Unauthorized(DomainError):
    status = 401
    error = "unauthorized"

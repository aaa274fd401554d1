"""When the database cannot answer: 503 `database_unavailable` with Retry-After, never a 500.

A server that is down, restarting or out of connections, and a SQLite file locked beyond
the busy timeout, are outages the client can wait out; every other database error stays
what it is (a bug: 500). Connections that died while pooled (the server restarted) are
replaced on checkout (core/pool_check.py, a look at the socket), so the database's return fails
no request.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# PostgreSQL SQLSTATEs of a server that cannot serve now: connection exceptions (class 08),
# too many connections, and shutting down, crashed or still starting (57P01-57P03).
_UNAVAILABLE_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03")
# SQLite: the file is locked past the busy timeout, or cannot be opened.
_UNAVAILABLE_SQLITE_ERRORS = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN")


def is_database_unavailable(error: BaseException) -> bool:
    """Whether a database error means "try again later" rather than a fault of the request or code."""
    if isinstance(error, PoolTimeout):  # every pooled connection busy for pool_timeout seconds
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    if error.connection_invalidated:  # the dialect recognised a lost connection
        return True
    cause = error.orig
    sqlite_error = getattr(cause, "sqlite_errorname", None)
    if sqlite_error is not None:
        return sqlite_error in _UNAVAILABLE_SQLITE_ERRORS
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    # No SQLSTATE: the driver never heard from a server (refused, reset, closed connection).
    return isinstance(error, DBAPIError)


def unavailable_answer() -> tuple[dict, int, dict]:
    """The JSON 503, in the shape of every other error."""
    retry_after = current_app.config["DATABASE_RETRY_AFTER_SECONDS"]
    payload = {
        "code": 503,
        "status": "Service Unavailable",
        "error": "database_unavailable",
        # Not "nothing was changed": a write cut off while committing may have gone through.
        "message": (
            f"The database is not answering; try again in {retry_after} s. With the same "
            "Idempotency-Key, a write that did go through is not recorded twice."
        ),
    }
    return payload, 503, retry_after_header()


def retry_after_header() -> dict[str, str]:
    return {"Retry-After": str(current_app.config["DATABASE_RETRY_AFTER_SECONDS"])}


def init_app(app: Flask) -> None:
    """Every route, API or not; the dashboard answers with its own page (web/errors.py)."""

    def database_error(error: Exception):
        if not is_database_unavailable(error):
            raise error  # a bug, not an outage: Flask's 500, logged with its traceback
        return unavailable_answer()

    for error_class in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error_class, database_error)

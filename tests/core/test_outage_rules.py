"""Which database errors are an outage (503, try again later) and which stay a bug (500)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from inventory.core.outage import is_database_unavailable


class DriverError(Exception):
    """What psycopg raises: an error with the server's SQLSTATE, or None when no server answered."""

    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def wrapped(cause, kind=OperationalError, invalidated=False):
    return kind("SELECT 1", {}, cause, connection_invalidated=invalidated)


def sqlite_error(name: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(name)
    error.sqlite_errorname = name
    return error


@pytest.mark.parametrize(
    "error",
    [
        wrapped(DriverError(None)),  # connection refused, reset, closed: no server answered
        wrapped(DriverError(None), kind=InterfaceError),  # "the connection is closed"
        wrapped(DriverError("08006")),  # connection failure
        wrapped(DriverError("08001")),  # could not establish a connection
        wrapped(DriverError("57P01")),  # terminated by an administrator (pg_ctl stop -m fast)
        wrapped(DriverError("57P03")),  # the server is starting up or shutting down
        wrapped(DriverError("53300")),  # too many connections
        wrapped(DriverError("40001"), invalidated=True),  # whatever it says, the connection is gone
        wrapped(sqlite_error("SQLITE_BUSY")),  # locked past the busy timeout
        wrapped(sqlite_error("SQLITE_CANTOPEN")),
        PoolTimeout("QueuePool limit reached"),
    ],
)
def test_an_outage_is_a_503(error):
    assert is_database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(DriverError("40P01")),  # a deadlock is a bug in the lock order, not an outage
        wrapped(DriverError("57014")),  # a cancelled statement
        wrapped(DriverError("42P01"), kind=ProgrammingError),  # a missing table
        wrapped(DriverError("23505"), kind=IntegrityError),  # a unique violation
        wrapped(sqlite_error("SQLITE_ERROR")),  # "no such table" and other mistakes
        ValueError("not a database error"),
    ],
)
def test_anything_else_stays_what_it_is(error):
    assert not is_database_unavailable(error)

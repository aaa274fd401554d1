"""A pooled PostgreSQL connection whose backend went away is replaced on checkout, with no
round trip for the live ones (inventory/core/pool_check.py). The server restart itself is in
test_outage.py; here the backends are terminated on the suite's own server."""

from __future__ import annotations

import socket
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from inventory.core.db import db
from inventory.core.pool_check import idle_connection_is_gone
from tests.conftest import PG_URL
from tests.helpers import PRINTED, deliver
from tests.stock.test_concurrency import run_together


class _Socket:
    """What the check reads of a connection: closed, broken and its descriptor."""

    closed = broken = False

    def __init__(self, end: socket.socket) -> None:
        self.end = end

    def fileno(self) -> int:
        return self.end.fileno()


def test_a_quiet_socket_is_alive_and_one_the_peer_spoke_on_or_closed_is_gone():
    ours, theirs = socket.socketpair()
    try:
        assert not idle_connection_is_gone(_Socket(ours))
        theirs.sendall(b"E")  # a FATAL message from a backend that is going away
        assert idle_connection_is_gone(_Socket(ours))
        ours.recv(1)
        assert not idle_connection_is_gone(_Socket(ours))
        theirs.close()  # the backend's socket closed: end of file is readable
        assert idle_connection_is_gone(_Socket(ours))
    finally:
        ours.close()


def test_a_closed_or_broken_connection_is_gone_without_looking_at_its_socket():
    class Closed:
        closed, broken = True, False

    class Broken:
        closed, broken = False, True

    assert idle_connection_is_gone(Closed()) and idle_connection_is_gone(Broken())


@pytest.fixture
def database_url(request) -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL is not set")
    return request.getfixturevalue("postgresql_url")


def _terminate_the_apps_backends(app) -> int:
    """pg_terminate_backend on every connection of the app's pool, from outside it."""
    with app.app_context():
        database = db.engine.url.database
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            ).scalar_one()
    finally:
        admin.dispose()


def test_terminated_backends_fail_no_request_and_live_ones_are_not_pinged(app, api, monkeypatch):
    deliver(api, "62.02", 50)
    printed = lambda _: api.post("/offices/62.02/prints", PRINTED, as_="operator")  # noqa: E731
    assert Counter(r.status_code for r in run_together(4, printed)) == {201: 4}
    with app.app_context():
        dialect = db.engine.dialect
    pings = []
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(connection) or True)

    assert _terminate_the_apps_backends(app) >= 1

    assert Counter(r.status_code for r in run_together(4, printed)) == {201: 4}
    assert api.on_hand("62.02") == 42
    assert pings == []  # no round trip was spent on checking a connection

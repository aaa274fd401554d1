"""A pooled PostgreSQL connection is checked on checkout without a round trip.

SQLAlchemy's `pool_pre_ping` sends a statement on every checkout, and every request checks a
connection out: on a print that was a tenth of the application's own CPU and one more wait
for the server (bench/RESULTS.md). What the ping is for is a connection that died while it
lay idle in the pool, because the server restarted or its backend was terminated. Such a
server does not die silently: a backend that is told to stop sends its client a FATAL
message and closes the socket, and one that is killed has its socket closed by the kernel.
Either way the idle connection's socket becomes readable (or reports a hang-up), while a
healthy idle connection has nothing to read. So `poll()` with a zero timeout tells a dead
one from a live one at the cost of one system call, and a dead one is replaced before the
request uses it, as the ping would (tests/core/test_outage.py, tests/core/test_pool_check.py).

What neither the ping nor this can see is a host that vanished without closing anything;
the connect timeout (db.postgresql_engine_options) bounds that case for new connections.
`SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}` brings the ping back on top of this.
"""

from __future__ import annotations

import select

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

_READY = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


def idle_connection_is_gone(dbapi_connection) -> bool:
    """True when an idle psycopg connection is closed, broken, or its server has spoken
    (which, between transactions, only a backend going away does)."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # psycopg raises once the connection is closed
        return True
    poller = select.poll()
    poller.register(descriptor, _READY)
    return bool(poller.poll(0))


def check_on_checkout(engine: Engine) -> None:
    """Make `engine`'s pool replace a connection whose server went away while it was idle.

    Raising DisconnectionError from the checkout event is SQLAlchemy's documented way to
    say so: the pool discards that connection and checks out a new one in its place.
    """

    @event.listens_for(engine, "checkout")
    def _refuse_a_dead_connection(dbapi_connection, _record, _proxy) -> None:
        if idle_connection_is_gone(dbapi_connection):
            raise DisconnectionError("the server closed this pooled connection while it was idle")

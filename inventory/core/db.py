"""Database handle and the connection settings both engines need to be safe under concurrency."""

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    MetaData,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

from .pool_check import check_on_checkout

# Named constraints let Alembic alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# BIGINT on PostgreSQL, but INTEGER on SQLite so the id stays the rowid alias (autoincrement).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """WAL, foreign keys and writers that queue for the lock instead of failing.

    pysqlite starts transactions lazily and upgrades a read lock to a write lock
    mid-transaction, which fails at once with "database is locked" when another
    writer got there first. We take over BEGIN so that write transactions ask for
    the lock up front (BEGIN IMMEDIATE), where the busy timeout makes them wait.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Reads (GET) never block writers in WAL mode; everything else writes, from the start,
        # unless the request looks up its token first and calls start_writing() before writing.
        if _READING.get():
            connection.exec_driver_sql("BEGIN")
        elif not has_request_context():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif request.method in READ_ONLY_METHODS:
            connection.exec_driver_sql("BEGIN")
        elif not g.get(_READS_FIRST):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # else: no transaction yet; the token lookup, a single SELECT, runs on its own


_READS_FIRST = "blangko_reads_first"
# Set by `reading()`: the work in hand only reads (SQLite: a plain BEGIN, no write lock).
_READING: ContextVar[bool] = ContextVar("blangko_reading", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """A read-only transaction outside a request (a cron's survey, a settler's look for work):
    on SQLite it takes no write lock, so writers never wait for it. Ends with a commit (see
    end_reads), or a rollback if it failed."""
    token = _READING.set(True)
    try:
        yield
        end_reads(db.session)
    finally:
        db.session.rollback()
        _READING.reset(token)


def end_reads(session: Session | scoped_session) -> None:
    """End a transaction that only read with COMMIT rather than ROLLBACK.

    The two are the same to the database, but not to psycopg: a rollback makes it drop every
    statement the connection has prepared (DEALLOCATE ALL), so the next request through that
    pooled connection parses and plans each statement again. With the settler's look for work
    and every GET ending in a rollback, the print's statements were planned afresh on nearly
    every request: 1.7 ms more of the server's CPU per print (bench/RESULTS.md). A transaction
    that failed is left for the rollback that follows.
    """
    if not (session() if isinstance(session, scoped_session) else session).in_transaction():
        return
    try:
        session.commit()
    except Exception:
        session.rollback()


def _end_read_only_request(error: BaseException | None) -> None:
    """teardown_request: a read-only request's transaction ends with a commit (end_reads);
    one that raised is rolled back as before, by the session's removal."""
    if error is None and request.method in READ_ONLY_METHODS:
        end_reads(db.session)


def read_first() -> None:
    """SQLite: this write request looks up its token, a single read, before anything else,
    and calls start_writing() before it writes, so other writers need not wait for it."""
    if is_sqlite(db.engine):
        setattr(g, _READS_FIRST, True)


def start_writing() -> None:
    """SQLite: the request's transaction starts now, queued for the write lock (BEGIN IMMEDIATE).

    Until now it ran outside any transaction (its token lookup). Starting with a read
    transaction instead would not do: SQLite refuses to turn one into a write transaction
    once another writer has committed since it began ("database is locked"), busy timeout
    or not. SQLAlchemy sees one transaction on the same connection throughout.
    """
    if not g.pop(_READS_FIRST, False):
        return
    begun = db.session().info.get(_CONNECTION)
    if begun is not None:  # otherwise the first statement will BEGIN IMMEDIATE by itself
        begun.exec_driver_sql("BEGIN IMMEDIATE")


def create_sqlite_file_for_owner_only(app: Flask) -> None:
    """A SQLite file holds password hashes, token hashes and webhook secrets: create it
    readable by its owner only (SQLite gives its -wal and -shm files the same mode)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = url.database or ""
    if not url.drivername.startswith("sqlite") or name in ("", ":memory:") or name.startswith("file:"):
        return
    path = Path(name) if Path(name).is_absolute() else Path(app.instance_path) / name  # as Flask-SQLAlchemy
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def init_db(app: Flask) -> None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgresql_engine_options(
            url, app.config["SQLALCHEMY_ENGINE_OPTIONS"], app.config["DATABASE_CONNECT_TIMEOUT"]
        )
    replica = app.config.get("DATABASE_REPLICA_URL")
    if replica:
        # An engine of the app's own, not a Flask-SQLAlchemy bind: no model lives there, and a
        # bind would give the shared `db` a metadata that every other app then lacks.
        options = {}
        if make_url(replica).get_backend_name() == "postgresql":
            options = postgresql_engine_options(make_url(replica), {}, app.config["DATABASE_CONNECT_TIMEOUT"])
        app.extensions[REPLICA] = create_engine(replica, **options)
        if not is_sqlite(app.extensions[REPLICA]):
            check_on_checkout(app.extensions[REPLICA])
        app.teardown_appcontext(_close_reader)
    create_sqlite_file_for_owner_only(app)
    db.init_app(app)
    app.teardown_request(_end_read_only_request)
    with app.app_context():
        if is_sqlite(db.engine):
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])
        else:
            check_on_checkout(db.engine)


REPLICA = "blangko_replica"
_READER = "blangko_reader"


def reader() -> Session:
    """Where the read-heavy reports read: a session on the replica (DATABASE_REPLICA_URL) when
    one is configured, else the request's own session on the primary.

    A replica trails its primary by its replication delay, so only reports, which sum days
    of history, read there; the stock card, balances and everything a user checks right
    after writing read the primary.
    """
    engine = current_app.extensions.get(REPLICA)
    if engine is None:
        return db.session
    session = g.get(_READER)
    if session is None:
        session = Session(engine)
        setattr(g, _READER, session)
    return session


def _close_reader(_error=None) -> None:
    session = g.pop(_READER, None)
    if session is not None:
        session.close()


def postgresql_engine_options(url: URL, configured: dict, connect_timeout: int) -> dict:
    """What a server that may go away and come back needs; the configured options win.

    A pooled connection may have died while idle (the server restarted): it is replaced on
    checkout rather than fail the request that drew it, by a look at its socket
    (pool_check.py) instead of SQLAlchemy's pre-ping round trip. A server that does not
    answer at all (a host gone from the network) fails a new connection after
    connect_timeout seconds, a 503, instead of holding the request for the minutes TCP
    takes to give up. A SQLite file needs neither.
    """
    options = {**configured}
    if "connect_timeout" not in url.query:
        options["connect_args"] = {"connect_timeout": connect_timeout, **options.get("connect_args", {})}
    return options


def connection() -> Connection:
    """The session's connection, inside its transaction, for Core statements on hot paths.

    Executing through the Session costs a third more per statement than through its
    Connection (ORM execution options, events, autoflush), and asking the Session for its
    connection costs about as much again, which the print path paid ten times a request
    (bench/). So the connection is remembered when the session's transaction begins and
    forgotten when it ends.
    """
    session = db.session()
    return session.info.get(_CONNECTION) or session.connection()


_CONNECTION = "blangko.connection"


@event.listens_for(Session, "after_begin")
def _remember_connection(session: Session, _transaction, connection: Connection) -> None:
    session.info[_CONNECTION] = connection


@event.listens_for(Session, "after_transaction_end")
def _forget_connection(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: the connection goes back to the pool
        session.info.pop(_CONNECTION, None)


class _IdsAsJson(TypeDecorator):
    """A list of ids bound as JSON text, for SQLite's json_each()."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps(list(value))


def among(column, name: str, dialect: str) -> ColumnElement[bool]:
    """`column` is one of the ids bound as `name` (a list), in SQL that compiles once.

    An expanding IN (`column.in_(bindparam(name, expanding=True))`) is rendered again on
    every execution, which cost ~50 us a statement on the print path (bench/): here
    PostgreSQL gets `= ANY(:ids)` with an array, SQLite `IN (SELECT value FROM json_each(:ids))`.
    """
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    ids = func.json_each(bindparam(name, type_=_IdsAsJson())).table_valued("value")
    return column.in_(select(ids.c.value))

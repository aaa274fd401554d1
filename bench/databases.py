"""Throw-away databases for the benchmark: a SQLite file in a temp dir, or a dedicated PostgreSQL database.

Each phase gets fresh databases, migrated with `flask db upgrade` like a real
deployment, and dropped afterwards whatever happens. On PostgreSQL they are named
BENCH_PG_DB_<phase> (blangko_bench_prints, ...), never the `test` database of the tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .servers import ROOT

FLASK = Path(sys.executable).with_name("flask")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = os.environ.get("BENCH_PG_DB", "blangko_bench")  # a prefix: one database per phase


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" or "postgresql"
    label: str


SQLITE = Backend("sqlite", "SQLite (WAL, file in a temp dir)")


def probe_postgresql() -> tuple[Backend | None, str]:
    """(the PostgreSQL backend, its version) when it answers, else (None, why not)."""
    engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one().split()[0]
    except Exception as error:  # any driver or network error: skip PostgreSQL, say why
        return None, f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
    finally:
        engine.dispose()
    return Backend("postgresql", f"PostgreSQL {version}"), version


@contextmanager
def fresh_database(backend: Backend, workdir: Path, name: str) -> Iterator[str]:
    """Yield the URL of a new, migrated database; it is deleted when the block ends."""
    if backend.name == "sqlite":
        path = workdir / f"{name}.sqlite3"
        url = f"sqlite:///{path}"
        try:
            migrate(url)
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    database = f"{PG_DATABASE}_{name}"
    url = make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)
    _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')
    try:
        migrate(url)
        yield url
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _pg_admin(*statements: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def migrate(url: str) -> None:
    """`flask db upgrade`, exactly as a deployment would run it."""
    done = subprocess.run(
        [str(FLASK), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stdout}\n{done.stderr}")

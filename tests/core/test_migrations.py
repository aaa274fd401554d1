"""Alembic owns the schema: from empty to head, no drift against the models, and back to empty."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from inventory import create_app
from inventory.core.db import db


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    from tests.conftest import PG_URL

    name = f"blangko_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def table_names(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_build_the_models_schema_and_tear_it_down(empty_database_url):
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(directory=migrate.directory)
    assert table_names(app) == set()

    with app.app_context():
        command.upgrade(config, "head")
    assert table_names(app) == set(db.metadata.tables)

    with app.app_context():
        command.check(config)  # raises if the models and the migrations disagree

    with app.app_context():
        command.downgrade(config, "base")
    assert table_names(app) == set()

    with app.app_context():
        command.upgrade(config, "head")  # and up again: downgrade left nothing behind
        db.engine.dispose()
    assert table_names(app) == set(db.metadata.tables)


def test_upgrading_an_existing_ledger_backfills_rollups_and_daily_usage(empty_database_url):
    """An office that ran on 0001 keeps its books: subtree totals and past prints carry over."""
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(directory=migrate.directory)
        command.upgrade(config, "0001")
        with db.engine.begin() as connection:
            for statement in OLD_LEDGER:
                connection.execute(text(statement))
        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            rollups = dict(connection.execute(text("SELECT office_id, on_hand FROM office_rollups")).all())
            usage = connection.execute(
                text("SELECT office_id, reason, printed, spoiled FROM daily_usage ORDER BY office_id, reason")
            ).all()
        db.engine.dispose()

    assert rollups == {1: 97, 2: 47}  # the regency counts its district's stock too
    assert [tuple(row) for row in usage] == [(1, "new_record", 1, 1), (2, "new_record", 1, 1)]


# Baamang: 50 delivered, a print, a spoiled print, a mistaken print and its reversal.
OLD_MOVEMENTS = [
    (1, 1, "delivery", 50, 50, None, None, None, "2024-01-02 08:00:00"),
    (2, 2, "delivery", 50, 50, None, None, None, "2024-01-02 08:00:00"),
    (3, 2, "print", -1, 49, "printed", "new_record", None, "2024-01-03 09:00:00"),
    (4, 2, "print", -1, 48, "spoiled", "new_record", None, "2024-01-03 09:10:00"),
    (5, 2, "print", -1, 47, "printed", "new_record", None, "2024-01-03 09:20:00"),
    (6, 2, "reversal", 1, 48, None, "typo", 5, "2024-01-03 09:30:00"),
]


def _sql(value) -> str:
    return "NULL" if value is None else repr(value)


OLD_LEDGER = [
    "INSERT INTO offices (id, code, name, kind, parent_id, path, min_stock, active, created_at) VALUES "
    "(1, '62.02', 'Kotim', 'regency', NULL, '/1/', 0, true, '2024-01-01'), "
    "(2, '62.02.05', 'Baamang', 'district', 1, '/1/2/', 0, true, '2024-01-01')",
    "INSERT INTO users (id, name, role, office_id, active, created_at) "
    "VALUES (1, 'op', 'admin', NULL, true, '2024-01-01')",
    "INSERT INTO balances (office_id, on_hand, in_transit_in, in_transit_out, updated_at) VALUES "
    "(1, 50, 0, 0, '2024-01-01'), (2, 47, 0, 0, '2024-01-01')",
    *(
        "INSERT INTO movements (id, office_id, kind, quantity, balance_after, outcome, reason, reverses_id,"
        f" occurred_at, recorded_at, actor_id) VALUES ({', '.join(map(_sql, (*row, row[-1])))}, 1)"
        for row in OLD_MOVEMENTS
    ),
]

"""Alembic owns the schema: from empty to head, no drift against the models, and back to empty."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from inventory import create_app
from inventory.db import db


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

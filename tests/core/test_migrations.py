"""Alembic owns the schema: from empty to head, no drift against the models, and back to empty."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

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


def test_upgrading_moves_past_usage_to_the_local_day_of_the_office_that_printed(empty_database_url):
    """0004: every office gets its province's zone, and past prints move to their local days."""
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(directory=migrate.directory)
        command.upgrade(config, "0003")
        with db.engine.begin() as connection:
            for statement in ZONED_LEDGER:
                connection.execute(text(statement))
        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            zones = dict(connection.execute(text("SELECT code, time_zone FROM offices")).all())
            usage = connection.execute(text(USAGE_BY_DAY)).all()
        command.downgrade(config, "0003")
        with db.engine.connect() as connection:
            utc_usage = connection.execute(text(USAGE_BY_DAY)).all()
        db.engine.dispose()

    assert zones == {"ID": "WIB", "64": "WITA", "64-MU1": "WITA", "62.02.05": "WIB"}
    day = str  # SQLite returns text, PostgreSQL dates
    # 23:30 UTC on 2 Jan: 06:30 WIB / 07:30 WITA on 3 Jan; 16:30 UTC: 00:30 WITA on 3 Jan, 23:30 WIB on 2 Jan.
    # The national office (WIB) counts each print on the day of the office that made it.
    assert [(o, day(d), n) for o, d, n in usage] == [
        (1, "2024-01-03", 3), (2, "2024-01-03", 2), (3, "2024-01-03", 1), (4, "2024-01-03", 1),
    ]  # fmt: skip
    # Downgraded: every one of them was on 2 Jan in UTC.
    assert [(o, day(d), n) for o, d, n in utc_usage] == [
        (1, "2024-01-02", 3), (2, "2024-01-02", 2), (3, "2024-01-02", 1), (4, "2024-01-02", 1),
    ]  # fmt: skip


USAGE_BY_DAY = "SELECT office_id, day, printed FROM daily_usage WHERE printed > 0 ORDER BY office_id, day"
ZONED_MOVEMENTS = [
    (1, 3, "print", -1, 9, "printed", "new_record", None, "2024-01-02 16:30:00+00:00"),  # Kaltim's unit
    (2, 4, "print", -1, 9, "printed", "new_record", None, "2024-01-02 23:30:00+00:00"),  # Baamang
    (3, 2, "print", -1, 9, "printed", "new_record", None, "2024-01-02 23:30:00+00:00"),  # Kaltim
]
ZONED_LEDGER = [
    "INSERT INTO offices (id, code, name, kind, parent_id, path, min_stock, active, created_at) VALUES "
    "(1, 'ID', 'Nasional', 'national', NULL, '/1/', 0, true, '2024-01-01'), "
    "(2, '64', 'Kalimantan Timur', 'province', 1, '/1/2/', 0, true, '2024-01-01'), "
    "(3, '64-MU1', 'Unit keliling', 'mobile', 2, '/1/2/3/', 0, true, '2024-01-01'), "
    "(4, '62.02.05', 'Baamang', 'district', 1, '/1/4/', 0, true, '2024-01-01')",
    "INSERT INTO users (id, name, role, office_id, active, created_at) "
    "VALUES (1, 'op', 'admin', NULL, true, '2024-01-01')",
    "INSERT INTO balances (office_id, on_hand, in_transit_in, in_transit_out, updated_at) VALUES "
    "(1, 0, 0, 0, '2024-01-01'), (2, 9, 0, 0, '2024-01-01'), (3, 9, 0, 0, '2024-01-01'), "
    "(4, 9, 0, 0, '2024-01-01')",
    *(
        "INSERT INTO movements (id, office_id, kind, quantity, balance_after, outcome, reason, reverses_id,"
        f" occurred_at, recorded_at, actor_id) VALUES ({', '.join(map(_sql, (*row, row[-1])))}, 1)"
        for row in ZONED_MOVEMENTS
    ),
]


def test_the_audit_log_is_append_only_when_migrated(empty_database_url):
    """0017: triggers refuse an UPDATE or DELETE of an entry (as the models do: tests/audit/)."""
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        migrate = app.extensions["migrate"]
        command.upgrade(migrate.migrate.get_config(directory=migrate.directory), "head")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO audit_log (at, actor, kind, subject) VALUES (:at, 'cli:root', 'x', 'ID')"),
                {"at": datetime.now(UTC)},
            )
        for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
                connection.execute(text(statement))
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT actor FROM audit_log")).scalars().all() == ["cli:root"]
        db.engine.dispose()


def test_planned_transfers_migrate_up_and_down(empty_database_url):
    """0018: planned and called-off transfers have no dispatcher, others must; downgrading drops
    the ones that never left (no movement names them) and keeps the rest."""
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(directory=migrate.directory)
        command.upgrade(config, "0001")
        with db.engine.begin() as connection:
            for statement in OLD_LEDGER:
                connection.execute(text(statement))
        command.upgrade(config, "head")
        insert = text(
            "INSERT INTO transfers (id, from_office_id, to_office_id, quantity, status, dispatched_by_id,"
            " dispatched_at, planned_by_id, planned_at)"
            " VALUES (:id, 1, 2, 5, :status, :sender, :at, :planner, :at)"
        )
        now = datetime.now(UTC)
        rows = (
            (1, "in_transit", 1, None),
            (2, "planned", None, 1),
            (3, "cancelled", None, 1),
            (4, "received", 1, 1),
        )
        with db.engine.begin() as connection:
            for id_, status, sender, planner in rows:
                values = {"id": id_, "status": status, "sender": sender, "planner": planner, "at": now}
                connection.execute(insert, values)
        # Refused: a planned one with a dispatcher, one on the road or called off without one.
        for status, sender, planner in (
            ("planned", 1, 1),
            ("in_transit", None, 1),
            ("cancelled", None, None),
        ):
            values = {"id": 9, "status": status, "sender": sender, "planner": planner, "at": now}
            with pytest.raises(DatabaseError), db.engine.begin() as connection:
                connection.execute(insert, values)

        command.downgrade(config, "0017")
        with db.engine.connect() as connection:
            kept = connection.execute(text("SELECT id, status FROM transfers ORDER BY id")).all()
        assert [tuple(row) for row in kept] == [(1, "in_transit"), (4, "received")]
        old_insert = text(
            "INSERT INTO transfers (id, from_office_id, to_office_id, quantity, status, dispatched_by_id,"
            " dispatched_at) VALUES (9, 1, 2, 5, 'planned', 1, :at)"
        )
        with pytest.raises(DatabaseError), db.engine.begin() as connection:
            connection.execute(old_insert, {"at": now})  # the status it knew before
        command.upgrade(config, "head")
        db.engine.dispose()


def test_one_national_office_migrates_up_and_down(empty_database_url):
    """0019: a database with two national offices is not upgraded silently; with one, a second
    is refused by the database itself, and downgrading lifts that."""
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=empty_database_url)
    insert = text(
        "INSERT INTO offices (id, code, name, kind, path, min_stock, active, created_at, time_zone)"
        " VALUES (:id, :code, 'Nasional', 'national', :path, 0, true, '2024-01-01', 'WIB')"
    )
    first, second = ({"id": n, "code": code, "path": f"/{n}/"} for n, code in ((1, "ID"), (2, "NAT")))
    with app.app_context():
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(directory=migrate.directory)
        command.upgrade(config, "0018")
        with db.engine.begin() as connection:
            connection.execute(insert, first)
            connection.execute(insert, second)
        with pytest.raises(RuntimeError, match=r"2 national offices \(ID, NAT\)"):
            command.upgrade(config, "head")
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM offices WHERE code = 'NAT'"))
        command.upgrade(config, "head")
        with pytest.raises(DatabaseError), db.engine.begin() as connection:
            connection.execute(insert, second)

        command.downgrade(config, "0018")
        with db.engine.begin() as connection:
            connection.execute(insert, second)
        db.engine.dispose()

"""Every test runs against a real database: SQLite always, PostgreSQL when TEST_DATABASE_URL names one.

The schema comes from the models here (fast); tests/test_migrations.py proves that the
Alembic migrations build the same schema.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inventory import create_app
from inventory.auth.models import User
from inventory.auth.tokens import issue_token
from inventory.core.db import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
_pg_ready: set[str] = set()


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: runs against TEST_DATABASE_URL")
    config.addinivalue_line("markers", "sqlite_only: a test that is about SQLite itself")


def pytest_terminal_summary(terminalreporter):
    """One line per reason a test was skipped (with how many), then which databases ran."""
    skipped = Counter(_skip_reason(report) for report in terminalreporter.stats.get("skipped", []))
    if skipped:
        terminalreporter.write_sep("-", "skipped, by reason")
        for reason, count in skipped.most_common():
            terminalreporter.write_line(f"{count:5d}  {reason}")
    if PG_URL:
        terminalreporter.write_line(f"Databases: SQLite and PostgreSQL ({_redacted(PG_URL)}).")
    else:
        terminalreporter.write_line(
            "Databases: SQLite only. PostgreSQL was skipped: set TEST_DATABASE_URL to run there too."
        )


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _redacted(url: str) -> str:
    return url.split("@")[-1]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL is not set")
    return request.param


@pytest.fixture
def on_postgresql(backend):
    """For tests of row and advisory locks, or of two writers at once: SQLite has neither (its
    one write lock serialises writers), so there the test is skipped."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: row and advisory locks, two writers at once")


@pytest.fixture(scope="session")
def postgresql_url():
    """A database of this run's own beside TEST_DATABASE_URL's, so parallel runs never collide."""
    name = f"blangko_test_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(backend, tmp_path, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgresql_url")


class ServerLikeClient(FlaskClient):
    """Closes each response once read, as a WSGI server does after sending it: what the app
    does then (stock/settlement.py settles ancestors' figures) happens here too, before the
    test's next request, as it would between a client's requests."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        return response


@pytest.fixture
def app(database_url, tmp_path) -> Flask:
    app = make_app(database_url, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def make_app(database_url: str, tmp_path, **config) -> Flask:
    """An app on this test's own empty schema (fixtures that need other settings use it too)."""
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url, **config)
    app.test_client_class = ServerLikeClient
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
        else:
            _reset_postgresql(database_url)
    return app


def _reset_postgresql(url: str) -> None:
    """Create the schema once per session, then empty every table before each test."""
    if url not in _pg_ready:
        db.create_all()
        _pg_ready.add(url)
    tables = ", ".join(table.name for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


UNVERSIONED = ("/healthz", "/readyz", "/openapi.json", "/docs")


@dataclass
class ApiClient:
    """Calls the HTTP API as one of the world's users: `api.post(path, json, as_="manager")`."""

    app: Flask
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, json=None, as_: str | None = None, headers=None, **kwargs):
        headers = dict(headers or {})
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens.get(as_, as_)}"
        url = path if path.startswith("/api/") or path in UNVERSIONED else "/api/v1" + path
        with self.app.test_client() as client:
            return client.open(url, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.call("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.call("PATCH", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.call("PUT", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)

    def add_user(self, name: str, role: str, office_code: str | None = None) -> str:
        """Create a user directly (as the CLI does) and remember its token under `name`."""
        from inventory.offices import tree as offices

        with self.app.app_context():
            office = offices.get_by_code(office_code) if office_code else None
            user = User(name=name, role=role, office=office, active=True)
            db.session.add(user)
            db.session.flush()
            self.tokens[name] = issue_token(user)
            db.session.commit()
        return self.tokens[name]

    def on_hand(self, code: str) -> int:
        return self.get(f"/offices/{code}/stock", as_="admin").json["on_hand"]


# The demo world: Kalimantan Tengah > Kotawaringin Timur (62.02) with two districts and a
# mobile unit, a neighbouring regency (62.01), and one user per role.
WORLD_OFFICES = (
    ("ID", "Nasional", "national", None),
    ("62", "Kalimantan Tengah", "province", "ID"),
    ("62.01", "Kab. Kotawaringin Barat", "regency", "62"),
    ("62.02", "Kab. Kotawaringin Timur", "regency", "62"),
    ("62.02.05", "Baamang", "district", "62.02"),
    ("62.02.06", "Mentawa Baru Ketapang", "district", "62.02"),
    ("62.02-JB1", "Jemput bola 1", "mobile", "62.02"),
)
WORLD_USERS = (
    ("admin", "admin", None),
    ("manager", "manager", "62.02"),
    ("warehouse", "warehouse", "62.02"),
    ("operator", "operator", "62.02"),
    ("baamang_operator", "operator", "62.02.05"),
    ("baamang_warehouse", "warehouse", "62.02.05"),
    ("kobar_manager", "manager", "62.01"),
    ("kobar_warehouse", "warehouse", "62.01"),
)


@pytest.fixture
def api(app) -> ApiClient:
    return build_world(ApiClient(app))


def build_world(client: ApiClient) -> ApiClient:
    """The demo world's offices and users on the client's app (a module-scoped fixture builds it once)."""
    client.add_user("admin", "admin")
    for code, name, kind, parent in WORLD_OFFICES:
        response = client.post(
            "/offices", {"code": code, "name": name, "kind": kind, "parent_code": parent}, as_="admin"
        )
        assert response.status_code == 201, response.json
    for name, role, office in WORLD_USERS[1:]:
        client.add_user(name, role, office)
    return client

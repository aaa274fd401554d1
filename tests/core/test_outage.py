"""The database goes away and comes back under live requests: while it is down every request
that needs it is a 503 database_unavailable with Retry-After (never a 500) and /readyz says
so; when it is back, no request fails on a connection that died in the pool.

PostgreSQL only: the test stops and starts a throw-away cluster of its own (initdb and
pg_ctl on a temporary data directory, as an unprivileged user when run as root), which a
SQLite file has no equivalent of; SQLite's outage, a lock held past the busy timeout, is
tested below on its own.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from inventory import create_app
from inventory.core.db import db
from tests.conftest import ApiClient
from tests.helpers import PRINTED, books_problems, deliver, ok, refused
from tests.stock.test_concurrency import run_together
from tests.web.dashboard import Browser, set_password


class ThrowawayPostgreSQL:
    """A cluster of the test's own on a free port; stop() and start() are the outage."""

    def __init__(self, bin_dir: Path, user: str | None) -> None:
        self.bin_dir, self.user = bin_dir, user
        self.data = Path(tempfile.mkdtemp(prefix="blangko-pg-"))
        if user:
            record = pwd.getpwnam(user)
            os.chown(self.data, record.pw_uid, record.pw_gid)
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), "-w", "start")

    def stop(self) -> None:
        # fast: sessions are terminated at once, as when a server is restarted under load.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"), capture_output=True
        )
        shutil.rmtree(self.data, ignore_errors=True)

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        return ["runuser", "-u", self.user, "--", *command] if self.user else command

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(self._command(program, *args), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (program, done.stdout, done.stderr)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgresql_bin_dir() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _unprivileged_user() -> str | None:
    """PostgreSQL refuses to run as root: then the cluster belongs to `postgres` (or nobody)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.skip("run as root and no unprivileged user (postgres, nobody) to run a throw-away PostgreSQL")


@pytest.fixture
def cluster():
    bin_dir = _postgresql_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (pg_ctl, initdb) to run a throw-away cluster")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("run as root without runuser to start PostgreSQL as an unprivileged user")
    server = ThrowawayPostgreSQL(bin_dir, _unprivileged_user())
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def database_url(cluster) -> str:
    """The conftest's `app` and `api`, on the throw-away cluster."""
    return cluster.url


def print_one(api, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return api.post("/offices/62.02/prints", PRINTED, as_="operator", headers=headers)


def unavailable(response) -> None:
    body = refused(response, 503, "database_unavailable")
    assert int(response.headers["Retry-After"]) > 0
    assert "try again" in body["message"]


def fill_the_pool(api) -> None:
    """Several pooled connections, all of which will die with the server."""
    assert Counter(r.status_code for r in run_together(5, lambda _: print_one(api))) == {201: 5}


def test_a_restart_between_requests_fails_no_request_on_a_dead_pooled_connection(cluster, api):
    deliver(api, "62.02", 50)
    fill_the_pool(api)

    cluster.stop()
    cluster.start()

    assert Counter(r.status_code for r in run_together(5, lambda _: print_one(api))) == {201: 5}
    ok(api.get("/readyz"))
    assert ok(api.get("/offices/62.02/stock", as_="admin"))["on_hand"] == 40


def test_a_database_outage_is_a_503_and_its_return_fails_no_request(cluster, api):
    deliver(api, "62.02", 500)
    fill_the_pool(api)
    set_password(api.app, "manager")
    manager, stranger = Browser(api.app), Browser(api.app)
    assert manager.login("manager").status_code == 302
    stranger.get("/login")
    ok(api.get("/readyz"))

    outcomes, stop_loop = [], threading.Event()

    def keep_printing():  # live requests all through the outage and the return
        while not stop_loop.is_set():
            response = print_one(api)
            outcomes.append((response.status_code, (response.get_json(silent=True) or {}).get("error")))

    live = threading.Thread(target=keep_printing)
    live.start()
    try:
        cluster.stop()
        unavailable(print_one(api))
        unavailable(print_one(api, key="print-during-outage"))
        unavailable(api.post("/offices/62.02/deliveries", {"quantity": 5}, as_="warehouse"))
        unavailable(api.get("/offices/62.02/stock", as_="admin"))
        unavailable(api.get("/offices/62.02/ledger", as_="admin"))
        unavailable(api.get("/alerts", as_="manager"))
        readiness = api.get("/readyz")
        assert readiness.status_code == 503 and readiness.json["database"] == "unreachable"
        assert int(readiness.headers["Retry-After"]) > 0
        assert ok(api.get("/healthz"))["status"] == "ok"  # the process itself is up
        for page in (
            manager.get("/"),
            stranger.post("/login", {"username": "manager", "password": "pw-manager"}),
        ):
            assert page.status_code == 503 and page.content_type.startswith("text/html")
            assert "Sementara tidak tersedia" in page.get_data(as_text=True)
            assert int(page.headers["Retry-After"]) > 0
        cluster.start()
        back = len(outcomes) + 1  # the request in flight as the server came back may have begun before
        deadline = time.monotonic() + 30
        while len(outcomes) < back + 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop_loop.set()
        live.join()

    # Back: requests that drew a dead connection during the outage were refused with a 503;
    # from now on none may fail.
    ok(api.get("/readyz"))
    assert manager.get("/").status_code == 200  # the session outlived the outage
    assert Counter(r.status_code for r in run_together(8, lambda _: print_one(api))) == {201: 8}
    ok(print_one(api, key="print-during-outage"), 201)  # the refused keyed request simply runs now
    assert {outcome for outcome in outcomes if outcome[0] != 201} <= {(503, "database_unavailable")}
    assert len(outcomes) >= back + 5 and set(outcomes[back:]) == {(201, None)}  # they recovered at once
    printed = 5 + 8 + 1 + sum(1 for status, _ in outcomes if status == 201)
    assert ok(api.get("/offices/62.02/stock", as_="admin"))["on_hand"] == 500 - printed
    assert books_problems(api) == []


def test_a_sqlite_lock_held_past_the_busy_timeout_is_a_503(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url, SQLITE_BUSY_TIMEOUT=0.2)
    with app.app_context():
        db.create_all()
    api = ApiClient(app)
    api.add_user("admin", "admin")
    ok(api.post("/offices", {"code": "ID", "name": "Nasional", "kind": "national"}, as_="admin"), 201)
    holder = sqlite3.connect(make_url(url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    try:
        unavailable(api.post("/offices/ID/deliveries", {"quantity": 5}, as_="admin"))
        ok(api.get("/offices/ID/stock", as_="admin"))  # readers are not held up (WAL)
    finally:
        holder.rollback()
        holder.close()
    assert ok(api.post("/offices/ID/deliveries", {"quantity": 5}, as_="admin"), 201)["on_hand"] == 5
    with app.app_context():
        db.engine.dispose()


def test_a_server_that_never_answers_is_a_503_after_the_connect_timeout(tmp_path):
    """A host gone from the network: the connection is accepted (here by the kernel's backlog)
    and then nothing. Without a connect timeout the request would hang for minutes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/blangko"
        app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url, DATABASE_CONNECT_TIMEOUT=2)
        app.instance_path = str(tmp_path / "instance")
        client = app.test_client()
        started = time.monotonic()
        readiness = client.get("/readyz")
        api_call = client.get("/api/v1/offices", headers={"Authorization": "Bearer some-token"})
        waited = time.monotonic() - started
        with app.app_context():
            db.engine.dispose()

    assert readiness.status_code == 503 and int(readiness.headers["Retry-After"]) > 0
    unavailable(api_call)
    assert waited < 15  # two requests, each given up after about 2 s

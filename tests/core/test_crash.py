"""Crash safety: the server killed with SIGKILL in the middle of prints and transfers leaves
books that balance, and every write it acknowledged is still there after the restart.

gunicorn (two workers) serves the app on loopback; client threads print and transfer as
fast as they can; after a moment the whole process group gets SIGKILL, with requests in
flight. Then `stock verify` must find nothing wrong, every 201 the clients received must
name a movement or transfer that exists, and the balance must equal the ledger's sum.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from inventory.core.db import db
from inventory.offices.tree import get_by_code
from inventory.stock.models import Movement, Transfer
from inventory.stock.verify import problems
from tests.helpers import deliver, stock

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PRINT = {"outcome": "printed", "reason": "new_record"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(database_url: str, port: int) -> subprocess.Popen:
    factory = f"inventory:create_app('config.TestConfig', SQLALCHEMY_DATABASE_URI={database_url!r})"
    process = subprocess.Popen(
        [str(GUNICORN), factory, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "error"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: SIGKILL reaches master and workers at once
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("gunicorn did not start")


def test_sigkill_under_load_leaves_balanced_books_and_every_acknowledged_write(api, database_url):
    deliver(api, "62.02", 100_000)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    operator = {"Authorization": f"Bearer {api.tokens['operator']}"}
    warehouse = {"Authorization": f"Bearer {api.tokens['warehouse']}"}
    acknowledged: dict[str, list[int]] = {"movements": [], "transfers": []}
    stop = threading.Event()

    def prints(office: str) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    answer = session.post(
                        f"{base}/offices/{office}/prints", json=PRINT, headers=operator, timeout=5
                    )
                except requests.RequestException:
                    continue  # the server died under this request: its fate is unknown, and that is fine
                if answer.status_code == 201:
                    acknowledged["movements"].append(answer.json()["movement"]["id"])

    def transfers() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                body = {"from": "62.02", "to": "62.02.05", "quantity": 3}
                try:
                    answer = session.post(f"{base}/transfers", json=body, headers=warehouse, timeout=5)
                except requests.RequestException:
                    continue
                if answer.status_code == 201:
                    acknowledged["transfers"].append(answer.json()["id"])

    server = _start(database_url, port)
    clients = [threading.Thread(target=prints, args=("62.02",)) for _ in range(3)]
    clients.append(threading.Thread(target=transfers))
    for client in clients:
        client.start()
    try:
        deadline = time.monotonic() + 30
        while len(acknowledged["movements"]) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # mid-load: requests are in flight
        server.wait(10)
    finally:
        stop.set()
        for client in clients:
            client.join(10)
    assert len(acknowledged["movements"]) >= 60 and acknowledged["transfers"], acknowledged

    restarted = _start(database_url, port)  # the database recovers on its own; the app starts as usual
    try:
        ok = requests.post(f"{base}/offices/62.02/prints", json=PRINT, headers=operator, timeout=10)
        assert ok.status_code == 201, ok.text
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(10)

    with api.app.app_context():
        assert problems() == []
        stored = set(
            db.session.scalars(select(Movement.id).where(Movement.id.in_(acknowledged["movements"])))
        )
        assert stored == set(acknowledged["movements"])
        sent = set(db.session.scalars(select(Transfer.id).where(Transfer.id.in_(acknowledged["transfers"]))))
        assert sent == set(acknowledged["transfers"])
        ledger_sum = db.session.scalar(
            select(func.sum(Movement.quantity)).where(Movement.office_id == get_by_code("62.02").id)
        )
    assert stock(api, "62.02")["on_hand"] == ledger_sum


@pytest.fixture(autouse=True)
def _needs_gunicorn():
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn is not installed next to {sys.executable}")

"""Gunicorn servers on loopback: started on a free port, waited for, always stopped."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "127.0.0.1"
# Sync workers per server, app and floor alike: as README "Production" runs them (2 per core),
# so that a worker waiting on the database leaves its core to another. BENCH_WORKERS overrides.
WORKERS = int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 1)))

# Every server still running, so a signal handler or atexit can stop them.
_running: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    name: str, app: str, env: dict[str, str], log_dir: Path, timeout: float = 60
) -> Iterator[Server]:
    """Run `gunicorn APP` with WORKERS sync workers on 127.0.0.1 until the block ends."""
    port = free_port()
    log = log_dir / f"{name}.log"
    command = [
        str(GUNICORN), app,
        "--bind", f"{HOST}:{port}",
        "--workers", str(WORKERS),
        "--log-level", "warning",
        "--graceful-timeout", "5",
    ]  # fmt: skip
    with log.open("wb") as out:
        # Own session: a Ctrl-C in the terminal reaches us, and we stop the server in order.
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _running[process.pid] = process
    try:
        _wait_ready(process, port, log, timeout)
        yield Server(name, port, log)
    finally:
        stop(process)


def _wait_ready(process: subprocess.Popen, port: int, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn on port {port} not ready after {timeout:.0f} s:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group (master and workers), SIGKILL if it lingers."""
    _running.pop(process.pid, None)
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


def stop_all() -> None:
    for process in list(_running.values()):
        stop(process)

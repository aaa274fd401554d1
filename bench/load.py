"""Sequential HTTP for read latencies (the print load is wrk's: bench/wrk.py).

A client re-uses its connection as long as the server keeps it open (gunicorn's sync
workers close it after every answer, and http.client then reconnects), and measures the
time from sending a request to having read the whole answer.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field

from .servers import HOST


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Client:
    """One keep-alive connection (reopened when the server closes it) that times requests."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc) -> None:
        self.connection.close()

    def time(self, request: Request, expect: int = 200) -> float:
        """Seconds from sending `request` to having read the whole answer."""
        began = time.perf_counter()
        self.connection.request(request.method, request.path, request.body, request.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - began
        if response.status != expect:
            raise RuntimeError(f"{request.method} {request.path}: {response.status} {body[:300]!r}")
        return elapsed


def get_json(port: int, path: str, token: str) -> dict:
    """One GET, decoded; raises unless it answers 200."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return json.loads(body)

"""Load generator: one process per client, each on its own HTTP connection, for a fixed time.

Separate processes so the clients never share a GIL with each other; each client
re-uses its connection as long as the server keeps it open (gunicorn's sync workers
close it after every answer, and http.client then reconnects). A client measures the
time from sending a request to having read the whole answer.
"""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass, field

from .servers import HOST

START_DELAY = 0.5  # seconds for every client process to be up before the clock starts


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def post_json(cls, path: str, payload: dict, token: str) -> Request:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        return cls("POST", path, json.dumps(payload).encode(), headers)


@dataclass
class LoadResult:
    clients: int
    seconds: float
    ok: int
    statuses: Counter
    latencies: list[float]  # seconds, successful requests only
    client_cpu: float  # CPU seconds the load generator used

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.ok

    @property
    def client_cores(self) -> float:
        """How many cores the load generator kept busy on average."""
        return self.client_cpu / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN when there is nothing to rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def drive(port: int, request: Request, clients: int, seconds: float, expect: int = 201) -> LoadResult:
    """Send `request` from `clients` processes, back to back, for `seconds`."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.monotonic() + START_DELAY
    workers = [
        context.Process(target=_client, args=(port, request, start_at, seconds, expect, results), daemon=True)
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    try:
        parts = [results.get(timeout=seconds + START_DELAY + 60) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
                worker.join()
    statuses: Counter = Counter()
    latencies: list[float] = []
    for part in parts:
        statuses.update(part["statuses"])
        latencies += part["latencies"]
    elapsed = max(part["end"] for part in parts) - start_at
    return LoadResult(
        clients, elapsed, statuses[expect], statuses, latencies, sum(part["cpu"] for part in parts)
    )


def merge(results: list[LoadResult]) -> LoadResult:
    """Several runs of the same endpoint as one: counts and times added, latencies pooled."""
    statuses: Counter = Counter()
    for result in results:
        statuses.update(result.statuses)
    return LoadResult(
        clients=results[0].clients,
        seconds=sum(result.seconds for result in results),
        ok=sum(result.ok for result in results),
        statuses=statuses,
        latencies=[latency for result in results for latency in result.latencies],
        client_cpu=sum(result.client_cpu for result in results),
    )


def _client(port: int, request: Request, start_at: float, seconds: float, expect: int, results) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    statuses: Counter = Counter()
    latencies: list[float] = []
    time.sleep(max(0.0, start_at - time.monotonic()))
    cpu_before = _cpu()
    stop_at = start_at + seconds
    while time.monotonic() < stop_at:
        began = time.perf_counter()
        try:
            connection.request(request.method, request.path, request.body, request.headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
            connection.close()
        if status == expect:
            latencies.append(time.perf_counter() - began)
        statuses[status] += 1
    end = time.monotonic()
    connection.close()
    results.put({"statuses": statuses, "latencies": latencies, "end": end, "cpu": _cpu() - cpu_before})


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


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

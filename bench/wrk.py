"""The load client: wrk (C, event loop) driving POSTs, with its CPU time and every status counted.

One wrk process per slice, run with bench/prints.lua: each request goes to a path picked at
random from a list (one office, or 500 districts), and the script writes wrk's whole latency
histogram and a count per status to a file, so slices pool exactly. The CPU seconds wrk used
come from wait4() on it alone (not RUSAGE_CHILDREN, which would mix in servers and crons),
and the client's share is those seconds over wall seconds times the machine's cores: the part
of the machine the client took from the servers it measures.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .sampling import watching
from .servers import HOST

SCRIPT = Path(__file__).with_name("prints.lua")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
CORES = os.cpu_count() or 1
# A print waiting behind a cron can take seconds; wrk's default (2 s) would count it as an
# error and leave it out of the latencies, hiding exactly the tail being measured.
TIMEOUT = "60s"


@dataclass(frozen=True)
class Load:
    """What the client sends: POST `body` with a bearer token to paths picked at random."""

    paths: list[str]
    body: dict
    token: str
    connections: int = 8
    threads: int = 1


@dataclass
class WrkResult:
    seconds: float  # wall time wrk measured over
    statuses: Counter  # HTTP status -> responses
    socket_errors: Counter  # connect / read / write / timeout -> count
    histogram: Counter  # latency in microseconds -> responses (every status)
    client_cpu: float  # CPU seconds wrk used
    slices: int = 1
    cores_busy: float | None = None  # the whole machine's, during the run (sampling.py)
    lock_waits: float | None = None  # share of active backends waiting on a lock (PostgreSQL)

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        """Non-2xx answers plus requests that got no answer at all."""
        answered = sum(self.statuses.values())
        return answered - self.ok + sum(self.socket_errors.values())

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def client_share(self) -> float:
        """wrk's CPU over the machine's capacity during the run (0.05 = 5 % of all cores)."""
        return self.client_cpu / (self.seconds * CORES) if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of every answer's latency, in seconds (NaN if none)."""
        total = sum(self.histogram.values())
        if not total:
            return float("nan")
        rank = max(1, -(-p * total // 100))
        seen = 0
        for value in sorted(self.histogram):
            seen += self.histogram[value]
            if seen >= rank:
                return value / 1e6
        return max(self.histogram) / 1e6

    def describe(self) -> str:
        shown = dict(sorted(self.statuses.items()))
        socket = {k: v for k, v in self.socket_errors.items() if v}
        return f"statuses {shown}" + (f", socket errors {socket}" if socket else "")


def merge(results: list[WrkResult]) -> WrkResult:
    """Slices of the same endpoint as one: times, counts and histograms added."""
    merged = WrkResult(0.0, Counter(), Counter(), Counter(), 0.0, slices=0)
    for result in results:
        merged.seconds += result.seconds
        merged.statuses.update(result.statuses)
        merged.socket_errors.update(result.socket_errors)
        merged.histogram.update(result.histogram)
        merged.client_cpu += result.client_cpu
        merged.slices += result.slices
    for name in ("cores_busy", "lock_waits"):  # averaged over the slices that have it, by time
        timed = [
            (getattr(result, name), result.seconds) for result in results if getattr(result, name) is not None
        ]
        if timed and sum(seconds for _, seconds in timed):
            average = sum(value * seconds for value, seconds in timed) / sum(seconds for _, seconds in timed)
            setattr(merged, name, average)
    return merged


class Run:
    """One wrk process: start it, optionally stop it early (SIGINT: wrk then reports), read it."""

    def __init__(self, port: int, load: Load, seconds: float) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="blangko-wrk-"))
        paths_file = self.workdir / "paths"
        paths_file.write_text("\n".join(load.paths) + "\n")
        self.out = self.workdir / "out"
        env = {
            **os.environ,
            "BENCH_WRK_PATHS": str(paths_file),
            "BENCH_WRK_TOKEN": load.token,
            "BENCH_WRK_BODY": json.dumps(load.body),
            "BENCH_WRK_OUT": str(self.out),
        }
        command = [
            WRK, f"-t{load.threads}", f"-c{load.connections}", f"-d{max(1, round(seconds))}s",
            f"--timeout={TIMEOUT}", "-s", str(SCRIPT), f"http://{HOST}:{port}",
        ]  # fmt: skip
        self.log = self.workdir / "log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def stop(self) -> None:
        """Ask wrk to finish now; it still prints and runs done()."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def result(self) -> WrkResult:
        # wait4 gives this child's own CPU time; Popen.wait would reap it and lose that.
        _pid, status, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        try:
            if self.process.returncode != 0 or not self.out.exists():
                raise RuntimeError(f"wrk failed ({self.process.returncode}):\n{self.log.read_text()}")
            result = _parse(self.out.read_text())
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
        result.client_cpu = usage.ru_utime + usage.ru_stime
        return result


def drive(port: int, load: Load, seconds: float, database_url: str | None = None) -> WrkResult:
    """Load the server for `seconds` and return what wrk saw, with the machine's busy cores and
    (PostgreSQL at `database_url`) the share of backends waiting on a lock meanwhile."""
    with watching(database_url) as watch:
        result = Run(port, load, seconds).result()
    result.cores_busy, result.lock_waits = watch.cores_busy, watch.lock_waits
    return result


def _parse(text: str) -> WrkResult:
    result = WrkResult(0.0, Counter(), Counter(), Counter(), 0.0)
    for line in text.splitlines():
        kind, *numbers = line.split()
        values = [int(n) for n in numbers]
        if kind == "summary":
            duration, _requests, connect, read, write, _status, timeout = values
            result.seconds = duration / 1e6
            result.socket_errors.update(connect=connect, read=read, write=write, timeout=timeout)
        elif kind == "status":
            result.statuses[values[0]] += values[1]
        elif kind == "latency":
            result.histogram[values[0]] += values[1]
    return result

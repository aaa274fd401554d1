"""What the machine and the database were doing during a slice: why a ratio is what it is.

* Cores busy: the whole machine's busy CPU time over the slice (/proc/stat), in cores. A load
  that keeps both cores busy is bound by CPU; one that leaves them idle waits on something.
* Lock waits (PostgreSQL): every 20 ms, the database's active backends and how many of them
  wait on a lock (pg_stat_activity); the share of all samples. Prints that all queue on one
  row show as a high share; prints that share no row as one near zero.

Sampling costs a small query 50 times a second on its own connection, app and floor alike.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text

CORES = os.cpu_count() or 1

_EVERY = 0.02
_ACTIVE = text(
    "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"
)


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class Watch:
    cores_busy: float | None = None
    lock_waits: float | None = None  # share of active backends' samples waiting on a lock


@contextmanager
def watching(url: str | None) -> Iterator[Watch]:
    """Measure the block: cores busy always, lock waits when `url` is a PostgreSQL database."""
    watch = Watch()
    stop = threading.Event()
    counts = [0, 0]
    sampler = None
    if url and url.startswith("postgresql"):
        engine = create_engine(url, pool_size=1)

        def sample():
            try:
                with engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                    while not stop.wait(_EVERY):
                        waiting, active = connection.execute(_ACTIVE).one()
                        counts[0] += waiting
                        counts[1] += active
            except Exception:  # the figure is left out (None), not shown as 0 %
                counts[1] = -1

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    busy0, total0 = _cpu_ticks()
    try:
        yield watch
    finally:
        busy1, total1 = _cpu_ticks()
        stop.set()
        if sampler is not None:
            sampler.join()
            engine.dispose()
            watch.lock_waits = counts[0] / counts[1] if counts[1] > 0 else None
        watch.cores_busy = CORES * (busy1 - busy0) / (total1 - total0) if total1 > total0 else None

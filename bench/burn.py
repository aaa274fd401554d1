"""CPU work of a fixed size, for the bench's control (floor.py, national.py).

The control's floor spends per print what the app spends beyond the floor. Work is counted
in loop turns, not in time: measured in time, a burn would cost more under load than on a
quiet machine (cores that share caches or a host run slower when all are busy), the
floor's own work alike. The turns per millisecond are measured once, on the quiet machine,
by the bench before the control starts.
"""

from __future__ import annotations

import time


def burn(turns: int) -> int:
    """Spin `turns` times; returns a value so the loop cannot be optimised away."""
    total = 0
    for turn in range(turns):
        total ^= turn
    return total


def turns_per_ms(sample_turns: int = 200_000, tries: int = 5) -> float:
    """How many turns of burn() one millisecond of this thread's CPU holds (best of `tries`)."""
    best = float("inf")
    for _ in range(tries):
        started = time.thread_time()
        burn(sample_turns)
        best = min(best, time.thread_time() - started)
    return sample_turns / (best * 1000)

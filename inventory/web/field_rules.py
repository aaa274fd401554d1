"""The offline unit's clock rules, as plain functions.

A jemput bola unit records prints on its own clock and uploads them later with that clock's
reading at upload time. The difference between the two clocks is the device's error: when
it is more than the tolerated skew, every print's time is moved by it (the device was wrong
all day, not each card). A print that still lands before the unit's last upload cannot be
new: the device's clock was set back since, so it is refused for the operator to check.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DEVICE_PATTERN = r"^[0-9a-z]{8,16}$"  # the unit's id, made once by the page and kept in the browser


def client_prefix(device: str) -> str:
    """`f:3f9c2a7b1e04:`: every print of one unit starts so, which is how its last upload is found."""
    return f"f:{device}:"


def clock_offset(device_time: datetime, now: datetime, skew_minutes: int) -> timedelta | None:
    """What to add to the device's times to get the server's, or None when the clocks agree
    within the skew (a clock a few minutes off is a clock: its times are kept as told)."""
    offset = now - device_time
    if abs(offset) <= timedelta(minutes=skew_minutes):
        return None
    return offset


def before_last_upload(printed_at: datetime, last_upload: datetime | None, skew_minutes: int) -> bool:
    """Whether a print (its corrected time) is dated before the unit's last upload, beyond the
    skew the clocks may still differ by after correction."""
    if last_upload is None:
        return False
    return printed_at < last_upload - timedelta(minutes=skew_minutes)

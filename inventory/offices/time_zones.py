"""Indonesia's three time zones, and which one an office keeps its days in.

A print at 06:30 WIB belongs to that WIB day, not to the previous UTC day: usage days,
consumption buckets and "today" (projections, alerts) are the office's local days. The
zone follows the province code (Permendagri's split of the country into WIB, WITA and
WIT); an office may override it. None of the three zones has daylight saving.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Zone -> the IANA zone that keeps its clock.
ZONES = {"WIB": ZoneInfo("Asia/Jakarta"), "WITA": ZoneInfo("Asia/Makassar"), "WIT": ZoneInfo("Asia/Jayapura")}
# Offices outside any province (the national office, codes that are no region) keep the capital's days.
DEFAULT_ZONE = "WIB"
_PROVINCES = (
    (range(11, 37), "WIB"), (range(61, 63), "WIB"),
    (range(51, 54), "WITA"), (range(63, 66), "WITA"), (range(71, 77), "WITA"),
    (range(81, 83), "WIT"), (range(91, 97), "WIT"),
)  # fmt: skip


def zone_for_code(code: str) -> str | None:
    """The zone of the province a region code lies in ("64.02.05" -> WITA); None if it names no province."""
    prefix = code[:2]
    if len(code) >= 2 and prefix.isdigit() and (len(code) == 2 or not code[2].isdigit()):
        for provinces, zone in _PROVINCES:
            if int(prefix) in provinces:
                return zone
    return None


def local_day(moment: datetime, zone: str) -> date:
    """The calendar day at the office when `moment` happened; naive times (SQLite) are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZONES[zone]).date()


def local_days(moment: datetime) -> dict[str, date]:
    """The day `moment` falls on in each zone: they differ for two hours every night."""
    return {zone: local_day(moment, zone) for zone in ZONES}


def now() -> datetime:
    """The clock every "today" reads (tests set it to the hours when the zones' dates differ)."""
    return datetime.now(UTC)


def today_in(zone: str) -> date:
    return local_day(now(), zone)


def todays() -> dict[str, date]:
    """Today in each zone."""
    return local_days(now())

"""The print counter's rules, as plain functions: when a print may be undone from the counter,
and how an end-of-day tally becomes prints whose client_ids make a resend record nothing twice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UNDO_SECONDS = 120  # long enough to notice a wrong key, short enough not to rewrite the day

# Short and stable: a client_id is at most 64 characters and a code at most 32.
REASON_TAGS = {"new_record": "n", "replacement": "r", "data_change": "d", "other": "o"}
OUTCOME_TAGS = {"printed": "p", "spoiled": "s"}


def may_undo(
    movement: Mapping, office_id: int, user_id: int, now: datetime, window: int = UNDO_SECONDS
) -> bool:
    """An operator may take back their own print at this office, only just recorded.

    Anything older, or anyone else's, is a manager's reversal with a reason: the counter's
    undo is for the key pressed by mistake, not for correcting the books.
    """
    recorded = movement["recorded_at"]
    if recorded.tzinfo is None:  # SQLite gives naive UTC
        recorded = recorded.replace(tzinfo=UTC)
    return (
        movement["kind"] == "print"
        and movement["office_id"] == office_id
        and movement["actor_id"] == user_id
        and timedelta(0) <= now - recorded <= timedelta(seconds=window)
    )


def day_client_id(office_code: str, day: date, reason: str, outcome: str, sequence: int) -> str:
    """`eod:62.02.05:20240315:np:7`: the 7th new-record card printed that day, counted at day's end."""
    return f"eod:{office_code}:{day:%Y%m%d}:{REASON_TAGS[reason]}{OUTCOME_TAGS[outcome]}:{sequence}"


def day_prints(
    office_code: str, day: date, counts: Mapping[tuple[str, str], int], zone: ZoneInfo, now: datetime
) -> list[dict]:
    """One print per card counted, numbered 1..n within its reason and outcome.

    Sending the same day again finds every client_id recorded; sending it with a higher
    count records only the cards beyond the first sending. The cards are dated at noon
    that day at the office (the time is not known), or now if noon has not come yet.
    """
    noon = datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC)
    printed_at = min(noon, now)
    return [
        {
            "client_id": day_client_id(office_code, day, reason, outcome, sequence),
            "outcome": outcome,
            "reason": reason,
            "printed_at": printed_at,
        }
        for reason in REASON_TAGS
        for outcome in OUTCOME_TAGS
        for sequence in range(1, counts.get((reason, outcome), 0) + 1)
    ]

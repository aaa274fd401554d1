"""An office's balance in the order movements happened, read without scanning its history.

A movement's stored `balance_after` is the office's balance in the order movements were
RECORDED: each one is written under its office's balance lock, so ids follow that order and
balance_after(m) is the sum of the quantities of ids up to m. The stock card and the chart
show the order movements HAPPENED, (occurred_at, id): a print uploaded late, or a delivery
entered with its received_at, lands among older movements. For a movement m:

    balance after m in event order = balance_after(m)
        + quantities recorded after m that happened before it     (A)
        - quantities recorded before m that happened after it     (B)

Both sets lie within a bounded stretch of time around m, because what a movement may say
about its own time is bounded (stock/print_time.py, for prints and deliveries alike):
never more than D = PRINT_BACKDATE_DAYS back nor S = PRINT_CLOCK_SKEW_MINUTES ahead of its
recorded_at; every other movement happens when it is recorded. Recording times themselves
follow ids only up to J = LEDGER_RECORDING_MARGIN_SECONDS (a print takes its time before it
waits for the balance lock; several hosts' clocks differ a little). So:

- (A) x recorded after m that happened before it: if x says no time of its own, it happened
  when recorded, at or after rec(m) - J: within [rec(m) - J, occ(m)) of ALL movements. If
  it does, it happened at or after rec(m) - J - D; below rec(m) - J only such movements can
  be in (A), and the partial index ix_movements_told_time holds just those.
- (B) x recorded before m that happened after it: occ(x) <= rec(x) + S <= rec(m) + J + S,
  so within (occ(m), rec(m) + J + S].

Each is a range of the (office_id, occurred_at, id) index, the exact membership tested on
the row (its id against m's, its time against m's), so the bounds only limit what is read
and are widened by a second to be safe. A page costs what the movements of those windows
cost: the office's movements of a few minutes, the self-dated movements of the last D days,
and, for a movement that was itself backdated by some hours, those hours' movements. None of
it grows with the length of the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import ColumnElement, Interval, String, and_, bindparam, func, literal_column, select, text

from .models import Movement

M = Movement.__table__


@dataclass(frozen=True)
class Bounds:
    """What a movement may say about its time, in seconds (see the module's docstring)."""

    backdate: int  # D
    ahead: int  # S
    recording: int  # J

    @classmethod
    def configured(cls) -> Bounds:
        config = current_app.config
        return cls(
            backdate=config["PRINT_BACKDATE_DAYS"] * 86_400,
            ahead=config["PRINT_CLOCK_SKEW_MINUTES"] * 60,
            recording=config["LEDGER_RECORDING_MARGIN_SECONDS"],
        )

    def parameters(self, dialect: str) -> dict:
        """The shifts `balance` reads around each row, as its statement's parameters."""
        shifts = {
            SHIFT_EARLY: -self.recording,
            SHIFT_OLDEST: -(self.recording + self.backdate),
            SHIFT_LATEST: self.recording + self.ahead,
        }
        return {name: _shift(seconds, dialect) for name, seconds in shifts.items()}


SHIFT_EARLY, SHIFT_OLDEST, SHIFT_LATEST = "shift_early", "shift_oldest", "shift_latest"


def _shift(seconds: int, dialect: str):
    """On SQLite, where times are stored as text, datetime() drops the fraction: one more
    second outwards keeps a bound a bound."""
    if dialect == "sqlite":
        return f"{seconds + (1 if seconds >= 0 else -1):+d} seconds"
    return timedelta(seconds=seconds)


def _shifted(moment: ColumnElement, name: str, dialect: str) -> ColumnElement:
    """`moment` moved by the shift passed as parameter `name`, in SQL."""
    if dialect == "sqlite":
        return func.datetime(moment, bindparam(name, type_=String))
    return moment + bindparam(name, type_=Interval)


# SQLite, without planner statistics, picks between this partial index and the full
# (office_id, occurred_at, id) index by a tie-break that follows their order in the schema,
# and Alembic's batch mode recreates the table's indexes in an order that varies from run to
# run. With the full index the "far" window reads every movement of the last D days (about a
# second a page at 1 M movements instead of milliseconds; `make bench` caught it). So on
# SQLite the "far" sum names its index. SQLAlchemy renders no table hints for SQLite, hence
# the textual FROM and columns named as text there.
TOLD_TIME_FROM = text("movements AS x INDEXED BY ix_movements_told_time")


class _Named:
    """Stands in for the alias `x` where the FROM is textual: its columns by name, typed."""

    def __init__(self) -> None:
        self.c = SimpleNamespace(**{col.name: literal_column(f"x.{col.name}", col.type) for col in M.c})


def _net(*where, told_time_only: bool = False, dialect: str = "") -> ColumnElement:
    if told_time_only and dialect == "sqlite":
        x = _Named()
        conditions = [condition(x) for condition in where]
        summed = select(func.coalesce(func.sum(x.c.quantity), 0)).select_from(TOLD_TIME_FROM)
        return summed.where(*conditions).scalar_subquery()
    x = M.alias("x")
    conditions = [condition(x) for condition in where]
    return select(func.coalesce(func.sum(x.c.quantity), 0)).where(*conditions).scalar_subquery()


def balance(row, dialect: str) -> ColumnElement:
    """SQL for the balance after `row` (a FROM with movements' columns) in event order; its
    statement takes Bounds.parameters. Build it once per statement: building costs more than
    running it."""
    recorded_early = _shifted(row.c.recorded_at, SHIFT_EARLY, dialect)
    oldest = _shifted(row.c.recorded_at, SHIFT_OLDEST, dialect)
    latest = _shifted(row.c.recorded_at, SHIFT_LATEST, dialect)

    def same_office(x):
        return x.c.office_id == row.c.office_id

    recorded_after_happened_before_near = _net(
        same_office,
        lambda x: x.c.occurred_at >= recorded_early,
        lambda x: x.c.occurred_at < row.c.occurred_at,
        lambda x: x.c.id > row.c.id,
    )
    recorded_after_happened_before_far = _net(
        same_office,
        # The partial index's own condition, written as it is, so both databases use it.
        lambda x: x.c.occurred_at != x.c.recorded_at,
        lambda x: x.c.occurred_at >= oldest,
        lambda x: and_(x.c.occurred_at < recorded_early, x.c.occurred_at < row.c.occurred_at),
        lambda x: x.c.id > row.c.id,
        told_time_only=True,
        dialect=dialect,
    )
    recorded_before_happened_after = _net(
        same_office,
        lambda x: x.c.occurred_at > row.c.occurred_at,
        lambda x: x.c.occurred_at <= latest,
        lambda x: x.c.id < row.c.id,
    )
    return (
        row.c.balance_after
        + recorded_after_happened_before_near
        + recorded_after_happened_before_far
        - recorded_before_happened_after
    )

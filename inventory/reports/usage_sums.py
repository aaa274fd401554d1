"""What the usage report adds up for each office: its balance, and its books since the period began.

Prints are ~99.9 % of the ledger (a national month is ~5.6 million lines), so they are
not read line by line: daily_usage holds them per office, local day and reason, written
with each print in the same transaction (inventory/stock/prints.py), rolled up to every
ancestor. An office's own prints are its row less its children's rows. Every other line
(deliveries, transfers, adjustments, reversals: a few per office and month) is read from
the ledger through the (office_id, kind, id) index.

daily_usage takes a reversed print off the day of the print; the report counts a reversal
on its own date, as the stock card does (usage_rules). So for each office the figures of
its print reversals since `start` correct daily_usage back to the ledger:

    prints on the stock card in the period = daily_usage of the period
        + prints of the period reversed since (daily_usage took them off; the card keeps them)
        - reversals of prints made in the period (the card shows them there, with their sign)

One statement per call (balances, ledger lines and usage together): on PostgreSQL too the
figures come from one snapshot, so the balance and the lines since `start` agree even
while offices print.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from ..core.db import db
from ..offices.models import Office
from ..stock.models import MOVEMENT_KINDS, Balance, DailyUsage, Movement

OFFICE = Office.__table__
BALANCE = Balance.__table__
USAGE = DailyUsage.__table__
M = Movement.__table__
UNDONE = Movement.__table__.alias("undone")  # the movement a reversal reverses
NOT_PRINTS = [kind for kind in MOVEMENT_KINDS if kind != "print"]


def office_sums(offices: Select, first: date, last: date, start: datetime, end: datetime) -> dict[int, dict]:
    """Per office of `offices` (a select of ids, all keeping the zone [start, end) is in):

    on_hand      its balance now
    since_start  the sum of its stock card from `start` on
    sums         [(kind, outcome, reason, sum of quantity in the period)], a reversal under
                 the kind, outcome and reason of the movement it undoes
    reasons      the print reasons seen
    """
    with_children = select(OFFICE.c.id).where(or_(OFFICE.c.id.in_(offices), OFFICE.c.parent_id.in_(offices)))
    found: dict[int, dict] = defaultdict(
        lambda: {"on_hand": 0, "since_start": 0, "sums": [], "reasons": set()}
    )
    usage: dict[int, dict[tuple[str, str], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    reversed_prints: dict[int, list] = defaultdict(list)
    statement = union_all(_balances(offices), _lines(offices, start, end), _usage(with_children, first, last))
    for source, office_id, kind, outcome, reason, a, b, c, d in db.session.execute(statement):
        if source == "balance":
            found[office_id]["on_hand"] = int(a)
        elif source == "usage":
            figures = usage[office_id]
            figures[("printed", reason)][0] += int(a)  # in the period
            figures[("printed", reason)][1] += int(c)  # since its start
            figures[("spoiled", reason)][0] += int(b)
            figures[("spoiled", reason)][1] += int(d)
        elif kind == "print":  # reversals of prints
            reversed_prints[office_id].append((outcome, reason, int(a), int(b), int(c), int(d)))
        else:
            office = found[office_id]
            office["since_start"] += int(a)
            office["sums"].append((kind, outcome, reason, int(b)))
    parents = _parents(offices)
    for office_id, office in found.items():
        own = _own_usage(office_id, usage, parents.get(office_id, ()))
        for outcome, reason, since, inside, undone_inside, undone_since in reversed_prints[office_id]:
            figures = own[(outcome, reason)]
            figures[0] += undone_inside - inside  # back onto the print's period, off the reversal's
            figures[1] += undone_since - since
        for (outcome, reason), (inside, since) in own.items():
            office["sums"].append(("print", outcome, reason, -inside))
            office["since_start"] -= since
            office["reasons"].add(reason)
    return dict(found)


def _empty() -> dict:
    return {"on_hand": 0, "since_start": 0, "sums": [], "reasons": set()}


def _balances(offices: Select) -> Select:
    return select(
        literal("balance").label("source"),
        BALANCE.c.office_id,
        cast(null(), String).label("kind"),
        cast(null(), String).label("outcome"),
        cast(null(), String).label("reason"),
        cast(BALANCE.c.on_hand, BigInteger).label("a"),
        cast(literal(0), BigInteger).label("b"),
        cast(literal(0), BigInteger).label("c"),
        cast(literal(0), BigInteger).label("d"),
    ).where(BALANCE.c.office_id.in_(offices))


def _lines(offices: Select, start: datetime, end: datetime) -> Select:
    """Every line but prints since `start`, grouped by the column it lands in.

    a: sum since start, b: sum inside the period; for reversals of prints also c: how many
    of the prints they undo were made inside the period, d: how many since start.
    """
    kind = func.coalesce(UNDONE.c.kind, M.c.kind)
    outcome = func.coalesce(UNDONE.c.outcome, M.c.outcome)
    reason = case((kind == "print", UNDONE.c.reason), else_=null())  # adjustments' reasons are free text
    undone_print = UNDONE.c.kind == "print"
    since_undone = UNDONE.c.occurred_at >= start
    inside_undone = since_undone & (UNDONE.c.occurred_at < end)
    return (
        select(
            literal("ledger").label("source"),
            M.c.office_id,
            kind.label("kind"),
            outcome.label("outcome"),
            reason.label("reason"),
            cast(func.sum(M.c.quantity), BigInteger).label("a"),
            cast(func.sum(case((M.c.occurred_at < end, M.c.quantity), else_=0)), BigInteger).label("b"),
            cast(func.sum(case((undone_print & inside_undone, 1), else_=0)), BigInteger).label("c"),
            cast(func.sum(case((undone_print & since_undone, 1), else_=0)), BigInteger).label("d"),
        )
        .select_from(M.outerjoin(UNDONE, and_(M.c.kind == "reversal", UNDONE.c.id == M.c.reverses_id)))
        .where(M.c.office_id.in_(offices), M.c.kind.in_(NOT_PRINTS), M.c.occurred_at >= start)
        .group_by(M.c.office_id, kind, outcome, reason)
    )


def _usage(offices: Select, first: date, last: date) -> Select:
    """daily_usage from `first` on: a, b printed and spoiled in the period; c, d since `first`."""
    inside = USAGE.c.day <= last
    return (
        select(
            literal("usage").label("source"),
            USAGE.c.office_id,
            cast(null(), String).label("kind"),
            cast(null(), String).label("outcome"),
            USAGE.c.reason,
            cast(func.sum(case((inside, USAGE.c.printed), else_=0)), BigInteger).label("a"),
            cast(func.sum(case((inside, USAGE.c.spoiled), else_=0)), BigInteger).label("b"),
            cast(func.sum(USAGE.c.printed), BigInteger).label("c"),
            cast(func.sum(USAGE.c.spoiled), BigInteger).label("d"),
        )
        .where(USAGE.c.office_id.in_(offices), USAGE.c.day >= first)
        .group_by(USAGE.c.office_id, USAGE.c.reason)
    )


def _parents(offices: Select) -> dict[int, list[int]]:
    """The children of each office of `offices`: its usage row holds theirs too."""
    children: dict[int, list[int]] = defaultdict(list)
    for child, parent in db.session.execute(
        select(OFFICE.c.id, OFFICE.c.parent_id).where(OFFICE.c.parent_id.in_(offices))
    ):
        children[parent].append(child)
    return children


def _own_usage(office_id: int, usage: dict, children) -> dict[tuple[str, str], list[int]]:
    """An office's own prints: its usage rows (its subtree's) less its children's."""
    own: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for key, (inside, since) in usage.get(office_id, {}).items():
        own[key][0] += inside
        own[key][1] += since
    for child in children:
        for key, (inside, since) in usage.get(child, {}).items():
            own[key][0] -= inside
            own[key][1] -= since
    return own

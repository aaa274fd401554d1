"""When an office needs an alert, and how bad it is. Pure: figures in, verdicts out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .projection import Projection


@dataclass(frozen=True)
class Verdict:
    kind: str
    severity: str  # "warning" or "critical"
    message: str
    figures: dict


@dataclass(frozen=True)
class Situation:
    code: str
    own_on_hand: int
    min_stock: int
    lead_time_days: int
    target_date: date | None
    projection: Projection
    on_order: int = 0  # approved by requests for blanks, not yet received
    on_order_due: date | None = None  # the earliest needed_by among those requests
    as_of: date | None = None  # the office's today


def verdicts(s: Situation) -> dict[str, Verdict]:
    """Every alert condition that holds now, by kind: one condition, one alert.

    A stock-out says it all: with nothing left, the shortfall, the re-order, the run-out before
    the target date and the empty shelf are the same blanks missing, so it stands alone
    (an alert of those kinds still open resolves, superseded by the stock-out).
    """
    out = stockout(s)
    if out is not None:
        return {out.kind: out}
    rules = (low_stock, projected_shortfall, reorder_now, stockout_before_target, request_overdue)
    found = [rule(s) for rule in rules]
    return {verdict.kind: verdict for verdict in found if verdict is not None}


def low_stock(s: Situation) -> Verdict | None:
    if s.min_stock <= 0 or s.own_on_hand > s.min_stock:
        return None
    severity = "critical" if s.own_on_hand * 2 <= s.min_stock else "warning"
    return Verdict(
        "low_stock",
        severity,
        f"{s.code} holds {s.own_on_hand} blanks, at or below its minimum of {s.min_stock}.",
        {"on_hand": s.own_on_hand, "min_stock": s.min_stock},
    )


def stockout(s: Situation) -> Verdict | None:
    p = s.projection
    if p.remaining > 0 or p.projected_demand <= 0:
        return None
    return Verdict(
        "stockout",
        "critical",
        f"{s.code} has no blanks left (nor any on the way) while {p.projected_demand} are needed.",
        {"remaining": 0, "projected_demand": p.projected_demand},
    )


def projected_shortfall(s: Situation) -> Verdict | None:
    p = s.projection
    if p.shortfall <= 0:
        return None
    severity = "critical" if p.shortfall * 2 >= p.projected_demand else "warning"
    return Verdict(
        "projected_shortfall",
        severity,
        f"{s.code} needs {p.projected_demand} blanks but has {p.remaining}: "
        f"{p.shortfall} short. Suggested order: {p.suggested_order}.",
        {
            "projected_demand": p.projected_demand,
            "remaining": p.remaining,
            "shortfall": p.shortfall,
            "suggested_order": p.suggested_order,
        },
    )


def reorder_now(s: Situation) -> Verdict | None:
    p = s.projection
    if p.days_of_cover is None or s.lead_time_days <= 0 or p.days_of_cover >= s.lead_time_days:
        return None
    if s.on_order > 0 and s.on_order >= p.average_daily_use * s.lead_time_days:
        return None  # already ordered: what is coming covers the re-supply time
    severity = "critical" if p.days_of_cover * 2 < s.lead_time_days else "warning"
    return Verdict(
        "reorder_now",
        severity,
        f"{s.code} has {p.days_of_cover} days of cover, less than the {s.lead_time_days}-day "
        f"re-supply time. Suggested order: {p.suggested_order}.",
        {
            "days_of_cover": p.days_of_cover,
            "lead_time_days": s.lead_time_days,
            "average_daily_use": p.average_daily_use,
            "suggested_order": p.suggested_order,
        },
    )


def request_overdue(s: Situation) -> Verdict | None:
    """Blanks a request was approved for are still owed past its needed_by: chase the supplier."""
    if s.on_order <= 0 or s.on_order_due is None or s.as_of is None or s.on_order_due >= s.as_of:
        return None
    days = (s.as_of - s.on_order_due).days
    return Verdict(
        "request_overdue",
        "critical" if days >= 14 else "warning",
        f"{s.code} still waits for {s.on_order} approved blanks, needed by "
        f"{s.on_order_due.isoformat()}: {days} days overdue.",
        {"on_order": s.on_order, "needed_by": s.on_order_due.isoformat(), "days_overdue": days},
    )


def stockout_before_target(s: Situation) -> Verdict | None:
    p = s.projection
    if s.target_date is None or p.unrecorded <= 0 or p.days_to_target is None or p.days_to_target <= 0:
        return None
    if p.remaining > 0 and (p.stockout_date is None or p.stockout_date >= s.target_date):
        return None
    severity = "critical" if p.remaining == 0 or (p.days_of_cover or 0) < 7 else "warning"
    runs_out = p.stockout_date.isoformat() if p.stockout_date else "now"
    return Verdict(
        "stockout_before_target",
        severity,
        f"{s.code} runs out of blanks on {runs_out}, before the target date "
        f"{s.target_date.isoformat()}, with {p.unrecorded} residents still unrecorded.",
        {
            "stockout_date": runs_out,
            "target_date": s.target_date.isoformat(),
            "unrecorded": p.unrecorded,
            "days_of_cover": p.days_of_cover,
        },
    )


# --- custody: cards awaiting destruction (issue 12 §2) ------------------------------


@dataclass(frozen=True)
class CustodySituation:
    code: str
    awaiting: int  # every category together
    waiting_since: date | None  # the local day the oldest card still held came in
    today: date
    interval_days: int  # destruction_interval_days
    max_pending: int  # destruction_max_pending


def destruction_overdue(s: CustodySituation) -> Verdict | None:
    """Cards have waited longer than the office's interval, or more are waiting than it allows.

    Critical at twice either limit: spoiled cards are security documents (the 2018 leak).
    """
    if s.awaiting <= 0:
        return None
    waited = (s.today - s.waiting_since).days if s.waiting_since else 0
    too_old, too_many = waited > s.interval_days, s.awaiting > s.max_pending
    if not (too_old or too_many):
        return None
    critical = waited > 2 * s.interval_days or s.awaiting > 2 * s.max_pending
    reasons = []
    if too_old:
        reasons.append(f"the oldest has waited {waited} days (limit {s.interval_days})")
    if too_many:
        reasons.append(f"{s.awaiting} are waiting (limit {s.max_pending})")
    return Verdict(
        "destruction_overdue",
        "critical" if critical else "warning",
        f"{s.code} holds {s.awaiting} cards awaiting destruction: {' and '.join(reasons)}.",
        {
            "awaiting": s.awaiting,
            "waiting_since": s.waiting_since.isoformat() if s.waiting_since else None,
            "days_waited": waited,
            "destruction_interval_days": s.interval_days,
            "destruction_max_pending": s.max_pending,
        },
    )

"""Suggested transfers inside a regency: from offices with more cover than they need to those
heading for a shortfall. Pure: positions in, suggestions out.

For each office: need = projected demand over the horizon plus safety days of daily
demand; have = what remains (on hand and in transit to it). Surplus is what exceeds the
need, and only blanks on the office's own shelf can be sent (not those of its mobile
units, nor those still on the road). The neediest office (fewest days of cover, then
largest deficit) is served first, from the largest surplus first, in whole blanks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Position:
    code: str
    have: int  # remaining: on hand in the subtree plus in transit to it
    need: int  # demand over the horizon plus the safety buffer
    shelf: int  # on hand at the office itself: what a transfer can take
    days_of_cover: float | None = None

    @property
    def surplus(self) -> int:
        return max(min(self.have - self.need, self.shelf), 0)

    @property
    def deficit(self) -> int:
        return max(self.need - self.have, 0)


@dataclass
class Suggestion:
    source: str
    destination: str
    quantity: int
    effect: dict = field(default_factory=dict)


def need_for(projected_demand: int, daily_demand: float, safety_days: int) -> int:
    return projected_demand + math.ceil(daily_demand * safety_days - 1e-9)


def suggest(positions: list[Position]) -> tuple[list[Suggestion], int]:
    """Transfers that close deficits from surpluses; returns them and the deficit left uncovered."""
    surplus = {p.code: p.surplus for p in positions}
    have = {p.code: p.have for p in positions}
    by_code = {p.code: p for p in positions}
    neediest = sorted(
        (p for p in positions if p.deficit > 0),
        key=lambda p: (p.days_of_cover if p.days_of_cover is not None else math.inf, -p.deficit),
    )
    suggestions, uncovered = [], 0
    for receiver in neediest:
        missing = receiver.deficit
        for giver in sorted(positions, key=lambda p: -surplus[p.code]):
            if missing == 0 or surplus[giver.code] == 0:
                break
            quantity = min(missing, surplus[giver.code])
            surplus[giver.code] -= quantity
            missing -= quantity
            suggestions.append(Suggestion(giver.code, receiver.code, quantity))
        uncovered += missing
    for s in suggestions:
        have[s.source] -= s.quantity
        have[s.destination] += s.quantity
    for s in suggestions:
        s.effect = {code: _effect(by_code[code], have[code]) for code in (s.source, s.destination)}
    return suggestions, uncovered


def _effect(position: Position, have_after: int) -> dict:
    return {
        "have_before": position.have,
        "have_after": have_after,
        "need": position.need,
        "shortfall_before": position.deficit,
        "shortfall_after": max(position.need - have_after, 0),
    }

"""What the stock books announce; inventory/handlers.py says who acts on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StockMoved:
    """Stock changed at the offices at these paths (and so in every ancestor's subtree).

    Published by every stock verb (books.settle), inside its transaction, after the balances and
    rollups moved; by a single print only when it leaves on_hand at or under the office's
    min_stock (prints._alerts_now): above it, the settler's TotalsSettled names the office.
    """

    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TotalsSettled:
    """The subtree figures of these offices (ancestors of offices whose stock moved) caught
    up with the ledger (stock/settlement.py), just after the movements' own transactions;
    offices that printed since are named too (their projection moved: prints._alerts_now)."""

    office_ids: tuple[int, ...]

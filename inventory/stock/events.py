"""What the stock books announce; inventory/handlers.py says who acts on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StockMoved:
    """Stock changed at the offices at these paths (and so in every ancestor's subtree).

    Published by every stock verb (books.settle), inside its transaction, after the balances and
    rollups moved.
    """

    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustodyChanged:
    """Cards awaiting destruction changed at these offices (custody.py): published inside the
    transaction, after the custody rows moved (alerts: destruction_overdue)."""

    office_ids: tuple[int, ...]

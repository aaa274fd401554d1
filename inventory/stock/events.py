"""What the stock books announce; inventory/handlers.py says who acts on it."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.principal import Principal


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


# Transfers and deliveries, for what is done against them elsewhere (requests for blanks).
# Published for every one, request_id or not; published before the row is written where a
# handler may refuse (so an unknown request_id is refused before its foreign key is), after
# it where the row says which request it was.


@dataclass(frozen=True, slots=True)
class TransferDispatched:
    request_id: int | None
    from_office_id: int
    to_office_id: int
    quantity: int
    actor: Principal
    over_approve: bool = False


@dataclass(frozen=True, slots=True)
class TransferReceived:
    request_id: int | None
    quantity: int
    actor: Principal


@dataclass(frozen=True, slots=True)
class TransferCancelled:
    request_id: int | None
    quantity: int
    actor: Principal


@dataclass(frozen=True, slots=True)
class LossInTransit:
    """A transfer arrived short (receipts.py): the missing blanks were written off at the
    source as `loss_in_transit` (movement_id), inside the receipt's transaction."""

    office_id: int  # the source, whose loss it is
    office_code: str
    office_path: str
    transfer_id: int
    destination_code: str
    sent: int
    counted: int
    serials: tuple[str, ...]  # the missing serial ranges, where the transfer carried serials
    note: str | None
    movement_id: int
    actor: Principal


@dataclass(frozen=True, slots=True)
class DeliveryRecorded:
    request_id: int | None
    office_id: int
    quantity: int
    actor: Principal
    over_approve: bool = False


@dataclass(frozen=True, slots=True)
class CustodyChanged:
    """Cards awaiting destruction changed at these offices (custody.py): published inside the
    transaction, after the custody rows moved (alerts: destruction_overdue)."""

    office_ids: tuple[int, ...]

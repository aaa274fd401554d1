"""The request's rules, as plain functions: which transition is possible from which state, who
may take it, where a request may be addressed, and what a shipment or an arrival does to it.

No Flask, no database: service.py reads the row (locked), asks these, and writes the answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..core.errors import Conflict, Invalid

STATUSES = (
    "draft", "submitted", "approved", "rejected", "partially_fulfilled", "fulfilled", "closed", "cancelled",
)  # fmt: skip
# A request blanks may still be shipped against.
OPEN_FOR_SHIPPING = frozenset({"approved", "partially_fulfilled"})
# Which states each transition leaves from. approve and reject decide the current step of the
# route; only the last step's approval makes the request approved.
TRANSITIONS: dict[str, frozenset[str]] = {
    "submit": frozenset({"draft"}),
    "approve": frozenset({"submitted"}),
    "reject": frozenset({"submitted"}),
    "cancel": frozenset({"draft", "submitted"}),
    "close": frozenset({"approved", "partially_fulfilled"}),
}
# Who acts: the requesting side creates, submits and cancels; the side deciding the current
# step approves and rejects; the supplier closes (the rest will not come).
SIDE = {
    "submit": "requester",
    "cancel": "requester",
    "approve": "step",
    "reject": "step",
    "close": "supplier",
}


@dataclass(frozen=True)
class State:
    """What the rules need of a request."""

    status: str
    quantity: int  # asked
    approved_quantity: int | None  # the latest step's quota
    shipped: int = 0  # dispatched and not called back, plus deliveries
    received: int = 0
    step: int = 0  # the route step awaiting a decision
    steps: int = 1  # how many offices decide, the supplier last


def bad_state(action: str, status: str) -> Conflict:
    return Conflict(
        f"A request that is {status} cannot be {_PAST.get(action, action)}.",
        error="bad_request_state",
        status=status,
        action=action,
    )


_PAST = {"submit": "submitted", "approve": "approved", "reject": "rejected", "cancel": "cancelled",
         "close": "closed", "ship": "shipped against"}  # fmt: skip


def transition(
    state: State, action: str, *, approved_quantity: int | None = None, note: str | None = None
) -> State:
    """The state after `action`, or 409 bad_request_state / 422 for a decision without its reason."""
    if state.status not in TRANSITIONS[action]:
        raise bad_state(action, state.status)
    if action == "submit":
        return replace(state, status="submitted", step=0)
    if action == "cancel":
        return replace(state, status="cancelled")
    if action == "reject":
        _require_note(note, "A rejection needs a note saying why.")
        return replace(state, status="rejected")
    if action == "close":
        _require_note(note, "Closing needs a note saying why the rest will not come.")
        return replace(state, status="closed")
    return _approve(state, approved_quantity, note)


def _approve(state: State, approved_quantity: int | None, note: str | None) -> State:
    """One step approves; each may keep or lower what the step before granted, never raise it."""
    granted_so_far = state.quantity if state.approved_quantity is None else state.approved_quantity
    quantity = granted_so_far if approved_quantity is None else approved_quantity
    if quantity > granted_so_far:
        raise Invalid(
            f"At most {granted_so_far} can be approved: what was asked, or what the step before granted.",
            error="approved_quantity_too_high",
            field="approved_quantity",
            maximum=granted_so_far,
        )
    if quantity < granted_so_far:
        _require_note(note, "A lower quota needs a note saying why.")
    last = state.step + 1 >= state.steps
    return replace(
        state,
        approved_quantity=quantity,
        status="approved" if last else "submitted",
        step=state.step if last else state.step + 1,
    )


def _require_note(note: str | None, message: str) -> None:
    if not note or not note.strip():
        raise Invalid(message, error="note_required", field="note")


# --- fulfilment ------------------------------------------------------------------------


def ship(state: State, quantity: int, *, over_approve: bool = False) -> State:
    """Blanks leave the supplier against the request; more than approved only on over_approve."""
    if state.status not in OPEN_FOR_SHIPPING:
        raise bad_state("ship", state.status)
    assert state.approved_quantity is not None  # approved or partially_fulfilled
    shipped = state.shipped + quantity
    if shipped > state.approved_quantity and not over_approve:
        raise Conflict(
            f"{state.approved_quantity} were approved and {state.shipped} already shipped: "
            f"{quantity} more would ship {shipped - state.approved_quantity} over the quota. "
            "A manager of the supplier may send over_approve: true.",
            error="over_approved",
            approved_quantity=state.approved_quantity,
            shipped=state.shipped,
        )
    return _settled(replace(state, shipped=shipped))


def receive(state: State, quantity: int) -> State:
    """Shipped blanks arrived; the request is fulfilled once what arrived covers the quota.
    A request closed or cancelled meanwhile still counts them, and stays as it is."""
    return _settled(replace(state, received=state.received + quantity))


def call_back(state: State, quantity: int) -> State:
    """A transfer against the request was cancelled: its blanks no longer count as shipped."""
    return _settled(replace(state, shipped=max(state.shipped - quantity, 0)))


def _settled(state: State) -> State:
    if state.status not in OPEN_FOR_SHIPPING | {"fulfilled"} or state.approved_quantity is None:
        return state
    if state.received >= state.approved_quantity:
        return replace(state, status="fulfilled")
    if state.shipped or state.received:
        return replace(state, status="partially_fulfilled")
    return replace(state, status="approved")


def outstanding(state: State) -> int:
    """Approved and not yet received: what the requester still waits for (0 once closed)."""
    if state.approved_quantity is None or state.status not in OPEN_FOR_SHIPPING:
        return 0
    return max(state.approved_quantity - state.received, 0)


# --- addressing ------------------------------------------------------------------------


def parent_path(path: str) -> str | None:
    """ "/1/7/42/" -> "/1/7/"; None for the root."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else None


def is_ancestor(ancestor_path: str, path: str) -> bool:
    return path != ancestor_path and path.startswith(ancestor_path)


def check_supplier(requester_path: str, supplier_path: str) -> str:
    """'ancestor' (the parent, or higher: a regency may write to the national office) or
    'sibling' (a loan between offices with the same parent); else 422 bad_supplier."""
    if is_ancestor(supplier_path, requester_path):
        return "ancestor"
    parent = parent_path(requester_path)
    if parent is not None and supplier_path != requester_path and parent_path(supplier_path) == parent:
        return "sibling"
    raise Invalid(
        "The supplier must be an office above the requester, or a sibling office lending blanks.",
        error="bad_supplier",
        field="supplier",
    )


def check_route(requester_path: str, via_paths: list[str], supplier_path: str) -> None:
    """Offices a request passes through on its way up (a province between a regency and the
    national office): each above the one before it, all between requester and supplier."""
    below = requester_path
    for path in via_paths:
        if not (is_ancestor(path, below) and is_ancestor(supplier_path, path)):
            raise Invalid(
                "`via` lists offices between the requester and the supplier, nearest first.",
                error="bad_route",
                field="via",
            )
        below = path


def needs_justification(quantity: int, suggested: int | None, justification: str | None) -> None:
    """Asking for another quantity than the projection suggests needs a reason (as OpenLMIS does)."""
    if suggested is not None and quantity != suggested and not (justification and justification.strip()):
        raise Invalid(
            f"The projection suggests {suggested}; asking for {quantity} needs a justification.",
            error="justification_required",
            field="justification",
            suggested_quantity=suggested,
        )


# Lead time is measured over the office's last few fulfilled requests, and trusted from three
# on: one slow delivery should not set it, nor should a request of two years ago.
LEAD_TIME_SAMPLE = 5
LEAD_TIME_MIN_REQUESTS = 3


def measured_lead_time(days: list[float]) -> int | None:
    """The median of `days` (submission to first receipt, newest request first) over the last
    LEAD_TIME_SAMPLE, in whole days rounded up (a buffer too short runs out) once measured to
    a tenth of a day (a delivery ten days and a minute later took ten days); None under
    LEAD_TIME_MIN_REQUESTS, when the office's setting stands."""
    recent = sorted(days[:LEAD_TIME_SAMPLE])
    if len(recent) < LEAD_TIME_MIN_REQUESTS:
        return None
    middle = len(recent) // 2
    median = recent[middle] if len(recent) % 2 else (recent[middle - 1] + recent[middle]) / 2
    return max(math.ceil(round(median, 1)), 0)

"""What requests for blanks announce; inventory/handlers.py says who acts on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The transitions someone outside the request's two offices' screens wants to hear about:
# the deciding office that a request awaits it, the requester what became of it.
REQUEST_EVENTS = ("request_submitted", "request_approved", "request_rejected", "request_fulfilled")


@dataclass(frozen=True, slots=True)
class RequestChanged:
    """A request came to await an office's decision (request_submitted: when submitted, and
    again when a step of its route passes it on), or was approved by its last step, rejected
    or fulfilled, inside the transaction that did it. The figures are the request's as stored
    now, with its offices' codes and paths, so that no handler has to read them again.

    `notify_path` is the office whose area hears it: the one whose decision it awaits for
    request_submitted (the supplier, unless the request is routed through offices between),
    the requester's for the others.
    """

    event: str  # one of REQUEST_EVENTS
    request_id: int
    office_code: str  # who asks
    office_path: str
    supplier_code: str
    supplier_path: str
    status: str
    quantity: int  # asked
    approved_quantity: int | None
    shipped: int
    received: int
    needed_by: date | None
    note: str | None  # the transition's note (a decision's reason); None for a fulfilment
    awaiting_code: str | None = None  # the office whose decision it awaits, while submitted
    awaiting_path: str | None = None

    @property
    def notify_path(self) -> str:
        if self.event == "request_submitted" and self.awaiting_path:
            return self.awaiting_path
        return self.office_path

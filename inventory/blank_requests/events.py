"""What requests for blanks announce; inventory/handlers.py says who acts on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The transitions someone outside the request's two offices' screens wants to hear about:
# the supplier that a request awaits it, the requester what became of it.
REQUEST_EVENTS = ("request_submitted", "request_approved", "request_rejected", "request_fulfilled")


@dataclass(frozen=True, slots=True)
class RequestChanged:
    """A request was submitted, approved (by its last step), rejected or fulfilled (`event`),
    inside the transaction that did it. The figures are the request's as stored now, with its
    offices' codes and paths, so that no handler has to read them again.

    `notify_path` is the office whose area hears it: the supplier's for request_submitted,
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
    note: str | None  # the decision's note (approve, reject); None otherwise

    @property
    def notify_code(self) -> str:
        return self.supplier_code if self.event == "request_submitted" else self.office_code

    @property
    def notify_path(self) -> str:
        return self.supplier_path if self.event == "request_submitted" else self.office_path

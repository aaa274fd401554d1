"""What planning announces; inventory/handlers.py says who acts on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class AlertChanged:
    """An alert opened, escalated or resolved (`event`), inside the transaction that did it.

    `alert` is the Alert row as stored now; the office's code and path travel with it so
    that no handler has to read them again.
    """

    alert: Any  # planning.models.Alert (typed loosely: events.py imports no tables)
    event: str  # "opened" | "escalated" | "resolved"
    office_code: str
    office_path: str

"""What the office tree announces; inventory/handlers.py says who acts on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OfficeOpened:
    """A new office exists (flushed, not yet committed): it needs its books."""

    office_id: int


@dataclass(frozen=True, slots=True)
class PlanningSettingsChanged:
    """A threshold or planning setting of the office at `path` changed: its alerts may too."""

    path: str

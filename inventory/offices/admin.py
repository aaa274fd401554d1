"""An admin's changes to the office tree, each recorded in the audit log in its own transaction.

Creating, renaming, closing and reopening an office, moving it to another time zone and
importing the official regions go through here (API, dashboard and CLI alike). A manager's
settings (thresholds, planning) also pass through `update`, but are not admin changes and
are not recorded.
"""

from __future__ import annotations

from typing import Any

from ..audit.log import Actor, record
from . import regions, tree
from .models import Office

# Fields only admins change, and the audit kind each change is recorded as.
ADMIN_FIELDS = ("name", "active", "time_zone")


def create(actor: Actor, **fields: Any) -> Office:
    """A new office (tree.create), recorded as office.created."""
    office = tree.create(**fields)
    record(
        actor,
        "office.created",
        office.code,
        after={
            "name": office.name,
            "kind": office.kind,
            "parent": office.parent.code if office.parent else None,
            "time_zone": office.time_zone,
        },
    )
    return office


def update(actor: Actor, office: Office, changes: dict[str, Any]) -> Office:
    """Change an office's fields (tree.update); each admin field that really changed is recorded."""
    before = {name: getattr(office, name) for name in ADMIN_FIELDS if name in changes}
    tree.update(office, changes)
    for name, old in before.items():
        new = getattr(office, name)
        if new == old:
            continue  # a PATCH that repeats the current value changed nothing to record
        record(actor, _kind(name, new), office.code, before={name: old}, after={name: new})
    return office


def _kind(field: str, value: Any) -> str:
    if field == "active":
        return "office.reopened" if value else "office.closed"
    return {"name": "office.renamed", "time_zone": "office.time_zone_changed"}[field]


def import_regions(actor: Actor, under: str | None) -> tuple[int, int]:
    """The official regions under a province or regency code (all of them for None); recorded
    with how many offices were created, when any were."""
    created, existing = regions.import_regions(under)
    if created:
        record(
            actor,
            "office.regions_imported",
            under or regions.NATIONAL_CODE,
            after={"created": created, "already_present": existing},
        )
    return created, existing

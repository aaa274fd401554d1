"""Who is asking: the authenticated user, as much of it as any check needs. Pure: the
permission rules (inventory/auth/permissions.py) take it without Flask."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: str
    office_id: int | None
    office_code: str | None
    office_path: str | None  # materialised path of the user's office, e.g. "/1/7/"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

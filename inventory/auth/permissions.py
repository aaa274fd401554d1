"""Who may do what, where. Pure functions of the principal: no database, no Flask."""

from __future__ import annotations

from ..core.errors import Forbidden
from ..core.principal import Principal

READ = "read"
DELIVER = "deliver"
TRANSFER = "transfer"
PRINT = "print"
ADJUST = "adjust"
REVERSE = "reverse"
SET_THRESHOLD = "set_threshold"
MANAGE_OFFICES = "manage_offices"
MANAGE_USERS = "manage_users"
READ_AUDIT = "read_audit"  # admins only, like managing offices and users
ACKNOWLEDGE = "acknowledge"
PLAN = "plan"  # projections, population figures, redistribution
SUBSCRIBE = "subscribe"  # alert notifications for an area
REQUEST_BLANKS = "request_blanks"  # create, submit and cancel requests for blanks
DECIDE_REQUESTS = "decide_requests"  # approve, reject and close requests addressed to the area
OVER_APPROVE = "over_approve"  # ship more than a request's quota
DESTROY = "destroy"  # draft, sign and report berita acara pemusnahan; the letterhead they print on
# Who may plan a transfer from an office, or call off a planned one: who decides (managers:
# PLAN) or who sends (warehouse: TRANSFER). Only TRANSFER dispatches it (stock/planned.py).
PLANNERS = (PLAN, TRANSFER)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "manager": frozenset(
        {
            READ,
            ADJUST,
            REVERSE,
            SET_THRESHOLD,
            ACKNOWLEDGE,
            SUBSCRIBE,
            PLAN,
            REQUEST_BLANKS,
            DECIDE_REQUESTS,
            OVER_APPROVE,
            DESTROY,
        }
    ),
    "warehouse": frozenset({READ, DELIVER, TRANSFER}),
    "operator": frozenset({READ, PRINT}),
}


def in_area(principal: Principal, office_path: str) -> bool:
    """An area is the user's office and everything below it; admins see everything."""
    if principal.is_admin:
        return True
    if principal.office_path is None:
        return False
    return office_path.startswith(principal.office_path)


def may(principal: Principal, action: str, office_path: str | None = None) -> bool:
    if principal.is_admin:
        return True
    if action not in ROLE_ACTIONS.get(principal.role, frozenset()):
        return False
    return office_path is None or in_area(principal, office_path)


def require(principal: Principal, action: str, office_path: str | None = None) -> None:
    if not may(principal, action, office_path):
        if office_path is not None and may(principal, action):
            raise Forbidden("This office is outside your area.", error="outside_area")
        raise Forbidden(f"Your role ({principal.role}) may not {action.replace('_', ' ')}.")


def require_any(principal: Principal, actions: tuple[str, ...], office_path: str) -> None:
    """May do one of `actions` here (planning a transfer: PLAN or TRANSFER); refused as `require`
    refuses the first, or as outside the area where a role has one of them elsewhere."""
    if any(may(principal, action, office_path) for action in actions):
        return
    held = next((action for action in actions if may(principal, action)), actions[0])
    require(principal, held, office_path)

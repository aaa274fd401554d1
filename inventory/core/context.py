"""The principal of the request being served.

Set by inventory.auth.tokens.authenticate before every API view; read by the routes that
check permissions, the services that record an actor, and Idempotency-Key replay, which
keeps keys per user.
"""

from __future__ import annotations

from flask import g

from .principal import Principal


def current_principal() -> Principal:
    return g.principal


def set_principal(principal: Principal) -> None:
    g.principal = principal

"""Bearer tokens: random, shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets

from flask import request
from sqlalchemy import bindparam, select

from ..core.context import set_principal
from ..core.db import connection, db, utcnow
from ..core.errors import Unauthorized
from ..core.principal import Principal
from ..offices.models import Office
from .models import ApiToken, User

TOKEN_PREFIX = "blk_"


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: there is
    # nothing to brute-force, unlike a password.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """Create a token for `user` (caller commits) and return it: the only time it is seen."""
    return new_token(user)[1]


def new_token(user: User) -> tuple[ApiToken, str]:
    """The token's row (flushed: it has its id) and the token itself (caller commits)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:12])
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_tokens(user: User) -> int:
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)


# Every request runs this lookup, so it is built once, on the tables (Core): building the
# statement and going through the ORM cost several times what running it does (bench/).
_U, _T, _O = User.__table__, ApiToken.__table__, Office.__table__
PRINCIPAL_BY_TOKEN_HASH = (
    select(_U.c.id, _U.c.name, _U.c.role, _U.c.office_id, _O.c.code, _O.c.path)
    .join(_T, _T.c.user_id == _U.c.id)
    .outerjoin(_O, _O.c.id == _U.c.office_id)
    .where(_T.c.token_hash == bindparam("token_hash"), _T.c.revoked_at.is_(None), _U.c.active.is_(True))
)


def principal_for_token(token: str) -> Principal | None:
    row = connection().execute(PRINCIPAL_BY_TOKEN_HASH, {"token_hash": hash_token(token)}).first()
    return Principal(*row) if row else None


def authenticate() -> None:
    """before_request hook for /api/v1: every route needs a valid token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send `Authorization: Bearer <token>`.", error="missing_token")
    principal = principal_for_token(token.strip())
    if principal is None:
        raise Unauthorized("The token is unknown, revoked or its user is disabled.", error="bad_token")
    set_principal(principal)

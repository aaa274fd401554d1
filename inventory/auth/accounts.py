"""A person's account: checking a log-in, changing one's own password (an admin's changes to
users are in users.py).

Every change that should end a person's sessions ends them here, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.db import db
from ..core.errors import Invalid
from . import passwords, sessions
from .models import User
from .tokens import revoke_tokens

# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


@dataclass(frozen=True)
class Credentials:
    user_id: int
    password_hash: str


def check_login(name: str, password: str) -> Credentials | None:
    """The user, if the name and password match an active user that has a password."""
    row = db.session.execute(
        select(User.id, User.password_hash).where(
            User.name == name, User.active.is_(True), User.password_hash.is_not(None)
        )
    ).first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password):
        return None
    return Credentials(row.id, row.password_hash)


def require_acceptable(password: str, user_name: str) -> None:
    """422 `weak_password` unless the password passes the rules (auth/passwords.py)."""
    found = passwords.problems(password, user_name)
    if found:
        message = f"The password is not acceptable: {', '.join(found)}."
        raise Invalid(message, error="weak_password", problems=found)


def hash_password(password: str, user_name: str) -> str:
    require_acceptable(password, user_name)
    return generate_password_hash(password)


def change_password(
    user_id: int, current: str, new: str, *, session_key: str | None, revoke_api_tokens: bool = False
) -> bool:
    """Set a new password if `current` is right (caller commits); False if it is not.

    Every session of the user but `session_key` ends, and with `revoke_api_tokens` every API
    token too: a password is changed because someone else may know it.
    """
    user = db.session.get(User, user_id)
    if user is None or check_login(user.name, current) is None:
        return False
    new_hash = hash_password(new, user.name)
    db.session.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
    sessions.end_all(user_id, keep=session_key)
    if session_key is not None:
        sessions.refingerprint(session_key, new_hash)
    if revoke_api_tokens:
        revoke_tokens(user)
    return True

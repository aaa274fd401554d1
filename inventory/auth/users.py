"""Admins manage users: create them, change their role or office, disable them, reset their
password, issue and revoke their API tokens. Every change is recorded in the audit log in the
same transaction (caller commits); the record holds no password, hash or token.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..audit.log import Actor, record
from ..core.db import db, utcnow
from ..core.errors import Conflict, Invalid, NotFound
from ..offices import tree
from ..offices.models import Office
from . import accounts, sessions
from .models import ApiToken, User
from .tokens import new_token


def get(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.", error="user_not_found")
    return user


def by_name(name: str) -> User:
    user = db.session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"No user {name!r}.", error="user_not_found")
    return user


def list_users(
    *,
    page: int,
    per_page: int,
    role: str | None = None,
    office: str | None = None,
    active: bool | None = None,
) -> tuple[list[User], int]:
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    if office:
        stmt = stmt.where(User.office_id == tree.get_by_code(office).id)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(stmt.order_by(User.name).limit(per_page).offset((page - 1) * per_page))
    return list(rows.scalars()), total


def _summary(user: User) -> dict[str, Any]:
    return {"role": user.role, "office": user.office.code if user.office else None, "active": user.active}


def _office_for(role: str, office_code: str | None) -> Office | None:
    office = tree.get_by_code(office_code) if office_code else None
    if office is None and role != "admin":
        raise Invalid(f"A {role} works at an office: give its code.", error="office_required", field="office")
    return office


def create(
    actor: Actor, *, name: str, role: str, office: str | None = None, password: str | None = None
) -> User:
    """A new, active user; with a password it can log in to the dashboard (else API tokens only)."""
    user = User(name=name, role=role, office=_office_for(role, office), active=True)
    if password:
        user.password_hash = accounts.hash_password(password, name)
    if _name_taken(name):
        raise Conflict(f"User {name!r} already exists.", error="user_exists")
    try:
        with db.session.begin_nested():  # a concurrent creation of the name fails here, not at commit
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        if _name_taken(name):
            raise Conflict(f"User {name!r} already exists.", error="user_exists") from None
        raise
    record(actor, "user.created", name, after={**_summary(user), "password_set": password is not None})
    return user


def _name_taken(name: str) -> bool:
    return db.session.execute(select(User.id).where(User.name == name)).first() is not None


def _not_yourself(actor: Actor, user: User, what: str) -> None:
    # An admin who demotes or disables themself may leave no admin at all: another admin does it.
    if actor.user_id == user.id:
        raise Conflict(f"You may not {what} your own account; another admin may.", error="own_account")


def change(actor: Actor, user: User, changes: dict[str, Any]) -> User:
    """Role and office (recorded as user.role_changed), active (user.disabled / user.enabled).
    Disabling ends the user's sessions at once; its tokens stop working while it lasts."""
    role = changes.get("role", user.role)
    office_code = changes.get("office", user.office.code if user.office else None)
    before = _summary(user)
    if (role, office_code) != (before["role"], before["office"]):
        _not_yourself(actor, user, "change the role of")
        user.office = _office_for(role, office_code)
        user.role = role
        db.session.flush()
        after = _summary(user)
        record(
            actor,
            "user.role_changed",
            user.name,
            before={"role": before["role"], "office": before["office"]},
            after={"role": after["role"], "office": after["office"]},
        )
    active = changes.get("active", user.active)
    if active != user.active:
        _not_yourself(actor, user, "disable")
        user.active = active
        ended = 0 if active else sessions.end_all(user.id)
        db.session.flush()
        kind = "user.enabled" if active else "user.disabled"
        record(
            actor,
            kind,
            user.name,
            before={"active": not active},
            after={"active": active, **({} if active else {"sessions_ended": ended})},
        )
    return user


def reset_password(actor: Actor, user: User, password: str) -> None:
    """Set a new password (the password rules apply): every session of the user ends."""
    new_hash = accounts.hash_password(password, user.name)
    db.session.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
    ended = sessions.end_all(user.id)
    record(actor, "user.password_reset", user.name, after={"sessions_ended": ended})


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        ).scalars()
    )


def issue(actor: Actor, user: User) -> tuple[ApiToken, str]:
    """A new API token for the user: the row, and the token itself, which is never seen again."""
    if not user.active:
        raise Conflict(f"User {user.name!r} is disabled: enable it first.", error="user_disabled")
    row, token = new_token(user)
    record(actor, "token.issued", user.name, after={"token_id": row.id})
    return row, token


def revoke(actor: Actor, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens; revoking it again changes (and records) nothing."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"User {user.name!r} has no token {token_id}.", error="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record(actor, "token.revoked", user.name, before={"token_id": token.id, "revoked": False},
               after={"token_id": token.id, "revoked": True})  # fmt: skip
    return token


def revoke_all(actor: Actor, user: User) -> int:
    """Revoke every token of the user still in force (the CLI's `users revoke`)."""
    live = [token for token in tokens_of(user) if token.revoked_at is None]
    for token in live:
        revoke(actor, user, token.id)
    return len(live)

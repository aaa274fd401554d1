"""Users, their API tokens, and the audit log: admins only (everyone else: 403)."""

from __future__ import annotations

from flask.views import MethodView

from ..audit import log
from ..audit.log import Actor
from ..core.context import current_principal
from ..core.parsing import Blueprint
from ..core.unit_of_work import idempotent, writes
from . import permissions, users
from .schemas import (
    AuditPageSchema,
    AuditQuerySchema,
    IssuedTokenSchema,
    PasswordResetSchema,
    TokenListSchema,
    UserCreateSchema,
    UserPageSchema,
    UserQuerySchema,
    UserSchema,
    UserUpdateSchema,
)

blp = Blueprint("users", __name__, description="Admins manage users and their API tokens.")
audit_blp = Blueprint(
    "audit",
    __name__,
    description="Every admin change (offices, users, tokens): who, when, what changed. Append-only.",
)


def _admin(action: str = permissions.MANAGE_USERS) -> Actor:
    principal = current_principal()
    permissions.require(principal, action)
    return Actor.of(principal)


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQuerySchema(), location="query")
    @blp.response(200, UserPageSchema)
    def get(self, query):
        """List users, by role, office and whether active."""
        _admin()
        items, total = users.list_users(**query)
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}

    # Not keyed (no Idempotency-Key): the body may hold a password, and a key's fingerprint
    # would keep a fast hash of it. A retry of a creation that went through gets 409 user_exists.
    @blp.arguments(UserCreateSchema())
    @blp.response(201, UserSchema)
    @writes
    def post(self, data):
        """Create a user with a role and an office (and a password for the dashboard)."""
        return users.create(_admin(), **data)


@blp.route("/users/<id32:user_id>")
class UserDetail(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user."""
        _admin()
        return users.get(user_id)

    @blp.arguments(UserUpdateSchema(), required=False)
    @idempotent
    @blp.response(200, UserSchema)
    @writes
    def patch(self, changes, user_id):
        """Change a user's role or office, disable (sessions end at once) or enable it."""
        actor = _admin()
        return users.change(actor, users.get(user_id), changes)


@blp.route("/users/<id32:user_id>/password", methods=["PUT"])
@blp.arguments(PasswordResetSchema())
@blp.response(204)  # not keyed, for the reason creation is not; setting it again is harmless
@writes
def reset_password(data, user_id):
    """Set a user's password (the password rules apply); every session of the user ends."""
    actor = _admin()
    users.reset_password(actor, users.get(user_id), data["password"])


@blp.route("/users/<id32:user_id>/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenListSchema)
    def get(self, user_id):
        """The user's API tokens, newest first (their ids and dates: a token is never shown again)."""
        _admin()
        return {"items": users.tokens_of(users.get(user_id))}

    # Not keyed: a kept answer would keep the token in the database, and a retry that replayed it
    # would show it twice. A retry issues another token; the unused one can be revoked.
    @blp.response(201, IssuedTokenSchema)
    @writes
    def post(self, user_id):
        """Issue an API token: the answer carries it this once."""
        actor = _admin()
        row, token = users.issue(actor, users.get(user_id))
        return {"id": row.id, "created_at": row.created_at, "revoked_at": None, "token": token}


@blp.route("/users/<id32:user_id>/tokens/<id32:token_id>", methods=["DELETE"])
@idempotent
@blp.response(204)
@writes
def revoke_token(user_id, token_id):
    """Revoke one token; it stops working at once. Repeating it is harmless."""
    actor = _admin()
    users.revoke(actor, users.get(user_id), token_id)


@audit_blp.route("/audit")
@audit_blp.arguments(AuditQuerySchema(), location="query")
@audit_blp.response(200, AuditPageSchema)
def audit(query):
    """The audit log, newest first, by kind, actor, subject and time."""
    _admin(permissions.READ_AUDIT)
    items = log.entries(**query)
    return {"items": items, "next_before": items[-1].id if len(items) == query["limit"] else None}

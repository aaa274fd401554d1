"""Request and response shapes for users, their tokens and the audit log."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ..audit.log import KINDS
from ..core.schemas import CODE, Strict, StrictBoolean, UtcDateTime, cursor
from .models import ROLES

USER_NAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$",
    error="Use 1-80 letters, digits, dots, dashes, underscores or @, starting with a letter or digit.",
)


class UserCreateSchema(Strict):
    name = fields.String(required=True, validate=USER_NAME, metadata={"example": "kasir_baamang"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    office = fields.String(
        load_default=None,
        allow_none=True,
        validate=CODE,
        metadata={"description": "The office the user works at: required unless the role is admin."},
    )
    password = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=200),
        load_only=True,
        metadata={"description": "For the dashboard (stored hashed); none: API tokens only."},
    )


class UserUpdateSchema(Strict):
    role = fields.String(validate=validate.OneOf(ROLES))
    office = fields.String(allow_none=True, validate=CODE)
    active = StrictBoolean(metadata={"description": "false disables: sessions end, tokens stop working."})


class PasswordResetSchema(Strict):
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        load_only=True,
        metadata={"description": "12 to 200 characters, not a common password, not containing the name."},
    )


class UserSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    office = fields.Function(lambda user: user.office.code if user.office else None, allow_none=True)
    active = fields.Boolean()
    has_password = fields.Function(lambda user: user.password_hash is not None)
    created_at = UtcDateTime()


class UserQuerySchema(Strict):
    role = fields.String(validate=validate.OneOf(ROLES))
    office = fields.String(validate=CODE)
    active = fields.Boolean()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class UserPageSchema(ma.Schema):
    items = fields.List(fields.Nested(UserSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class TokenSchema(ma.Schema):
    id = fields.Integer()
    created_at = UtcDateTime()
    revoked_at = UtcDateTime(allow_none=True)


class TokenListSchema(ma.Schema):
    items = fields.List(fields.Nested(TokenSchema))


class IssuedTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "The token itself: shown this once, never again."})


class AuditQuerySchema(Strict):
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)))
    actor = fields.String(
        validate=validate.Length(min=1, max=120),
        metadata={"description": "A user name, or cli:<OS user> for the command line."},
    )
    subject = fields.String(
        validate=validate.Length(min=1, max=200), metadata={"description": "An office code or a user name."}
    )
    since = UtcDateTime(metadata={"description": "at or after"})
    until = UtcDateTime(metadata={"description": "before"})
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AuditEntrySchema(ma.Schema):
    id = fields.Integer()
    at = UtcDateTime()
    actor = fields.String()
    actor_id = fields.Integer(allow_none=True, metadata={"description": "None for the command line."})
    kind = fields.String(metadata={"enum": list(KINDS)})
    subject = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditPageSchema(ma.Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    next_before = fields.Integer(
        allow_none=True, metadata={"description": "Pass as `before` for the next page."}
    )

"""The admins' forms: users, offices, regions (admin_users.py, admin_offices.py). Each carries
a CSRF token (Flask-WTF); the limits match the API's schemas (auth/schemas.py, stock/schemas.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from ..auth import passwords
from .forms import trimmed

USER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$"  # as the API's (auth/schemas.py)


def password_problems(password: str, user_name: str) -> str | None:
    found = passwords.problems(password or "", user_name)
    messages = {
        passwords.TOO_SHORT: _l("Use 12 to 200 characters."),
        passwords.TOO_LONG: _l("Use 12 to 200 characters."),
        passwords.COMMON: _l(
            "This password is too common: choose one that is not on lists of leaked passwords."
        ),
        passwords.CONTAINS_NAME: _l("The password may not contain the user name."),
    }
    return " ".join(dict.fromkeys(str(messages[problem]) for problem in found)) or None


class UserCreateForm(FlaskForm):
    name = StringField(
        _l("User name"),
        filters=[trimmed],
        validators=[
            DataRequired(),
            Regexp(
                USER_NAME_PATTERN, message=_l("Letters, digits, dots, dashes, underscores or @, up to 80.")
            ),
        ],
    )
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    office = StringField(
        _l("Office code (empty for an administrator)"),
        filters=[trimmed],
        validators=[Optional(), Length(max=32)],
    )
    password = PasswordField(
        _l("Password for the dashboard (optional)"), validators=[Optional(), Length(max=200)]
    )

    def validate_password(self, field) -> None:
        problems = field.data and password_problems(field.data, self.name.data or "")
        if problems:
            raise ValidationError(problems)


class UserChangeForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    office = StringField(
        _l("Office code (empty for an administrator)"),
        filters=[trimmed],
        validators=[Optional(), Length(max=32)],
    )


class PasswordResetForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )

    def __init__(self, *args, user_name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_name = user_name

    def validate_new(self, field) -> None:
        problems = password_problems(field.data, self.user_name)
        if problems:
            raise ValidationError(problems)


class OfficeCreateForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[trimmed],
        validators=[
            DataRequired(),
            Regexp(
                r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,31}$", message=_l("Use 1-32 letters, digits, dots or dashes.")
            ),
        ],
    )
    name = StringField(_l("Name"), filters=[trimmed], validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])


class ActiveForm(FlaskForm):
    """Disable or enable a user, close or reopen an office: the state wanted, not a toggle, so a
    form sent twice (a double click, a reload) does not undo itself."""

    active = HiddenField(validators=[DataRequired(), AnyOf(["0", "1"])])


class RenameForm(FlaskForm):
    name = StringField(_l("New name"), filters=[trimmed], validators=[DataRequired(), Length(max=200)])


class RegionImportForm(FlaskForm):
    under = StringField(
        _l("Province or regency code"),
        filters=[trimmed],
        validators=[
            DataRequired(),
            Regexp(r"^[0-9]{2}(\.[0-9]{2})?$", message=_l("A province (62) or regency (62.02) code.")),
        ],
    )

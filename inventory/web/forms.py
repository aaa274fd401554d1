"""Every dashboard form. Each carries a CSRF token (Flask-WTF); the limits match the API's schemas."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..auth import passwords
from ..stock.serials import NotationError, parse_notations
from .labels import PRINT_OUTCOMES, PRINT_REASONS


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in labels.items()]


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _trimmed(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SerialsField(StringField):
    """Serial ranges as typed ("KTP0001003, KTP0001007-KTP0001009"), read into ranges; empty: None."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.text, self.data = self.data, None
        if self.text and self.text.strip():
            if len(self.text) > 10_000:
                raise ValueError(_l("Too long: name the missing serials in ranges."))
            try:
                self.data = parse_notations([self.text])
            except NotationError as error:
                raise ValueError(str(error)) from None

    def _value(self) -> str:
        return getattr(self, "text", None) or ""


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )
    revoke_tokens = BooleanField(_l("Also revoke my API tokens (programs using them must get a new one)"))

    def __init__(self, *args, user_name: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_name = user_name

    def validate_new(self, field) -> None:
        found = passwords.problems(field.data or "", self.user_name)
        messages = {
            passwords.TOO_SHORT: _l("Use 12 to 200 characters."),
            passwords.TOO_LONG: _l("Use 12 to 200 characters."),
            passwords.COMMON: _l(
                "This password is too common: choose one that is not on lists of leaked passwords."
            ),
            passwords.CONTAINS_NAME: _l("The password may not contain your user name."),
        }
        if found:
            raise ValidationError(" ".join(dict.fromkeys(str(messages[problem]) for problem in found)))


class PostForm(FlaskForm):
    """A button and its CSRF token: log out, receive or cancel a transfer."""


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class OnceForm(FlaskForm):
    """A stock form; its nonce makes a double click or a resent form record nothing twice."""

    nonce = HiddenField(default=new_nonce, validators=[DataRequired(), Length(min=8, max=64)])


class DeliveryForm(OnceForm):
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    document_no = StringField(_l("Document no. (BAST)"), validators=[Optional(), Length(max=100)])
    batch_no = StringField(_l("Batch no."), validators=[Optional(), Length(max=100)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class PrintForm(OnceForm):
    outcome = SelectField(_l("Outcome"), choices=lambda: choices(PRINT_OUTCOMES), validators=[DataRequired()])
    reason = SelectField(_l("Reason"), choices=lambda: choices(PRINT_REASONS), validators=[DataRequired()])


class TransferForm(OnceForm):
    destination = SelectField(_l("To office"), choices=[], validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class StocktakeForm(OnceForm):
    counted = IntegerField(
        _l("Blanks counted"), validators=[InputRequired(), NumberRange(min=0, max=100_000_000)]
    )
    # Trimmed before it is measured: three spaces and a letter are not a reason (as in the API).
    reason = StringField(
        _l("Reason"), filters=[_trimmed], validators=[DataRequired(), Length(min=3, max=500)]
    )
    # Offered only once a count turns out to differ a lot from the books (stock/count_rules.py).
    confirm = BooleanField(_l("Yes, the count is right: record this difference"))
    difference: dict | None = None  # books, counted and difference, while confirmation is asked


class AcknowledgeForm(FlaskForm):
    note = StringField(_l("Note"), filters=[_trimmed], validators=[DataRequired(), Length(max=2000)])


class ReceiptForm(FlaskForm):
    """Receiving a transfer: how many actually arrived (all, when left empty), and why not."""

    counted = IntegerField(
        _l("Blanks that arrived"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    note = StringField(_l("Note"), filters=[_trimmed], validators=[Optional(), Length(max=400)])
    missing_serials = SerialsField(_l("Missing serials"))


class CounterForm(OnceForm):
    """The counter's one form: the reason stays chosen, the button pressed is the outcome."""

    reason = RadioField(_l("Reason"), choices=lambda: choices(PRINT_REASONS), validators=[DataRequired()])
    outcome = HiddenField(validators=[DataRequired(), AnyOf(list(PRINT_OUTCOMES))])


class UndoForm(OnceForm):
    movement = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**63 - 1)])


DAY_MAX_CARDS = 1000  # as many as one batch of the API takes


def day_field(reason: str, outcome: str) -> str:
    return f"{outcome}_{reason}"


class DayForm(OnceForm):
    """End of day: the day's cards by reason and outcome, for offices that log after printing in SIAK."""

    day = DateField(_l("Day"), validators=[InputRequired()])

    def counts(self) -> dict[tuple[str, str], int]:
        return {
            (reason, outcome): self[day_field(reason, outcome)].data or 0
            for reason in PRINT_REASONS
            for outcome in PRINT_OUTCOMES
        }

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        total = sum(self.counts().values())
        if not 1 <= total <= DAY_MAX_CARDS:
            self.day.errors.append(str(_l("Count between 1 and %(n)s cards.", n=DAY_MAX_CARDS)))
            return False
        return True


for _reason in PRINT_REASONS:
    for _outcome in PRINT_OUTCOMES:
        setattr(
            DayForm,
            day_field(_reason, _outcome),
            IntegerField(validators=[Optional(), NumberRange(min=0, max=DAY_MAX_CARDS)]),
        )


class SettingsForm(FlaskForm):
    """An office's thresholds and planning settings; the limits are the API's (OfficeUpdateSchema)."""

    min_stock = IntegerField(
        _l("Minimum stock"), validators=[InputRequired(), NumberRange(min=0, max=10_000_000)]
    )
    target_date = DateField(_l("Target date (e.g. election day)"), validators=[Optional()])
    lead_time_days = IntegerField(
        _l("Re-supply time (days)"), validators=[InputRequired(), NumberRange(min=0, max=365)]
    )
    safety_days = IntegerField(_l("Safety days"), validators=[InputRequired(), NumberRange(min=0, max=365)])
    print_capacity_per_day = IntegerField(
        _l("Print capacity (cards a day)"), validators=[Optional(), NumberRange(min=1, max=100_000)]
    )
    public_quantity = BooleanField(_l("Show residents the number of blanks on the public board"))
    public_stale_days = IntegerField(
        _l("Days before the public board says “not updated”"),
        validators=[InputRequired(), NumberRange(min=1, max=365)],
    )


class RequestForm(OnceForm):
    """A new request for blanks, pre-filled from the projection's suggestion."""

    supplier = SelectField(_l("Ask"), choices=[], validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    justification = TextAreaField(
        _l("Justification"), filters=[_trimmed], validators=[Optional(), Length(min=3, max=2000)]
    )
    needed_by = DateField(_l("Needed by"), validators=[Optional()])
    emergency = BooleanField(_l("Emergency"))


class ApproveForm(FlaskForm):
    """A quota at the current step; the service refuses a lower one without a note."""

    approved_quantity = IntegerField(
        _l("Quota"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)]
    )
    note = StringField(_l("Note"), filters=[_trimmed], validators=[Optional(), Length(min=3, max=2000)])


class DecisionForm(FlaskForm):
    """Submit, cancel or reject: a note, which a rejection needs (the service says so)."""

    note = StringField(_l("Note"), filters=[_trimmed], validators=[Optional(), Length(min=3, max=2000)])

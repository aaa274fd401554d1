"""Every dashboard form. Each carries a CSRF token (Flask-WTF); the limits match the API's schemas."""

from __future__ import annotations

import re
import secrets

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from marshmallow import ValidationError as SchemaError
from marshmallow.validate import Email
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
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
from ..core.schemas import EARLIEST, LATEST
from ..planning.population_csv import MAX_FIGURE
from ..stock.serials import NotationError, parse_notations, parse_one
from .labels import ALERT_KINDS, CHANNELS, DESTRUCTION_METHODS, PRINT_OUTCOMES, PRINT_REASONS, RETURN_REASONS


class IntegerField(wtforms.IntegerField):
    """ASCII digits, as the API's JSON integers: Python's int() also reads "1_000" and digits of
    other scripts, which no number field of a browser sends."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and isinstance(valuelist[0], str):
            text = valuelist[0].strip()
            if text and not re.fullmatch(r"[+-]?[0-9]+", text):
                self.data = None
                raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class DateField(wtforms.DateField):
    """A day of the API's calendar (core.schemas.Day): outside it, a typing slip the API refuses."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            raise ValidationError(_l("Choose a day from %(first)s to %(last)s.", first=EARLIEST, last=LATEST))


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in labels.items()]


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def trimmed(value: str | None) -> str | None:
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


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes (the template draws each)."""


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
    reason = StringField(_l("Reason"), filters=[trimmed], validators=[DataRequired(), Length(min=3, max=500)])
    # Offered only once a count turns out to differ a lot from the books (stock/count_rules.py).
    confirm = BooleanField(_l("Yes, the count is right: record this difference"))
    difference: dict | None = None  # books, counted and difference, while confirmation is asked


class AcknowledgeForm(FlaskForm):
    note = StringField(_l("Note"), filters=[trimmed], validators=[DataRequired(), Length(max=2000)])


class ReceiptForm(FlaskForm):
    """Receiving a transfer: how many actually arrived (all, when left empty), and why not."""

    counted = IntegerField(
        _l("Blanks that arrived"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    note = StringField(_l("Note"), filters=[trimmed], validators=[Optional(), Length(max=400)])
    missing_serials = SerialsField(_l("Missing serials"))


class SerialField(StringField):
    """One blank's serial as typed or scanned, read into a range of one; empty: None."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.text, self.data = self.data, None
        if self.text and self.text.strip():
            try:
                self.data = parse_one(self.text.strip())
            except NotationError as error:
                raise ValueError(str(error)) from None

    def _value(self) -> str:
        return ""  # a serial is used once: the next card starts with an empty box


class CounterForm(OnceForm):
    """The counter's one form: the reason stays chosen, the button pressed is the outcome; where
    the office's blanks have recorded serials, the blank's serial may be typed or scanned."""

    reason = RadioField(_l("Reason"), choices=lambda: choices(PRINT_REASONS), validators=[DataRequired()])
    outcome = HiddenField(validators=[DataRequired(), AnyOf(list(PRINT_OUTCOMES))])
    serial = SerialField(_l("Serial of this blank"))


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
        _l("Justification"), filters=[trimmed], validators=[Optional(), Length(min=3, max=2000)]
    )
    needed_by = DateField(_l("Needed by"), validators=[Optional()])
    emergency = BooleanField(_l("Emergency"))


class ApproveForm(FlaskForm):
    """A quota at the current step; the service refuses a lower one without a note."""

    approved_quantity = IntegerField(
        _l("Quota"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)]
    )
    note = StringField(_l("Note"), filters=[trimmed], validators=[Optional(), Length(min=3, max=2000)])


class DecisionForm(FlaskForm):
    """Submit, cancel or reject: a note, which a rejection needs (the service says so)."""

    note = StringField(_l("Note"), filters=[trimmed], validators=[Optional(), Length(min=3, max=2000)])


# --- custody: cards awaiting destruction (custody_page.py) --------------------------------


class ReturnedCardForm(OnceForm):
    """Old cards a resident hands in, kept for destruction (stock.custody.returned_cards)."""

    quantity = IntegerField(_l("Cards"), validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    reason = SelectField(_l("Reason"), choices=lambda: choices(RETURN_REASONS), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class WitnessForm(Form):
    """One witness row; a row left empty is no witness (the record needs two)."""

    name = StringField(_l("Name"), filters=[trimmed], validators=[Optional(), Length(max=200)])
    institution = StringField(_l("Institution"), filters=[trimmed], validators=[Optional(), Length(max=200)])
    role = StringField(_l("Position"), filters=[trimmed], validators=[Optional(), Length(max=200)])
    nip = StringField(_l("NIP (optional)"), filters=[trimmed], validators=[Optional(), Length(max=18)])


class DestructionForm(OnceForm):
    """A berita acara pemusnahan, drafted: its fields are then checked by the API's own schema."""

    document_no = StringField(
        _l("Document no."), filters=[trimmed], validators=[DataRequired(), Length(max=100)]
    )
    destroyed_on = DateField(_l("Destroyed on"), validators=[InputRequired()])
    place = StringField(_l("Place"), filters=[trimmed], validators=[DataRequired(), Length(max=200)])
    method = SelectField(
        _l("Method"), choices=lambda: choices(DESTRUCTION_METHODS), validators=[DataRequired()]
    )
    spoiled_print = IntegerField(
        _l("Spoiled prints"), validators=[Optional(), NumberRange(min=0, max=10_000_000)]
    )
    returned_card = IntegerField(
        _l("Returned cards"), validators=[Optional(), NumberRange(min=0, max=10_000_000)]
    )
    defective_blank = IntegerField(
        _l("Defective blanks"), validators=[Optional(), NumberRange(min=0, max=10_000_000)]
    )
    serials = TextAreaField(
        _l("Serials of the spoiled prints, where known"), validators=[Optional(), Length(max=20_000)]
    )
    witnesses = FieldList(FormField(WitnessForm), min_entries=3, max_entries=3)


class PopulationForm(FlaskForm):
    """One office's own population figures; the limits are the API's (PopulationInSchema)."""

    target = IntegerField(
        _l("Must hold a card"), validators=[InputRequired(), NumberRange(min=0, max=MAX_FIGURE)]
    )
    recorded = IntegerField(_l("Recorded"), validators=[InputRequired(), NumberRange(min=0, max=MAX_FIGURE)])
    print_backlog = IntegerField(
        _l("Waiting for a print"), validators=[InputRequired(), NumberRange(min=0, max=MAX_FIGURE)]
    )
    as_of = DateField(_l("As of"), validators=[InputRequired()])
    settings_of = HiddenField()  # whose settings page to return to: this office or its parent

    def validate_as_of(self, field) -> None:
        if not EARLIEST <= field.data <= LATEST:  # the API's bounds (core.schemas.Day)
            raise ValidationError(_l("Enter a date between %(a)s and %(b)s.", a=EARLIEST.year, b=LATEST.year))


class PopulationUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


# Kinds of adjustment the API takes (stock.schemas.AdjustmentSchema), each with the sign its
# quantity must have; a correction goes either way, so the form offers it twice.
ADJUSTMENT_CHOICES = {
    "loss": (_l("Loss (blanks missing)"), -1),
    "damage": (_l("Damage (blanks ruined)"), -1),
    "defective": (_l("Defective blanks (kept for destruction)"), -1),
    "found": (_l("Found (blanks turned up)"), 1),
    "correction_in": (_l("Correction: add blanks"), 1),
    "correction_out": (_l("Correction: remove blanks"), -1),
}


class AdjustmentForm(OnceForm):
    kind = SelectField(
        _l("Kind"),
        choices=lambda: [
            SelectChoice(value, str(label)) for value, (label, _sign) in ADJUSTMENT_CHOICES.items()
        ],
        validators=[DataRequired()],
    )
    quantity = IntegerField(_l("Blanks"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    reason = StringField(_l("Reason"), filters=[trimmed], validators=[DataRequired(), Length(min=3, max=500)])

    def movement(self) -> tuple[str, int]:
        """The API's kind and signed quantity."""
        kind = self.kind.data
        return kind.partition("_")[0], ADJUSTMENT_CHOICES[kind][1] * self.quantity.data


class ReverseForm(OnceForm):
    reason = StringField(_l("Reason"), filters=[trimmed], validators=[DataRequired(), Length(min=3, max=500)])


class PlannedDispatchForm(OnceForm):
    """Dispatch one planned transfer, as POST /transfers/{id}/dispatch: the lowest serials, where
    the office tracks them, or none."""

    lowest_serials = BooleanField(_l("With the lowest-numbered serials"))


class RedistributeForm(OnceForm):
    """One suggestion, as POST /transfers would take it (planned: true)."""

    source = HiddenField(validators=[DataRequired(), Length(max=64)])
    destination = HiddenField(validators=[DataRequired(), Length(max=64)])
    quantity = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])


class SubscriptionForm(FlaskForm):
    office = SelectField(_l("Office (and every office below it)"), choices=[], validators=[DataRequired()])
    kinds = MultiCheckboxField(
        _l("Alert kinds"), choices=lambda: choices(ALERT_KINDS), validators=[DataRequired()]
    )
    channel = RadioField(
        _l("Send by"), choices=lambda: choices(CHANNELS), default="webhook", validators=[DataRequired()]
    )
    url = URLField(
        _l("Webhook address"),
        filters=[trimmed],
        validators=[
            Optional(),
            Length(max=2000),
            URL(require_tld=False, message=_l("Enter an http or https address.")),
        ],
    )
    secret = PasswordField(
        _l("Webhook secret (16 characters or more; the receiver checks the signature with it)"),
        validators=[Optional(), Length(min=16, max=256)],
    )
    email = EmailField(_l("E-mail address"), filters=[trimmed], validators=[Optional(), Length(max=320)])

    def validate(self, extra_validators=None) -> bool:
        """The fields of the chosen channel are required, as in the API (SubscriptionCreateSchema)."""
        valid = super().validate(extra_validators)
        if self.channel.data == "webhook":
            if not self.url.data:
                self.url.errors.append(str(_l("Required for a webhook.")))
            elif not self.url.data.lower().startswith(("http://", "https://")):
                self.url.errors.append(str(_l("Enter an http or https address.")))
            if not self.secret.data:
                self.secret.errors.append(str(_l("Required for a webhook.")))
        elif self.channel.data == "email":
            try:
                Email()(self.email.data or "")
            except SchemaError:
                self.email.errors.append(str(_l("Enter an e-mail address.")))
        return valid and not (self.url.errors or self.secret.errors or self.email.errors)

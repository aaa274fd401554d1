"""Schema fields every API shares: office codes, calendar days, UTC times, strict bodies.

Each capability's schemas.py builds on these; flask-smorest turns them into the OpenAPI spec.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import marshmallow as ma
from marshmallow import fields, validate

CODE = validate.Regexp(
    r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,31}$", error="Use 1-32 letters, digits, dots or dashes."
)


# Dates and times outside these years are typing slips, and near the calendar's ends an
# offset or a day's arithmetic would overflow: refused as invalid input.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
OUT_OF_RANGE = f"Must be between {EARLIEST.year} and {LATEST.year}."


def _on_the_calendar(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise ma.ValidationError(OUT_OF_RANGE)


class Day(fields.Date):
    """A calendar day within EARLIEST..LATEST."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        _on_the_calendar(parsed)
        return parsed


class UtcDateTime(fields.DateTime):
    """ISO 8601 with offset; naive values (SQLite) are UTC, naive input is taken as UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        _on_the_calendar(parsed.date())  # before the offset is applied: near the ends it overflows
        # Converted to UTC, not just kept aware: SQLite stores a datetime's wall clock and
        # drops its offset, so "09:12+07:00" would be read back as 09:12 UTC.
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# Integer columns: 32 bits on PostgreSQL (Integer), 64 bits on both databases (BigInteger, and
# every SQLite integer). A number from outside must fit its column, or it is refused as invalid.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def cursor(**kwargs) -> fields.Integer:
    """`before`: the id of the last row seen, so within a 64-bit id column."""
    kwargs.setdefault("metadata", {"description": "Cursor: next_before."})
    return fields.Integer(validate=validate.Range(min=1, max=INT64_MAX), **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON true or false: not 0, 1, "yes" or "off", which the spec's `boolean` does not allow."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def words(min_length: int, max_length: int) -> list:
    """Text of min_length to max_length characters, of which min_length are not blank: a
    name or a reason of spaces says nothing, and min_length would count the spaces."""

    def not_blank(value: str) -> None:
        if len(value.strip()) < min_length:
            raise ma.ValidationError(f"Write at least {min_length} character(s) besides spaces.")

    # A list, not validate.And: the spec (apispec) reads the Length from the field's validators.
    return [validate.Length(min=min_length, max=max_length), not_blank]


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)

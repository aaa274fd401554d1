"""Request and response shapes for subscriptions and notifications."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from ..blank_requests.events import REQUEST_EVENTS
from ..core.schemas import CODE, Strict, UtcDateTime, cursor
from ..planning.models import ALERT_KINDS
from .models import CHANNELS, NOTIFICATION_EVENTS, NOTIFICATION_STATUSES

# What a subscription may choose to hear: every alert kind, and each announced transition of a
# request for blanks (request_submitted reaches the supplier's area, the others the requester's).
KINDS = (*ALERT_KINDS, *REQUEST_EVENTS)

# Which fields each channel needs, and which make no sense with it.
CHANNEL_FIELDS = {"webhook": ("url", "secret"), "email": ("email",)}


class SubscriptionCreateSchema(Strict):
    office = fields.String(
        required=True,
        validate=CODE,
        metadata={
            "description": "Alerts and requests of this office and every office below it.",
            "example": "62.02",
        },
    )
    kinds = fields.List(
        fields.String(validate=validate.OneOf(KINDS)),
        load_default=lambda: list(KINDS),
        validate=validate.Length(min=1),
        metadata={
            "description": "Alert kinds and request events to hear about; all of them if left out. "
            "request_submitted is sent to the area of the office whose decision the request awaits "
            "(the supplier, or an office on its route); request_approved (by the route's last "
            "office), request_rejected and request_fulfilled to the requesting office's."
        },
    )
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    url = fields.Url(
        schemes={"http", "https"},
        require_tld=False,  # an office's own server is often reached by IP or an intranet name
        validate=validate.Length(max=2000),
        metadata={"description": "webhook: where to POST each event."},
    )
    secret = fields.String(
        validate=validate.Length(min=16, max=256),
        load_only=True,
        metadata={
            "description": "webhook: key for the X-Blangko-Signature HMAC-SHA256. Stored encrypted, "
            "never returned."
        },
    )
    email = fields.Email(validate=validate.Length(max=320), metadata={"description": "email: recipient."})

    @validates_schema
    def fields_for_channel(self, data, **kwargs):
        channel = data.get("channel")
        if channel not in CHANNEL_FIELDS:
            return  # the channel's own error says enough
        errors = {}
        for name in CHANNEL_FIELDS[channel]:
            if not data.get(name):
                errors[name] = [f"Required for the {channel} channel."]
        for other, names in CHANNEL_FIELDS.items():
            for name in names:
                if other != channel and data.get(name) is not None:
                    errors[name] = [f"Only for the {other} channel."]
        if errors:
            raise ma.ValidationError(errors)


class SubscriptionSchema(ma.Schema):
    id = fields.Integer()
    user = fields.String()
    office = fields.String()
    kinds = fields.List(fields.String(metadata={"enum": list(KINDS)}))
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    url = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    has_secret = fields.Boolean(metadata={"description": "The secret itself is never returned."})
    active = fields.Boolean()
    created_at = UtcDateTime()


class SubscriptionListSchema(ma.Schema):
    items = fields.List(fields.Nested(SubscriptionSchema))


class NotificationQuerySchema(Strict):
    status = fields.String(validate=validate.OneOf(NOTIFICATION_STATUSES))
    before = cursor()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class DeliveryAttemptSchema(ma.Schema):
    attempted_at = UtcDateTime()
    succeeded = fields.Boolean()
    status_code = fields.Integer(
        allow_none=True, metadata={"description": "HTTP status (webhook) or SMTP reply code (email)."}
    )
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)


class NotificationSchema(ma.Schema):
    id = fields.Integer()
    event_id = fields.String(metadata={"description": "Also sent as X-Blangko-Event-Id; dedupe on it."})
    event = fields.String(metadata={"enum": list(NOTIFICATION_EVENTS)})
    subscription_id = fields.Integer()
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    alert_id = fields.Integer(allow_none=True, metadata={"description": "For an alert's notification."})
    request_id = fields.Integer(
        allow_none=True, metadata={"description": "For a request's notification (see `kinds`)."}
    )
    office = fields.String(
        metadata={"description": "The alert's office, or the request's office whose area heard it."}
    )
    kind = fields.String(
        metadata={"enum": list(KINDS), "description": "The alert's kind, or the request's event."}
    )
    status = fields.String(metadata={"enum": list(NOTIFICATION_STATUSES)})
    attempts = fields.Integer(metadata={"description": "Delivery attempts started so far."})
    last_error = fields.String(allow_none=True)
    next_attempt_at = UtcDateTime(allow_none=True, metadata={"description": "While pending."})
    created_at = UtcDateTime()
    delivered_at = UtcDateTime(allow_none=True)
    payload = fields.Dict(metadata={"description": "The JSON body sent, byte for byte the same on retries."})


class NotificationDetailSchema(NotificationSchema):
    delivery_attempts = fields.List(
        fields.Nested(DeliveryAttemptSchema), metadata={"description": "Oldest first."}
    )


class NotificationPageSchema(ma.Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    next_before = fields.Integer(
        allow_none=True, metadata={"description": "Pass as `before` for the next page."}
    )


class TestResultSchema(ma.Schema):
    subscription_id = fields.Integer()
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    event_id = fields.String(metadata={"description": "Sent as X-Blangko-Event-Id."})
    succeeded = fields.Boolean(
        metadata={"description": "The receiver answered 2xx (webhook) or took the mail."}
    )
    status_code = fields.Integer(allow_none=True, metadata={"description": "HTTP status or SMTP reply code."})
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()

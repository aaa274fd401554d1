"""Alert subscriptions (webhook or e-mail) and the notifications sent for them."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import permissions
from ..core.context import current_principal
from ..core.parsing import Blueprint
from ..core.unit_of_work import idempotent, writes
from . import probe, subscriptions
from .schemas import (
    NotificationDetailSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    SubscriptionCreateSchema,
    SubscriptionListSchema,
    SubscriptionSchema,
    TestResultSchema,
)

blp = Blueprint(
    "subscriptions",
    __name__,
    description="Managers subscribe to alerts in their area, by webhook or e-mail. Webhooks are "
    "POSTed as JSON with headers X-Blangko-Event-Id, X-Blangko-Timestamp (Unix seconds of the "
    "attempt) and X-Blangko-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>.",
)
notifications_blp = Blueprint(
    "notifications", __name__, description="The outbox: each event for each subscription, with its attempts."
)


def _subscriber():
    """Managers and admins; the others have no area to watch."""
    principal = current_principal()
    permissions.require(principal, permissions.SUBSCRIBE)
    return principal


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.response(200, SubscriptionListSchema)
    def get(self):
        """Your active subscriptions (admins: everyone's)."""
        return {"items": subscriptions.list_subscriptions(_subscriber())}

    @blp.arguments(SubscriptionCreateSchema())
    @idempotent
    @blp.response(201, SubscriptionSchema)
    @writes
    def post(self, data):
        """Subscribe to alert kinds for an office in your area and every office below it."""
        return subscriptions.create_subscription(_subscriber(), **data)


@blp.route("/subscriptions/<id32:subscription_id>", methods=["DELETE"])
@idempotent
@blp.response(204)
@writes
def cancel(subscription_id):
    """Stop a subscription (yours; admins: any). It is kept, inactive, with its history;
    notifications still pending for it are marked failed. Repeating it is harmless."""
    subscriptions.cancel_subscription(_subscriber(), subscription_id)


@blp.route("/subscriptions/<id32:subscription_id>/test", methods=["POST"])
@blp.response(200, TestResultSchema)
def send_test(subscription_id):
    """Send a test notification now (yours; admins: any) and say whether the receiver took it.

    The body is shaped like an alert's, with `"event": "test"` and alert kind `test`; webhooks
    are signed as usual. It is not stored in the outbox and not retried."""
    return probe.send_test(_subscriber(), subscription_id)


@notifications_blp.route("/notifications")
@notifications_blp.arguments(NotificationQuerySchema(), location="query")
@notifications_blp.response(200, NotificationPageSchema)
def list_notifications(query):
    """Notifications of your subscriptions (admins: all), newest first."""
    items = subscriptions.list_notifications(_subscriber(), **query)
    next_before = items[-1]["id"] if len(items) == query["limit"] else None
    return {"items": items, "next_before": next_before}


@notifications_blp.route("/notifications/<id:notification_id>")
@notifications_blp.response(200, NotificationDetailSchema)
def get_notification(notification_id):
    """One notification with every delivery attempt."""
    return subscriptions.get_notification(_subscriber(), notification_id)

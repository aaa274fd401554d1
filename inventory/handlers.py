"""What happens after: every consequence of a change, in one table.

A capability announces a change by publishing an event (inventory/core/bus.py); this table
says who acts on it. Handlers run at once, in the order listed, inside the transaction of
the request that made the change, so everything here commits or rolls back with it.

Following one print: stock.service.consume debits a blank and writes its ledger line,
shifts the office's own rollup, queues its ancestors' share, then publishes StockMoved;
planning.alerts re-evaluates the office, and each alert it opens, escalates or resolves is
published as AlertChanged, which notify.outbox turns into outbox rows. The request's unit
of work (core.unit_of_work.writes) then commits all of it at once. Once the answer is
sent, stock.settlement adds the queued shares to the ancestors and publishes
TotalsSettled, and their alerts follow the same way, in the settler's transaction.
"""

from __future__ import annotations

from .blank_requests import fulfilment
from .blank_requests.events import RequestChanged
from .notify import outbox
from .offices.events import OfficeOpened, PlanningSettingsChanged
from .planning import alerts, custody_alerts, transit_alerts
from .planning.events import AlertChanged
from .stock import service as stock
from .stock.events import (
    CustodyChanged,
    DeliveryRecorded,
    LossInTransit,
    StockMoved,
    TotalsSettled,
    TransferCancelled,
    TransferDispatched,
    TransferReceived,
)

HANDLERS = {
    # A new office gets its (empty) balance and subtree rollup in the same transaction.
    OfficeOpened: [stock.open_books],
    # A movement changes the figures of its office: its alerts follow, in the same transaction.
    StockMoved: [alerts.on_stock_moved],
    # Ancestors' totals caught up with movements below them, just after: their alerts follow.
    TotalsSettled: [alerts.on_totals_settled],
    # A threshold or planning setting changed: the office's alerts are re-evaluated now.
    PlanningSettingsChanged: [alerts.on_settings_changed, custody_alerts.on_settings_changed],
    # Cards awaiting destruction changed at an office: its destruction_overdue alert follows.
    CustodyChanged: [custody_alerts.on_custody_changed],
    # A transfer arrived short: the source's managers get a loss_in_transit alert (and so its
    # notifications, below), resolved when one of them acknowledges it.
    LossInTransit: [transit_alerts.on_loss_in_transit],
    # An alert opened, escalated or resolved: one outbox row per matching subscription.
    AlertChanged: [outbox.on_alert_changed],
    # Transfers and deliveries carrying a request_id move its shipped and received quantities;
    # shipping past the quota (or against a request not approved) is refused, and with it the
    # transfer or delivery.
    TransferDispatched: [fulfilment.on_transfer_dispatched],
    TransferReceived: [fulfilment.on_transfer_received],
    TransferCancelled: [fulfilment.on_transfer_cancelled],
    DeliveryRecorded: [fulfilment.on_delivery_recorded],
    # A request was submitted, approved, rejected or fulfilled: one outbox row per subscription
    # choosing that event in the area of the office it concerns.
    RequestChanged: [outbox.on_request_changed],
}

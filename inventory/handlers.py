"""What happens after: every consequence of a change, in one table.

A capability announces a change by publishing an event (inventory/core/bus.py); this table
says who acts on it. Handlers run at once, in the order listed, inside the transaction of
the request that made the change, so everything here commits or rolls back with it.

Following one print: stock.service.consume debits a blank and writes its ledger line,
shifts the rollups, then publishes StockMoved; planning.alerts re-evaluates the office and
its ancestors, and each alert it opens, escalates or resolves is published as
AlertChanged, which notify.outbox turns into outbox rows. The request's unit of work
(core.unit_of_work.writes) then commits all of it at once.
"""

from __future__ import annotations

from .notify import outbox
from .offices.events import OfficeOpened, PlanningSettingsChanged
from .planning import alerts, custody_alerts
from .planning.events import AlertChanged
from .stock import service as stock
from .stock.events import CustodyChanged, StockMoved

HANDLERS = {
    # A new office gets its (empty) balance and subtree rollup in the same transaction.
    OfficeOpened: [stock.open_books],
    # A movement changes the figures of its office and every ancestor: alerts follow.
    StockMoved: [alerts.on_stock_moved],
    # A threshold or planning setting changed: the office's alerts are re-evaluated now.
    PlanningSettingsChanged: [alerts.on_settings_changed, custody_alerts.on_settings_changed],
    # Cards awaiting destruction changed at an office: its destruction_overdue alert follows.
    CustodyChanged: [custody_alerts.on_custody_changed],
    # An alert opened, escalated or resolved: one outbox row per matching subscription.
    AlertChanged: [outbox.on_alert_changed],
}

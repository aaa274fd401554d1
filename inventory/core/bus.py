"""What happens after: events a capability publishes, handled where the handler table says.

A lower package that must set off work in a higher one (a stock movement re-evaluates
alerts, an alert writes notifications) does not import it: it publishes an event, and the
table in inventory/handlers.py, the one place that lists every consequence, names who
handles it. Handlers run at once, in the publisher's transaction, in the order listed, so
a movement, the alerts it opens and their notifications commit or roll back together
(cosmicpython's message bus, without a queue: nothing here is deferred).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Handler = Callable[[Any], None]

_handlers: dict[type, tuple[Handler, ...]] = {}


def install(handlers: Mapping[type, Sequence[Handler]]) -> None:
    """Called by the app factory with inventory.handlers.HANDLERS (the same for every app)."""
    _handlers.clear()
    _handlers.update({event: tuple(listed) for event, listed in handlers.items()})


def publish(event: object) -> None:
    """Run every handler of this kind of event, now; an error rolls back the whole request."""
    handlers = _handlers.get(type(event))
    if handlers is None:
        # Publishing what nobody handles is a wiring mistake (a missing table row, or no
        # app created yet), never something to skip quietly: alerts would go stale.
        raise LookupError(f"no handlers installed for {type(event).__name__}; see inventory/handlers.py")
    for handler in handlers:
        handler(event)

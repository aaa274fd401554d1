"""The event bus and the handler table: what happens after a change, in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, is_dataclass

import pytest

import inventory
from inventory.core import bus
from inventory.handlers import HANDLERS


@dataclass(frozen=True)
class Happened:
    what: str


@pytest.fixture
def scratch_table():
    """A table of the test's own; the app's table is put back afterwards."""
    yield
    bus.install(HANDLERS)


def test_handlers_run_at_once_in_the_order_listed(scratch_table):
    heard = []
    bus.install(
        {Happened: [lambda e: heard.append(("first", e.what)), lambda e: heard.append(("second", e.what))]}
    )
    bus.publish(Happened("print"))
    assert heard == [("first", "print"), ("second", "print")]


def test_an_event_nobody_handles_is_a_wiring_error_not_a_silent_skip(scratch_table):
    bus.install({})
    with pytest.raises(LookupError, match="Happened"):
        bus.publish(Happened("print"))


def test_a_handler_error_reaches_the_publisher(scratch_table):
    def fails(event):
        raise RuntimeError("rolled back with the request")

    bus.install({Happened: [fails]})
    with pytest.raises(RuntimeError, match="rolled back"):
        bus.publish(Happened("print"))


def _published_events() -> set[type]:
    """Every event class declared in a capability's events.py."""
    found = set()
    for module_info in pkgutil.walk_packages(inventory.__path__, "inventory."):
        if module_info.name.endswith(".events"):
            module = importlib.import_module(module_info.name)
            found |= {
                value
                for value in vars(module).values()
                if inspect.isclass(value) and is_dataclass(value) and value.__module__ == module.__name__
            }
    return found


def test_every_event_a_capability_declares_has_a_row_in_the_handler_table():
    events = _published_events()
    assert {"OfficeOpened", "PlanningSettingsChanged", "StockMoved", "AlertChanged"} <= {
        e.__name__ for e in events
    }
    assert events == set(HANDLERS), "add the missing event to inventory/handlers.py"
    assert all(HANDLERS[event] for event in events)

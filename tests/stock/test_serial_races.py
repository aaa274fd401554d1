"""A print naming no serial, waiting on its office's balance row while a delivery with serials
commits, counts the serials that delivery brought (PostgreSQL: two writers at once)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, text

from inventory.auth.models import User
from inventory.core.db import db
from inventory.core.principal import Principal
from inventory.offices import tree
from inventory.stock import service
from inventory.stock.serials import parse_range
from tests.helpers import PRINTED, books_problems, deliver, stock


def _waiting_on_locks() -> int:
    waiting = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return db.session.execute(text(waiting)).scalar_one()


def test_plain_prints_waiting_on_a_delivery_with_serials_count_its_serials(api, on_postgresql):
    """One blank without a serial and two with; a delivery of two more with serials is under
    way when two prints naming none arrive. Only one blank without a serial exists before,
    during and after: one print is recorded, the other is 409 serials_needed."""
    deliver(api, "62.02", 2, serials=["W1-W2"])
    deliver(api, "62.02", 1)
    delivered, release = threading.Event(), threading.Event()
    answers = []

    def delivery():
        with api.app.app_context():
            user = db.session.execute(select(User).where(User.name == "warehouse")).scalar_one()
            office = tree.ref_by_code("62.02")
            actor = Principal(user.id, user.name, user.role, office.id, office.code, office.path)
            service.receive(office, actor, 2, serials=[parse_range("W3-W4")])
            delivered.set()
            release.wait(15)
            db.session.commit()

    def plain_print():
        answers.append(api.post("/offices/62.02/prints", PRINTED, as_="operator"))

    holder = threading.Thread(target=delivery)
    holder.start()
    assert delivered.wait(10)
    printers = [threading.Thread(target=plain_print) for _ in range(2)]
    for printer in printers:
        printer.start()
    with api.app.app_context():
        deadline = time.monotonic() + 10
        while _waiting_on_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_on_locks() >= 2, "both prints should wait on the delivery"
    release.set()
    holder.join(15)
    for printer in printers:
        printer.join(15)

    assert sorted(answer.status_code for answer in answers) == [201, 409], [a.json for a in answers]
    assert [a.json["error"] for a in answers if a.status_code == 409] == ["serials_needed"]
    assert (stock(api, "62.02")["on_hand"], stock(api, "62.02")["serial_tracked"]) == (4, 4)
    assert books_problems(api) == []

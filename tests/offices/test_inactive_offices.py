"""A closed office keeps its books but takes in no new blanks and prints no cards."""

import pytest

from tests.helpers import PRINTED, deliver, ok, stock


def close(api, code):
    ok(api.patch(f"/offices/{code}", {"active": False}, as_="admin"))


def test_an_inactive_office_refuses_deliveries_prints_and_incoming_transfers(api):
    deliver(api, "62.02.06", 30)
    close(api, "62.02.06")

    refusals = [
        api.post("/offices/62.02.06/deliveries", {"quantity": 5}, as_="warehouse"),
        api.post("/offices/62.02.06/prints", PRINTED, as_="operator"),
        api.post(
            "/offices/62.02.06/prints/batch", {"prints": [{"client_id": "x1", **PRINTED}]}, as_="operator"
        ),
        api.post("/transfers", {"from": "62.02", "to": "62.02.06", "quantity": 1}, as_="warehouse"),
    ]

    assert [(r.status_code, r.json["error"]) for r in refusals] == [(409, "office_inactive")] * 4
    assert stock(api, "62.02.06")["on_hand"] == 30


def test_an_office_closed_after_its_first_prints_prints_no_more_and_reopens(api):
    """Prints remember where an office is (offices.place_by_code), never whether it is open."""
    deliver(api, "62.02.06", 30)
    ok(api.post("/offices/62.02.06/prints", PRINTED, as_="operator"), 201)
    close(api, "62.02.06")

    refused = api.post("/offices/62.02.06/prints", PRINTED, as_="operator")

    assert (refused.status_code, refused.json["error"]) == (409, "office_inactive")
    assert stock(api, "62.02.06")["on_hand"] == 29
    ok(api.patch("/offices/62.02.06", {"active": True}, as_="admin"))
    assert ok(api.post("/offices/62.02.06/prints", PRINTED, as_="operator"), 201)["on_hand"] == 28


def test_an_inactive_office_can_still_send_its_blanks_back_and_be_counted(api):
    deliver(api, "62.02.06", 30)
    close(api, "62.02.06")

    sent = api.post("/transfers", {"from": "62.02.06", "to": "62.02", "quantity": 28}, as_="warehouse")
    assert sent.status_code == 201
    assert api.post(f"/transfers/{sent.json['id']}/receive", as_="admin").status_code == 200
    counted = api.post(
        "/offices/62.02.06/adjustments",
        {"counted": 0, "reason": "Closing count", "confirm": True},
        as_="manager",
    )
    assert counted.status_code == 201 and counted.json["movement"]["quantity"] == -2


def test_a_remembered_place_says_nothing_of_whether_the_office_is_open(api):
    """offices.place_by_code leaves `active` unknown; any verb given it reads it afresh."""
    from inventory.core.db import db
    from inventory.core.errors import Conflict
    from inventory.core.principal import Principal
    from inventory.offices import tree as offices
    from inventory.stock import service as verbs

    with api.app.test_request_context():
        place = offices.place_by_code("62.02.06")
        actor = Principal(1, "admin", "admin", None, None, None)
        assert place.active is None
        assert verbs.receive(place, actor, 5)["balance_after"] == 5
        db.session.commit()
    close(api, "62.02.06")
    with api.app.test_request_context():
        with pytest.raises(Conflict):
            verbs.receive(offices.place_by_code("62.02.06"), actor, 5)
        db.session.rollback()
    assert stock(api, "62.02.06")["on_hand"] == 5

"""Redistribution: spare blanks go where they will run short, before anyone waits for Jakarta."""

from __future__ import annotations

from datetime import date

from inventory.core.db import db
from inventory.offices import tree as offices
from inventory.planning import population
from inventory.planning.models import Population
from inventory.planning.redistribution import Position, suggest


def test_the_neediest_office_is_served_first_from_the_largest_surplus():
    positions = [
        Position("A", have=100, need=600, shelf=100, days_of_cover=2),
        Position("B", have=50, need=100, shelf=50, days_of_cover=10),
        Position("C", have=900, need=100, shelf=900),
        Position("D", have=300, need=250, shelf=300),
    ]

    suggestions, uncovered = suggest(positions)

    assert [(s.source, s.destination, s.quantity) for s in suggestions] == [("C", "A", 500), ("C", "B", 50)]
    assert uncovered == 0
    assert suggestions[0].effect["A"] == {
        "have_before": 100,
        "have_after": 600,
        "need": 600,
        "shortfall_before": 500,
        "shortfall_after": 0,
    }


def test_only_blanks_on_the_shelf_can_move_and_what_is_missing_is_reported():
    positions = [
        Position("A", have=0, need=500, shelf=0, days_of_cover=0),
        Position("B", have=1000, need=100, shelf=200),  # most of B's stock sits with its mobile units
    ]

    suggestions, uncovered = suggest(positions)

    assert [(s.source, s.destination, s.quantity) for s in suggestions] == [("B", "A", 200)]
    assert uncovered == 300


def test_nothing_to_suggest_when_nobody_is_short():
    assert suggest([Position("A", 10, 5, 10), Position("B", 10, 10, 10)]) == ([], 0)


def set_population(api, code, target, recorded):
    with api.app.app_context():
        office = offices.get_by_code(code)
        db.session.merge(
            Population(
                office_id=office.id, target=target, recorded=recorded, print_backlog=0, as_of=date.today()
            )
        )
        db.session.flush()
        population.refresh_population(office.path)
        db.session.commit()


def test_a_regency_manager_gets_a_transfer_ready_to_send(api):
    set_population(api, "62.02.05", target=10_500, recorded=10_000)  # Baamang: 500 to record
    for code, quantity in (("62.02.05", 100), ("62.02.06", 1000), ("62.02", 300)):
        api.post(f"/offices/{code}/deliveries", {"quantity": quantity}, as_="warehouse")

    response = api.get("/offices/62.02/redistribution?horizon_days=30", as_="manager")

    assert response.status_code == 200, response.json
    plan = response.json
    baamang = next(p for p in plan["positions"] if p["office"] == "62.02.05")
    # 500 / 0.98 = 510.2 -> 511 over 30 days (17.03 a day), plus 7 safety days = 120 -> need 631
    assert baamang == {
        "office": "62.02.05",
        "have": 100,
        "need": 631,
        "surplus": 0,
        "deficit": 531,
        "days_of_cover": None,
    }
    assert [(s["from"], s["to"], s["quantity"]) for s in plan["suggestions"]] == [
        ("62.02.06", "62.02.05", 531)
    ]
    assert plan["uncovered_deficit"] == 0

    transfer = api.post("/transfers", plan["suggestions"][0]["transfer"], as_="warehouse")
    assert transfer.status_code == 201
    after = api.get("/offices/62.02/redistribution?horizon_days=30", as_="manager").json
    assert after["suggestions"] == []  # in transit counts as had


def test_redistribution_is_for_managers_of_the_area(api):
    assert api.get("/offices/62.02/redistribution", as_="warehouse").status_code == 403
    assert api.get("/offices/62.02/redistribution", as_="kobar_manager").status_code == 403
    assert api.get("/offices/62.02/redistribution?horizon_days=0", as_="manager").status_code == 422
    assert api.get("/offices/99.99/redistribution", as_="manager").status_code == 404

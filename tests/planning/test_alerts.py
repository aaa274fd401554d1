"""Alerts open, follow the figures, escalate, resolve by themselves and reach subscribers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from inventory.core.db import db
from inventory.notify.models import Notification, Subscription
from inventory.offices import tree as offices
from inventory.planning import population
from inventory.planning.models import Population

PRINTED = {"outcome": "printed", "reason": "new_record"}
REPLACEMENT = {"outcome": "printed", "reason": "replacement"}


def deliver(api, code, quantity):
    assert api.post(f"/offices/{code}/deliveries", {"quantity": quantity}, as_="warehouse").status_code == 201


def prints(api, code, count, body=PRINTED):
    for _ in range(count):
        response = api.post(f"/offices/{code}/prints", body, as_="operator")
        assert response.status_code == 201, response.json


def alerts_of(api, code, kind, status=None, as_="manager"):
    query = f"?office={code}&kind={kind}" + (f"&status={status}" if status else "")
    response = api.get(f"/alerts{query}", as_=as_)
    assert response.status_code == 200, response.json
    return [alert for alert in response.json["items"] if alert["office"] == code]


def unresolved(api, code, kind):
    found = alerts_of(api, code, kind, "unresolved")
    assert len(found) <= 1, found  # never two unresolved alerts of one kind for one office
    return found[0] if found else None


def subscribe(api, code, user="manager"):
    """A subscription straight in the database; the subscription API has its own tests."""
    with api.app.app_context():
        office = offices.get_by_code(code)
        user_id = db.session.execute(
            select(db.metadata.tables["users"].c.id).where(db.metadata.tables["users"].c.name == user)
        ).scalar()
        db.session.add(
            Subscription(
                user_id=user_id,
                office_id=office.id,
                kinds=",".join(KINDS),
                channel="webhook",
                url="http://127.0.0.1:9/hook",
                active=True,
            )
        )
        db.session.commit()


KINDS = ("low_stock", "stockout", "projected_shortfall", "reorder_now", "stockout_before_target")


def notified(api, alert_id):
    with api.app.app_context():
        rows = db.session.execute(
            select(Notification.event).where(Notification.alert_id == alert_id).order_by(Notification.id)
        ).scalars()
        return list(rows)


def set_population(api, code, target, recorded, backlog=0):
    with api.app.app_context():
        office = offices.get_by_code(code)
        db.session.merge(
            Population(
                office_id=office.id,
                target=target,
                recorded=recorded,
                print_backlog=backlog,
                as_of=date.today(),
            )
        )
        db.session.flush()
        population.refresh_population(office.path)
        db.session.commit()


def test_low_stock_opens_follows_the_count_escalates_and_resolves(api):
    subscribe(api, "62.02")
    assert api.patch("/offices/62.02", {"min_stock": 10}, as_="manager").status_code == 200
    deliver(api, "62.02", 12)
    prints(api, "62.02", 1)
    assert unresolved(api, "62.02", "low_stock") is None

    prints(api, "62.02", 1)  # 10 left: at the minimum
    opened = unresolved(api, "62.02", "low_stock")
    assert opened["status"] == "open" and opened["severity"] == "warning"
    assert opened["figures"] == {"on_hand": 10, "min_stock": 10}

    prints(api, "62.02", 3)  # 7 left: same alert, new figures
    followed = unresolved(api, "62.02", "low_stock")
    assert followed["id"] == opened["id"] and followed["figures"]["on_hand"] == 7

    prints(api, "62.02", 2)  # 5 left: half the minimum is critical
    escalated = unresolved(api, "62.02", "low_stock")
    assert escalated["id"] == opened["id"] and escalated["severity"] == "critical"

    deliver(api, "62.02", 100)
    assert unresolved(api, "62.02", "low_stock") is None
    resolved = api.get(f"/alerts/{opened['id']}", as_="manager").json
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None
    assert notified(api, opened["id"]) == ["opened", "escalated", "resolved"]

    prints(api, "62.02", 96)  # down to 9 again: a recurrence is a new alert
    again = unresolved(api, "62.02", "low_stock")
    assert again["id"] != opened["id"]


def test_stockout_opens_when_nothing_is_left_while_demand_remains(api):
    api.app.config["RATE_MIN_PRINTS"] = 1  # two prints make the replacement rate, on purpose
    deliver(api, "62.02", 2)
    prints(api, "62.02", 2, REPLACEMENT)  # replacements keep coming: demand remains

    alert = unresolved(api, "62.02", "stockout")
    assert alert["severity"] == "critical" and alert["figures"]["remaining"] == 0

    deliver(api, "62.02", 50)
    assert unresolved(api, "62.02", "stockout") is None


def test_no_stockout_without_demand(api):
    deliver(api, "62.02", 1)
    assert (
        api.post(
            "/offices/62.02/adjustments",
            {"kind": "loss", "quantity": -1, "reason": "lost in flood"},
            as_="manager",
        ).status_code
        == 201
    )
    assert unresolved(api, "62.02", "stockout") is None


def test_projected_shortfall_at_the_office_and_its_ancestors(api):
    api.app.config["RATE_MIN_PRINTS"] = 1  # a day's few prints make the replacement rate, on purpose
    subscribe(api, "62")  # a provincial subscription hears about the districts too
    deliver(api, "62.02.05", 100)
    response = api.post("/offices/62.02.05/prints", REPLACEMENT, as_="baamang_operator")
    assert response.status_code == 201

    # 1 replacement today -> 1 a day; 90-day horizon -> demand 90 (no spoilage) vs 99 remaining
    assert unresolved(api, "62.02.05", "projected_shortfall") is None
    for _ in range(9):
        api.post("/offices/62.02.05/prints", REPLACEMENT, as_="baamang_operator")
    # 10 a day -> demand 900 vs 90 remaining: short by 810, critical
    district = unresolved(api, "62.02.05", "projected_shortfall")
    regency = unresolved(api, "62.02", "projected_shortfall")
    assert district["figures"] == {
        "projected_demand": 900,
        "remaining": 90,
        "shortfall": 810,
        "suggested_order": district["figures"]["suggested_order"],
    }
    assert district["severity"] == "critical"
    assert regency["figures"]["shortfall"] == 810  # the regency's subtree is short the same
    # it opened as a warning at 2 a day (demand 180 vs 98) and escalated once half was missing
    assert notified(api, district["id"]) == ["opened", "escalated"]

    deliver(api, "62.02", 1000)  # stock at the regency covers its subtree, not the district itself
    assert unresolved(api, "62.02", "projected_shortfall") is None
    assert unresolved(api, "62.02.05", "projected_shortfall") is not None


def test_reorder_now_when_cover_is_shorter_than_the_lead_time(api):
    deliver(api, "62.02", 100)
    prints(api, "62.02", 10)  # 10 a day, 90 left: 9 days of cover < 14-day lead time

    alert = unresolved(api, "62.02", "reorder_now")
    assert alert["severity"] == "warning"
    assert alert["figures"]["days_of_cover"] == 9.0 and alert["figures"]["lead_time_days"] == 14

    prints(api, "62.02", 10)  # 20 a day, 80 left: 4 days, under half the lead time
    assert unresolved(api, "62.02", "reorder_now")["severity"] == "critical"

    deliver(api, "62.02", 1000)
    assert unresolved(api, "62.02", "reorder_now") is None


def test_stockout_before_target_date_while_residents_remain_unrecorded(api):
    set_population(api, "62.02", target=1000, recorded=900)
    with api.app.app_context():
        offices.get_by_code("62.02").target_date = date(2099, 1, 1)
        db.session.commit()
    deliver(api, "62.02", 50)
    prints(api, "62.02", 10)  # 10 a day, 40 left: out in 4 days, long before 2099

    alert = unresolved(api, "62.02", "stockout_before_target")
    assert alert["figures"]["unrecorded"] == 100 and alert["figures"]["target_date"] == "2099-01-01"

    deliver(api, "62.02", 1_000_000)
    assert unresolved(api, "62.02", "stockout_before_target") is None


def test_managers_acknowledge_and_the_alert_still_resolves_by_itself(api):
    api.patch("/offices/62.02", {"min_stock": 5}, as_="manager")
    deliver(api, "62.02", 6)
    prints(api, "62.02", 1)
    alert = unresolved(api, "62.02", "low_stock")

    assert api.post(f"/alerts/{alert['id']}/acknowledge", {"note": "x"}, as_="warehouse").status_code == 403
    assert api.post(f"/alerts/{alert['id']}/acknowledge", {}, as_="manager").status_code == 422
    response = api.post(
        f"/alerts/{alert['id']}/acknowledge", {"note": "Ordered 4,000 from Jakarta"}, as_="manager"
    )
    assert response.status_code == 200
    assert response.json["status"] == "acknowledged" and response.json["acknowledged_by"] == "manager"
    again = api.post(f"/alerts/{alert['id']}/acknowledge", {"note": "again"}, as_="manager")
    assert again.status_code == 409 and again.json["error"] == "alert_acknowledged"

    prints(api, "62.02", 1)  # still low: still the same, acknowledged alert
    assert unresolved(api, "62.02", "low_stock")["status"] == "acknowledged"
    deliver(api, "62.02", 10)
    assert api.get(f"/alerts/{alert['id']}", as_="manager").json["status"] == "resolved"


def test_each_user_sees_only_alerts_in_its_area(api):
    api.patch("/offices/62.02", {"min_stock": 5}, as_="manager")
    deliver(api, "62.02", 1)
    alert = unresolved(api, "62.02", "low_stock")

    assert api.get("/alerts", as_="kobar_manager").json["items"] == []
    assert api.get(f"/alerts/{alert['id']}", as_="kobar_manager").status_code == 403
    assert api.get("/alerts?office=62.02", as_="kobar_manager").status_code == 403
    assert api.get(f"/alerts/{alert['id']}", as_="baamang_operator").status_code == 403
    assert [a["id"] for a in api.get("/alerts", as_="operator").json["items"]] == [alert["id"]]
    assert api.get("/alerts/999999", as_="admin").status_code == 404


@pytest.mark.parametrize("query", ["status=closed", "kind=nope", "limit=0", "office=../x"])
def test_alert_filters_are_validated(api, query):
    response = api.get(f"/alerts?{query}", as_="manager")
    assert response.status_code == 422 and response.json["error"] == "validation_error"


def test_alerts_evaluate_command_runs_over_every_office(api):
    result = api.app.test_cli_runner().invoke(args=["alerts", "evaluate"])
    assert result.exit_code == 0, result.output
    assert "Evaluated alerts for 7 office(s)." in result.output


def test_a_new_threshold_opens_low_stock_at_once(api):
    deliver(api, "62.02", 40)

    assert api.patch("/offices/62.02", {"min_stock": 50}, as_="manager").status_code == 200
    assert unresolved(api, "62.02", "low_stock")["figures"] == {"on_hand": 40, "min_stock": 50}

    assert api.patch("/offices/62.02", {"min_stock": 20}, as_="manager").status_code == 200
    assert unresolved(api, "62.02", "low_stock") is None


def test_an_empty_office_has_one_alert_the_stockout(api):
    """One condition, one alert: no projected_shortfall, low_stock or re-order beside the stock-out."""
    body = {"target": 1000, "recorded": 900, "print_backlog": 0, "as_of": "2023-11-20"}
    assert api.put("/offices/62.02.05/population", body, as_="manager").status_code == 200
    assert api.patch("/offices/62.02.05", {"min_stock": 10}, as_="manager").status_code == 200
    deliver(api, "62.02.05", 3)
    for _ in range(2):
        assert api.post("/offices/62.02.05/prints", PRINTED, as_="baamang_operator").status_code == 201
    assert {a["kind"] for a in alerts_of(api, "62.02.05", "low_stock", "unresolved")} == {"low_stock"}
    assert unresolved(api, "62.02.05", "projected_shortfall") is not None

    assert api.post("/offices/62.02.05/prints", PRINTED, as_="baamang_operator").status_code == 201

    open_now = api.get("/alerts?office=62.02.05&status=unresolved", as_="manager").json["items"]
    assert [(a["office"], a["kind"]) for a in open_now if a["office"] == "62.02.05"] == [
        ("62.02.05", "stockout")
    ]
    assert unresolved(api, "62.02.05", "projected_shortfall") is None
    assert alerts_of(api, "62.02.05", "projected_shortfall", "resolved")  # superseded, not left open

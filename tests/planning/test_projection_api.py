"""The projection over HTTP, with every input and output, and the planning settings behind it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inventory.core.db import db
from inventory.offices import tree
from inventory.planning.figures import today
from inventory.planning.projection import DEFAULT_SPOILAGE
from tests.helpers import refused


def kotim_population(api, print_backlog=0):
    """Kotawaringin Timur, November 2023: 310,785 must hold a card, 308,289 are recorded."""
    body = {"target": 310_785, "recorded": 308_289, "print_backlog": print_backlog,
            "as_of": today().isoformat()}  # fmt: skip
    assert api.put("/offices/62.02/population", body, as_="manager").status_code == 200


def deliver(api, code, quantity):
    assert api.post(f"/offices/{code}/deliveries", {"quantity": quantity}, as_="warehouse").status_code == 201


def prints(api, code, printed, spoiled=0, reason="new_record"):
    items = [{"client_id": f"{reason}-{n}", "outcome": "printed", "reason": reason} for n in range(printed)]
    items += [{"client_id": f"{reason}-s{n}", "outcome": "spoiled", "reason": reason} for n in range(spoiled)]
    response = api.post(f"/offices/{code}/prints/batch", {"prints": items}, as_="operator")
    assert response.status_code == 200 and response.json["recorded"] == len(items), response.json


def projection(api, code="62.02", query="", as_="manager"):
    response = api.get(f"/offices/{code}/projection{query}", as_=as_)
    assert response.status_code == 200, response.json
    return response.json


def test_kotim_without_print_history_needs_2547_blanks_and_holds_5000(api):
    kotim_population(api)
    deliver(api, "62.02", 5000)

    report = projection(api)

    assert report["office"] == "62.02" and report["as_of"] == today().isoformat()
    assert report["horizon_days"] == 90 and report["horizon_basis"] == "default"
    assert report["inputs"] == {
        "on_hand": 5000, "in_transit_in": 0, "on_order": 0, "target": 310_785, "recorded": 308_289,
        "print_backlog": 0,
        "window_days": 30, "printed_in_window": 0, "spoiled_in_window": 0, "replacements_in_window": 0,
        "lead_time_days": 14, "lead_time_basis": "setting", "lead_time_setting_days": 14,
        "safety_days": 7, "target_date": None, "print_capacity_per_day": None, "min_sample_prints": 50,
    }  # fmt: skip
    out = report["outputs"]
    assert out["unrecorded"] == 2496 and out["remaining"] == 5000
    assert out["spoilage_rate"] == DEFAULT_SPOILAGE and out["spoilage_source"] == "default"
    assert out["projected_demand"] == 2547  # 2,496 / 0.98 = 2,546.9, rounded up
    assert out["shortfall"] == 0 and out["suggested_order"] == 0
    assert out["average_daily_use"] == 0 and out["days_of_cover"] is None and out["stockout_date"] is None
    assert out["runs_out_first"] is None and out["days_to_target"] is None
    assert out["target_passed"] is False and out["rates_office"] is None and out["rates_sample"] == 0


def test_prints_in_the_ledger_give_a_measured_spoilage(api):
    kotim_population(api)
    deliver(api, "62.02", 5000)
    prints(api, "62.02", printed=97, spoiled=3)

    report = projection(api)

    inputs, out = report["inputs"], report["outputs"]
    assert (inputs["printed_in_window"], inputs["spoiled_in_window"]) == (97, 3)
    assert inputs["window_days"] == 1  # a history younger than the window is measured over its own length
    assert out["spoilage_rate"] == 0.03 and out["spoilage_source"] == "measured"
    assert out["remaining"] == 4900
    assert out["projected_demand"] == 2574  # 2,496 / 0.97 = 2,573.2, rounded up
    assert out["average_daily_use"] == 100 and out["days_of_cover"] == 49
    assert out["stockout_date"] == (today() + timedelta(days=49)).isoformat()
    # 100 a day x (14 lead + 7 safety) = 2,100 < 4,900 held, and no shortfall: nothing to order
    assert out["shortfall"] == 0 and out["suggested_order"] == 0


def test_replacement_prints_add_demand_over_the_horizon(api):
    api.app.config["RATE_MIN_PRINTS"] = 30  # a month's worth of one a day is sample enough here
    kotim_population(api, print_backlog=1000)
    deliver(api, "62.02", 5000)
    prints(api, "62.02", printed=30, reason="replacement")

    out = projection(api, query="?horizon_days=10")["outputs"]

    assert out["replacements_per_day"] == 30
    # 30 printed, none spoilt: a measured 0 % spoilage. 2,496 unrecorded + 1,000 waiting + 30 a day x 10 days
    assert out["spoilage_rate"] == 0 and out["spoilage_source"] == "measured"
    assert out["projected_demand"] == 3796


def test_the_horizon_is_asked_for_or_runs_to_the_target_date(api):
    kotim_population(api)
    election = today() + timedelta(days=30)
    assert (
        api.patch("/offices/62.02", {"target_date": election.isoformat()}, as_="manager").status_code == 200
    )

    to_target = projection(api)
    asked = projection(api, query="?horizon_days=10")

    assert to_target["horizon_days"] == 30 and to_target["horizon_basis"] == "target_date"
    assert to_target["inputs"]["target_date"] == election.isoformat()
    assert to_target["outputs"]["days_to_target"] == 30
    assert asked["horizon_days"] == 10 and asked["horizon_basis"] == "requested"
    assert asked["outputs"]["days_to_target"] == 30


def test_print_capacity_against_the_target_date(api):
    kotim_population(api)
    deliver(api, "62.02", 5000)
    election = (today() + timedelta(days=30)).isoformat()
    api.patch("/offices/62.02", {"target_date": election, "print_capacity_per_day": 100}, as_="manager")

    fast = projection(api)["outputs"]
    api.patch("/offices/62.02", {"print_capacity_per_day": 70}, as_="manager")
    slow = projection(api)["outputs"]

    # 2,546.9 blanks for everyone unrecorded: 25.5 days at 100 a day, 36.4 at 70
    assert fast["days_to_print_everyone"] == 25.5 and fast["runs_out_first"] == "neither"
    assert slow["days_to_print_everyone"] == 36.4 and slow["runs_out_first"] == "capacity"


def test_a_district_projects_its_own_subtree(api):
    assert (
        api.put(
            "/offices/62.02.05/population",
            {"target": 1000, "recorded": 900, "print_backlog": 0, "as_of": "2023-11-20"},
            as_="manager",
        ).status_code
        == 200
    )
    deliver(api, "62.02", 5000)  # at the regency, not in Baamang

    out = projection(api, "62.02.05")["outputs"]

    assert out["remaining"] == 0 and out["projected_demand"] == 103 and out["shortfall"] == 103


@pytest.mark.parametrize("query", ["?horizon_days=0", "?horizon_days=3651", "?horizon_days=abc"])
def test_bad_queries_are_refused(api, query):
    response = api.get(f"/offices/62.02/projection{query}", as_="manager")
    assert response.status_code == 422 and response.json["error"] == "validation_error"


def test_who_may_see_a_projection(api):
    assert projection(api, as_="admin")["office"] == "62.02"
    assert projection(api, "62.02.05")["office"] == "62.02.05"
    for user in ("operator", "warehouse", "baamang_operator"):
        assert api.get("/offices/62.02/projection", as_=user).status_code == 403
    outside = api.get("/offices/62.02/projection", as_="kobar_manager")
    assert outside.status_code == 403 and outside.json["error"] == "outside_area"
    assert api.get("/offices/62/projection", as_="manager").status_code == 403
    assert api.get("/offices/99.99/projection", as_="admin").status_code == 404


def test_the_projection_is_documented_in_the_spec(api):
    spec = api.get("/openapi.json").json
    operation = spec["paths"]["/api/v1/offices/{code}/projection"]["get"]
    assert "days of cover" in operation["description"]
    assert {"put", "get", "delete"} <= set(spec["paths"]["/api/v1/offices/{code}/population"])


# --- planning settings on PATCH /offices/{code} ---------------------------------------------

SETTINGS = {
    "target_date": (today() + timedelta(days=78)).isoformat(),
    "lead_time_days": 21,
    "safety_days": 10,
    "print_capacity_per_day": 400,
}


def test_managers_set_planning_settings_in_their_area(api):
    response = api.patch("/offices/62.02", SETTINGS, as_="manager")

    assert response.status_code == 200, response.json
    assert {key: response.json[key] for key in SETTINGS} == SETTINGS
    office = api.get("/offices/62.02", as_="operator").json  # everyone in the area sees them
    assert {key: office[key] for key in SETTINGS} == SETTINGS
    assert projection(api)["inputs"]["lead_time_days"] == 21

    cleared = api.patch(
        "/offices/62.02", {"target_date": None, "print_capacity_per_day": None}, as_="manager"
    )
    assert cleared.status_code == 200
    assert cleared.json["target_date"] is None and cleared.json["print_capacity_per_day"] is None
    assert cleared.json["lead_time_days"] == 21


def test_new_offices_start_with_default_settings(api):
    office = api.get("/offices/62.02.05", as_="admin").json
    assert (office["target_date"], office["lead_time_days"], office["safety_days"]) == (None, 14, 7)
    assert office["print_capacity_per_day"] is None


def test_only_admins_rename_even_alongside_a_setting(api):
    response = api.patch("/offices/62.02", {"name": "Kotim", "safety_days": 3}, as_="manager")

    assert response.status_code == 403
    assert api.get("/offices/62.02", as_="admin").json["safety_days"] == 7  # nothing changed
    assert api.patch("/offices/62.02", {"name": "Kotim", "safety_days": 3}, as_="admin").status_code == 200


@pytest.mark.parametrize("user", ["operator", "warehouse", "kobar_manager"])
def test_others_may_not_change_settings(api, user):
    assert api.patch("/offices/62.02", {"lead_time_days": 3}, as_=user).status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"lead_time_days": -1},
        {"lead_time_days": 366},
        {"lead_time_days": None},
        {"lead_time_days": "14"},
        {"safety_days": 366},
        {"print_capacity_per_day": 0},
        {"print_capacity_per_day": 100_001},
        {"target_date": "14/02/2024"},
        {"target_date": "2024-02-30"},
    ],
)
def test_bad_settings_are_refused(api, change):
    response = api.patch("/offices/62.02", change, as_="manager")

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == set(change)


def test_a_settings_change_re_evaluates_alerts_at_once(api):
    kotim_population(api)
    deliver(api, "62.02", 100)
    prints(api, "62.02", printed=10)  # 10 a day, 90 left: out in 9 days

    far = (today() + timedelta(days=365)).isoformat()
    assert api.patch("/offices/62.02", {"target_date": far}, as_="manager").status_code == 200
    opened = api.get("/alerts?office=62.02&kind=stockout_before_target", as_="manager").json["items"]
    assert [a["office"] for a in opened] == ["62.02"]

    assert api.patch("/offices/62.02", {"target_date": None}, as_="manager").status_code == 200
    query = "/alerts?office=62.02&kind=stockout_before_target&status=resolved"
    assert [a["office"] for a in api.get(query, as_="manager").json["items"]] == ["62.02"]


def set_target_date_directly(api, code, day):
    """A target date set while it was still ahead, and since passed: the API no longer takes it."""
    with api.app.app_context():
        tree.get_by_code(code).target_date = day
        db.session.commit()


@pytest.mark.parametrize("days_ago", [1, 2, 400])
def test_a_target_date_in_the_past_is_refused(api, days_ago):
    past = (today() - timedelta(days=days_ago)).isoformat()

    body = refused(api.patch("/offices/62.02", {"target_date": past}, as_="manager"), 422, "target_date_past")

    assert "target_date" in body["errors"]["json"]
    assert api.get("/offices/62.02", as_="manager").json["target_date"] is None  # nothing written


def test_today_is_no_past_target_date_and_an_unchanged_one_stays(api):
    assert api.patch("/offices/62.02", {"target_date": today().isoformat()}, as_="manager").status_code == 200
    set_target_date_directly(api, "62.02", today() - timedelta(days=5))
    # resending the settings as read, the passed date with them, is no new date
    office = api.get("/offices/62.02", as_="manager").json
    same = {"target_date": office["target_date"], "lead_time_days": 20}
    assert api.patch("/offices/62.02", same, as_="manager").status_code == 200


def test_a_passed_target_date_is_shown_as_passed(api):
    kotim_population(api)
    set_target_date_directly(api, "62.02", today() - timedelta(days=3))

    report = projection(api)

    assert report["horizon_basis"] == "target_passed" and report["horizon_days"] == 90
    assert report["outputs"]["target_passed"] is True and report["outputs"]["days_to_target"] == -3
    assert report["inputs"]["target_date"] == (today() - timedelta(days=3)).isoformat()


# --- small samples ---------------------------------------------------------------------


def test_an_operators_first_day_takes_the_regencys_rates(api):
    """1 printed and 1 spoiled at a district does not double its demand: the regency's month speaks."""
    assert api.put("/offices/62.02.05/population", {"target": 1000, "recorded": 900, "print_backlog": 0,
                   "as_of": today().isoformat()}, as_="manager").status_code == 200  # fmt: skip
    deliver(api, "62.02.05", 500)
    deliver(api, "62.02", 500)
    prints(api, "62.02.05", printed=1, spoiled=1)
    district = projection(api, "62.02.05")["outputs"]
    assert district["spoilage_source"] == "default" and district["spoilage_rate"] == DEFAULT_SPOILAGE
    assert district["projected_demand"] == 103  # 100 / 0.98, not 100 / 0.5

    prints(api, "62.02", printed=96, spoiled=2)  # the regency's own prints: 3 spoiled of 100 in its subtree

    district = projection(api, "62.02.05")["outputs"]
    assert district["spoilage_source"] == "ancestor" and district["rates_office"] == "62.02"
    assert district["rates_sample"] == 100 and district["spoilage_rate"] == 0.03
    assert district["projected_demand"] == 104  # 100 / 0.97
    regency = projection(api, "62.02")["outputs"]
    assert regency["spoilage_source"] == "measured" and regency["rates_office"] == "62.02"


def test_the_minimum_sample_is_configurable(api):
    api.app.config["RATE_MIN_PRINTS"] = 2
    deliver(api, "62.02", 10)
    prints(api, "62.02", printed=1, spoiled=1)

    out = projection(api)["outputs"]

    assert out["spoilage_source"] == "measured" and out["spoilage_rate"] == 0.5

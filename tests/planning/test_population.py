"""Population figures through the API: own figures, sums up the tree, who may see and set them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inventory.core.db import db
from inventory.planning.models import Population


def figures(target, recorded, print_backlog=0, as_of="2023-11-20"):
    return {"target": target, "recorded": recorded, "print_backlog": print_backlog, "as_of": as_of}


def put(api, code, body, as_="manager", **kwargs):
    return api.put(f"/offices/{code}/population", body, as_=as_, **kwargs)


def effective(api, code):
    response = api.get(f"/offices/{code}/population", as_="admin")
    assert response.status_code == 200, response.json
    return response.json


def population_rows(api) -> int:
    with api.app.app_context():
        return db.session.execute(select(func.count()).select_from(Population)).scalar_one()


def test_put_sets_own_figures_and_get_reads_them_back(api):
    response = put(api, "62.02.05", figures(44_050, 43_877, 420))

    assert response.status_code == 200, response.json
    body = response.json
    assert body["office"] == "62.02.05" and body["source"] == "own"
    own = body["own"]
    assert (own["target"], own["recorded"], own["print_backlog"], own["as_of"]) == (
        44_050,
        43_877,
        420,
        "2023-11-20",
    )
    assert own["updated_at"].endswith("+00:00")
    assert body["effective"] == {"target": 44_050, "recorded": 43_877, "print_backlog": 420,
                                 "as_of": "2023-11-20", "unrecorded": 173}  # fmt: skip
    assert api.get("/offices/62.02.05/population", as_="manager").json == body


def test_an_office_without_figures_anywhere_below_has_none(api):
    body = effective(api, "62.02")

    assert body["source"] == "none" and body["own"] is None
    assert body["effective"] == {
        "target": 0,
        "recorded": 0,
        "print_backlog": 0,
        "as_of": None,
        "unrecorded": 0,
    }


def test_a_regency_without_figures_takes_the_sum_of_its_districts(api):
    put(api, "62.02.05", figures(44_050, 43_877, 420, "2023-11-20"))
    put(api, "62.02.06", figures(58_603, 58_373, 480, "2023-11-13"))

    regency = effective(api, "62.02")
    assert regency["source"] == "children" and regency["own"] is None
    assert regency["effective"] == {"target": 102_653, "recorded": 102_250, "print_backlog": 900,
                                    "as_of": "2023-11-13", "unrecorded": 403}  # fmt: skip
    # ... and so on up: the province and the nation hold the same sums.
    for code in ("62", "ID"):
        assert effective(api, code)["effective"] == regency["effective"]


def test_a_regency_with_own_figures_uses_them_over_its_districts(api):
    put(api, "62.02.05", figures(44_050, 43_877))
    put(api, "62.02.06", figures(58_603, 58_373))

    response = put(api, "62.02", figures(310_785, 308_289, 3_180))

    assert response.json["source"] == "own"
    assert response.json["effective"]["target"] == 310_785
    assert effective(api, "62")["effective"]["target"] == 310_785

    cleared = api.delete("/offices/62.02/population", as_="manager")
    assert cleared.status_code == 200, cleared.json
    assert cleared.json["source"] == "children" and cleared.json["own"] is None
    assert cleared.json["effective"]["target"] == 102_653
    assert effective(api, "62")["effective"]["target"] == 102_653


def test_the_province_sums_its_regencies_whatever_their_source(api):
    put(api, "62.02.05", figures(44_050, 43_877))  # under 62.02, which has figures of its own
    put(api, "62.02", figures(310_785, 308_289, 3_180))
    put(api, "62.01", figures(186_000, 184_500, 900), as_="kobar_manager")

    province = effective(api, "62")

    assert province["source"] == "children"
    assert province["effective"]["target"] == 310_785 + 186_000
    assert province["effective"]["recorded"] == 308_289 + 184_500
    assert province["effective"]["print_backlog"] == 3_180 + 900


def test_putting_again_replaces_the_figures_and_the_sums_follow(api):
    put(api, "62.02.05", figures(44_050, 43_877))
    response = put(api, "62.02.05", figures(44_100, 44_000, 12, "2023-12-01"))

    assert response.json["own"]["target"] == 44_100 and response.json["own"]["as_of"] == "2023-12-01"
    assert effective(api, "62.02")["effective"]["recorded"] == 44_000
    assert population_rows(api) == 1


def test_deleting_figures_an_office_does_not_have_changes_nothing(api):
    response = api.delete("/offices/62.02.05/population", as_="manager")

    assert response.status_code == 200 and response.json["source"] == "none"


def test_new_figures_re_evaluate_alerts_at_once(api):
    put(api, "62.02.05", figures(1_000, 900))  # 100 to record and not one blank anywhere

    alerts = api.get("/alerts?office=62.02.05&kind=stockout", as_="manager").json["items"]
    assert [a["office"] for a in alerts] == ["62.02.05"]

    api.delete("/offices/62.02.05/population", as_="manager")  # nobody left to serve
    alerts = api.get("/alerts?office=62.02.05&kind=stockout&status=resolved", as_="manager").json["items"]
    assert [a["status"] for a in alerts] == ["resolved"]


# --- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["operator", "warehouse", "baamang_operator", "kobar_warehouse"])
def test_only_managers_and_admins_read_or_set_figures(api, user):
    assert api.get("/offices/62.02.05/population", as_=user).status_code == 403
    response = put(api, "62.02.05", figures(10, 5), as_=user)
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert api.delete("/offices/62.02.05/population", as_=user).status_code == 403
    assert population_rows(api) == 0


def test_managers_work_only_in_their_area(api):
    for code in ("62.01", "62", "ID"):  # a neighbour, and above the manager's own office
        response = put(api, code, figures(10, 5))
        assert response.status_code == 403 and response.json["error"] == "outside_area", code
        assert api.get(f"/offices/{code}/population", as_="manager").status_code == 403
    assert put(api, "62.02.05", figures(10, 5), as_="kobar_manager").status_code == 403
    assert put(api, "62.02.05", figures(10, 5), as_="manager").status_code == 200
    assert put(api, "62", figures(10, 5), as_="admin").status_code == 200


def test_unknown_offices_and_missing_tokens(api):
    assert put(api, "99.99", figures(10, 5)).status_code == 404
    assert api.get("/offices/99.99/population", as_="admin").json["error"] == "office_not_found"
    assert api.get("/offices/62.02/population").status_code == 401


# --- validation --------------------------------------------------------------------------


def errors_of(response) -> dict:
    assert response.status_code == 422, response.json
    assert response.json["error"] == "validation_error"
    return response.json["errors"]["json"]


def test_every_field_is_required(api):
    assert set(errors_of(put(api, "62.02.05", {}))) == {"target", "recorded", "print_backlog", "as_of"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (figures(-1, 0), "target"),
        (figures(10, -1), "recorded"),
        (figures(10, 5, -1), "print_backlog"),
        (figures("10", 5), "target"),  # numbers, not strings of digits
        (figures(10.5, 5), "target"),
        (figures(10, None), "recorded"),
        (figures(2_000_000_000, 5), "target"),
        (figures(10, 5, as_of="20/11/2023"), "as_of"),
        (figures(10, 5, as_of="2023-02-30"), "as_of"),
        ({**figures(10, 5), "population": 20}, "population"),
    ],
)
def test_bad_values_are_refused_field_by_field(api, body, field):
    assert field in errors_of(put(api, "62.02.05", body))
    assert population_rows(api) == 0


def test_figures_must_agree_with_each_other(api):
    errors = errors_of(put(api, "62.02.05", figures(100, 101)))
    assert errors == {"recorded": ["recorded (101) exceeds target (100)."]}

    errors = errors_of(put(api, "62.02.05", figures(100, 50, 51)))
    assert errors == {"print_backlog": ["print_backlog (51) exceeds recorded (50)."]}

    assert put(api, "62.02.05", figures(100, 100, 100)).status_code == 200  # everyone recorded, none printed
    assert population_rows(api) == 1


def test_figures_and_prints_racing_each_other_neither_deadlock_nor_lose_anything(api):
    from tests.stock.test_concurrency import run_together

    assert (
        api.post("/offices/62.02.05/deliveries", {"quantity": 100}, as_="baamang_warehouse").status_code
        == 201
    )
    printed = {"outcome": "printed", "reason": "new_record"}

    def work(i):
        if i % 2:
            return api.post("/offices/62.02.05/prints", printed, as_="baamang_operator")
        code = ("62.02.05", "62.02.06", "62.02")[i % 3]
        return put(api, code, figures(1_000 + i, 900))

    responses = run_together(24, work)

    assert sorted({r.status_code for r in responses}) == [200, 201], [r.json for r in responses]
    assert api.on_hand("62.02.05") == 88
    for code in ("62.02.05", "62.02.06", "62.02"):
        assert effective(api, code)["source"] == "own"
    assert effective(api, "62")["effective"] == effective(api, "62.02")["effective"]
    assert population_rows(api) == 3

"""A name, a reason or a note made of spaces says nothing: refused like one too short, and the
minimum length counts only what is not blank. Nothing is written."""

from __future__ import annotations

import pytest

from tests.helpers import deliver, stock

BLANK = ["   ", "\t\n ", " a  "]


@pytest.mark.parametrize("reason", BLANK)
def test_a_blank_reason_is_refused_and_nothing_is_counted(api, reason):
    deliver(api, "62.02", 10)
    response = api.post("/offices/62.02/adjustments", {"counted": 8, "reason": reason}, as_="manager")
    assert response.status_code == 422 and "reason" in response.json["errors"]["json"]
    assert stock(api, "62.02")["on_hand"] == 10


@pytest.mark.parametrize("name", ["   ", "\t"])
def test_an_office_named_with_spaces_is_refused(api, name):
    body = {"code": "62.02-JB9", "name": name, "kind": "mobile", "parent_code": "62.02"}
    response = api.post("/offices", body, as_="admin")
    assert response.status_code == 422 and "name" in response.json["errors"]["json"]
    assert api.get("/offices/62.02-JB9", as_="admin").status_code == 404


def test_the_spec_still_says_how_long_a_reason_may_be(api):
    spec = api.app.test_client().get("/openapi.json").json
    reason = spec["components"]["schemas"]["Reverse"]["properties"]["reason"]
    assert (reason["minLength"], reason["maxLength"]) == (3, 500)

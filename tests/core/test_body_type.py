"""A body that is not JSON, on a route that reads JSON, is refused (415) rather than read as no
body at all: where the body is optional, the work would otherwise run with its defaults."""

from __future__ import annotations

import json

from tests.helpers import deliver, dispatch, ok, refused


def test_an_optional_body_sent_as_text_is_refused_and_nothing_is_done(api):
    deliver(api, "62.02", 10)
    transfer = dispatch(api, "62.02", "62.02.05", 3)
    receipt = json.dumps({"counted": 1})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = api.call(
            "POST",
            f"/transfers/{transfer['id']}/receive",
            data=receipt,
            as_="baamang_warehouse",
            headers={"Content-Type": content_type},
        )
        assert "JSON" in refused(response, 415, "unsupported_media_type")["message"]
    assert ok(api.get(f"/transfers/{transfer['id']}", as_="warehouse"))["status"] == "in_transit"

    short = api.post(f"/transfers/{transfer['id']}/receive", {"counted": 1}, as_="baamang_warehouse")
    assert (ok(short)["counted"], short.json["missing"]) == (1, 2)


def test_a_required_body_sent_as_text_is_415_and_no_body_at_all_still_works(api):
    deliver(api, "62.02", 10)
    response = api.call(
        "POST",
        "/transfers",
        data='{"from": "62.02", "to": "62.02.05", "quantity": 1}',
        as_="warehouse",
        headers={"Content-Type": "text/plain"},
    )
    refused(response, 415, "unsupported_media_type")
    planned = ok(
        api.post(
            "/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 1, "planned": True}, as_="manager"
        ),
        201,
    )
    sent = api.call("POST", f"/transfers/{planned['id']}/dispatch", as_="warehouse")  # no body, no type
    assert ok(sent)["status"] == "in_transit"

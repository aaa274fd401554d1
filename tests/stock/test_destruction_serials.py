"""A signed destruction record names the spoiled serialled blanks it burned (issue 12): each must
be a card spoiled at the record's office or below it and not burned already; GET /serials/...
then names the record, and a reversal of the record gives the serial back to custody."""

from __future__ import annotations

from sqlalchemy import text

from inventory.core.db import db
from tests.helpers import books_problems, deliver, ok, refused
from tests.stock.test_concurrency import run_together
from tests.stock.test_custody import awaiting, berita_acara

SPOILED = {"outcome": "spoiled", "reason": "new_record"}
PRINTED = {"outcome": "printed", "reason": "new_record"}


def a_box(api):
    """S0001-S0050 at the regency; S0001-S0010 of them sent on to Baamang."""
    deliver(api, "62.02", 50, serials=["S0001+50"])
    sent = ok(api.post("/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 10, "serials": "lowest"},
                       as_="warehouse"), 201)  # fmt: skip
    ok(api.post(f"/transfers/{sent['id']}/receive", as_="baamang_warehouse"))


def serial_print(api, serial, code="62.02", body=SPOILED):
    return ok(api.post(f"/offices/{code}/prints", {**body, "serial": serial}, as_="operator"), 201)[
        "movement"
    ]


def draft(api, serials, code="62.02", **overrides):
    return ok(api.post(f"/offices/{code}/destructions", berita_acara(serials=serials, **overrides),
                       as_="manager"), 201)  # fmt: skip


def sign(api, record):
    return api.post(f"/destructions/{record['id']}/sign", as_="manager")


def story(api, serial):
    return ok(api.get(f"/serials/{serial}", as_="admin"))


def test_only_cards_spoiled_at_the_office_or_below_it_are_burned_by_serial(api):
    a_box(api)
    serial_print(api, "S0011")
    serial_print(api, "S0012")
    serial_print(api, "S0013", body=PRINTED)
    serial_print(api, "S0001", code="62.02.05")
    ok(api.post("/transfers", {"from": "62.02", "to": "62.02.06", "quantity": 1, "serials": ["S0020"]},
                as_="warehouse"), 201)  # fmt: skip
    record = draft(api, ["S0011"])
    for serial, why in (
        ("S9999", "no blank with it was delivered"),
        ("S0014", "it is still a usable blank"),
        ("S0020", "it is on the road"),
        ("S0013", "its blank was not spoiled in printing"),
        ("S0005", "it is still a usable blank"),  # held at Baamang
    ):
        ok(api.patch(f"/destructions/{record['id']}", {"serials": [f"S0011, {serial}"]}, as_="manager"))
        body = refused(sign(api, record), 409, "serial_not_in_custody")
        assert body["details"] == {"serial": serial, "office": "62.02"}
        assert why in body["message"], body["message"]
    # Nothing moved: the draft is a draft, custody is whole, no serial is linked.
    assert ok(api.get(f"/destructions/{record['id']}", as_="manager"))["status"] == "draft"
    assert awaiting(api, "62.02", "spoiled_print") == 2
    assert story(api, "S0011")["destroyed_by"] is None

    # Baamang burns its own spoiled card, not one spoiled at the regency above it.
    at_baamang = draft(api, ["S0012"], code="62.02.05", counts={"spoiled_print": 1})
    body = refused(sign(api, at_baamang), 409, "serial_not_in_custody")
    assert "spoiled at 62.02, outside 62.02.05" in body["message"]
    ok(api.patch(f"/destructions/{at_baamang['id']}", {"serials": ["S0001"]}, as_="manager"))
    ok(sign(api, at_baamang))
    assert story(api, "S0001")["destroyed_by"]["id"] == at_baamang["id"]
    # The regency burns what was spoiled at home and what a district sent up, by serial.
    ok(api.patch(f"/destructions/{record['id']}", {"serials": ["S0011-S0012"]}, as_="manager"))
    ok(sign(api, record))
    assert [story(api, s)["destroyed_by"]["id"] for s in ("S0011", "S0012")] == [record["id"]] * 2
    assert books_problems(api) == []


def test_a_record_names_no_more_serials_than_spoiled_prints_and_only_real_notations(api):
    a_box(api)
    for serial in ("S0011", "S0012"):
        serial_print(api, serial)
    body = berita_acara(serials=["S0011-S0012"], counts={"spoiled_print": 1, "returned_card": 1})
    too_many = api.post("/offices/62.02/destructions", body, as_="manager")
    body = refused(too_many, 422, "serial_count_mismatch")
    assert body["details"] == {"field": "serials", "serials": 2, "spoiled_print": 1}
    assert ok(api.get("/offices/62.02/destructions", as_="manager"))["items"] == []
    record = draft(api, ["S0011"], counts={"spoiled_print": 1})
    refused(api.patch(f"/destructions/{record['id']}", {"serials": ["S0011+2"]}, as_="manager"), 422,
            "serial_count_mismatch")  # fmt: skip
    refused(api.patch(f"/destructions/{record['id']}", {"counts": {"returned_card": 1}}, as_="manager"), 422,
            "serial_count_mismatch")  # fmt: skip
    assert ok(api.get(f"/destructions/{record['id']}", as_="manager"))["serials"] == ["S0011"]
    for bad in (["S0011-T0012"], ["S0012-S0011"], ["S0011", "S0011"], ["S0011+0"]):
        refused(
            api.patch(f"/destructions/{record['id']}", {"serials": bad}, as_="manager"),
            422,
            "validation_error",
        )
    # Typed any way, kept as ranges in serial order.
    changes = {"serials": ["S0012 S0011"], "counts": {"spoiled_print": 2}}
    both = ok(api.patch(f"/destructions/{record['id']}", changes, as_="manager"))
    assert both["serials"] == ["S0011", "S0012"]


def test_a_serial_is_burned_once_and_a_reversed_record_gives_it_back(api):
    a_box(api)
    spoiled = serial_print(api, "S0011")
    serial_print(api, "S0012")
    first, second = draft(api, ["S0011"]), draft(api, ["S0011"], document_no="BA-2")
    ok(sign(api, first))
    body = refused(sign(api, second), 409, "serial_already_destroyed")
    assert body["details"] == {"serial": "S0011", "destruction_id": first["id"]}
    assert ok(api.get(f"/destructions/{second['id']}", as_="manager"))["status"] == "draft"
    assert awaiting(api, "62.02", "spoiled_print") == 0  # the first burned both spoiled prints
    # The card is ash: its print cannot be undone until the burning is.
    gone = api.post(f"/movements/{spoiled['id']}/reverse", {"reason": "Wrong outcome"}, as_="manager")
    assert refused(gone, 409, "serial_destroyed")["details"] == {"destruction_id": first["id"]}
    assert story(api, "S0011")["ended_by"]["movement_id"] == spoiled["id"]

    reversal = ok(api.post(f"/destructions/{first['id']}/reverse", {"reason": "Dibakar dua kali"},
                           as_="manager"), 201)  # fmt: skip
    back = story(api, "S0011")
    assert back["destroyed_by"] is None and back["ended_by"]["outcome"] == "spoiled"
    assert [(s["kind"], s["destruction_id"]) for s in back["trail"][-2:]] == [
        ("destruction", first["id"]), ("destruction_reversal", reversal["id"])
    ]  # fmt: skip
    assert awaiting(api, "62.02", "spoiled_print") == 2
    ok(sign(api, second))
    again = story(api, "S0011")
    assert again["destroyed_by"]["id"] == second["id"] and again["destroyed_by"]["document_no"] == "BA-2"
    assert [s["kind"] for s in again["trail"]] == ["delivery", "print", "destruction", "destruction_reversal",
                                                   "destruction"]  # fmt: skip
    assert story(api, "S0012")["destroyed_by"] is None  # the second record named S0011 only
    assert books_problems(api) == []


def test_two_records_naming_one_serial_signed_at_once_burn_it_once(api):
    a_box(api)
    serial_print(api, "S0011")
    serial_print(api, "S0012")
    records = [draft(api, ["S0011"], counts={"spoiled_print": 1}, document_no=f"BA-{i}") for i in (1, 2)]
    statuses = run_together(2, lambda i: sign(api, records[i]).status_code)
    assert sorted(statuses) == [200, 409]
    winner = records[statuses.index(200)]
    assert story(api, "S0011")["destroyed_by"]["id"] == winner["id"]
    assert awaiting(api, "62.02", "spoiled_print") == 1
    assert books_problems(api) == []


def test_verify_finds_a_serial_linked_to_a_burning_that_did_not_burn_it(api):
    a_box(api)
    serial_print(api, "S0011")
    record = draft(api, [], counts={"spoiled_print": 1})
    with api.app.app_context():
        db.session.execute(
            text("UPDATE serial_ranges SET destroyed_by_id = :id WHERE first = 11"), {"id": record["id"]}
        )
        db.session.commit()
        db.session.remove()
    assert books_problems(api) == [f"serial range {_range_id(api, 11)}: linked to destruction "
                                   f"{record['id']}, which did not burn it"]  # fmt: skip


def _range_id(api, first):
    with api.app.app_context():
        try:
            return db.session.execute(
                text("SELECT id FROM serial_ranges WHERE first = :f"), {"f": first}
            ).scalar()
        finally:
            db.session.remove()

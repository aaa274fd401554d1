"""Serialled blanks through the API (issue 12 §1): a box of 1,000 delivered to 62.02, 100 sent to
Baamang with "lowest", 30 printed there with serials and 2 spoiled; every blank's story is read
back with GET /serials/...; and every refusal: overlap, count mismatch, not held, bad notations."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.helpers import PRINTED, SPOILED, books_problems, deliver, ok, refused, stock
from tests.stock.test_concurrency import run_together

BOX = "KTP0001000-KTP0001999"


def transfer(api, body, as_="warehouse"):
    return api.post("/transfers", {"from": "62.02", "to": "62.02.05", **body}, as_=as_)


def serial_print(api, serial, body=PRINTED, as_="baamang_operator", code="62.02.05"):
    return api.post(f"/offices/{code}/prints", {**body, "serial": serial}, as_=as_)


def story(api, serial, as_="admin"):
    return ok(api.get(f"/serials/{serial}", as_=as_))


def test_the_box_from_delivery_to_printed_card(api):
    delivered = deliver(api, "62.02", 1000, document_no="BAST-2023-118", serials=[BOX])
    assert delivered["movement"]["serials"] == [BOX]
    assert stock(api, "62.02")["serial_tracked"] == 1000

    sent = ok(transfer(api, {"quantity": 100, "serials": "lowest"}), 201)
    assert sent["serials"] == ["KTP0001000-KTP0001099"]
    on_the_road = ok(api.get("/offices/62.02.05/serials", as_="baamang_warehouse"))
    assert on_the_road["in_transit_count"] == 100 and on_the_road["held_count"] == 0
    assert on_the_road["in_transit"][0]["transfer_id"] == sent["id"]
    assert story(api, "KTP0001050")["transfer_id"] == sent["id"]
    received = ok(api.post(f"/transfers/{sent['id']}/receive", as_="baamang_warehouse"))
    assert received["serials"] == ["KTP0001000-KTP0001099"]

    for number in range(1000, 1030):
        ok(serial_print(api, f"KTP{number:07d}"), 201)
    for number in (1030, 1031):
        assert ok(serial_print(api, f"KTP{number:07d}", SPOILED), 201)["movement"]["serials"] == [
            f"KTP{number:07d}"
        ]
    assert stock(api, "62.02.05") | {"serial_tracked": 68, "on_hand": 68} == stock(api, "62.02.05")
    assert stock(api, "62.02")["serial_tracked"] == 900
    card = ok(api.get("/offices/62.02.05/ledger", as_="baamang_warehouse"))
    assert card["serial_tracked"] == 68  # the stock card says how many blanks are serial-tracked
    held = ok(api.get("/offices/62.02.05/serials", as_="baamang_warehouse"))
    assert [r["range"] for r in held["held"]] == ["KTP0001032-KTP0001099"]
    assert held["held_count"] == 68 and held["in_transit_count"] == 0

    printed = story(api, "KTP0001007")
    assert printed["office"] is None and printed["range"] == "KTP0001007"
    assert printed["ended_by"]["kind"] == "print" and printed["ended_by"]["office"] == "62.02.05"
    assert [(s["kind"], s["office"]) for s in printed["trail"]] == [
        ("delivery", "62.02"), ("transfer_out", "62.02"), ("transfer_in", "62.02.05"), ("print", "62.02.05")
    ]  # fmt: skip
    assert printed["trail"][0]["document_no"] == "BAST-2023-118"
    assert printed["trail"][0]["actor"] == "warehouse" and printed["trail"][0]["range"] == BOX
    assert printed["trail"][1]["range"] == "KTP0001000-KTP0001099"
    assert printed["trail"][-1]["outcome"] == "printed"
    assert story(api, "KTP0001031")["ended_by"]["outcome"] == "spoiled"
    at_baamang = story(api, "KTP0001099")
    assert at_baamang["office"] == "62.02.05" and at_baamang["range"] == "KTP0001032-KTP0001099"
    assert len(at_baamang["trail"]) == 3
    at_regency = story(api, "KTP0001999")
    assert at_regency["office"] == "62.02" and [s["kind"] for s in at_regency["trail"]] == ["delivery"]

    # Scoped: Kotawaringin Barat's manager sees none of it; Baamang's operator sees its own only.
    refused(api.get("/serials/KTP0001099", as_="kobar_manager"), 404, "serial_not_found")
    ok(api.get("/serials/KTP0001099", as_="baamang_operator"))
    refused(api.get("/serials/KTP0001999", as_="baamang_operator"), 404, "serial_not_found")
    refused(api.get("/serials/KTP0009999", as_="admin"), 404, "serial_not_found")
    refused(api.get("/offices/62.02.05/serials", as_="kobar_manager"), 403, "outside_area")
    assert books_problems(api) == []


def test_a_cancelled_transfer_brings_its_ranges_back(api):
    deliver(api, "62.02", 10, serials=["K001+10"])
    sent = ok(transfer(api, {"quantity": 4, "serials": ["K003-K004", "K008", "K010"]}), 201)
    assert sent["serials"] == ["K003-K004", "K008", "K010"]
    assert stock(api, "62.02")["serial_tracked"] == 6
    back = ok(api.post(f"/transfers/{sent['id']}/cancel", as_="warehouse"))
    assert back["serials"] == ["K003-K004", "K008", "K010"]
    assert stock(api, "62.02")["serial_tracked"] == 10
    assert [s["kind"] for s in story(api, "K008")["trail"]] == ["delivery", "transfer_out", "transfer_return"]
    held = ok(api.get("/offices/62.02/serials", as_="warehouse"))["held"]
    assert sum(r["count"] for r in held) == 10  # split where the transfer split them, not merged
    assert books_problems(api) == []


def test_overlaps_mismatches_and_not_held(api):
    deliver(api, "62.02", 100, serials=["KTP0000100-KTP0000199"])
    before = stock(api, "62.02")
    clash = refused(
        api.post("/offices/62.01/deliveries", {"quantity": 10, "serials": ["KTP0000195+10"]}, as_="admin"),
        409,
        "serial_overlap",
    )
    assert clash["details"] == {"serials": "KTP0000195-KTP0000204", "clashing": "KTP0000100-KTP0000199"}
    # Width is identity: KTP000100 (6 digits) is another serial, and enters.
    deliver(api, "62.01", 1, as_="admin", serials=["KTP000150"])
    mismatch = refused(
        api.post("/offices/62.02/deliveries", {"quantity": 5, "serials": ["KTP0000300+4"]}, as_="warehouse"),
        422,
        "serial_count_mismatch",
    )
    assert "serials" in mismatch["errors"]["json"]
    refused(transfer(api, {"quantity": 2, "serials": ["KTP0000100"]}), 422, "serial_count_mismatch")
    refused(
        transfer(api, {"quantity": 2, "serials": ["KTP0000198-KTP0000201"][:1]}), 422, "serial_count_mismatch"
    )
    not_held = refused(transfer(api, {"quantity": 3, "serials": ["KTP0000198+3"]}), 409, "serial_not_held")
    assert not_held["details"] == {"serials": "KTP0000198-KTP0000200"}
    refused(transfer(api, {"quantity": 101, "serials": "lowest"}), 409, "insufficient_stock")
    deliver(api, "62.02", 5)  # blanks without serials: countable, not tracked
    refused(transfer(api, {"quantity": 101, "serials": "lowest"}), 409, "serial_not_held")
    refused(serial_print(api, "KTP0000150", code="62.02", as_="operator") if False else
            api.post("/offices/62.02.05/prints", {**PRINTED, "serial": "KTP0000150"}, as_="baamang_operator"),
            409, "insufficient_stock")  # fmt: skip
    refused(serial_print(api, "KTP0000999", code="62.02", as_="operator"), 409, "serial_not_held")
    ok(serial_print(api, "KTP0000150", code="62.02", as_="operator"), 201)
    refused(serial_print(api, "KTP0000150", code="62.02", as_="operator"), 409, "serial_not_held")
    after = stock(api, "62.02")
    assert after["on_hand"] == before["on_hand"] + 5 - 1 and after["serial_tracked"] == 99
    assert books_problems(api) == []


@pytest.mark.parametrize(
    "serials",
    [
        ["KTP0001000-KTP001999"],  # wrong width
        ["KTP0001000-KTQ0001999"],  # mixed prefixes
        ["KTP0001999-KTP0001000"],  # last before first
        ["KTP0000000+99999999"],  # huge count
        ["KTP0000000-KTP99999999"],
        ["KTP\u00000001+3"],  # NUL
        ["KTP\ud8000001+3"],  # unpaired surrogate
        [],
        [""],
        "KTP0001000+3",  # not a list
        [7],
        ["KTP0000001+3", "KTP0000002"],  # one serial twice
    ],
)
def test_bad_notations_are_422_and_write_nothing(api, serials):
    before = stock(api, "62.02")
    response = api.post("/offices/62.02/deliveries", {"quantity": 3, "serials": serials}, as_="warehouse")
    assert response.status_code == 422, response.json
    assert response.json["errors"]
    assert stock(api, "62.02") == before
    bad_transfer = transfer(api, {"quantity": 3, "serials": serials if serials != "KTP0001000+3" else "low"})
    assert bad_transfer.status_code == 422, bad_transfer.json


def test_bad_serials_in_prints_and_lookups(api):
    deliver(api, "62.02", 3)
    for serial in ("KTP0001-KTP0002", "KTP0001+2", "", "x" * 65, "KTP\u00001"):
        response = api.post("/offices/62.02/prints", {**PRINTED, "serial": serial}, as_="operator")
        assert response.status_code == 422, (serial, response.json)
    refused(api.get("/serials/KTP0001-KTP0002", as_="admin"), 422, "invalid_serial")
    refused(api.get("/serials/" + "x" * 70, as_="admin"), 422, "invalid_serial")
    assert stock(api, "62.02")["on_hand"] == 3


def test_an_office_may_require_serials(api):
    deliver(api, "62.02", 3, serials=["S1-S3"])
    office = ok(api.patch("/offices/62.02", {"serials_required": True}, as_="manager"))
    assert office["serials_required"] is True
    refused(api.patch("/offices/62.02", {"serials_required": True}, as_="operator"), 403, "forbidden")
    refused(api.post("/offices/62.02/prints", PRINTED, as_="operator"), 422, "serial_required")
    batch = {"prints": [{"client_id": "jb-1", **PRINTED}]}
    refused(api.post("/offices/62.02/prints/batch", batch, as_="operator"), 422, "serial_required")
    ok(serial_print(api, "S2", code="62.02", as_="operator"), 201)
    ok(api.patch("/offices/62.02", {"serials_required": False}, as_="manager"))
    deliver(api, "62.02", 1)  # a blank without a serial: a print naming none may take it
    ok(api.post("/offices/62.02/prints", PRINTED, as_="operator"), 201)
    assert stock(api, "62.02")["on_hand"] == 2
    assert books_problems(api) == []


def test_a_print_naming_no_serial_takes_only_blanks_without_one(api):
    """Two blanks with serials and one without: one print may name none; after it, every blank
    left has a serial, and a print must say which (409 serials_needed, nothing written)."""
    deliver(api, "62.02", 2, serials=["P1-P2"])
    deliver(api, "62.02", 1)
    ok(api.post("/offices/62.02/prints", PRINTED, as_="operator"), 201)
    before = stock(api, "62.02")

    for body in (PRINTED, SPOILED):
        refusal = refused(api.post("/offices/62.02/prints", body, as_="operator"), 409, "serials_needed")
        assert (refusal["details"]["without_serials"], refusal["details"]["field"]) == (0, "serial")
    assert stock(api, "62.02") == before
    assert books_problems(api) == []

    ok(serial_print(api, "P2", code="62.02", as_="operator"), 201)
    assert stock(api, "62.02")["on_hand"] == 1 and books_problems(api) == []


def test_concurrent_lowest_transfers_never_take_the_same_range(api):
    deliver(api, "62.02", 60, serials=["R000001+60"])

    def send(i):
        destination = ("62.02.05", "62.02.06", "62.02-JB1")[i % 3]
        body = {"from": "62.02", "to": destination, "quantity": 5, "serials": "lowest"}
        return api.post("/transfers", body, as_="warehouse")

    responses = run_together(12, send)
    assert [r.status_code for r in responses] == [201] * 12, [r.json for r in responses]
    taken = Counter(serial for r in responses for serial in r.json["serials"])
    assert len(taken) == 12 and set(taken.values()) == {1}
    assert sorted(taken) == [f"R{n:06d}-R{n + 4:06d}" for n in range(1, 61, 5)]
    assert stock(api, "62.02")["serial_tracked"] == 0
    assert books_problems(api) == []


def upload(api, body, content_type="text/csv", as_="warehouse", **query):
    return api.post(
        "/offices/62.02/deliveries/manifest",
        data=body.encode("utf-8") if isinstance(body, str) else body,
        headers={"Content-Type": content_type},
        query_string=query,
        as_=as_,
    )


def test_a_manifest_of_chip_uids(api):
    csv = "uid,box\n04A1B2C3D4E5F6,1\n04A1B2C3D4E5F7,1\n04A1B2C3D4E5FA,2\n"
    delivered = ok(upload(api, csv, document_no="BAST-2023-119"), 201)
    assert delivered["on_hand"] == 3
    assert delivered["movement"]["serials"] == ["04A1B2C3D4E5F6", "04A1B2C3D4E5F7", "04A1B2C3D4E5FA"]
    assert delivered["movement"]["reference"] == "BAST-2023-119"
    assert stock(api, "62.02")["serial_tracked"] == 3
    held = ok(api.get("/offices/62.02/serials", as_="warehouse"))
    assert held["held_count"] == 3 and all(r["count"] == 1 for r in held["held"])  # each a range of one
    assert story(api, "04A1B2C3D4E5FA")["trail"][0]["document_no"] == "BAST-2023-119"

    text = "CHIP-1\n"
    refused(upload(api, text, "text/plain"), 422, "invalid_manifest")
    ok(upload(api, "CHIPA\nCHIPB\n", "text/plain", quantity=2), 201)
    refused(upload(api, "CHIPC\nCHIPD\n", "text/plain", quantity=3), 422, "serial_count_mismatch")
    clash = refused(upload(api, "CHIPE\nCHIPA\n", "text/plain"), 409, "serial_overlap")
    assert clash["details"]["clashing"] == "CHIPA"
    refused(upload(api, "CHIP\x00A\n", "text/plain"), 422, "invalid_manifest")
    refused(upload(api, b"\xff\xfe", "text/plain"), 422, "invalid_manifest")
    refused(upload(api, "", "text/plain"), 422, "invalid_manifest")
    refused(upload(api, "CHIPX\n", "text/plain", as_="operator"), 403, "forbidden")
    assert stock(api, "62.02")["on_hand"] == 5
    assert books_problems(api) == []


def test_verify_finds_serials_beyond_stock_and_in_two_places(api):
    deliver(api, "62.02", 10, serials=["V01-V10"])
    assert books_problems(api) == []
    # A count finds two blanks fewer, but cannot say which: the books still hold ten serials.
    ok(
        api.post(
            "/offices/62.02/adjustments",
            {"counted": 8, "reason": "Stock opname", "confirm": True},
            as_="manager",
        ),
        201,
    )
    assert books_problems(api) == ["office 62.02: 10 serialled blanks held but on_hand 8"]
    with api.app.app_context():
        from sqlalchemy import insert

        from inventory.core.db import db
        from inventory.stock.models import SerialRange

        db.session.execute(
            insert(SerialRange.__table__).values(
                prefix="V", width=2, first=11, last=12, office_id=None, transfer_id=None, ended_by_id=1
            )
        )
        db.session.execute(
            insert(SerialRange.__table__).values(
                prefix="V", width=2, first=12, last=13, office_id=None, transfer_id=None, ended_by_id=1
            )
        )
        db.session.commit()
    assert any("V12 is also in the range before it" in line for line in books_problems(api))


def test_a_manifest_is_text(api):
    response = upload(api, '{"serials": ["A1"]}', "application/json")
    assert response.status_code == 415 and response.json["error"] == "unsupported_media_type", response.json
    assert stock(api, "62.02")["on_hand"] == 0


def test_reversals_give_serials_back_or_end_them(api):
    delivery = deliver(api, "62.02", 10, serials=["K001+10"])["movement"]
    sent = ok(transfer(api, {"quantity": 2, "serials": ["K003-K004"]}), 201)
    ok(api.post(f"/transfers/{sent['id']}/cancel", as_="warehouse"))
    # The whole box again, though the transfer left it in three rows.
    printed = ok(serial_print(api, "K005", code="62.02", as_="operator"), 201)["movement"]
    assert story(api, "K005")["ended_by"]["movement_id"] == printed["id"]
    ok(api.post(f"/movements/{printed['id']}/reverse", {"reason": "Wrong form"}, as_="manager"), 201)
    assert story(api, "K005")["office"] == "62.02"
    assert [s["kind"] for s in story(api, "K005")["trail"]] == ["delivery", "print", "reversal"]
    assert stock(api, "62.02")["serial_tracked"] == 10
    ok(api.post(f"/movements/{delivery['id']}/reverse", {"reason": "Wrong office"}, as_="manager"), 201)
    assert stock(api, "62.02") | {"serial_tracked": 0, "on_hand": 0} == stock(api, "62.02")
    assert story(api, "K010")["ended_by"]["kind"] == "reversal"
    refused(api.post("/offices/62.02/deliveries", {"quantity": 1, "serials": ["K001"]}, as_="warehouse"),
            409, "serial_overlap")  # fmt: skip
    deliver(api, "62.02", 10, serials=["K011+10"])
    sent = ok(transfer(api, {"quantity": 10, "serials": ["K011-K020"]}), 201)
    assert sent["serials"] == ["K011-K020"]
    assert books_problems(api) == []


def test_a_range_spanning_split_rows_moves_whole(api):
    deliver(api, "62.02", 10, serials=["K001+10"])
    sent = ok(transfer(api, {"quantity": 2, "serials": ["K003-K004"]}), 201)
    ok(api.post(f"/transfers/{sent['id']}/cancel", as_="warehouse"))
    again = ok(transfer(api, {"quantity": 10, "serials": ["K001-K010"]}), 201)
    assert again["serials"] == ["K001-K002", "K003-K004", "K005-K010"]  # the rows as they were split
    assert stock(api, "62.02")["serial_tracked"] == 0
    assert books_problems(api) == []


def test_one_serial_printed_twice_at_once_is_printed_once(api):
    deliver(api, "62.02", 10, serials=["P01+10"])
    responses = run_together(4, lambda _: serial_print(api, "P05", code="62.02", as_="operator"))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [r.json for r in responses]
    assert {r.json["error"] for r in responses if r.status_code == 409} == {"serial_not_held"}
    assert stock(api, "62.02") | {"on_hand": 9, "serial_tracked": 9} == stock(api, "62.02")
    assert books_problems(api) == []


def test_overlapping_deliveries_at_once_to_different_offices_enter_once(api):
    offices = ("62.02", "62.01", "62.02.05", "62.02.06")

    def deliver_to(i):
        body = {"quantity": 10, "serials": [f"D{i:02d}0+10" if i % 2 else "D000+10"]}
        return api.post(f"/offices/{offices[i]}/deliveries", body, as_="admin")

    responses = run_together(4, deliver_to)
    statuses = [r.status_code for r in responses]
    # D000-D009 is asked for by two offices (0 and 2): one gets it. D010-D019 and D030-D039 enter.
    assert sorted(statuses) == [201, 201, 201, 409], [r.json for r in responses]
    assert sum(stock(api, code)["serial_tracked"] for code in offices) == 30
    assert books_problems(api) == []


def test_a_transfer_naming_no_serials_sends_only_blanks_without_them(api):
    """Five blanks with serials and three without: three may leave unnamed, a fourth only with
    its serials (409 serials_needed, nothing written), planned or not; "lowest" always may."""
    deliver(api, "62.02", 5, serials=["N01-N05"])
    deliver(api, "62.02", 3)
    before = stock(api, "62.02")

    body = refused(transfer(api, {"quantity": 4}), 409, "serials_needed")
    assert (body["details"]["without_serials"], body["details"]["quantity"]) == (3, 4)
    assert "lowest" in body["message"]
    planned = ok(transfer(api, {"quantity": 4, "planned": True}, as_="manager"), 201)
    refused(api.post(f"/transfers/{planned['id']}/dispatch", as_="warehouse"), 409, "serials_needed")
    assert ok(api.get(f"/transfers/{planned['id']}", as_="warehouse"))["status"] == "planned"
    assert stock(api, "62.02") == before
    assert books_problems(api) == []

    ok(transfer(api, {"quantity": 3}), 201)
    refused(transfer(api, {"quantity": 1}), 409, "serials_needed")
    sent = ok(api.post(f"/transfers/{planned['id']}/dispatch", {"serials": "lowest"}, as_="warehouse"))
    assert sent["serials"] == ["N01-N04"]
    assert books_problems(api) == []

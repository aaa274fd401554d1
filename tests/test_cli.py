"""The command-line tools an admin runs: users, the official office tree, the books check."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select, update

from inventory.core.db import db
from inventory.offices import tree
from inventory.offices.models import Office
from inventory.offices.regions import official_regions
from inventory.stock.models import Balance


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_users_create_prints_a_working_token_as_its_last_line(api):
    result = run(api.app, "users", "create", "siti", "--role", "operator", "--office", "62.02.05")

    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    api.tokens["siti"] = token
    assert api.get("/offices/62.02.05/stock", as_="siti").status_code == 200
    assert api.get("/offices/62.02/stock", as_="siti").status_code == 403  # above her office


def test_tokens_are_stored_only_as_hashes(api):
    token = run(api.app, "users", "create", "budi", "--role", "manager", "--office", "62.02").output.split()[
        -1
    ]

    with api.app.app_context():
        tokens = db.metadata.tables["api_tokens"]
        stored = db.session.execute(select(tokens)).all()
    assert not any(token in str(value) for row in stored for value in row)
    assert hashlib.sha256(token.encode()).hexdigest() in {row.token_hash for row in stored}


def test_users_create_refuses_bad_input(api):
    assert run(api.app, "users", "create", "x", "--role", "operator").exit_code != 0  # no office
    assert run(api.app, "users", "create", "x", "--role", "operator", "--office", "99.99").exit_code != 0
    assert run(api.app, "users", "create", "manager", "--role", "manager", "--office", "62.02").exit_code != 0


def test_revoked_tokens_stop_working(api):
    assert run(api.app, "users", "revoke", "manager").exit_code == 0

    response = api.get("/offices/62.02/stock", as_="manager")

    assert response.status_code == 401
    assert response.json["error"] == "bad_token"


def test_the_official_tree_has_every_province_regency_and_district():
    kinds = [kind for _, _, kind, _ in official_regions()]
    assert (kinds.count("province"), kinds.count("regency"), kinds.count("district")) == (38, 514, 7277)
    codes = {code: (name, parent) for code, name, _, parent in official_regions()}
    assert codes["62.02"] == ("Kab. Kotawaringin Timur", "62")
    assert codes["62.02.05"] == ("Baamang", "62.02")


def test_import_regions_builds_the_tree_and_is_idempotent(app):
    first = run(app, "offices", "import-regions", "--under", "62")
    second = run(app, "offices", "import-regions", "--under", "62")

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    with app.app_context():
        offices = {o.code: o for o in db.session.execute(select(Office)).scalars()}
        balances = db.session.execute(select(func.count()).select_from(Balance)).scalar()
    assert len(offices) == 1 + 1 + 14 + 136  # nation, Kalimantan Tengah, its regencies and districts
    assert balances == len(offices)
    assert "0 office(s) created" in second.output
    assert offices["62.02.05"].path.startswith(offices["62.02"].path)
    assert offices["62.02"].path.startswith(offices["62"].path)


def test_import_regions_puts_provinces_under_an_existing_national_office_of_another_code(app):
    with app.app_context():
        tree.create("NAT", "Ditjen Dukcapil", "national")
        db.session.commit()

    result = run(app, "offices", "import-regions", "--under", "62")

    assert result.exit_code == 0, result.output
    with app.app_context():
        nationals = db.session.execute(select(Office.code).where(Office.kind == "national")).scalars().all()
        province = db.session.execute(select(Office).where(Office.code == "62")).scalar_one()
        assert nationals == ["NAT"]
        assert province.parent.code == "NAT"


def test_import_regions_rejects_an_unknown_code(app):
    result = run(app, "offices", "import-regions", "--under", "99")
    assert result.exit_code != 0
    assert "not an official" in result.output


def test_stock_verify_passes_on_honest_books(api):
    api.post("/offices/62.02/deliveries", {"quantity": 50}, as_="warehouse")
    api.post("/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 20}, as_="warehouse")

    result = run(api.app, "stock", "verify")

    assert result.exit_code == 0, result.output


def test_stock_verify_names_an_office_whose_balance_disagrees_with_its_ledger(api):
    api.post("/offices/62.02/deliveries", {"quantity": 50}, as_="warehouse")
    with api.app.app_context():
        office_id = db.session.execute(select(Office.id).where(Office.code == "62.02")).scalar()
        db.session.execute(update(Balance).where(Balance.office_id == office_id).values(on_hand=49))
        db.session.commit()

    result = run(api.app, "stock", "verify")

    assert result.exit_code == 1
    assert "office 62.02: on_hand 49 but ledger sums to 50" in result.output


def test_stock_verify_names_a_half_applied_transfer(api):
    api.post("/offices/62.02/deliveries", {"quantity": 50}, as_="warehouse")
    transfer = api.post(
        "/transfers", {"from": "62.02", "to": "62.02.05", "quantity": 20}, as_="warehouse"
    ).json
    with api.app.app_context():  # mark it received without crediting the destination
        transfers = db.metadata.tables["transfers"]
        db.session.execute(
            update(transfers).where(transfers.c.id == transfer["id"]).values(status="received")
        )
        db.session.commit()

    result = run(api.app, "stock", "verify")

    assert result.exit_code == 1
    assert f"transfer {transfer['id']} (received): 1 ledger movements, half-applied" in result.output
    assert "office 62.02: in_transit_out 20 but open transfers hold 0" in result.output

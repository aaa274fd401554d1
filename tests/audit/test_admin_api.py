"""Admins manage users, tokens and offices through the API; every change lands in the audit
log with the change, and a refused or invalid request writes neither."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory.auth.models import User
from inventory.core.db import db
from tests.helpers import ok, refused

STRONG = "kertas-blangko-sampit-2026"
NOT_ADMINS = ("manager", "warehouse", "operator")


@pytest.fixture(autouse=True)
def _log_so_far(api):
    """The fixture's world was built through the API, so its offices' creations are logged:
    each test reads the entries after them."""
    entries = ok(api.get("/audit", query_string={"limit": 500}, as_="admin"))["items"]
    assert [e["kind"] for e in entries] == ["office.created"] * 7
    api.audit_start = entries[0]["id"]


def audit(api, **query):
    """The audit log since the test began, newest first (admins read it)."""
    items = ok(api.get("/audit", query_string={"limit": 500, **query}, as_="admin"))["items"]
    return [entry for entry in items if entry["id"] > api.audit_start]


def create_user(api, name="siti", role="operator", office="62.02.05", **extra):
    return ok(api.post("/users", {"name": name, "role": role, "office": office, **extra}, as_="admin"), 201)


def stored_user(api, name):
    with api.app.app_context():
        user = db.session.execute(select(User).where(User.name == name)).scalar_one()
        return {
            "role": user.role,
            "office_id": user.office_id,
            "active": user.active,
            "hash": user.password_hash,
        }


# --- users --------------------------------------------------------------------------------


def test_an_admin_creates_a_user_and_the_log_says_who_what_and_when(api):
    before = datetime.now(UTC) - timedelta(seconds=5)
    user = create_user(api, password=STRONG)

    assert (user["name"], user["role"], user["office"], user["active"], user["has_password"]) == (
        "siti", "operator", "62.02.05", True, True,
    )  # fmt: skip
    assert ok(api.get(f"/users/{user['id']}", as_="admin")) == user
    [entry] = audit(api)
    assert (entry["kind"], entry["actor"], entry["subject"], entry["before"]) == (
        "user.created", "admin", "siti", None,
    )  # fmt: skip
    assert entry["after"] == {"role": "operator", "office": "62.02.05", "active": True, "password_set": True}
    assert (
        entry["actor_id"]
        == ok(api.get("/users", query_string={"role": "admin"}, as_="admin"))["items"][0]["id"]
    )
    assert before <= datetime.fromisoformat(entry["at"]) <= datetime.now(UTC)
    assert STRONG not in json.dumps(entry) and stored_user(api, "siti")["hash"] not in json.dumps(entry)


def test_users_are_listed_by_role_office_and_state(api):
    listed = ok(api.get("/users", query_string={"office": "62.02", "per_page": 2}, as_="admin"))
    assert listed["total"] == 3 and len(listed["items"]) == 2  # manager, operator, warehouse of 62.02
    managers = ok(api.get("/users", query_string={"role": "manager"}, as_="admin"))["items"]
    assert [u["name"] for u in managers] == ["kobar_manager", "manager"]
    refused(api.get("/users", query_string={"office": "99.99"}, as_="admin"), 404, "office_not_found")


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"name": "siti", "role": "operator"}, 422, "office_required"),
        ({"name": "siti", "role": "operator", "office": "99.99"}, 404, "office_not_found"),
        (
            {"name": "siti", "role": "operator", "office": "62.02", "password": "password123456"},
            422,
            "weak_password",
        ),
        ({"name": "manager", "role": "manager", "office": "62.02"}, 409, "user_exists"),
        ({"name": "si ti", "role": "operator", "office": "62.02"}, 422, "validation_error"),
        ({"name": "siti", "role": "root", "office": "62.02"}, 422, "validation_error"),
        ({"name": "siti\u0000", "role": "operator", "office": "62.02"}, 422, "unstorable_text"),
    ],
)
def test_a_refused_creation_creates_no_user_and_records_nothing(api, body, status, error):
    users_before = ok(api.get("/users", as_="admin"))["total"]

    refused(api.post("/users", body, as_="admin"), status, error)

    assert ok(api.get("/users", as_="admin"))["total"] == users_before
    assert audit(api) == []


def test_only_admins_manage_users_or_read_the_log(api):
    user_id = create_user(api)["id"]
    token_id = ok(api.post(f"/users/{user_id}/tokens", as_="admin"), 201)["id"]
    logged = audit(api)
    calls = [
        ("GET", "/users", None),
        ("POST", "/users", {"name": "budi", "role": "operator", "office": "62.02"}),
        ("GET", f"/users/{user_id}", None),
        ("PATCH", f"/users/{user_id}", {"active": False}),
        ("PUT", f"/users/{user_id}/password", {"password": STRONG}),
        ("GET", f"/users/{user_id}/tokens", None),
        ("POST", f"/users/{user_id}/tokens", None),
        ("DELETE", f"/users/{user_id}/tokens/{token_id}", None),
        ("GET", "/audit", None),
        ("POST", "/regions/import", {"under": "62"}),
        (
            "POST",
            "/offices",
            {"code": "62.02.09", "name": "Baru", "kind": "district", "parent_code": "62.02"},
        ),
        ("PATCH", "/offices/62.02.05", {"name": "Baamang Baru"}),
        ("PATCH", "/offices/62.02.05", {"active": False}),
    ]
    for method, path, body in calls:
        for name in NOT_ADMINS:
            refused(api.call(method, path, json=body, as_=name), 403, "forbidden")
        assert api.call(method, path, json=body).status_code == 401  # no token
    assert audit(api) == logged
    assert stored_user(api, "siti")["active"] is True and stored_user(api, "siti")["hash"] is None
    assert ok(api.get("/offices/62.02.05", as_="admin"))["name"] == "Baamang"


def test_a_role_change_and_a_move_are_recorded_before_and_after(api):
    user_id = create_user(api)["id"]

    changed = ok(api.patch(f"/users/{user_id}", {"role": "warehouse", "office": "62.02"}, as_="admin"))

    assert (changed["role"], changed["office"]) == ("warehouse", "62.02")
    entry = audit(api, kind="user.role_changed")[0]
    assert (entry["before"], entry["after"]) == (
        {"role": "operator", "office": "62.02.05"},
        {"role": "warehouse", "office": "62.02"},
    )
    ok(api.patch(f"/users/{user_id}", {"role": "warehouse"}, as_="admin"))  # no change: nothing to record
    assert len(audit(api)) == 2
    refused(api.patch(f"/users/{user_id}", {"office": None}, as_="admin"), 422, "office_required")
    refused(api.patch(f"/users/{user_id}", {"office": "99.99"}, as_="admin"), 404, "office_not_found")
    refused(api.patch("/users/999999", {"active": False}, as_="admin"), 404, "user_not_found")
    assert len(audit(api)) == 2 and stored_user(api, "siti")["role"] == "warehouse"


def test_disabling_stops_the_tokens_and_enabling_restores_them_both_recorded(api):
    manager_id = ok(api.get("/users", query_string={"role": "manager", "office": "62.02"}, as_="admin"))[
        "items"
    ][0]["id"]
    assert api.get("/offices/62.02", as_="manager").status_code == 200

    ok(api.patch(f"/users/{manager_id}", {"active": False}, as_="admin"))

    refused(api.get("/offices/62.02", as_="manager"), 401, "bad_token")
    ok(api.patch(f"/users/{manager_id}", {"active": True}, as_="admin"))
    assert api.get("/offices/62.02", as_="manager").status_code == 200
    kinds = [(e["kind"], e["subject"], e["after"]) for e in audit(api)]
    assert kinds == [
        ("user.enabled", "manager", {"active": True}),
        ("user.disabled", "manager", {"active": False, "sessions_ended": 0}),
    ]


def test_an_admin_may_not_disable_or_demote_themself(api):
    admin_id = ok(api.get("/users", query_string={"role": "admin"}, as_="admin"))["items"][0]["id"]

    refused(api.patch(f"/users/{admin_id}", {"active": False}, as_="admin"), 409, "own_account")
    refused(
        api.patch(f"/users/{admin_id}", {"role": "manager", "office": "62.02"}, as_="admin"),
        409,
        "own_account",
    )

    assert api.get("/users", as_="admin").status_code == 200 and audit(api) == []


def test_a_password_reset_is_checked_recorded_without_the_password(api):
    user_id = create_user(api, password=STRONG)["id"]

    refused(api.put(f"/users/{user_id}/password", {"password": "short"}, as_="admin"), 422, "weak_password")
    assert len(audit(api)) == 1
    new = "sapi-perah-di-kotim-" + "x" * 4
    assert api.put(f"/users/{user_id}/password", {"password": new}, as_="admin").status_code == 204

    entry = audit(api)[0]
    assert (entry["kind"], entry["subject"], entry["after"]) == (
        "user.password_reset",
        "siti",
        {"sessions_ended": 0},
    )
    stored = stored_user(api, "siti")["hash"]
    with api.app.app_context():
        from werkzeug.security import check_password_hash

        assert check_password_hash(stored, new)
    assert new not in json.dumps(audit(api)) and stored not in json.dumps(audit(api))


# --- tokens -------------------------------------------------------------------------------


def test_a_token_is_shown_once_works_and_stops_working_when_revoked(api):
    user_id = create_user(api)["id"]

    issued = ok(api.post(f"/users/{user_id}/tokens", as_="admin"), 201)

    token = issued["token"]
    assert token.startswith("blk_") and issued["revoked_at"] is None
    listed = ok(api.get(f"/users/{user_id}/tokens", as_="admin"))["items"]
    assert [t["id"] for t in listed] == [issued["id"]] and token not in json.dumps(listed)
    assert "token" not in listed[0]
    assert api.get("/offices/62.02.05/stock", as_=token).status_code == 200

    assert api.delete(f"/users/{user_id}/tokens/{issued['id']}", as_="admin").status_code == 204

    refused(api.get("/offices/62.02.05/stock", as_=token), 401, "bad_token")
    assert ok(api.get(f"/users/{user_id}/tokens", as_="admin"))["items"][0]["revoked_at"] is not None
    assert (
        api.delete(f"/users/{user_id}/tokens/{issued['id']}", as_="admin").status_code == 204
    )  # again: nothing new
    entries = audit(api)
    assert [(e["kind"], e["subject"]) for e in entries] == [
        ("token.revoked", "siti"), ("token.issued", "siti"), ("user.created", "siti"),
    ]  # fmt: skip
    assert entries[1]["after"] == {"token_id": issued["id"]}
    assert token not in json.dumps(entries) and token[4:12] not in json.dumps(entries)


def test_a_token_of_another_user_or_a_disabled_user_is_refused(api):
    siti = create_user(api)["id"]
    budi = create_user(api, name="budi")["id"]
    token_id = ok(api.post(f"/users/{siti}/tokens", as_="admin"), 201)["id"]
    logged = audit(api)

    refused(api.delete(f"/users/{budi}/tokens/{token_id}", as_="admin"), 404, "token_not_found")
    refused(api.post("/users/999999/tokens", as_="admin"), 404, "user_not_found")
    ok(api.patch(f"/users/{budi}", {"active": False}, as_="admin"))
    refused(api.post(f"/users/{budi}/tokens", as_="admin"), 409, "user_disabled")

    assert len(audit(api)) == len(logged) + 1  # only the disabling


# --- offices ------------------------------------------------------------------------------


def test_office_creation_renaming_closing_and_reopening_are_recorded(api):
    body = {"code": "62.02.09", "name": "Kota Besi", "kind": "district", "parent_code": "62.02"}
    ok(api.post("/offices", body, as_="admin"), 201)
    ok(api.patch("/offices/62.02.09", {"name": "Kota Besi Hulu"}, as_="admin"))
    ok(api.patch("/offices/62.02.09", {"active": False}, as_="admin"))
    ok(api.patch("/offices/62.02.09", {"active": True, "name": "Kota Besi Hulu"}, as_="admin"))
    ok(api.patch("/offices/62.02.09", {"time_zone": "WITA", "min_stock": 5}, as_="admin"))

    entries = [(e["kind"], e["subject"], e["before"], e["after"]) for e in audit(api)]
    assert entries == [
        ("office.time_zone_changed", "62.02.09", {"time_zone": "WIB"}, {"time_zone": "WITA"}),
        ("office.reopened", "62.02.09", {"active": False}, {"active": True}),
        ("office.closed", "62.02.09", {"active": True}, {"active": False}),
        ("office.renamed", "62.02.09", {"name": "Kota Besi"}, {"name": "Kota Besi Hulu"}),
        ("office.created", "62.02.09", None,
         {"name": "Kota Besi", "kind": "district", "parent": "62.02", "time_zone": "WIB"}),
    ]  # fmt: skip


def test_a_managers_settings_are_not_admin_changes_and_refusals_record_nothing(api):
    ok(api.patch("/offices/62.02", {"min_stock": 50}, as_="manager"))
    refused(api.patch("/offices/62.02", {"name": " "}, as_="admin"), 422, "validation_error")
    refused(api.patch("/offices/99.99", {"name": "X"}, as_="admin"), 404, "office_not_found")
    body = {"code": "62.02.05", "name": "Again", "kind": "district", "parent_code": "62.02"}
    refused(api.post("/offices", body, as_="admin"), 409, "office_exists")
    refused(api.patch("/offices/62.02", {"target_date": "2001-01-01", "name": "Kotim"}, as_="admin"), 422,
            "target_date_past")  # fmt: skip

    assert audit(api) == []
    assert ok(api.get("/offices/62.02", as_="admin"))["name"] == "Kab. Kotawaringin Timur"


def test_importing_a_provinces_regions_is_recorded_once_and_safe_to_repeat(api):
    result = ok(api.post("/regions/import", {"under": "62"}, as_="admin"))

    assert result["under"] == "62" and result["created"] > 100  # 14 regencies and their districts
    assert ok(api.get("/offices/62.02.01", as_="admin"))["kind"] == "district"
    again = ok(api.post("/regions/import", {"under": "62"}, as_="admin"))
    assert again["created"] == 0 and again["already_present"] == result["created"] + result["already_present"]
    [entry] = audit(api)
    counts = {"created": result["created"], "already_present": result["already_present"]}
    assert (entry["kind"], entry["subject"], entry["after"]) == ("office.regions_imported", "62", counts)
    refused(api.post("/regions/import", {"under": "99"}, as_="admin"), 404, "unknown_region")
    refused(api.post("/regions/import", {"under": "62.02.05"}, as_="admin"), 422, "validation_error")
    assert len(audit(api)) == 1


# --- reading the log ----------------------------------------------------------------------


def test_the_log_filters_by_kind_actor_subject_and_time_and_pages_by_id(api):
    create_user(api, name="siti")
    create_user(api, name="budi")
    ok(api.patch("/offices/62.02.05", {"name": "Baamang Kota"}, as_="admin"))
    with api.app.app_context():
        from inventory.audit.log import Actor, record

        record(
            Actor(None, "cli:root"),
            "office.regions_imported",
            "63",
            after={"created": 1, "already_present": 0},
        )
        db.session.commit()

    assert [e["subject"] for e in audit(api, kind="user.created")] == ["budi", "siti"]
    assert [e["kind"] for e in audit(api, kind=["office.renamed", "office.regions_imported"])] == [
        "office.regions_imported", "office.renamed",
    ]  # fmt: skip
    assert [e["subject"] for e in audit(api, actor="cli:root")] == ["63"]
    assert [e["kind"] for e in audit(api, subject="62.02.05")] == ["office.renamed"]
    assert len(audit(api, since=(datetime.now(UTC) - timedelta(minutes=5)).isoformat())) == 4
    assert len(audit(api, since=(datetime.now(UTC) + timedelta(minutes=5)).isoformat())) == 0
    assert audit(api, until=(datetime.now(UTC) - timedelta(minutes=5)).isoformat()) == []

    first = ok(api.get("/audit", query_string={"limit": 3}, as_="admin"))
    second = ok(api.get("/audit", query_string={"limit": 3, "before": first["next_before"]}, as_="admin"))
    assert [e["id"] for e in first["items"] + second["items"]][:4] == [e["id"] for e in audit(api)]
    assert len(second["items"]) == 3 and second["next_before"] == second["items"][-1]["id"]
    last = ok(api.get("/audit", query_string={"limit": 500, "before": second["next_before"]}, as_="admin"))
    assert len(last["items"]) == 5 and last["next_before"] is None  # 11 entries in all
    refused(api.get("/audit", query_string={"kind": "user.deleted"}, as_="admin"), 422, "validation_error")

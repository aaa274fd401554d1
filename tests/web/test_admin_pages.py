"""Admins manage offices and users in the browser, and read the audit log there: the same
services, permissions and records as the API; CSRF on every form; refusals change nothing."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ok
from tests.web.dashboard import browser

STRONG = "kertas-blangko-sampit-2026"
NOT_ADMINS = ("manager", "warehouse", "operator")


def audit(web, **query):
    return ok(web.get("/audit", query_string={"limit": 500, **query}, as_="admin"))["items"]


def user_id(web, name):
    users = ok(web.get("/users", query_string={"per_page": 500}, as_="admin"))["items"]
    return next(u["id"] for u in users if u["name"] == name)


def test_an_admin_creates_a_user_sets_its_role_and_password_and_disables_it(web):
    b = browser(web, "admin")
    page = b.text("/admin/users")
    assert 'id="user-create-form"' in page and "manager" in page

    response = b.post(
        "/admin/users", {"name": "siti", "role": "operator", "office": "62.02.05", "password": STRONG}
    )

    assert response.status_code == 302
    siti = ok(web.get(f"/users/{user_id(web, 'siti')}", as_="admin"))
    assert (siti["role"], siti["office"], siti["has_password"]) == ("operator", "62.02.05", True)
    assert "Pengguna siti dibuat." in b.text(response.headers["Location"])
    other = browser(web)
    assert other.login("siti", STRONG).status_code == 302  # she logs in with it

    assert (
        b.post(f"/admin/users/{siti['id']}/role", {"role": "warehouse", "office": "62.02"}).status_code == 302
    )
    new = "burung-enggang-di-sampit"
    assert b.post(f"/admin/users/{siti['id']}/password", {"new": new, "again": new}).status_code == 302
    assert other.get("/").status_code == 302  # her session ended with the new password
    assert b.post(f"/admin/users/{siti['id']}/active", {"active": "0"}).status_code == 302
    assert ok(web.get(f"/users/{siti['id']}", as_="admin"))["active"] is False
    assert browser(web).login("siti", new).status_code == 401  # disabled

    kinds = [(e["kind"], e["actor"], e["subject"]) for e in audit(web, subject="siti")]
    assert kinds == [
        ("user.disabled", "admin", "siti"),
        ("user.password_reset", "admin", "siti"),
        ("user.role_changed", "admin", "siti"),
        ("user.created", "admin", "siti"),
    ]


def test_a_token_is_shown_once_on_the_page_and_revoked_from_it(web):
    b = browser(web, "admin")
    operator = user_id(web, "operator")
    b.get(f"/admin/users/{operator}")

    page = b.post(f"/admin/users/{operator}/tokens").get_data(as_text=True)

    token = re.search(r'<code class="token">(blk_[^<]+)</code>', page).group(1)
    assert web.get("/offices/62.02/stock", as_=token).status_code == 200
    assert token not in b.text(f"/admin/users/{operator}")  # never again
    token_id = ok(web.get(f"/users/{operator}/tokens", as_="admin"))["items"][0]["id"]
    assert b.post(f"/admin/users/{operator}/tokens/{token_id}/revoke").status_code == 302
    assert web.get("/offices/62.02/stock", as_=token).status_code == 401
    assert [e["kind"] for e in audit(web, subject="operator")] == ["token.revoked", "token.issued"]
    assert token not in b.text("/admin/audit")


def test_refused_forms_change_and_record_nothing(web):
    b = browser(web, "admin")
    b.get("/admin/users")
    before = audit(web)
    weak = b.post(
        "/admin/users", {"name": "siti", "role": "operator", "office": "62.02", "password": "short"}
    )
    assert weak.status_code == 422 and "12 sampai 200 karakter" in weak.get_data(as_text=True)
    taken = b.post("/admin/users", {"name": "manager", "role": "manager", "office": "62.02"})
    assert taken.status_code == 422 and "sudah ada" in taken.get_data(as_text=True)
    no_office = b.post("/admin/users", {"name": "siti", "role": "operator", "office": ""})
    assert no_office.status_code == 422
    admin_id = user_id(web, "admin")
    b.post(f"/admin/users/{admin_id}/active", {"active": "0"})
    assert ok(web.get(f"/users/{admin_id}", as_="admin"))["active"] is True  # not oneself
    nul = b.post("/admin/users", {"name": "si\u0000ti", "role": "operator", "office": "62.02"})
    assert nul.status_code in (400, 422)
    no_csrf = b.post("/admin/users", {"name": "siti", "role": "operator", "office": "62.02"}, csrf=False)
    assert no_csrf.status_code == 400
    b.get("/admin/offices/62.02")
    assert b.post("/admin/offices/62.02/name", {"name": "X"}, csrf=False).status_code == 400
    assert b.post("/admin/offices/62.02/active", csrf=False).status_code == 400
    assert b.post(f"/admin/users/{user_id(web, 'operator')}/tokens", csrf=False).status_code == 400
    assert b.post("/admin/regions", {"under": "99"}).status_code == 422
    assert (
        b.post(
            "/admin/offices/62.02/children", {"code": "62.02.05", "name": "Lagi", "kind": "district"}
        ).status_code
        == 422
    )

    assert audit(web) == before
    assert ok(web.get("/offices/62.02", as_="admin"))["active"] is True
    assert "siti" not in [u["name"] for u in ok(web.get("/users", as_="admin"))["items"]]


def test_an_admin_creates_renames_closes_and_reopens_an_office_and_imports_regions(web):
    b = browser(web, "admin")
    page = b.text("/admin/offices")
    assert 'href="/admin/offices/ID"' in page and 'id="regions-form"' in page
    b.get("/admin/offices/62.02")

    created = b.post(
        "/admin/offices/62.02/children", {"code": "62.02.09", "name": "Kota Besi", "kind": "district"}
    )
    assert created.status_code == 302 and created.headers["Location"].endswith("/admin/offices/62.02.09")
    assert b.post("/admin/offices/62.02.09/name", {"name": "Kota Besi Hulu"}).status_code == 302
    assert b.post("/admin/offices/62.02.09/active", {"active": "0"}).status_code == 302
    assert (
        b.post("/admin/offices/62.02.09/active", {"active": "0"}).status_code == 302
    )  # sent twice: closed still
    assert ok(web.get("/offices/62.02.09", as_="admin"))["active"] is False
    assert "Ditutup" in b.text("/admin/offices/62.02.09")
    assert b.post("/admin/offices/62.02.09/active", {"active": "1"}).status_code == 302
    imported = b.post("/admin/regions", {"under": "62.02"})
    assert imported.status_code == 302
    assert "kantor dibuat" in b.text(imported.headers["Location"])

    office = ok(web.get("/offices/62.02.09", as_="admin"))
    assert (office["name"], office["active"]) == ("Kota Besi Hulu", True)
    assert [e["kind"] for e in audit(web)][:5] == [
        "office.regions_imported", "office.reopened", "office.closed", "office.renamed", "office.created",
    ]  # fmt: skip


def test_the_audit_page_lists_and_filters_in_both_languages(web):
    b = browser(web, "admin")
    b.get("/admin/users")
    b.post("/admin/users", {"name": "siti", "role": "operator", "office": "62.02.05"})
    b.get("/admin/offices/62.02.05")
    b.post("/admin/offices/62.02.05/name", {"name": "Baamang Kota"})

    page = b.text("/admin/audit")
    assert "Pengguna dibuat" in page and "Kantor diganti namanya" in page
    assert "name: Baamang → Baamang Kota" in page
    only_users = b.text("/admin/audit?kind=user.created")
    assert "Pengguna dibuat" in only_users and "name: Baamang → Baamang Kota" not in only_users
    assert 'data-kind="office.renamed"' not in only_users
    assert "Baamang Kota" not in b.text("/admin/audit?actor=manager")
    assert 'id="audit-empty"' in b.text("/admin/audit?from=2001-01-01&to=2001-01-02")
    b.get("/admin/audit")
    b.post("/language", {"lang": "en", "next": "/admin/audit"})
    english = b.text("/admin/audit")
    assert "User created" in english and "Office renamed" in english
    assert "Audit log" in english


@pytest.mark.parametrize("name", NOT_ADMINS)
def test_only_admins_open_or_send_the_admin_pages(web, name):
    target = user_id(web, "operator")
    before = audit(web)
    b = browser(web, name)
    for path in (
        "/admin/users",
        f"/admin/users/{target}",
        "/admin/offices",
        "/admin/offices/62.02",
        "/admin/audit",
    ):
        assert b.get(path).status_code == 403, path
    b.get("/")
    posts = {
        "/admin/users": {"name": "siti", "role": "operator", "office": "62.02"},
        f"/admin/users/{target}/role": {"role": "manager", "office": "62.02"},
        f"/admin/users/{target}/password": {"new": STRONG, "again": STRONG},
        f"/admin/users/{target}/active": {"active": "0"},
        f"/admin/users/{target}/tokens": {},
        "/admin/offices/62.02/children": {"code": "62.02.09", "name": "Baru", "kind": "district"},
        "/admin/offices/62.02/name": {"name": "Lain"},
        "/admin/offices/62.02/active": {"active": "0"},
        "/admin/regions": {"under": "62"},
    }
    for path, data in posts.items():
        assert b.post(path, data).status_code == 403, path
    assert 'href="/admin/users"' not in b.text("/")
    assert audit(web) == before
    assert ok(web.get(f"/users/{target}", as_="admin"))["active"] is True


def test_the_public_is_sent_to_log_in(web):
    anonymous = browser(web)
    for path in ("/admin/users", "/admin/offices", "/admin/audit"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path

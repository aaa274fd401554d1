"""Managers subscribe to alerts in their area; secrets are kept encrypted and never shown."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import Config
from inventory.blank_requests.events import REQUEST_EVENTS
from inventory.core.db import db
from inventory.notify import channels
from inventory.notify.models import Subscription
from inventory.notify.outbox import decrypt_secret
from inventory.planning.models import ALERT_KINDS

SECRET = "correct-horse-battery-staple"
WEBHOOK = {
    "office": "62.02",
    "channel": "webhook",
    "url": "https://hooks.example.id/blangko",
    "secret": SECRET,
}
EMAIL = {
    "office": "62.02.05",
    "channel": "email",
    "email": "kadis@disdukcapil.example.id",
    "kinds": ["stockout"],
}


def subscribe(api, body, as_="manager", status=201):
    response = api.post("/subscriptions", body, as_=as_)
    assert response.status_code == status, response.json
    return response.json


def test_a_manager_subscribes_by_webhook_and_never_sees_the_secret_again(api):
    created = subscribe(api, WEBHOOK)

    assert created["office"] == "62.02" and created["user"] == "manager"
    assert created["channel"] == "webhook" and created["url"] == WEBHOOK["url"]
    assert created["kinds"] == [*ALERT_KINDS, *REQUEST_EVENTS]  # all kinds unless told otherwise
    assert created["has_secret"] is True and created["active"] is True
    assert "secret" not in created and SECRET not in str(created)
    listed = api.get("/subscriptions", as_="manager").json["items"]
    assert listed == [created]


def test_the_secret_is_stored_encrypted_and_recoverable(api):
    subscribe(api, WEBHOOK)

    with api.app.app_context():
        rows = db.session.execute(select(db.metadata.tables["subscriptions"])).all()
        assert not any(SECRET in str(value) for row in rows for value in row)
        stored = db.session.execute(select(Subscription.secret_encrypted)).scalar_one()
        assert decrypt_secret(stored) == SECRET


def test_a_manager_subscribes_by_email_for_some_kinds(api):
    created = subscribe(api, EMAIL)

    assert created["channel"] == "email" and created["email"] == EMAIL["email"]
    assert created["kinds"] == ["stockout"] and created["has_secret"] is False and created["url"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (WEBHOOK | {"url": "ftp://hooks.example.id/x"}, "url"),
        (WEBHOOK | {"url": "not a url"}, "url"),
        ({k: v for k, v in WEBHOOK.items() if k != "secret"}, "secret"),
        ({k: v for k, v in WEBHOOK.items() if k != "url"}, "url"),
        (WEBHOOK | {"secret": "short"}, "secret"),
        (WEBHOOK | {"email": "kadis@example.id"}, "email"),
        (EMAIL | {"email": "not-an-address"}, "email"),
        ({k: v for k, v in EMAIL.items() if k != "email"}, "email"),
        (EMAIL | {"url": "https://hooks.example.id/x"}, "url"),
        (EMAIL | {"kinds": ["low_stock", "volcano"]}, "kinds"),
        (EMAIL | {"kinds": []}, "kinds"),
        (EMAIL | {"channel": "pigeon"}, "channel"),
        ({"channel": "email", "email": "kadis@example.id"}, "office"),
        (EMAIL | {"colour": "red"}, "colour"),
    ],
)
def test_bad_subscriptions_are_refused_field_by_field(api, body, field):
    response = api.post("/subscriptions", body, as_="manager")

    assert response.status_code == 422, response.json
    assert response.json["error"] == "validation_error"
    assert field in response.json["errors"]["json"], response.json


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
            "http://0.0.0.0:5432/", "http://100.100.100.200/latest/meta-data/",
            "http://[fd00:ec2::254]/latest/meta-data/"],
)  # fmt: skip
def test_a_webhook_may_not_point_at_the_servers_own_or_metadata_addresses(api, url):
    api.app.config["WEBHOOK_BLOCKED_NETWORKS"] = Config.WEBHOOK_BLOCKED_NETWORKS  # production's default

    response = api.post("/subscriptions", WEBHOOK | {"url": url}, as_="manager")

    assert response.status_code == 422, response.json
    assert response.json["error"] == "webhook_address_blocked"
    assert "url" in response.json["errors"]["json"]
    assert api.get("/subscriptions", as_="manager").json["items"] == []


@pytest.mark.parametrize(
    ("url", "blocked"),
    [("http://[::ffff:127.0.0.1]/hook", "::ffff:7f00:1"), ("http://[fe80::1]/", "fe80::1"),
     ("http://10.62.2.5/", None), ("http://hooks.example.id/", None),
     # Cloud metadata outside link-local: Alibaba, AWS (IMDS and its DNS), Google, Azure, Oracle
     ("http://100.100.100.200/latest/meta-data/", "100.100.100.200"),
     ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),
     ("http://[fd00:ec2::253]/", "fd00:ec2::253"),
     ("http://[fd20:ce::254]/computeMetadata/v1/", "fd20:ce::254"),
     ("http://168.63.129.16/machine?comp=goalstate", "168.63.129.16"),
     ("http://192.0.0.192/latest/", "192.0.0.192"),
     # 169.254.169.254 carried inside IPv6: mapped, NAT64, 6to4, Teredo
     ("http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe"),
     ("http://[64:ff9b::169.254.169.254]/", "64:ff9b::a9fe:a9fe"),
     ("http://[2002:a9fe:a9fe::1]/", "2002:a9fe:a9fe::1"),
     ("http://[2001:0:4136:e378:8000:63bf:5601:5601]/", "2001:0:4136:e378:8000:63bf:5601:5601"),
     # Neighbours of the metadata addresses stay allowed: an office LAN or a carrier NAT
     ("http://100.100.100.201/", None), ("http://100.64.0.1/", None), ("http://[fd00:ec3::254]/", None),
     ("http://[64:ff9b::10.62.2.5]/", None),
     # IPv4 written as the C library also reads it when connecting: one number, hex, octal, short
     ("http://2130706433/", "127.0.0.1"), ("http://0x7f000001/", "127.0.0.1"),
     ("http://017700000001/", "127.0.0.1"), ("http://127.1/", "127.0.0.1"),
     ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254"), ("http://167772161/", None)],
)  # fmt: skip
def test_which_literal_addresses_are_blocked(url, blocked):
    # IPv4 written as IPv6 is still what it carries; a name is not looked up without resolve.
    networks = channels.networks(Config.WEBHOOK_BLOCKED_NETWORKS)
    assert channels.blocked_address(url, networks, resolve=False) == blocked


def test_a_webhook_on_the_office_network_is_allowed(api):
    api.app.config["WEBHOOK_BLOCKED_NETWORKS"] = Config.WEBHOOK_BLOCKED_NETWORKS

    assert subscribe(api, WEBHOOK | {"url": "http://10.62.2.5:8080/blangko"})["url"].startswith("http://10.")


def test_the_office_must_be_in_the_managers_area(api):
    for code in ("62.01", "62"):  # a neighbour, and the province above
        response = api.post("/subscriptions", WEBHOOK | {"office": code}, as_="manager")
        assert response.status_code == 403
        assert response.json["error"] == "outside_area"
    assert api.post("/subscriptions", WEBHOOK | {"office": "99.99"}, as_="manager").status_code == 404
    assert subscribe(api, WEBHOOK | {"office": "ID"}, as_="admin")["user"] == "admin"


@pytest.mark.parametrize("role", ["warehouse", "operator"])
def test_only_managers_and_admins_subscribe(api, role):
    response = api.post("/subscriptions", WEBHOOK, as_=role)

    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert api.get("/subscriptions", as_=role).status_code == 403
    assert api.get("/notifications", as_=role).status_code == 403


def test_a_token_is_needed(api):
    assert api.get("/subscriptions").status_code == 401
    assert api.post("/subscriptions", WEBHOOK).status_code == 401


def test_managers_see_their_own_subscriptions_and_admins_everyones(api):
    mine = subscribe(api, WEBHOOK)
    theirs = subscribe(api, WEBHOOK | {"office": "62.01"}, as_="kobar_manager")

    assert [s["id"] for s in api.get("/subscriptions", as_="manager").json["items"]] == [mine["id"]]
    assert [s["id"] for s in api.get("/subscriptions", as_="kobar_manager").json["items"]] == [theirs["id"]]
    assert [s["id"] for s in api.get("/subscriptions", as_="admin").json["items"]] == [
        mine["id"],
        theirs["id"],
    ]


def test_deleting_deactivates_only_your_own(api):
    mine = subscribe(api, WEBHOOK)

    assert api.delete(f"/subscriptions/{mine['id']}", as_="kobar_manager").status_code == 404
    assert api.delete("/subscriptions/999999", as_="manager").status_code == 404
    response = api.delete(f"/subscriptions/{mine['id']}", as_="manager")
    assert response.status_code == 204 and response.data == b""
    assert api.get("/subscriptions", as_="manager").json["items"] == []
    assert api.delete(f"/subscriptions/{mine['id']}", as_="manager").status_code == 204  # harmless twice
    with api.app.app_context():
        assert db.session.get(Subscription, mine["id"]).active is False  # kept, for its history


def test_an_admin_may_delete_anyones(api):
    mine = subscribe(api, WEBHOOK)

    assert api.delete(f"/subscriptions/{mine['id']}", as_="admin").status_code == 204
    assert api.get("/subscriptions", as_="admin").json["items"] == []


def test_paths_have_no_trailing_slash(api):
    assert api.get("/subscriptions/", as_="manager").status_code == 404
    assert api.get("/notifications/", as_="manager").status_code == 404

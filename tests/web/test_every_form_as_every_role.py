"""Every dashboard form, sent as every role: it is allowed exactly where its API route allows it,
a refusal writes nothing, and no form is taken without its CSRF token.

ROWS has one row per POST route of the dashboard (test_every_post_route_has_a_row fails naming
a new one without a row). A row says where its form posts and what it sends, the API route it
mirrors and the permission that route needs, and which tables a successful send writes. Each
role's verdict comes from the API itself: the same request, with the same user's token, on an
object of its own (prepared the same way). The web form must then succeed and write where the API
succeeded, and be refused (403/404; the log-in page for anonymous) and write nothing where it
refused. One world per module and database; each role logs in once.

A new form is a new Row: its rule, the API route and what that needs, what the form and the API
request send (on what `prepare` makes afresh for each attempt, when it acts on an object), and
the tables it writes.
"""

from __future__ import annotations

import io
import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import insert, select, update

from inventory.auth import permissions
from inventory.auth.models import User
from inventory.core.db import db, utcnow
from inventory.core.principal import Principal
from inventory.offices import tree
from inventory.offices.regions import official_regions
from inventory.offices.time_zones import local_day
from inventory.planning.models import Alert
from tests.conftest import BACKENDS, PG_URL, ApiClient, build_world, make_app
from tests.helpers import ok
from tests.notify.receivers import WebhookReceiver
from tests.web.conftest import DASHBOARD_USERS
from tests.web.dashboard import Browser, browser, set_password

HERE = "62.02"  # the office the forms act on: operator, warehouse and manager work here
CHILD = "62.02.05"  # below it, where baamang_warehouse sends from
ALERTS_AT = "62.02.07"  # an office of the area for the alerts the walk raises itself, nothing else
ROLES = ("operator", "warehouse", "manager", "admin", "kobar_manager", None)  # None: not logged in
SECRET = "a-webhook-secret-of-enough-length"
PASSWORD = "walnut-harbour-quietly-1987"


# --- the world -------------------------------------------------------------------------------


@dataclass
class Walk:
    app: object
    api: ApiClient
    receiver: WebhookReceiver
    browsers: dict[str | None, Browser]
    principals: dict[str, Principal]
    passwords: dict[str, str]
    paths: dict[str, str] = field(default_factory=dict)
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    # Official regencies outside the world's province, one an import.
    regencies: Iterator[str] = field(
        default_factory=lambda: (
            code
            for code, _, kind, _ in official_regions()
            if kind == "regency" and not code.startswith("62.")
        )
    )

    def n(self) -> int:
        """A number no other attempt used: unique names, codes and quantities."""
        return next(self.serial)

    def path(self, code: str) -> str:
        if code not in self.paths:
            with self.app.app_context():
                self.paths[code] = tree.get_by_code(code).path
                db.session.remove()
        return self.paths[code]

    def call(self, method: str, path: str, json=None, as_: str | None = "admin"):
        return self.api.call(method, path, json=json, as_=as_)

    def made(self, method: str, path: str, json=None, as_: str = "admin") -> dict:
        """A write the test makes to prepare an attempt: it must succeed."""
        response = self.call(method, path, json, as_)
        assert response.status_code in (200, 201), (method, path, response.status_code, response.json)
        return response.json

    def on_hand(self, code: str) -> int:
        return self.api.on_hand(code)

    def run(self, work: Callable[[], object]) -> object:
        with self.app.app_context():
            try:
                result = work()
                db.session.commit()
                return result
            finally:
                db.session.remove()


@pytest.fixture(scope="module", params=BACKENDS)
def walk(request, tmp_path_factory):
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("PostgreSQL skipped: TEST_DATABASE_URL is not set")
    tmp = tmp_path_factory.mktemp("walk")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'walk.sqlite3'}"
    else:
        url = request.getfixturevalue("postgresql_url")
    app = make_app(url, tmp)
    api = build_world(ApiClient(app))
    office = {"code": ALERTS_AT, "name": "Alerts", "kind": "district", "parent_code": HERE}
    ok(api.post("/offices", office, as_="admin"), 201)
    for name in DASHBOARD_USERS:
        set_password(app, name)
    ok(api.post(f"/offices/{HERE}/deliveries", {"quantity": 100_000}, as_="warehouse"), 201)
    ok(api.post(f"/offices/{CHILD}/deliveries", {"quantity": 1_000}, as_="baamang_warehouse"), 201)
    with app.app_context():
        principals = {name: _principal(name) for name in ROLES if name}
        db.session.remove()
    with WebhookReceiver(SECRET) as receiver:
        browsers = {name: browser(api, name) for name in ROLES if name}
        browsers[None] = Browser(app)
        browsers[None].get("/login")  # a CSRF token of its own, as a visitor's browser has
        yield Walk(app, api, receiver, browsers, principals, {name: f"pw-{name}" for name in ROLES if name})
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _principal(name: str) -> Principal:
    user = db.session.execute(select(User).where(User.name == name)).scalar_one()
    office = user.office
    return Principal(
        user.id, user.name, user.role, office and office.id, office and office.code, office and office.path
    )


# --- what a form sends, and what it changed ---------------------------------------------------


@dataclass
class Post:
    url: str
    data: dict = field(default_factory=dict)
    json: dict | None = None  # the offline unit's upload: JSON, its CSRF token in a header
    file: bytes | None = None  # the population CSV: a multipart upload


def send(b: Browser, post: Post, csrf: bool = True):
    if post.json is not None:
        headers = {"Accept": "application/json", **({"X-CSRFToken": b.token} if csrf else {})}
        return b.client.post(post.url, json=post.json, headers=headers)
    if post.file is not None:
        data = {**post.data, "file": (io.BytesIO(post.file), "penduduk.csv")}
        return b.post(post.url, data, csrf=csrf, content_type="multipart/form-data")
    return b.post(post.url, dict(post.data), csrf=csrf)


# Touched by every request of a logged-in user (its last request's time): the rest of the row counts.
TOUCHED = {"dashboard_sessions": {"last_seen_at"}}


def snapshot(app) -> dict[str, list]:
    """Every row of every table: what a refused form must leave as it was."""
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                found = {}
                for table in db.metadata.sorted_tables:
                    columns = [c for c in table.columns if c.name not in TOUCHED.get(table.name, ())]
                    found[table.name] = sorted(map(repr, connection.execute(select(*columns))))
                return found
        finally:
            db.session.remove()


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def nonce() -> str:
    return secrets.token_urlsafe(16)


# --- the rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What the API route needs, in words and as inventory/auth/permissions says it."""

    text: str
    check: Callable[[Walk, Principal], bool]


def may_any(*actions: str, at: str = HERE) -> Need:
    """One of `actions` is enough (planning a transfer: PLAN or TRANSFER)."""
    return Need(
        f"{' or '.join(actions)} at {at}",
        lambda w, who: any(permissions.may(who, a, w.path(at)) for a in actions),
    )


def may(*actions: str, at: str = HERE) -> Need:
    return Need(
        f"{' + '.join(actions)} at {at}",
        lambda w, who: all(permissions.may(who, a, w.path(at)) for a in actions),
    )


@dataclass(frozen=True)
class Row:
    """One form: where it posts and what, the API route it mirrors and what that route needs."""

    rule: str  # the route as app.url_map spells it
    api: str  # the API route it mirrors, for the reader
    needs: Need
    form: Callable[[Walk, dict], Post]  # what the form sends, given what prepare made
    call: Callable[[Walk, dict], tuple] | None  # (method, path, json) of the API request
    writes: tuple[str, ...] = ()  # tables a successful send changes
    prepare: Callable[[Walk, str | None], dict] = lambda w, role: {}  # what one attempt acts on, made afresh
    effect: Callable[[Walk], object] | None = None  # for a form that writes nothing: what it does
    action: str | None = None  # the alternative of an <any(...)> part of the rule
    done: Callable[[Walk, dict, str], None] | None = None  # after a successful send
    # The domain error an allowed role meets in the walk's world, where the form can never
    # succeed (the tree has its one national office): the API answers 409 with it, the form
    # shows it, and neither writes anything. Roles not allowed are still refused first.
    refused_by: str | None = None

    @property
    def name(self) -> str:
        return self.rule + (f" [{self.action}]" if self.action else "")


@dataclass(frozen=True)
class Exclusion:
    """A POST route with no authorisation to walk; its CSRF token is checked all the same."""

    rule: str
    reason: str
    form: Callable[[Walk], Post]
    as_: str | None  # who sends it in the CSRF check
    action: str | None = None

    @property
    def name(self) -> str:
        return self.rule


def movement(w: Walk, role: str | None) -> dict:
    """A delivery of one blank, to be reversed."""
    made = w.made("POST", f"/offices/{HERE}/deliveries", {"quantity": 1}, "warehouse")
    return {"id": made["movement"]["id"]}


def incoming(w: Walk, role: str | None) -> dict:
    """A transfer on the road to HERE, sent by someone who is none of the walked roles."""
    return w.made("POST", "/transfers", {"from": CHILD, "to": HERE, "quantity": 1}, "baamang_warehouse")


def outgoing(w: Walk, role: str | None) -> dict:
    return w.made("POST", "/transfers", {"from": HERE, "to": CHILD, "quantity": 1}, "warehouse")


def planned(w: Walk, role: str | None) -> dict:
    """A transfer planned at HERE (nothing has moved yet), by its manager."""
    return w.made("POST", "/transfers", {**TRANSFER, "planned": True}, "manager")


def own_print(w: Walk, role: str | None) -> dict:
    """A print just made, by the role itself where it may print (the counter undoes only one's own)."""
    prints = role is not None and permissions.may(w.principals[role], permissions.PRINT, w.path(HERE))
    made = w.made("POST", f"/offices/{HERE}/prints", PRINT, role if prints else "operator")
    return {"id": made["movement"]["id"]}


def alert(w: Walk, role: str | None) -> dict:
    """An open alert in the area (the one before it, acknowledged or not, resolved)."""

    def work():
        office_id = tree.get_by_code(ALERTS_AT).id
        now = utcnow()
        db.session.execute(
            update(Alert)
            .where(Alert.office_id == office_id, Alert.resolved_at.is_(None))
            .values(status="resolved", resolved_at=now)
        )
        return db.session.execute(
            insert(Alert)
            .values(
                office_id=office_id,
                kind="destruction_overdue",
                message="Walk",
                figures="{}",
                opened_at=now,
                updated_at=now,
            )
            .returning(Alert.id)
        ).scalar_one()

    return {"id": w.run(work)}


def witnesses() -> list[dict]:
    return [
        {"name": "Budi Santoso", "institution": "Satpol PP", "role": "Saksi"},
        {"name": "Siti Rahmawati", "institution": "Inspektorat", "role": "Saksi"},
    ]


def destruction_body(w: Walk) -> dict:
    return {
        "document_no": f"BA-{w.n()}/2026",
        "destroyed_on": "2026-12-02",
        "place": "Halaman kantor",
        "method": "burned",
        "witnesses": witnesses(),
        "counts": {"returned_card": 1},
    }


def destruction_form(w: Walk) -> dict:
    fields = {
        "document_no": f"BA-{w.n()}/2026",
        "destroyed_on": "2026-12-02",
        "place": "Halaman kantor",
        "method": "burned",
        "returned_card": "1",
        "nonce": nonce(),
    }
    for index, witness in enumerate(witnesses()):
        fields |= {f"witnesses-{index}-{key}": value for key, value in witness.items()}
    return fields


def draft(w: Walk, role: str | None) -> dict:
    """A drafted record of one returned card that custody holds."""
    w.made("POST", f"/offices/{HERE}/returned-cards", {"quantity": 1, "reason": "damaged"}, "operator")
    return w.made("POST", f"/offices/{HERE}/destructions", destruction_body(w), "manager")


def draft_request(w: Walk, role: str | None) -> dict:
    """HERE's draft request for blanks, to its province."""
    return w.made("POST", "/requests", {**JUSTIFIED, "office": HERE, "supplier": "62"}, "manager")


def submitted_request(w: Walk, role: str | None) -> dict:
    """CHILD's request, submitted, awaiting HERE's decision."""
    made = w.made("POST", "/requests", {**JUSTIFIED, "office": CHILD, "supplier": HERE})
    w.made("POST", f"/requests/{made['id']}/submit", {})
    return made


def decides_here(w: Walk, who: Principal) -> bool:
    """A decision is the deciding office's own, or an admin's (blank_requests.service._require_side)."""
    return permissions.may(who, permissions.DECIDE_REQUESTS) and (who.is_admin or who.office_code == HERE)


def subscription(w: Walk, role: str | None) -> dict:
    body = {
        "office": HERE,
        "kinds": ["low_stock"],
        "channel": "webhook",
        "url": w.receiver.url,
        "secret": SECRET,
    }
    return w.made("POST", "/subscriptions", body, "manager")


def owns_subscription(w: Walk, who: Principal) -> bool:
    """Subscribers act on their own subscriptions; admins on anyone's (notify.subscriptions)."""
    return permissions.may(who, permissions.SUBSCRIBE) and (who.is_admin or who.name == "manager")


def own_figures(w: Walk, role: str | None) -> dict:
    body = {"target": 1000, "recorded": 500, "print_backlog": 0, "as_of": "2026-01-01"}
    w.made("PUT", f"/offices/{CHILD}/population", body)
    return {}


def figures(w: Walk, role: str | None) -> dict:
    return {"target": 1000, "recorded": w.n(), "print_backlog": 0, "as_of": "2026-01-01"}


def new_office(w: Walk, role: str | None) -> dict:
    return w.made(
        "POST",
        "/offices",
        {"code": f"62.02.{w.n() + 100}", "name": "Baru", "kind": "district", "parent_code": HERE},
    )


def new_user(w: Walk, role: str | None) -> dict:
    return w.made("POST", "/users", {"name": f"walker{w.n()}", "role": "operator", "office": HERE})


def user_with_token(w: Walk, role: str | None) -> dict:
    user = new_user(w, role)
    return {"id": user["id"], "token": w.made("POST", f"/users/{user['id']}/tokens")["id"]}


def today(w: Walk) -> str:
    def work():
        return local_day(utcnow(), tree.get_by_code(HERE).time_zone).isoformat()

    return w.run(work)


def a_print(w: Walk) -> dict:
    return {"client_id": f"walk-{w.n()}", "outcome": "printed", "reason": "new_record"}


def upload(w: Walk) -> dict:
    """One print of a unit of its own (no earlier upload of the unit to date it against)."""
    device = f"{w.n():012x}"
    return {
        "device": device,
        "device_time": utcnow().isoformat(timespec="seconds"),
        "prints": [{**PRINT, "client_id": f"f:{device}:1"}],
    }


def population_csv(figures: dict) -> bytes:
    line = ",".join(str(figures[name]) for name in ("target", "recorded", "print_backlog", "as_of"))
    return f"code,target,recorded,print_backlog,as_of\n{CHILD},{line}\n".encode()


def district(w: Walk) -> dict:
    return {"code": f"62.02.{w.n() + 100}", "name": "Baru", "kind": "district"}


def settings_form(w: Walk) -> dict:
    return {"min_stock": str(w.n()), "lead_time_days": "14", "safety_days": "7", "public_stale_days": "7"}


def own_password(w: Walk, role: str | None) -> dict:
    return {"role": role, "current": w.passwords.get(role or "", "x"), "new": f"{PASSWORD}-{w.n()}"}


def password_changed(w: Walk, ctx: dict, role: str) -> None:
    w.passwords[role] = ctx["new"]


PRINT = {"outcome": "printed", "reason": "new_record"}
MOVEMENTS = ("movements", "balances")
JUSTIFIED = {"quantity": 10, "justification": "For the election"}
TRANSFER = {"from": HERE, "to": CHILD, "quantity": 1}
WEBHOOK = {"office": HERE, "channel": "webhook", "secret": SECRET}
ADMIN_OFFICES, ADMIN_USERS = ("offices", "audit_log"), ("users", "audit_log")
REQUEST_ACTION = "/requests/<id:request_id>/<any(submit, approve, reject, cancel):action>"
TRANSFER_ACTION = "/transfers/<id:transfer_id>/<any(receive, cancel):action>"
DECIDES = Need("decide_requests, by the deciding office (or an admin)", decides_here)
OWNS_SUBSCRIPTION = Need("subscribe, one's own subscription (admins: any)", owns_subscription)

ROWS: list[Row | Exclusion] = [
    # --- stock at an office ---
    Row(
        "/offices/<code>/deliveries",
        api="POST /offices/{code}/deliveries",
        needs=may(permissions.DELIVER),
        form=lambda w, c: Post(f"/offices/{HERE}/deliveries", {"quantity": "5", "nonce": nonce()}),
        call=lambda w, c: ("POST", f"/offices/{HERE}/deliveries", {"quantity": 5}),
        writes=MOVEMENTS,
    ),
    Row(
        "/offices/<code>/prints",
        api="POST /offices/{code}/prints",
        needs=may(permissions.PRINT),
        form=lambda w, c: Post(f"/offices/{HERE}/prints", {**PRINT, "nonce": nonce()}),
        call=lambda w, c: ("POST", f"/offices/{HERE}/prints", PRINT),
        writes=MOVEMENTS,
    ),
    Row(
        "/offices/<code>/transfers",
        api="POST /transfers",
        needs=may(permissions.TRANSFER),
        form=lambda w, c: Post(
            f"/offices/{HERE}/transfers", {"destination": CHILD, "quantity": "1", "nonce": nonce()}
        ),
        call=lambda w, c: ("POST", "/transfers", TRANSFER),
        writes=("transfers", *MOVEMENTS),
    ),
    Row(
        "/offices/<code>/stocktakes",
        api="POST /offices/{code}/adjustments (counted)",
        needs=may(permissions.ADJUST),
        form=lambda w, c: Post(
            f"/offices/{HERE}/stocktakes",
            {"counted": str(w.on_hand(HERE)), "reason": "Counted", "nonce": nonce()},
        ),
        call=lambda w, c: (
            "POST",
            f"/offices/{HERE}/adjustments",
            {"counted": w.on_hand(HERE), "reason": "Counted"},
        ),
        writes=("movements",),
    ),
    Row(
        "/offices/<code>/adjustments",
        api="POST /offices/{code}/adjustments",
        needs=may(permissions.ADJUST),
        form=lambda w, c: Post(
            f"/offices/{HERE}/adjustments",
            {"kind": "loss", "quantity": "1", "reason": "Lost", "nonce": nonce()},
        ),
        call=lambda w, c: (
            "POST",
            f"/offices/{HERE}/adjustments",
            {"kind": "loss", "quantity": -1, "reason": "Lost"},
        ),
        writes=MOVEMENTS,
    ),
    Row(
        "/movements/<id:movement_id>/reverse",
        api="POST /movements/{id}/reverse",
        needs=may(permissions.REVERSE),
        prepare=movement,
        form=lambda w, c: Post(f"/movements/{c['id']}/reverse", {"reason": "Mistaken", "nonce": nonce()}),
        call=lambda w, c: ("POST", f"/movements/{c['id']}/reverse", {"reason": "Mistaken"}),
        writes=MOVEMENTS,
    ),
    Row(
        TRANSFER_ACTION,
        action="receive",
        api="POST /transfers/{id}/receive",
        needs=may(permissions.TRANSFER),  # at the destination
        prepare=incoming,
        form=lambda w, c: Post(f"/transfers/{c['id']}/receive"),
        call=lambda w, c: ("POST", f"/transfers/{c['id']}/receive", None),
        writes=("transfers", *MOVEMENTS),
    ),
    Row(
        TRANSFER_ACTION,
        action="cancel",
        api="POST /transfers/{id}/cancel",
        needs=may(permissions.TRANSFER),  # at the source
        prepare=outgoing,
        form=lambda w, c: Post(f"/transfers/{c['id']}/cancel"),
        call=lambda w, c: ("POST", f"/transfers/{c['id']}/cancel", None),
        writes=("transfers", *MOVEMENTS),
    ),
    Row(
        TRANSFER_ACTION,
        action="cancel",
        api="POST /transfers/{id}/cancel, of a planned transfer",
        needs=may_any(*permissions.PLANNERS),  # at the source
        prepare=planned,
        form=lambda w, c: Post(f"/transfers/{c['id']}/cancel"),
        call=lambda w, c: ("POST", f"/transfers/{c['id']}/cancel", None),
        writes=("transfers",),
    ),
    Row(
        "/transfers/<id:transfer_id>/dispatch",
        api="POST /transfers/{id}/dispatch",
        needs=may(permissions.TRANSFER),  # at the source
        prepare=planned,
        form=lambda w, c: Post(f"/transfers/{c['id']}/dispatch", {"nonce": nonce()}),
        call=lambda w, c: ("POST", f"/transfers/{c['id']}/dispatch", None),
        writes=("transfers", *MOVEMENTS),
    ),
    Row(
        "/offices/<code>/redistribution",
        api="POST /transfers (planned: true)",
        needs=may_any(*permissions.PLANNERS),  # at the sending office
        form=lambda w, c: Post(
            f"/offices/{HERE}/redistribution",
            {"source": HERE, "destination": CHILD, "quantity": "1", "nonce": nonce()},
        ),
        call=lambda w, c: ("POST", "/transfers", {**TRANSFER, "planned": True}),
        writes=("transfers",),
    ),
    # --- the print counter and the offline unit ---
    Row(
        "/offices/<code>/counter/prints",
        api="POST /offices/{code}/prints",
        needs=may(permissions.PRINT),
        form=lambda w, c: Post(f"/offices/{HERE}/counter/prints", {**PRINT, "nonce": nonce()}),
        call=lambda w, c: ("POST", f"/offices/{HERE}/prints", PRINT),
        writes=MOVEMENTS,
    ),
    # The counter's undo has no API route of its own: an operator takes back their own print of
    # the last two minutes (web/counter_rules.py), so it is allowed where printing is.
    Row(
        "/offices/<code>/counter/undo",
        api="POST /offices/{code}/prints (the undo: one's own print, within 2 minutes)",
        needs=may(permissions.PRINT),
        prepare=own_print,
        form=lambda w, c: Post(f"/offices/{HERE}/counter/undo", {"movement": str(c["id"]), "nonce": nonce()}),
        call=lambda w, c: ("POST", f"/offices/{HERE}/prints", PRINT),
        writes=MOVEMENTS,
    ),
    Row(
        "/offices/<code>/counter/day",
        api="POST /offices/{code}/prints/batch",
        needs=may(permissions.PRINT),
        form=lambda w, c: Post(
            f"/offices/{HERE}/counter/day",
            {"day": today(w), "printed_new_record": str(w.n()), "nonce": nonce()},
        ),
        call=lambda w, c: ("POST", f"/offices/{HERE}/prints/batch", {"prints": [a_print(w)]}),
        writes=MOVEMENTS,
    ),
    Row(
        "/offices/<code>/field/uploads",
        api="POST /offices/{code}/prints/batch",
        needs=may(permissions.PRINT),
        form=lambda w, c: Post(f"/offices/{HERE}/field/uploads", json=upload(w)),
        call=lambda w, c: ("POST", f"/offices/{HERE}/prints/batch", {"prints": [a_print(w)]}),
        writes=MOVEMENTS,
    ),
    # --- custody ---
    Row(
        "/offices/<code>/custody/returned-cards",
        api="POST /offices/{code}/returned-cards",
        needs=may(permissions.PRINT),
        form=lambda w, c: Post(
            f"/offices/{HERE}/custody/returned-cards",
            {"quantity": "1", "reason": "damaged", "nonce": nonce()},
        ),
        call=lambda w, c: ("POST", f"/offices/{HERE}/returned-cards", {"quantity": 1, "reason": "damaged"}),
        writes=("custody_movements",),
    ),
    Row(
        "/offices/<code>/custody/destructions",
        api="POST /offices/{code}/destructions",
        needs=may(permissions.DESTROY),
        form=lambda w, c: Post(f"/offices/{HERE}/custody/destructions", destruction_form(w)),
        call=lambda w, c: ("POST", f"/offices/{HERE}/destructions", destruction_body(w)),
        writes=("destructions",),
    ),
    Row(
        "/custody/destructions/<id:destruction_id>/sign",
        api="POST /destructions/{id}/sign",
        needs=may(permissions.DESTROY),  # at the record's office
        prepare=draft,
        form=lambda w, c: Post(f"/custody/destructions/{c['id']}/sign"),
        call=lambda w, c: ("POST", f"/destructions/{c['id']}/sign", None),
        writes=("destructions", "custody_movements"),
    ),
    # --- alerts, requests, settings, population ---
    Row(
        "/alerts/<id:alert_id>/acknowledge",
        api="POST /alerts/{id}/acknowledge",
        needs=may(permissions.ACKNOWLEDGE, at=ALERTS_AT),  # at the alert's office
        prepare=alert,
        form=lambda w, c: Post(f"/alerts/{c['id']}/acknowledge", {"note": "Seen"}),
        call=lambda w, c: ("POST", f"/alerts/{c['id']}/acknowledge", {"note": "Seen"}),
        writes=("alerts",),
    ),
    Row(
        "/offices/<code>/requests",
        api="POST /requests",
        needs=may(permissions.REQUEST_BLANKS),
        form=lambda w, c: Post(
            f"/offices/{HERE}/requests", {**JUSTIFIED, "supplier": "62", "nonce": nonce()}
        ),
        call=lambda w, c: ("POST", "/requests", {**JUSTIFIED, "office": HERE, "supplier": "62"}),
        writes=("blank_requests",),
    ),
    Row(
        REQUEST_ACTION,
        action="submit",
        api="POST /requests/{id}/submit",
        needs=may(permissions.REQUEST_BLANKS),  # the requesting side
        prepare=draft_request,
        form=lambda w, c: Post(f"/requests/{c['id']}/submit"),
        call=lambda w, c: ("POST", f"/requests/{c['id']}/submit", {}),
        writes=("blank_requests",),
    ),
    Row(
        REQUEST_ACTION,
        action="cancel",
        api="POST /requests/{id}/cancel",
        needs=may(permissions.REQUEST_BLANKS),  # the requesting side
        prepare=draft_request,
        form=lambda w, c: Post(f"/requests/{c['id']}/cancel"),
        call=lambda w, c: ("POST", f"/requests/{c['id']}/cancel", {}),
        writes=("blank_requests",),
    ),
    Row(
        REQUEST_ACTION,
        action="approve",
        api="POST /requests/{id}/approve",
        needs=DECIDES,
        prepare=submitted_request,
        form=lambda w, c: Post(f"/requests/{c['id']}/approve", {"approved_quantity": "10"}),
        call=lambda w, c: ("POST", f"/requests/{c['id']}/approve", {"approved_quantity": 10}),
        writes=("blank_requests",),
    ),
    Row(
        REQUEST_ACTION,
        action="reject",
        api="POST /requests/{id}/reject",
        needs=DECIDES,
        prepare=submitted_request,
        form=lambda w, c: Post(f"/requests/{c['id']}/reject", {"note": "Not this month"}),
        call=lambda w, c: ("POST", f"/requests/{c['id']}/reject", {"note": "Not this month"}),
        writes=("blank_requests",),
    ),
    Row(
        "/offices/<code>/settings",
        api="PATCH /offices/{code} (min_stock, planning settings)",
        needs=may(permissions.SET_THRESHOLD, permissions.PLAN),
        form=lambda w, c: Post(f"/offices/{HERE}/settings", settings_form(w)),
        call=lambda w, c: ("PATCH", f"/offices/{HERE}", {"min_stock": w.n(), "lead_time_days": 14}),
        writes=("offices",),
    ),
    Row(
        "/offices/<code>/population",
        api="PUT /offices/{code}/population",
        needs=may(permissions.PLAN, at=CHILD),
        prepare=figures,
        form=lambda w, c: Post(f"/offices/{CHILD}/population", {**c, "settings_of": HERE}),
        call=lambda w, c: ("PUT", f"/offices/{CHILD}/population", c),
        writes=("populations",),
    ),
    Row(
        "/offices/<code>/population/clear",
        api="DELETE /offices/{code}/population",
        needs=may(permissions.PLAN, at=CHILD),
        prepare=own_figures,
        form=lambda w, c: Post(f"/offices/{CHILD}/population/clear", {"settings_of": HERE}),
        call=lambda w, c: ("DELETE", f"/offices/{CHILD}/population", None),
        writes=("populations",),
    ),
    # The CSV import has no API route (the CLI imports too): each of its rows is a PUT of the figures.
    Row(
        "/offices/<code>/population/import",
        api="PUT /offices/{code}/population",
        needs=may(permissions.PLAN),
        prepare=figures,
        form=lambda w, c: Post(f"/offices/{HERE}/population/import", file=population_csv(c)),
        call=lambda w, c: ("PUT", f"/offices/{HERE}/population", c),
        writes=("populations",),
    ),
    # --- subscriptions ---
    Row(
        "/subscriptions",
        api="POST /subscriptions",
        needs=may(permissions.SUBSCRIBE),
        form=lambda w, c: Post("/subscriptions", {**WEBHOOK, "kinds": "low_stock", "url": w.receiver.url}),
        call=lambda w, c: (
            "POST",
            "/subscriptions",
            {**WEBHOOK, "kinds": ["low_stock"], "url": w.receiver.url},
        ),
        writes=("subscriptions",),
    ),
    Row(
        "/subscriptions/<id32:subscription_id>/test",
        api="POST /subscriptions/{id}/test",
        needs=OWNS_SUBSCRIPTION,
        prepare=subscription,
        form=lambda w, c: Post(f"/subscriptions/{c['id']}/test"),
        call=lambda w, c: ("POST", f"/subscriptions/{c['id']}/test", None),
        effect=lambda w: len(w.receiver.requests),  # it stores nothing: the receiver is sent a test
    ),
    Row(
        "/subscriptions/<id32:subscription_id>/cancel",
        api="DELETE /subscriptions/{id}",
        needs=OWNS_SUBSCRIPTION,
        prepare=subscription,
        form=lambda w, c: Post(f"/subscriptions/{c['id']}/cancel"),
        call=lambda w, c: ("DELETE", f"/subscriptions/{c['id']}", None),
        writes=("subscriptions",),
    ),
    # --- admins: offices ---
    Row(
        "/admin/offices",
        api="POST /offices",
        needs=may(permissions.MANAGE_OFFICES),
        form=lambda w, c: Post("/admin/offices", {"code": f"X{w.n()}", "name": "Pusat", "kind": "national"}),
        call=lambda w, c: ("POST", "/offices", {"code": f"X{w.n()}", "name": "Pusat", "kind": "national"}),
        refused_by="national_exists",  # the root form opens the tree's first office only
    ),
    Row(
        "/admin/offices/<code>/children",
        api="POST /offices",
        needs=may(permissions.MANAGE_OFFICES),
        form=lambda w, c: Post(f"/admin/offices/{HERE}/children", district(w)),
        call=lambda w, c: ("POST", "/offices", {**district(w), "parent_code": HERE}),
        writes=ADMIN_OFFICES,
    ),
    Row(
        "/admin/offices/<code>/name",
        api="PATCH /offices/{code} (name)",
        needs=may(permissions.MANAGE_OFFICES),
        prepare=new_office,
        form=lambda w, c: Post(f"/admin/offices/{c['code']}/name", {"name": f"Nama {w.n()}"}),
        call=lambda w, c: ("PATCH", f"/offices/{c['code']}", {"name": f"Nama {w.n()}"}),
        writes=ADMIN_OFFICES,
    ),
    Row(
        "/admin/offices/<code>/active",
        api="PATCH /offices/{code} (active)",
        needs=may(permissions.MANAGE_OFFICES),
        prepare=new_office,
        form=lambda w, c: Post(f"/admin/offices/{c['code']}/active", {"active": "0"}),
        call=lambda w, c: ("PATCH", f"/offices/{c['code']}", {"active": False}),
        writes=ADMIN_OFFICES,
    ),
    Row(
        "/admin/regions",
        api="POST /regions/import",
        needs=may(permissions.MANAGE_OFFICES),
        form=lambda w, c: Post("/admin/regions", {"under": next(w.regencies)}),
        call=lambda w, c: ("POST", "/regions/import", {"under": next(w.regencies)}),
        writes=ADMIN_OFFICES,
    ),
    # --- admins: users ---
    Row(
        "/admin/users",
        api="POST /users",
        needs=may(permissions.MANAGE_USERS),
        form=lambda w, c: Post(
            "/admin/users", {"name": f"walker{w.n()}", "role": "operator", "office": HERE}
        ),
        call=lambda w, c: ("POST", "/users", {"name": f"walker{w.n()}", "role": "operator", "office": HERE}),
        writes=ADMIN_USERS,
    ),
    Row(
        "/admin/users/<id32:user_id>/role",
        api="PATCH /users/{id} (role, office)",
        needs=may(permissions.MANAGE_USERS),
        prepare=new_user,
        form=lambda w, c: Post(f"/admin/users/{c['id']}/role", {"role": "warehouse", "office": HERE}),
        call=lambda w, c: ("PATCH", f"/users/{c['id']}", {"role": "warehouse", "office": HERE}),
        writes=ADMIN_USERS,
    ),
    Row(
        "/admin/users/<id32:user_id>/active",
        api="PATCH /users/{id} (active)",
        needs=may(permissions.MANAGE_USERS),
        prepare=new_user,
        form=lambda w, c: Post(f"/admin/users/{c['id']}/active", {"active": "0"}),
        call=lambda w, c: ("PATCH", f"/users/{c['id']}", {"active": False}),
        writes=ADMIN_USERS,
    ),
    Row(
        "/admin/users/<id32:user_id>/password",
        api="PUT /users/{id}/password",
        needs=may(permissions.MANAGE_USERS),
        prepare=new_user,
        form=lambda w, c: Post(f"/admin/users/{c['id']}/password", {"new": PASSWORD, "again": PASSWORD}),
        call=lambda w, c: ("PUT", f"/users/{c['id']}/password", {"password": PASSWORD}),
        writes=ADMIN_USERS,
    ),
    Row(
        "/admin/users/<id32:user_id>/tokens",
        api="POST /users/{id}/tokens",
        needs=may(permissions.MANAGE_USERS),
        prepare=new_user,
        form=lambda w, c: Post(f"/admin/users/{c['id']}/tokens"),
        call=lambda w, c: ("POST", f"/users/{c['id']}/tokens", None),
        writes=("api_tokens", "audit_log"),
    ),
    Row(
        "/admin/users/<id32:user_id>/tokens/<id32:token_id>/revoke",
        api="DELETE /users/{id}/tokens/{token_id}",
        needs=may(permissions.MANAGE_USERS),
        prepare=user_with_token,
        form=lambda w, c: Post(f"/admin/users/{c['id']}/tokens/{c['token']}/revoke"),
        call=lambda w, c: ("DELETE", f"/users/{c['id']}/tokens/{c['token']}", None),
        writes=("api_tokens", "audit_log"),
    ),
    # --- one's own account: no API route, any logged-in user ---
    Row(
        "/password",
        api="none: one's own password, in the dashboard only",
        needs=Need("logged in", lambda w, who: True),
        prepare=own_password,
        form=lambda w, c: Post("/password", {"current": c["current"], "new": c["new"], "again": c["new"]}),
        call=None,
        writes=("users",),
        done=password_changed,
    ),
    # --- no authorisation to walk ---
    Exclusion(
        "/login",
        "open to anyone: it is how one logs in",
        lambda w: Post("/login", {"username": "admin", "password": "pw-admin"}),
        as_=None,
    ),
    Exclusion("/logout", "ends one's own session; anyone may", lambda w: Post("/logout"), as_="warehouse"),
    Exclusion(
        "/language",
        "a preference kept in the session cookie; anyone may",
        lambda w: Post("/language", {"lang": "en", "next": "/"}),
        as_="operator",
    ),
]
WALKED = [row for row in ROWS if isinstance(row, Row)]


def name_of(row) -> str:
    return row.name


# --- the tests -----------------------------------------------------------------------------------


def test_every_post_route_has_a_row(walk):
    """A form added without a row fails here, naming its route (and any alternative of it)."""
    rows = {(row.rule, row.action) for row in ROWS}
    wanted = set()
    for rule in walk.app.url_map.iter_rules():
        if rule.endpoint.startswith("web.") and "POST" in rule.methods:
            alternatives = [c.items for c in rule._converters.values() if hasattr(c, "items")]
            wanted |= {(rule.rule, action) for action in (alternatives[0] if alternatives else [None])}
    assert sorted(wanted - rows, key=str) == [], "POST routes without a row in ROWS"
    assert sorted(rows - wanted, key=str) == [], "rows of routes that are gone"


def succeeded(response) -> bool:
    if response.status_code in (302, 303):
        return "/login" not in response.location
    return response.status_code == 200


def refused(response, role: str | None) -> bool:
    if role is None:  # to the log-in page; the offline unit's upload answers 401 in JSON
        return response.status_code == 401 or (response.status_code == 302 and "/login" in response.location)
    return response.status_code in (403, 404)


def api_verdict(w: Walk, row: Row, role: str | None) -> bool:
    method, path, body = row.call(w, row.prepare(w, role))
    response = w.call(method, path, body, as_=role)
    if row.refused_by and response.status_code == 409 and response.json["error"] == row.refused_by:
        return True  # past authorisation, refused by the rule the row names
    assert response.status_code in (200, 201, 204, 401, 403, 404), (row.name, role, response.json)
    return response.status_code < 300


@pytest.mark.parametrize("row", WALKED, ids=name_of)
def test_each_form_is_allowed_where_its_api_route_is_and_a_refusal_writes_nothing(walk, row):
    problems = []
    for role in ROLES:
        who = walk.principals.get(role or "")
        declared = who is not None and row.needs.check(walk, who)
        allowed = declared if row.call is None else api_verdict(walk, row, role)
        if allowed != declared:
            problems.append(
                f"{role}: the API {'allows' if allowed else 'refuses'}; the row says {row.needs.text}"
            )
        context = row.prepare(walk, role)
        post = row.form(walk, context)
        before, effect = snapshot(walk.app), row.effect and row.effect(walk)
        response = send(walk.browsers[role], post)
        after = snapshot(walk.app)
        wrote = changed(before, after)
        effected = row.effect is not None and row.effect(walk) != effect
        if allowed and row.refused_by:
            good = response.status_code in (409, 422) and not wrote
        elif allowed:
            good = succeeded(response) and set(row.writes) <= wrote and (row.effect is None or effected)
            if good and row.done:
                row.done(walk, context, role)
        else:
            good = refused(response, role) and not wrote and not effected
        if not good:
            where = f" to {response.location}" if response.location else ""
            problems.append(
                f"{role or 'anonymous'}: the API {'allows' if allowed else 'refuses'}, the form answered "
                f"{response.status_code}{where} and changed {sorted(wrote) or 'nothing'}"
                + (f" (expected {list(row.writes)})" if allowed else "")
            )
    assert not problems, f"{row.name} (as {row.api}, needs {row.needs.text}):\n" + "\n".join(problems)


@pytest.mark.parametrize("row", ROWS, ids=name_of)
def test_each_form_without_its_csrf_token_is_refused_and_writes_nothing(walk, row):
    assert walk.app.config.get("WTF_CSRF_ENABLED", True), "CSRF is on, as in production"
    if isinstance(row, Row):
        role = "admin"  # allowed everywhere: only the missing token refuses
        post = row.form(walk, row.prepare(walk, role))
    else:
        role, post = row.as_, row.form(walk)
    before = snapshot(walk.app)
    response = send(walk.browsers[role], post, csrf=False)
    assert response.status_code == 400, (row.name, response.status_code)
    assert changed(before, snapshot(walk.app)) == set()
    if role is not None:  # still logged in (a log-out without its token ends nothing)
        assert walk.browsers[role].client.get("/").status_code == 200

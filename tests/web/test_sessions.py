"""Dashboard sessions end on the server: log-out, inactivity, a password change, a disabled user."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from inventory.auth.models import DashboardSession, User
from inventory.core.db import db, utcnow
from tests.web.dashboard import browser


def copy_of(b):
    """Another browser holding a copy of `b`'s session cookie, as a thief would."""
    thief = browser(b.api)
    thief.client.set_cookie("session", b.client.get_cookie("session").value)
    return thief


def sessions_of(app, name):
    with app.app_context():
        rows = db.session.execute(
            select(DashboardSession).join(User, User.id == DashboardSession.user_id).where(User.name == name)
        ).scalars()
        return list(rows)


def idle_for(app, name, minutes):
    """Pretend the user's sessions saw their last request `minutes` ago."""
    with app.app_context():
        user_id = db.session.execute(select(User.id).where(User.name == name)).scalar_one()
        db.session.execute(
            update(DashboardSession)
            .where(DashboardSession.user_id == user_id)
            .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


@pytest.fixture
def logged_in(web):
    b = browser(web, "manager")
    b.api = web
    return b


def test_a_copied_cookie_is_worthless_after_logout(logged_in):
    thief = copy_of(logged_in)
    assert thief.get("/").status_code == 200  # the copy works while the session is open

    logged_in.get("/")
    assert logged_in.post("/logout").status_code == 302

    assert thief.get("/").status_code == 302
    assert thief.get("/alerts").headers["Location"].startswith("/login")
    assert sessions_of(logged_in.app, "manager") == []
    assert browser(logged_in.api, "manager").get("/").status_code == 200  # logging in again works


def test_logging_out_ends_only_that_session(web):
    here, elsewhere = browser(web, "manager"), browser(web, "manager")
    here.get("/")
    here.post("/logout")
    assert elsewhere.get("/").status_code == 200
    assert len(sessions_of(web.app, "manager")) == 1


def test_a_session_ends_after_eight_idle_hours(logged_in):
    idle_for(logged_in.app, "manager", 8 * 60 + 1)
    thief = copy_of(logged_in)
    assert logged_in.get("/").status_code == 302
    assert thief.get("/").status_code == 302


def test_activity_keeps_a_session_open(logged_in):
    idle_for(logged_in.app, "manager", 8 * 60 - 2)
    assert logged_in.get("/").status_code == 200
    (row,) = sessions_of(logged_in.app, "manager")
    last_seen = row.last_seen_at.replace(tzinfo=None)
    assert utcnow().replace(tzinfo=None) - last_seen < timedelta(minutes=1)  # noted as active
    idle_for(logged_in.app, "manager", 5)  # less than the interval between two notes
    assert logged_in.get("/").status_code == 200


def test_the_idle_limit_is_configurable(logged_in):
    logged_in.app.config["SESSION_IDLE_MINUTES"] = 30
    idle_for(logged_in.app, "manager", 29)
    assert logged_in.get("/").status_code == 200
    idle_for(logged_in.app, "manager", 31)
    assert logged_in.get("/").status_code == 302


def test_disabling_a_user_ends_its_sessions_and_tokens(logged_in):
    app, api = logged_in.app, logged_in.api
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "disable", "manager"])

    assert result.exit_code == 0, result.output
    assert logged_in.get("/").status_code == 302
    assert sessions_of(app, "manager") == []
    assert api.get("/offices", as_="manager").status_code == 401
    assert browser(api).login("manager").status_code == 401

    assert runner.invoke(args=["users", "enable", "manager"]).exit_code == 0
    assert api.get("/offices", as_="manager").status_code == 200
    assert logged_in.get("/").status_code == 302  # the old session stays ended
    assert browser(api, "manager").get("/").status_code == 200
    assert runner.invoke(args=["users", "disable", "nobody"]).exit_code != 0


NEW = "kalteng-62-baru"


@pytest.mark.parametrize("revoke", [True, False])
def test_a_password_change_may_also_revoke_the_api_tokens(logged_in, revoke):
    api = logged_in.api
    elsewhere = browser(api, "manager")
    logged_in.get("/password")
    form = {"current": "pw-manager", "new": NEW, "again": NEW} | ({"revoke_tokens": "y"} if revoke else {})

    assert logged_in.post("/password", form).status_code == 302

    assert logged_in.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/").status_code == 302  # every other one ended
    assert len(sessions_of(logged_in.app, "manager")) == 1
    assert api.get("/offices", as_="manager").status_code == (401 if revoke else 200)
    assert api.get("/offices", as_="warehouse").status_code == 200  # nobody else's


def test_a_refused_password_change_ends_nothing(logged_in):
    api = logged_in.api
    elsewhere = browser(api, "manager")
    logged_in.get("/password")
    form = {"current": "wrong-password", "new": NEW, "again": NEW, "revoke_tokens": "y"}
    assert logged_in.post("/password", form).status_code == 422
    assert elsewhere.get("/").status_code == 200
    assert api.get("/offices", as_="manager").status_code == 200


@pytest.mark.parametrize(
    ("password", "ok"), [("password1234", False), ("pendek", False), ("siti-siti-siti", False), (NEW, True)]
)
def test_users_created_on_the_command_line_get_strong_passwords(app, password, ok):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "siti", "--role", "admin", "--password", password]
    )
    assert (result.exit_code == 0) == ok, result.output
    with app.app_context():
        assert (db.session.execute(select(User.id).where(User.name == "siti")).first() is not None) == ok


def test_logging_in_again_over_an_ended_session_works(logged_in):
    stale = copy_of(logged_in)
    logged_in.get("/")
    logged_in.post("/logout")

    assert stale.login("manager").status_code == 302  # the ended session's cookie is still sent
    assert stale.get("/").status_code == 200


def test_idle_sessions_are_cleared_away_at_the_next_log_in(web):
    browser(web, "warehouse")
    idle_for(web.app, "warehouse", 8 * 60 + 1)
    browser(web, "manager")
    assert sessions_of(web.app, "warehouse") == []
    assert len(sessions_of(web.app, "manager")) == 1

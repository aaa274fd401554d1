"""Log-in throttling: a few failures per account or per address, then a short lock that says
when to try again; a user's own browser is never locked out by someone else's guesses."""

from __future__ import annotations

import re
import time

import pytest

from inventory import create_app
from inventory.core.db import db
from tests.web.dashboard import Browser, browser

OFFICE = {"REMOTE_ADDR": "10.62.2.9"}
ELSEWHERE = {"REMOTE_ADDR": "10.62.7.31"}


def attempt(b, name, password, where=OFFICE):
    b.get("/login")
    return b.post("/login", {"username": name, "password": password}, environ_base=where)


def fail(b, name, times, where=OFFICE):
    for _ in range(times):
        assert attempt(b, name, "wrong-password", where).status_code == 401


def assert_locked(response):
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 601  # at most the 10-minute window, rounded up to whole seconds
    minutes = re.search(r"Coba lagi dalam (\d+) menit", response.get_data(as_text=True))
    assert minutes and int(minutes.group(1)) == -(-wait // 60)


def test_five_failures_lock_the_account_for_a_while(web):
    attacker = browser(web)
    fail(attacker, "manager", 5)

    assert_locked(attempt(attacker, "manager", "pw-manager"))  # the right password is not even checked
    assert attacker.get("/").status_code == 302
    assert_locked(attempt(browser(web), "Manager ", "pw-manager", ELSEWHERE))  # nor from elsewhere
    assert attempt(browser(web), "warehouse", "pw-warehouse").status_code == 302  # other accounts go on


def test_the_users_own_browser_is_not_locked_out(web):
    own = browser(web, "manager")
    own.get("/")
    own.post("/logout")
    attacker = browser(web)
    fail(attacker, "manager", 5, ELSEWHERE)  # someone else keeps guessing
    assert_locked(attempt(attacker, "manager", "another-guess", ELSEWHERE))

    assert attempt(own, "manager", "pw-manager").status_code == 302
    assert own.get("/").status_code == 200
    assert_locked(attempt(browser(web), "manager", "pw-manager"))  # a new browser still waits


def test_many_failures_from_one_address_lock_that_address(web):
    web.app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 10 minutes"
    b = browser(web)
    for name in ("manager", "warehouse", "operator", "nobody"):
        fail(b, name, 1)

    assert_locked(attempt(b, "kobar_manager", "pw-kobar_manager"))
    assert attempt(browser(web), "kobar_manager", "pw-kobar_manager", ELSEWHERE).status_code == 302


def test_successful_log_ins_are_not_counted(web):
    for _ in range(8):
        assert attempt(browser(web), "manager", "pw-manager").status_code == 302


def test_the_lock_lifts_by_itself(web):
    web.app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 2 seconds"
    b = browser(web)
    fail(b, "manager", 2)
    assert attempt(b, "manager", "pw-manager").status_code == 429
    time.sleep(2.2)
    assert attempt(b, "manager", "pw-manager").status_code == 302


@pytest.mark.parametrize("limit", ["1 per 10 minutes"])
def test_limits_are_configurable(web, limit):
    web.app.config["LOGIN_LIMIT_PER_ACCOUNT"] = limit
    b = browser(web)
    fail(b, "manager", 1)
    assert attempt(b, "manager", "pw-manager").status_code == 429


def test_behind_a_proxy_each_client_has_its_own_address(tmp_path):
    """TRUSTED_PROXIES=1: the address is the one nginx puts in X-Forwarded-For, not nginx's own."""
    app = create_app(
        "config.TestConfig",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'proxy.sqlite3'}",
        TRUSTED_PROXIES=1,
        LOGIN_LIMIT_PER_ADDRESS="2 per 10 minutes",
    )
    with app.app_context():
        db.create_all()
    b = Browser(app)
    for name in ("siti", "budi"):
        fail(b, name, 1, {"HTTP_X_FORWARDED_FOR": "10.62.2.9"})
    assert attempt(b, "rahmat", "x", {"HTTP_X_FORWARDED_FOR": "10.62.2.9"}).status_code == 429
    assert attempt(b, "rahmat", "x", {"HTTP_X_FORWARDED_FOR": "10.62.7.31"}).status_code == 401
    with app.app_context():
        db.engine.dispose()


class UnreachableStore:
    """A shared store (redis, memcached) that has gone away: every call fails."""

    def __getattr__(self, name):
        def down(*args, **kwargs):
            raise ConnectionError("store unreachable")

        return down


def test_while_the_shared_store_is_down_failures_are_counted_in_memory(web):
    limits = web.app.extensions["blangko.login_limits"]
    limits.shared = UnreachableStore()

    assert attempt(browser(web), "warehouse", "pw-warehouse").status_code == 302  # log-ins go on
    attacker = browser(web)
    fail(attacker, "manager", 5)  # and failures still count: not unlimited
    assert_locked(attempt(attacker, "manager", "pw-manager"))
    assert limits.shared_down

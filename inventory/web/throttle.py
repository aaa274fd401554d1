"""Log-in throttling: failed log-ins are counted per account and per address (the `limits`
library, moving windows).

Past LOGIN_LIMIT_PER_ACCOUNT failures for one user name, or LOGIN_LIMIT_PER_ADDRESS from one
address, further attempts are refused with 429 and the time to try again, before any password
is checked. The windows move, so a lock lifts by itself minutes after the failures stop.

An attacker could keep failing on purpose to lock a user out. So a browser in which the user
has logged in before carries a signed "known device" cookie, and the per-account limit does
not apply to it: the user's usual browser is never locked out by someone else's guesses
(OWASP's device cookies). The per-address limit still applies to everyone.

Counts live in RATELIMIT_STORAGE_URI: memory:// by default, per process; with several
gunicorn workers use a shared store (redis://, memcached://) for one count. While a shared
store is unreachable, counting goes on in memory rather than failing log-ins.

Only the log-in form is throttled, so only it pays for the check: the API and every other
page never touch the counters (an app-wide limiter's hook cost every print ~0.3 ms, bench/).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .blueprint import bp

DEVICE_COOKIE = "blangko_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
_DEVICE_NAMES_KEPT = 5  # a shared office computer knows a few users
_EXTENSION = "blangko.login_limits"
log = logging.getLogger(__name__)


class TooManyFailures(Exception):
    def __init__(self, wait_seconds: int) -> None:
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


class LoginLimits:
    """The counters of one app: its store, and a memory store to fall back on while it is down."""

    def __init__(self, uri: str) -> None:
        self.shared: Storage = storage_from_string(uri)
        self.fallback = MemoryStorage()
        self.shared_down = False

    def _run(self, action: Callable[[MovingWindowRateLimiter], object]):
        if not self.shared_down:
            try:
                return action(MovingWindowRateLimiter(self.shared))
            except Exception:  # the store's client raises its own errors: any of them means "down"
                log.warning("Log-in limit store unreachable: counting in memory meanwhile", exc_info=True)
                self.shared_down = True
        return action(MovingWindowRateLimiter(self.fallback))

    def wait(self, limit: RateLimitItem, key: str) -> int:
        """Seconds until another attempt may be made under `limit`; 0 when one may be made now."""

        def check(strategy: MovingWindowRateLimiter) -> int:
            if strategy.test(limit, key):
                return 0
            reset_at = strategy.get_window_stats(limit, key).reset_time
            return max(1, math.ceil(reset_at - time.time()))

        return self._run(check)

    def count_failure(self, limit: RateLimitItem, key: str) -> None:
        self._run(lambda strategy: strategy.hit(limit, key))

    def take(self, limit: RateLimitItem, key: str) -> bool:
        """Count one request under `limit`; False when the limit was already used up."""
        return bool(self._run(lambda strategy: strategy.hit(limit, key)))


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = LoginLimits(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))


def _limits() -> LoginLimits:
    return current_app.extensions[_EXTENSION]


def _remote_address() -> str:
    return request.remote_addr or "127.0.0.1"


def _account() -> str:
    # As long as a user name can be (80): a megabyte of "name" must not become a key.
    return "account:" + (request.form.get("username") or "").strip().lower()[:80]


def _address() -> str:
    return "address:" + _remote_address()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="blangko-known-device")


def _digest(name: str) -> str:
    return hashlib.sha256(name.strip().lower().encode()).hexdigest()[:16]


def _known_names() -> list[str]:
    try:
        names = _serializer().loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return []
    return names if isinstance(names, list) else []


def known_device() -> bool:
    """Has the user named in this log-in form logged in from this browser before?"""
    return _digest(request.form.get("username") or "") in _known_names()


def remember_device(response: Response, name: str) -> Response:
    """After a successful log-in: this browser now knows this user."""
    names = [_digest(name), *(n for n in _known_names() if n != _digest(name))][:_DEVICE_NAMES_KEPT]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(names),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def _counted() -> list[tuple[RateLimitItem, str]]:
    """The limits this log-in attempt counts against: its address's, and its account's unless
    the browser is the user's own (known device)."""
    config = current_app.config
    counted = [(parse(config["LOGIN_LIMIT_PER_ADDRESS"]), "login-address:" + _address())]
    if not known_device():
        counted.append((parse(config["LOGIN_LIMIT_PER_ACCOUNT"]), "login-account:" + _account()))
    return counted


def throttled(view):
    """A POST is refused (429) while a limit is used up, before any password is checked; a
    failed one (401) counts against every limit it falls under."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        counted = _counted()
        wait = max(_limits().wait(limit, key) for limit, key in counted)
        if wait:
            raise TooManyFailures(wait)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 401:
            for limit, key in counted:
                _limits().count_failure(limit, key)
        return response

    return wrapper


@bp.errorhandler(TooManyFailures)
def too_many_failures(error: TooManyFailures):
    wait = error.wait_seconds
    message = _("Too many failed log-ins. Try again in %(minutes)s min.", minutes=math.ceil(wait / 60))
    return render_template("web/error.html", status=429, message=message), 429, {"Retry-After": str(wait)}

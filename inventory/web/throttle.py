"""Log-in throttling (Flask-Limiter): failed log-ins are counted per account and per address.

Past LOGIN_LIMIT_PER_ACCOUNT failures for one user name, or LOGIN_LIMIT_PER_ADDRESS from one
address, further attempts are refused with 429 and the time to try again, before any password
is checked. The windows move, so a lock lifts by itself minutes after the failures stop.

An attacker could keep failing on purpose to lock a user out. So a browser in which the user
has logged in before carries a signed "known device" cookie, and the per-account limit does
not apply to it: the user's usual browser is never locked out by someone else's guesses
(OWASP's device cookies). The per-address limit still applies to everyone.

Counts live in RATELIMIT_STORAGE_URI: memory:// by default, per process; with several
gunicorn workers use a shared store (redis://, memcached://) for one count.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .blueprint import bp

limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="moving-window")

DEVICE_COOKIE = "blangko_device"
DEVICE_MAX_AGE = 365 * 24 * 3600
_DEVICE_NAMES_KEPT = 5  # a shared office computer knows a few users


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _account() -> str:
    # As long as a user name can be (80): a megabyte of "name" must not become a key.
    return "account:" + (request.form.get("username") or "").strip().lower()[:80]


def _address() -> str:
    return "address:" + get_remote_address()


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


login_limits = [
    limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        key_func=_account,
        methods=["POST"],
        deduct_when=_failed,
        exempt_when=known_device,
        scope="login-account",
    ),
    limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
        key_func=_address,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-address",
    ),
]


def throttled(view):
    for limit in login_limits:
        view = limit(view)
    return view


@bp.errorhandler(RateLimitExceeded)
def too_many_failures(error: RateLimitExceeded):
    current = limiter.current_limit
    wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
    message = _("Too many failed log-ins. Try again in %(minutes)s min.", minutes=math.ceil(wait / 60))
    return render_template("web/error.html", status=429, message=message), 429, {"Retry-After": str(wait)}

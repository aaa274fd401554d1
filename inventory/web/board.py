"""The public stock board (/papan): whether a resident will find a blank at an office today.

No log-in and nothing private (inventory/reports/board.py selects only public columns). The
pages name their language in the address (?lang=en; Indonesian without it) and set no cookie,
so browsers, proxies and the regency's website may cache them for PUBLIC_BOARD_CACHE_SECONDS.
Each address may ask PUBLIC_BOARD_LIMIT often (a 429 with Retry-After past it).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from limits import parse

from ..reports import board
from . import labels
from .i18n import DEFAULT_LANGUAGE, LANGUAGES
from .throttle import LoginLimits

bp = Blueprint("board", __name__, template_folder="templates")

# Its own, stricter than the dashboard's: no form posts anywhere (the search is a GET).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_LIMITS = "blangko.board_limits"


class TooMany(Exception):
    def __init__(self, wait_seconds: int) -> None:
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


def init_app(app: Flask) -> None:
    app.extensions[_LIMITS] = LoginLimits(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    app.register_blueprint(bp)


@bp.before_request
def _language_and_limit() -> None:
    asked = request.args.get("lang", DEFAULT_LANGUAGE)
    g.page_language = asked if asked in LANGUAGES else DEFAULT_LANGUAGE
    limit = parse(current_app.config["PUBLIC_BOARD_LIMIT"])
    key = "board-address:" + (request.remote_addr or "127.0.0.1")
    limits: LoginLimits = current_app.extensions[_LIMITS]
    if not limits.take(limit, key):
        raise TooMany(max(1, math.ceil(limits.wait(limit, key))))


@bp.after_request
def _public_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if response.status_code == 200:
        response.headers["Cache-Control"] = (
            f"public, max-age={current_app.config['PUBLIC_BOARD_CACHE_SECONDS']}"
        )
        response.add_etag()
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(TooMany)
def _too_many(error: TooMany):
    message = _("Too many requests. Try again in %(seconds)s seconds.", seconds=error.wait_seconds)
    headers = {"Retry-After": str(error.wait_seconds)}
    if request.path.endswith(".json"):
        return (
            jsonify(code=429, status="Too Many Requests", error="rate_limited", message=message),
            429,
            headers,
        )
    return _page("web/board_missing.html", 429, message=message), 429, headers


@bp.app_template_global()
def board_url(endpoint: str, **values) -> str:
    """An address on the board in the page's language (Indonesian needs no ?lang)."""
    language = g.get("page_language", DEFAULT_LANGUAGE)
    return url_for(endpoint, **values, **({} if language == DEFAULT_LANGUAGE else {"lang": language}))


def _page(template: str, status: int = 200, **context) -> str:
    # Without the app's context processors: Flask-Login's loads the user from the session,
    # and a page that reads the session varies by cookie (Vary: Cookie), which no cache shares.
    return current_app.jinja_env.get_template(template).render(
        request=request,
        g=g,
        labels=labels,
        language=g.page_language,
        languages=LANGUAGES,
        status_code=status,
        **context,
    )


@bp.route("/papan")
def board_page():
    words = (request.args.get("q") or "").strip()
    found = board.search(words) if words else board.top()
    return _page("web/board.html", words=words, rows=found)


@bp.route("/papan/<code>")
def office_board(code: str):
    found = board.office_board(code)
    if found is None or found["office"] is None:
        return _missing(code)
    return _page("web/board_office.html", office=found["office"], rows=found["below"])


@bp.route("/papan/<code>/cetak")
def notice(code: str):
    """The office's board as an A4 notice for its wall."""
    found = board.office_board(code)
    if found is None or found["office"] is None:
        return _missing(code)
    return _page("web/board_notice.html", office=found["office"])


@bp.route("/papan.json")
def feed():
    """Every open office at or under ?under= (the whole country without it), for other sites.

    The body itself is cached, not only its rows: the national feed is 1.4 MB of JSON, whose
    writing took longer than reading its figures (bench: 170 ms, against a few ms cached)."""
    under = request.args.get("under") or None

    def body() -> str | None:
        found = board.feed(under)
        if found is None:
            return None
        offices = [_public(row) for row in found]
        answer = {"under": under, "language": g.page_language, "generated_at": _iso(datetime.now(UTC)),
                  "offices": offices}  # fmt: skip
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))

    text = board.cached(("feed-body", under, g.page_language), body)
    if text is None:
        message = _("No office with code %(code)s.", code=under)
        return jsonify(code=404, status="Not Found", error="office_not_found", message=message), 404
    return Response(text, mimetype="application/json")


def _public(row: dict) -> dict:
    return {
        "code": row["code"],
        "name": row["name"],
        "kind": row["kind"],
        "parent": row["parent"],
        "status": row["status"],
        "status_text": str(labels.PUBLIC_STATUSES[row["status"]]),
        "quantity": row["quantity"],
        "days_of_cover": row["days_of_cover"],
        "last_updated": _iso(row["last_updated"]),
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (
        (moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        .astimezone(UTC)
        .isoformat(timespec="seconds")
    )


def _missing(code: str):
    message = _("No open office with code %(code)s.", code=code)
    return _page("web/board_missing.html", 404, message=message), 404

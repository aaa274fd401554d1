"""gunicorn worker whose own refusals (a request line or headers too long, a malformed request)
answer in the API's JSON error shape rather than gunicorn's HTML page.

gunicorn refuses such requests before the app sees them, so no Flask error handler can
shape the answer. Run it with `gunicorn --worker-class inventory.core.serving.JsonErrorWorker`
(README "Production"). Anything else goes to gunicorn's own handling unchanged.
"""

from __future__ import annotations

import json

from gunicorn.http import errors
from gunicorn.workers.sync import SyncWorker

from .headers import DEFAULT_POLICY, HEADERS

# gunicorn's refusal -> (status, reason phrase, our error name). Order matters: subclasses first.
_REFUSALS: tuple[tuple[type[Exception], int, str, str], ...] = (
    (errors.LimitRequestLine, 414, "URI Too Long", "request_line_too_long"),
    (errors.LimitRequestHeaders, 431, "Request Header Fields Too Large", "headers_too_large"),
    (errors.InvalidRequestLine, 400, "Bad Request", "bad_request_line"),
    (errors.InvalidRequestMethod, 400, "Bad Request", "bad_request_method"),
    (errors.InvalidHTTPVersion, 400, "Bad Request", "bad_http_version"),
    (errors.InvalidHeaderName, 400, "Bad Request", "bad_header"),
    (errors.InvalidHeader, 400, "Bad Request", "bad_header"),
)


# The app's own security headers (core/headers.py), for the answers gunicorn makes itself.
_SECURITY_HEADERS = "".join(
    f"{name}: {value}\r\n" for name, value in {**HEADERS, "Content-Security-Policy": DEFAULT_POLICY}.items()
)


def refusal_body(status: int, reason: str, error: str, message: str) -> bytes:
    """The same shape as every other error of the API (core/http.py)."""
    return json.dumps({"code": status, "status": reason, "error": error, "message": message}).encode()


def refusal_of(exc: Exception) -> tuple[int, str, str] | None:
    """(status, reason, error name) of a request gunicorn refuses itself; None for anything else."""
    return next(((s, r, e) for kind, s, r, e in _REFUSALS if isinstance(exc, kind)), None)


class JsonErrorWorker(SyncWorker):
    def handle_error(self, req, client, addr, exc):
        refusal = refusal_of(exc)
        if refusal is None:
            return super().handle_error(req, client, addr, exc)
        status, reason, error = refusal
        self.log.warning("Refused request from ip=%s: %s", (addr or ("",))[0], exc)
        body = refusal_body(status, reason, error, f"{reason}: {exc}"[:500])
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{_SECURITY_HEADERS}\r\n"
        ).encode("latin-1")
        try:
            client.sendall(head + body)
        except OSError:
            self.log.debug("Failed to send error message.")

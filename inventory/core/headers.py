"""Security headers on every response: dashboard pages, the API's JSON, /docs, errors, assets.

A page that may be framed can be click-jacked; a JSON body sniffed as HTML can run script;
a Referer can carry a path to another site. So every answer says: no framing, no sniffing,
no cross-site referrer, and loads nothing but what its policy allows. A blueprint or view
that needs a looser Content-Security-Policy sets its own before this runs (setdefault).
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response

# JSON, CSV and plain errors load nothing at all.
DEFAULT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "same-origin",
}

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-...') allowing exactly the inline scripts of `html`."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def install(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", DEFAULT_POLICY)
        return response

"""Every answer carries the security headers: dashboard pages, the API's JSON, /docs, errors."""

from __future__ import annotations

import pytest

from inventory.core import headers

COMMON = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def assert_secure(response):
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (response.request.path, name, response.headers)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[-1].split(";")[0]
    return policy


@pytest.mark.parametrize(
    ("method", "path", "as_", "status"),
    [("GET", "/offices", "manager", 200),
     ("GET", "/offices", None, 401),  # no token
     ("GET", "/offices/99.99", "manager", 404),
     ("POST", "/offices/62.02/adjustments", "warehouse", 403),  # a manager's verb
     ("POST", "/offices/62.02/deliveries", "warehouse", 422),  # no body
     ("GET", "/api/v1/nowhere", None, 404),
     ("GET", "/nowhere", None, 404),
     ("GET", "/healthz", None, 200),
     ("GET", "/readyz", None, 200),
     ("GET", "/openapi.json", None, 200)],
)  # fmt: skip
def test_api_answers_carry_the_headers_and_load_nothing(api, method, path, as_, status):
    body = {"counted": 1, "reason": "Stock opname"} if method == "POST" else None
    response = api.call(method, path, json=body, as_=as_)
    assert response.status_code == status
    assert assert_secure(response) == headers.DEFAULT_POLICY


def test_docs_allow_only_their_own_inline_script(api):
    response = api.get("/docs")
    assert response.status_code == 200
    policy = assert_secure(response)
    (script,) = headers.inline_script_hashes(response.get_data(as_text=True))
    assert f"script-src 'self' {script};" in policy
    assert assert_secure(api.get("/docs/assets/swagger-ui-bundle.js"))


@pytest.mark.parametrize("path", ["/login", "/", "/offices/99.99", "/assets/style.css"])
def test_dashboard_pages_carry_the_headers(app, path):
    with app.test_client() as client:
        response = client.get(path)
    assert "default-src 'self'" in assert_secure(response)

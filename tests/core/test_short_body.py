"""A body shorter than its Content-Length (the client hung up mid-request) is never executed,
behind gunicorn and behind Werkzeug's development server alike, on both databases."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.helpers import deliver, stock

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def werkzeug_server(app, database_url):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


@contextmanager
def gunicorn_server(app, database_url, *options: str):
    port = _free_port()
    factory = f"inventory:create_app('config.TestConfig', SQLALCHEMY_DATABASE_URI={database_url!r})"
    process = subprocess.Popen(
        [
            str(GUNICORN),
            factory,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
            *options,
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def send_and_hang_up(port: int, token: str, body: bytes, announced: int) -> tuple[int, dict]:
    """POST a delivery announcing `announced` bytes, send `body`, close the sending side, read the answer."""
    head = (
        "POST /api/v1/offices/62.02/deliveries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {announced}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, json.loads(answer.split(b"\r\n\r\n", 1)[1] or b"{}")


@pytest.mark.parametrize("server", [werkzeug_server, gunicorn_server], ids=["werkzeug", "gunicorn"])
def test_a_body_cut_short_is_refused_and_changes_nothing(api, database_url, server):
    deliver(api, "62.02", 10)
    token = api.tokens["warehouse"]
    whole = json.dumps({"quantity": 5}).encode()  # what arrived parses: only its length tells

    with server(api.app, database_url) as port:
        status, body = send_and_hang_up(port, token, whole, announced=len(whole) + 20)
        assert (status, body.get("error")) == (400, "incomplete_body"), body
        assert stock(api, "62.02")["on_hand"] == 10

        status, body = send_and_hang_up(port, token, whole, announced=len(whole))
        assert status == 201, body  # the same body, whole, is recorded
    assert stock(api, "62.02")["on_hand"] == 15


def raw_request(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ", 2)[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize(
    ("request_bytes", "status", "error"),
    [
        (
            b"GET /api/v1/offices?x=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            414,
            "request_line_too_long",
        ),
        (
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
            431,
            "headers_too_large",
        ),
        (
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n",
            431,
            "headers_too_large",
        ),
        (b"GET\x00 / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request_method"),
    ],
    ids=["long-url", "long-header", "many-headers", "bad-method"],
)
def test_gunicorn_refusals_answer_in_the_api_error_shape(api, database_url, request_bytes, status, error):
    """What gunicorn refuses before the app sees it still answers in JSON, with the JSON worker."""
    worker = ("--worker-class", "inventory.core.serving.JsonErrorWorker")
    with gunicorn_server(api.app, database_url, *worker) as port:
        got, headers, body = raw_request(port, request_bytes)
        assert raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 200
    assert (got, headers["content-type"]) == (status, "application/json"), body
    payload = json.loads(body)
    assert payload["error"] == error and payload["code"] == status and payload["message"], payload


def send_chunked(port: int, token: str, chunks: bytes) -> tuple[int, dict]:
    head = (
        "POST /api/v1/offices/62.02/deliveries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    status, _, body = raw_request_after_hang_up(port, head + chunks)
    return status, json.loads(body or b"{}")


def raw_request_after_hang_up(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), {}, body


WHOLE = json.dumps({"quantity": 7}).encode()


@pytest.mark.parametrize(
    "chunks",
    [
        b"20\r\n" + WHOLE,  # announces 32 bytes, sends 15, hangs up
        b"zz\r\n" + WHOLE + b"\r\n0\r\n\r\n",  # a chunk size that is not hex
        b"%x\r\n" % len(WHOLE) + WHOLE + b"\r\n",  # no last chunk
    ],
    ids=["cut-short", "bad-size", "no-last-chunk"],
)
@pytest.mark.parametrize("server", [werkzeug_server, gunicorn_server], ids=["werkzeug", "gunicorn"])
def test_a_broken_chunked_body_is_refused_and_changes_nothing(api, database_url, server, chunks):
    deliver(api, "62.02", 10)
    token = api.tokens["warehouse"]
    with server(api.app, database_url) as port:
        status, body = send_chunked(port, token, chunks)
        assert (status, body.get("error")) == (400, "incomplete_body"), body
        assert stock(api, "62.02")["on_hand"] == 10

        status, body = send_chunked(port, token, b"%x\r\n" % len(WHOLE) + WHOLE + b"\r\n0\r\n\r\n")
        assert status == 201, body  # the same body, whole, is recorded
    assert stock(api, "62.02")["on_hand"] == 17


def test_gunicorn_refusals_carry_the_security_headers(api, database_url):
    worker = ("--worker-class", "inventory.core.serving.JsonErrorWorker")
    with gunicorn_server(api.app, database_url, *worker) as port:
        _, headers, _ = raw_request(
            port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n"
        )
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"

"""Real local receivers for notification tests: an HTTP webhook endpoint and an SMTP server.

Both listen on 127.0.0.1 in a background thread for the length of a `with` block and keep
what they received, so tests check what actually went over the wire.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    answered: int


class WebhookReceiver:
    """Answers each POST with the next status of `statuses` (200 once they run out) and
    records it, with whether X-Blangko-Signature is right for `secret`."""

    def __init__(self, secret: str, statuses: tuple[int, ...] = (), delay: float = 0.0) -> None:
        self.secret = secret
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/blangko"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def expected_signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()

    def _next_status(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if self.statuses else 200

    def _record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver._next_status()
                signature = self.headers.get("X-Blangko-Signature", "")
                receiver._record(
                    Received(
                        path=self.path,
                        headers=dict(self.headers.items()),
                        body=body,
                        signature_ok=hmac.compare_digest(signature, receiver.expected_signature(body)),
                        answered=status,
                    )
                )
                answer = b"ok" if status < 300 else b"receiver says no"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

        return Handler


def free_port() -> int:
    # aiosmtpd's Controller cannot listen on port 0 (it connects to its own port to check
    # it started), so ask the OS for a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpReceiver:
    """An aiosmtpd server that accepts every message and keeps it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

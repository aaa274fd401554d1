"""How a notification leaves the building: a signed webhook POST or an e-mail.

No database here: delivery.py calls these outside any transaction, so a slow
receiver never holds a lock.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

USER_AGENT = "Blangko-Webhook/1"
ERROR_MAX = 500  # characters of a receiver's answer kept in last_error


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    status_code: int | None = None
    error: str | None = None
    permanent: bool = False  # retrying cannot help (e.g. the secret cannot be decrypted)


def sign(secret: str, body: bytes) -> str:
    """The X-Blangko-Signature value: what a receiver recomputes to trust the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Following a redirect would re-send the event somewhere the subscriber never named
    # (and turn the POST into a GET): a 3xx is a failed delivery, like any non-2xx.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(spec: str) -> tuple[Network, ...]:
    """WEBHOOK_BLOCKED_NETWORKS: comma-separated CIDRs, e.g. "127.0.0.0/8,169.254.0.0/16"."""
    return tuple(ipaddress.ip_network(part.strip()) for part in spec.split(",") if part.strip())


def blocked_address(url: str, blocked: tuple[Network, ...], *, resolve: bool = True) -> str | None:
    """The first address of `url`'s host inside a blocked network, or None.

    A subscriber names the URL, but the server makes the request: without this a manager
    could aim it at the server's own services or a cloud metadata endpoint and read their
    answers back in last_error. With resolve=False only a literal IP is checked (no DNS
    lookup while answering an API request). A name that does not resolve is left to fail
    when it is sent. What the name resolves to may change between this check and the
    connection (DNS rebinding): this narrows the hole, a firewall closes it.
    """
    host = urlsplit(url).hostname or ""
    if not blocked or not host:
        return None
    try:
        addresses = {_literal_address(host)}
    except ValueError:
        if not resolve:
            return None
        try:
            found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None
        addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in found}
    for address in sorted(addresses, key=str):
        if any(form in network for form in _forms(address) for network in blocked):
            return str(address)
    return None


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """`host` as an IP address, also in the forms the C library reads as IPv4 when it connects
    (one number, hex, octal, "127.1"): http://2130706433/ is 127.0.0.1. ValueError otherwise."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            raise ValueError(host) from None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _forms(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list:
    """The address and the IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, Teredo):
    each reaches the same host, so each is checked against the blocked networks."""
    forms: list = [address]
    if isinstance(address, ipaddress.IPv6Address):
        forms += [address.ipv4_mapped, address.sixtofour, address.teredo and address.teredo[1]]
        if address in _NAT64:
            forms.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [form for form in forms if form is not None]


def post_webhook(
    url: str,
    body: bytes,
    *,
    event_id: str,
    secret: str,
    timestamp: int,
    timeout: float,
    blocked: tuple[Network, ...] = (),
) -> Outcome:
    address = blocked_address(url, blocked)
    if address is not None:
        return Outcome(False, error=f"{address} is in WEBHOOK_BLOCKED_NETWORKS: not sent", permanent=True)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Blangko-Event-Id": event_id,
            "X-Blangko-Timestamp": str(timestamp),
            "X-Blangko-Signature": sign(secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
            answer = response.read(ERROR_MAX)
    except urllib.error.HTTPError as error:  # a non-2xx answer (urllib raises for >= 300 here)
        with error:
            status, answer = error.code, error.read(ERROR_MAX)
    if 200 <= status < 300:
        return Outcome(True, status)
    text = answer.decode("utf-8", "replace").strip()
    return Outcome(False, status, f"HTTP {status}" + (f": {text}" if text else ""))


def send_email(config: Any, to: str, payload: dict, *, event_id: str, timeout: float) -> Outcome:
    """Send through the configured SMTP server (MAIL_* settings)."""
    message = EmailMessage()
    message["Subject"] = subject(payload)
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    # One Message-ID per event, the same on every retry, so a mail client can drop repeats.
    domain = config["MAIL_FROM"].rpartition("@")[2].strip("> ") or "blangko"
    message["Message-ID"] = f"<{event_id}@{domain}>"
    message["X-Blangko-Event-Id"] = event_id
    message.set_content(body_text(payload))
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    return Outcome(True)


def subject(payload: dict) -> str:
    if "request" in payload:
        request = payload["request"]
        offices = f"from {request['office']} to {request['supplier']}"
        return f"[Blangko] {payload['event']}: request {request['id']} {offices}"
    alert = payload["alert"]
    severity = "" if payload["event"] == "resolved" else f" ({alert['severity']})"
    return f"[Blangko] {alert['kind']} {payload['event']} at {alert['office']}{severity}"


def body_text(payload: dict) -> str:
    if "request" in payload:
        return _request_text(payload)
    alert = payload["alert"]
    figures = "\n".join(f"  {name}: {value}" for name, value in sorted(alert["figures"].items()))
    return (
        f"Alert {alert['kind']} at office {alert['office']} was {payload['event']}.\n\n"
        f"{alert['message']}\n\n"
        f"Severity:    {alert['severity']}\n"
        f"Status:      {alert['status']}\n"
        f"Opened at:   {alert['opened_at']}\n"
        f"Resolved at: {alert['resolved_at'] or '-'}\n\n"
        f"Figures:\n{figures or '  -'}\n\n"
        f"Alert id {alert['id']}, event id {payload['event_id']}.\n"
        "You receive this because you subscribed to Blangko alerts for this area.\n"
    )


def _request_text(payload: dict) -> str:
    request = payload["request"]
    approved = request["approved_quantity"]
    return (
        f"Request {request['id']} for blanks from office {request['office']} to {request['supplier']}: "
        f"{payload['event']}.\n\n"
        f"Status:            {request['status']}\n"
        f"Awaiting:          {request['awaiting'] or '-'}\n"
        f"Asked:             {request['quantity']}\n"
        f"Approved:          {'-' if approved is None else approved}\n"
        f"Shipped:           {request['shipped']}\n"
        f"Received:          {request['received']}\n"
        f"Needed by:         {request['needed_by'] or '-'}\n"
        f"Note:              {request['note'] or '-'}\n\n"
        f"Event id {payload['event_id']}.\n"
        "You receive this because you subscribed to Blangko requests for this area.\n"
    )


def describe(error: BaseException) -> tuple[int | None, str]:
    """(status code, message) for a failed attempt: an SMTP reply code when there is one."""
    code = getattr(error, "smtp_code", None)
    text = str(error) or type(error).__name__
    if isinstance(error, smtplib.SMTPResponseException) and isinstance(error.smtp_error, bytes):
        text = f"SMTP {code}: {error.smtp_error.decode('utf-8', 'replace')}"
    return code, f"{type(error).__name__}: {text}"[:ERROR_MAX]

"""The optional webhook: each new lead and each consent change, as JSON, to one URL per site.

Calls go through the outbox (``outbox.WEBHOOK``), so they are retried like emails. Each call
is signed: ``X-Approdo-Signature: sha256=<hex>`` is HMAC-SHA256, keyed with the webhook secret,
of ``<X-Approdo-Timestamp>.<body>``; the receiving end recomputes it (see the handbook's
lead-loop page) and refuses stale timestamps, so a call can be neither forged nor replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .outbox import DeliveryError

LEAD = "lead.created"
# A repeat of a recent lead that brought something new (a message, a consent) was merged into it.
LEAD_UPDATED = "lead.updated"
CONSENT_CONFIRMED = "consent.confirmed"
CONSENT_WITHDRAWN = "consent.withdrawn"


def signature(secret: str, stamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), stamp.encode("ascii") + b"." + body,
                                hashlib.sha256).hexdigest()


def payload(event: str, data: dict, occurred_at: str) -> dict:
    return {"event": event, "occurred_at": occurred_at, "data": data}


@dataclass(frozen=True)
class WebhookTransport:
    url: str
    secret: str
    timeout: float = 10.0

    def __repr__(self) -> str:
        return f"WebhookTransport({self.url})"

    def send(self, outbox_id: int, message: dict) -> None:
        body = json.dumps({**message, "delivery": outbox_id}, ensure_ascii=False).encode("utf-8")
        stamp = str(int(time.time()))
        parts = urlsplit(self.url)
        if not parts.hostname:
            raise DeliveryError(f"webhook URL {self.url!r} names no host", permanent=True)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Approdo-leads",
            "X-Approdo-Event": message["event"],
            "X-Approdo-Delivery": str(outbox_id),
            "X-Approdo-Timestamp": stamp,
            "X-Approdo-Signature": signature(self.secret, stamp, body),
        }
        try:
            connection = connection_class(parts.hostname, parts.port, timeout=self.timeout)
            try:
                connection.request("POST", path, body=body, headers=headers)
                status = connection.getresponse().status
            finally:
                connection.close()
        except OSError as problem:
            raise DeliveryError(f"webhook {parts.hostname}: {type(problem).__name__}") from None
        if status >= 300:
            # A 4xx will not get better by itself, except "too many" and "timeout".
            raise DeliveryError(f"webhook {parts.hostname} answered {status}",
                                permanent=400 <= status < 500 and status not in (408, 429))

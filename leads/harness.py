"""Run the receiver on a free loopback port and talk to it: for tests and the benchmark.

Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlencode

from approdo.lead_form import text_version

from .app import LeadApp
from .server import make

HOST = "127.0.0.1"
SITE = "http://127.0.0.1:8000"
CONSENT_VERSION = text_version("Voglio ricevere la newsletter e le offerte di prova.")
PRIVACY_VERSION = text_version("Informativa privacy di prova.")


def sample_lead(email: str, landing: str = "guida-gratuita", **extra: str) -> dict[str, str]:
    """A valid post, as a landing page sends it."""
    return {
        "email": email,
        "name": "Anna Verdi",
        "marketing_consent": "si",
        "consent_version": CONSENT_VERSION,
        "privacy_version": PRIVACY_VERSION,
        "utm_source": "facebook",
        "utm_medium": "social",
        "utm_campaign": "guida",
        "landing": landing,
        "page_url": f"{SITE}/landing/{landing}/?utm_source=facebook",
        "referrer": "",
        "_next": f"{SITE}/landing/{landing}/grazie/",
        "_gotcha": "",
        **extra,
    }


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(port: int, method: str, path: str = "/leads", body: bytes = b"",
            headers: dict[str, str] | None = None, timeout: float = 30) -> Reply:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def post_form(port: int, fields: dict[str, str], origin: str | None = SITE,
              headers: dict[str, str] | None = None) -> Reply:
    """A plain HTML form post (what a browser sends without JavaScript)."""
    sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    if origin is not None:
        sent["Origin"] = origin
    return request(port, "POST", "/leads", urlencode(fields).encode(), sent)


def post_json(port: int, data: object, origin: str | None = SITE,
              headers: dict[str, str] | None = None) -> Reply:
    """A fetch() post with a JSON body."""
    sent = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
    if origin is not None:
        sent["Origin"] = origin
    return request(port, "POST", "/leads", json.dumps(data).encode(), sent)


@contextmanager
def running(app: LeadApp) -> Iterator[int]:
    """Serve ``app`` in a background thread; yields the port."""
    server = make(app, HOST, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        app.store.close()

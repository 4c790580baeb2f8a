"""Run the receiver on a free loopback port and talk to it: for tests and the benchmark.

Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlencode

from approdo.lead_form import text_version

from .app import LeadApp
from .server import make

HOST = "127.0.0.1"
SITE = "http://127.0.0.1:8000"
CONSENT_TEXT = "Voglio ricevere la newsletter e le offerte di prova."
PRIVACY_TEXT = "Informativa privacy di prova."
CONSENT_VERSION = text_version(CONSENT_TEXT)
PRIVACY_VERSION = text_version(PRIVACY_TEXT)


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
def running_production(app: LeadApp, limits=None) -> Iterator[int]:
    """Serve ``app`` with the production server (waitress) in a background thread."""
    from . import production

    server = production.make(app, HOST, 0, limits or production.Limits())
    stop = threading.Event()
    thread = threading.Thread(target=production.run, args=(server, stop), daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        stop.set()
        thread.join()
        app.close()


@contextmanager
def running(app: LeadApp, port: int = 0) -> Iterator[int]:
    """Serve ``app`` in a background thread (on ``port``, else a free one); yields the port."""
    server = make(app, HOST, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        app.close()


class MailSink:
    """A real SMTP server (aiosmtpd, a test dependency) on 127.0.0.1 that keeps what it receives.

    ``behaviour`` decides the answer to each message: "accept", "refuse" (a 5xx), or "drop"
    (the connection is cut mid-conversation). ``start``/``stop`` can be called again on the
    same port: a server that is down for a while, then back.
    """

    def __init__(self, port: int = 0, behaviour: str = "accept", auth: tuple[str, str] | None = None):
        self.port = port or free_port()
        self.behaviour = behaviour
        self.auth = auth
        self.received: list[dict] = []
        self.arrived = threading.Condition()
        self.controller: Any = None  # aiosmtpd's Controller (untyped) while running

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        if self.behaviour == "refuse":
            return "554 5.7.1 Message refused by policy"
        if self.behaviour == "drop":
            server.transport.abort()
            return "451 dropped"
        with self.arrived:  # parsed later, by wait_for: the server's thread only records
            self.received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "data": envelope.content, "at": time.perf_counter()})
            self.arrived.notify_all()
        return "250 2.0.0 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword
        if isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == self.auth:
            return AuthResult(success=True, auth_data=auth_data)
        # A careless server that quotes what it was sent: the client must not pass it on.
        said = auth_data.password.decode(errors="replace") if isinstance(auth_data, LoginPassword) else ""
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 Credentials rejected: {said}")

    def start(self) -> "MailSink":
        from aiosmtpd.controller import Controller
        options: dict[str, Any] = {}
        if self.auth is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self.controller = Controller(self, hostname=HOST, port=self.port, **options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict]:
        """The messages received, once there are at least ``count`` (or when time is up)."""
        import email as email_lib
        from email.policy import default
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.received) < count and time.monotonic() < deadline:
                self.arrived.wait(deadline - time.monotonic())
            received = list(self.received)
        for entry in received:
            if "message" not in entry:
                entry["message"] = email_lib.message_from_bytes(entry["data"], policy=default)
        return received

    def __enter__(self) -> "MailSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def write_site_data(folder, consent_text: str = CONSENT_TEXT, privacy_text: str = PRIVACY_TEXT,
                    landings: dict | None = None) -> str:
    """What a build publishes for the receiver (consent texts, landing pages), into ``folder``."""
    from pathlib import Path

    from approdo.consent_ledger import LANDINGS_PATH, VERSIONS_PATH, versions_document
    folder = Path(folder)
    (folder / VERSIONS_PATH).parent.mkdir(parents=True, exist_ok=True)
    (folder / VERSIONS_PATH).write_text(versions_document(consent_text, privacy_text, f"{SITE}/privacy/"),
                                        encoding="utf-8")
    (folder / LANDINGS_PATH).parent.mkdir(parents=True, exist_ok=True)
    (folder / LANDINGS_PATH).write_text(json.dumps({"landings": landings or {}}), encoding="utf-8")
    return str(folder)


# The start of a valid post, which a slow client sends one byte at a time and never finishes.
SLOW_REQUEST = (b"POST /leads HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + SITE.encode()
                + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\n")


class SlowClients:
    """``count`` connections that send a request's headers one byte every ``interval`` seconds
    (a "slowloris"), from one background thread; ``close()`` stops and disconnects them.

    With ``reconnect``, a connection the server closes (or that finished its headers) is opened
    again and starts over, as a real attacker would: ``reconnects`` counts them.
    """

    def __init__(self, port: int, count: int, interval: float = 0.1, reconnect: bool = False):
        self.port = port
        self.sockets = [self._connect() for _ in range(count)]
        self.positions = [0] * count
        self.interval = interval
        self.reconnect = reconnect
        self.reconnects = 0
        self.stop = threading.Event()
        self.sent = 0  # bytes each connection has sent, for the first connection
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _connect(self) -> socket.socket:
        return socket.create_connection((HOST, self.port), timeout=10)

    def _drip(self) -> None:
        while not self.stop.is_set():
            active = False
            for index, sock in enumerate(self.sockets):
                position = self.positions[index]
                if position >= len(SLOW_REQUEST) - 1 and not self.reconnect:
                    continue
                try:
                    if position >= len(SLOW_REQUEST) - 1:
                        raise ConnectionError("headers complete: start over")
                    sock.send(SLOW_REQUEST[position:position + 1])
                    self.positions[index] = position + 1
                except OSError:
                    if not self.reconnect:
                        continue
                    sock.close()
                    try:
                        self.sockets[index] = self._connect()
                    except OSError:
                        continue
                    self.positions[index] = 0
                    self.reconnects += 1
                active = True
            self.sent = self.positions[0] if self.positions else 0
            if not active:
                return
            self.stop.wait(self.interval)
    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()

    def __enter__(self) -> "SlowClients":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# A desktop browser's user agent: beacons without one, or from a bot, are not counted.
BROWSER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/131.0.0.0 Safari/537.36")


def send_beacon(port: int, fields: dict[str, str], origin: str | None = SITE,
                agent: str = BROWSER_AGENT, headers: dict[str, str] | None = None) -> Reply:
    """What ``navigator.sendBeacon(url, new URLSearchParams(fields))`` sends."""
    sent = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8", "User-Agent": agent,
            **(headers or {})}
    if origin is not None:
        sent["Origin"] = origin
    return request(port, "POST", "/metrics", urlencode(fields).encode(), sent)

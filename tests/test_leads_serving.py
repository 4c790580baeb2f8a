"""The production server (waitress, ``leads.production``) on the open internet: slow and idle
clients do not starve the others, requests that never finish are cut off, and a body over the
limit is refused before it is read."""

from __future__ import annotations

import logging
import socket
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from leads.app import LeadApp
from leads.config import Settings
from leads.harness import HOST, SITE, SLOW_REQUEST, SlowClients, post_form, running_production, sample_lead
from leads.production import Limits
from leads.server import make

REQUEST_HEAD = SLOW_REQUEST


def stored(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT email FROM leads")}
    finally:
        conn.close()


def app_for(tmp_path: Path) -> LeadApp:
    return LeadApp(Settings(db_path=tmp_path / "leads.sqlite3", site_origins=(SITE,), rate_limit=0))


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed (or reset) the connection."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_valid_leads_are_stored_while_100_slow_clients_drip_their_headers(tmp_path):
    app = app_for(tmp_path)
    with running_production(app) as port:
        slow = SlowClients(port, 100)
        try:
            deadline = time.monotonic() + 5
            while slow.sent < 3 and time.monotonic() < deadline:  # every slow client has begun
                time.sleep(0.02)
            assert slow.sent >= 3

            def client(worker: int) -> list[int]:
                return [post_form(port, sample_lead(f"fast{worker}-{i}@example.it")).status for i in range(25)]

            # Under the old server these posts waited behind the slow clients until they timed out.
            with ThreadPoolExecutor(4) as pool:
                statuses = [s for result in pool.map(client, range(4)) for s in result]
            # The slow clients were still mid-headers the whole time.
            assert slow.sent < len(REQUEST_HEAD) - 1
            assert not any(closed_by_server(sock) for sock in slow.sockets[:5])
        finally:
            slow.close()
    assert statuses == [303] * 100
    assert stored(app.store.path) == {f"fast{w}-{i}@example.it" for w in range(4) for i in range(25)}


def test_idle_connections_are_closed_and_do_not_block_posts(tmp_path):
    app = app_for(tmp_path)
    with running_production(app, Limits(idle_timeout=1)) as port:
        idle = [socket.create_connection((HOST, port), timeout=10) for _ in range(100)]
        try:
            assert post_form(port, sample_lead("between-idle@example.it")).status == 303
            deadline = time.monotonic() + 15
            open_ones = list(idle)
            while open_ones and time.monotonic() < deadline:
                open_ones = [sock for sock in open_ones if not closed_by_server(sock)]
                time.sleep(0.1)
            assert not open_ones, f"{len(open_ones)} idle connections still open"
        finally:
            for sock in idle:
                sock.close()
    assert stored(app.store.path) == {"between-idle@example.it"}


def test_a_request_that_never_finishes_arriving_is_cut_off(tmp_path):
    """A client that keeps sending, one byte a second, is never idle: the request deadline
    closes it anyway."""
    app = app_for(tmp_path)
    with running_production(app, Limits(request_timeout=2, idle_timeout=30)) as port:
        slow = SlowClients(port, 3, interval=0.5)
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not all(closed_by_server(s) for s in slow.sockets):
                time.sleep(0.1)
            assert slow.sockets and all(closed_by_server(s) for s in slow.sockets)
            assert slow.sent < len(REQUEST_HEAD) - 1  # cut off before its headers were complete
        finally:
            slow.close()


@pytest.mark.parametrize("length", [16 * 1024 + 1, 1024 ** 3])
def test_a_body_over_the_limit_is_refused_before_it_is_sent(tmp_path, length):
    app = app_for(tmp_path)
    with running_production(app) as port:
        with socket.create_connection((HOST, port), timeout=10) as sock:
            sock.sendall(REQUEST_HEAD.replace(b"Content-Length: 10", f"Content-Length: {length}".encode()))
            answer = sock.recv(65536)  # no body byte sent: the answer comes anyway
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert stored(app.store.path) == set()


def test_the_development_server_logs_no_client_address_when_a_client_times_out(tmp_path, caplog, capfd):
    """socketserver prints "Exception occurred during processing of request from
    ('127.0.0.1', port)" and a traceback for every timed-out client; ours says only what."""
    caplog.set_level(logging.DEBUG)
    app = app_for(tmp_path)
    server = make(app, HOST, 0, timeout=0.5)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with socket.create_connection((HOST, server.server_port), timeout=10) as sock:
            sock.sendall(SLOW_REQUEST[:20])  # then silence: the handler times out
            deadline = time.monotonic() + 10
            while "connection dropped" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        app.store.close()
    assert "connection dropped: TimeoutError" in caplog.text
    captured = capfd.readouterr()
    for text in (caplog.text, captured.out, captured.err):
        assert "127.0.0.1" not in text and "Traceback" not in text


def test_more_slow_clients_than_the_connection_limit_delay_a_lead_but_do_not_lose_it(tmp_path):
    """At the connection limit new clients wait in the listen backlog; the request deadline
    frees the slots the slow clients hold, and the waiting post is served."""
    app = app_for(tmp_path)
    with running_production(app, Limits(connection_limit=20, request_timeout=2)) as port:
        with SlowClients(port, 30, interval=0.5):
            reply = post_form(port, sample_lead("patient@example.it"))
    assert reply.status == 303
    assert stored(app.store.path) == {"patient@example.it"}

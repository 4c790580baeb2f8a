"""The receiver as `./dev serve` and production run it (`python -m leads serve`, waitress, a
subprocess): concurrent posts lose nothing while slow clients hold connections open, and a lead
acknowledged before a kill -9 is in the database afterwards."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from leads.harness import SITE, SlowClients, post_form, request, sample_lead

ROOT = Path(__file__).resolve().parent.parent
URL_LINE = re.compile(r"^Approdo lead receiver: http://127\.0\.0\.1:(\d+)/leads ")


@contextmanager
def serve(db: Path, *args: str):
    """``python -m leads serve`` on a free port; yields (process, port)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db), "--site-origin", SITE,
         "--rate-limit", "0", "--quiet", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        match = URL_LINE.match(line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        yield process, int(match.group(1))
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)
        process.stdout.close()
        process.stderr.close()


def stored_emails(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT email FROM leads")}
    finally:
        conn.close()


def test_serve_prints_its_url_and_stops_cleanly_on_sigterm(tmp_path):
    with serve(tmp_path / "leads.sqlite3") as (process, port):
        assert request(port, "GET", "/health").status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_eight_threads_times_250_posts_store_exactly_2000_rows_with_50_slow_clients(tmp_path):
    db = tmp_path / "leads.sqlite3"
    with serve(db) as (_, port), SlowClients(port, 50, interval=0.5) as slow:
        def client(worker: int) -> list[int]:
            return [post_form(port, sample_lead(f"w{worker}-{i}@example.it")).status for i in range(250)]

        with ThreadPoolExecutor(8) as pool:
            statuses = [status for result in pool.map(client, range(8)) for status in result]
        assert slow.sent > 1  # they were dripping all along
    assert statuses == [303] * 2000
    emails = stored_emails(db)
    assert len(emails) == 2000
    assert emails == {f"w{w}-{i}@example.it" for w in range(8) for i in range(250)}


def test_every_acknowledged_lead_survives_kill_9(tmp_path):
    db = tmp_path / "leads.sqlite3"
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    with serve(db) as (process, port), SlowClients(port, 50, interval=0.5):
        def client(worker: int) -> None:
            i = 0
            while not stop.is_set():
                email = f"crash{worker}-{i}@example.it"
                i += 1
                try:
                    reply = post_form(port, sample_lead(email))
                except OSError:  # the server is gone
                    return
                if reply.status == 303:
                    with lock:
                        acknowledged.append(email)

        threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)  # mid-traffic: requests are in flight
        process.wait(timeout=20)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert len(acknowledged) >= 300
    # Restart on the same database: it recovers its WAL and still serves.
    with serve(db) as (_, port):
        assert request(port, "GET", "/health").status == 200
        assert post_form(port, sample_lead("after-restart@example.it")).status == 303
    emails = stored_emails(db)
    missing = set(acknowledged) - emails
    assert not missing, f"{len(missing)} acknowledged leads lost"
    assert "after-restart@example.it" in emails


def test_a_taken_port_is_a_plain_message(tmp_path):
    with serve(tmp_path / "leads.sqlite3") as (_, port):
        result = subprocess.run([sys.executable, "-m", "leads", "serve", "--port", str(port),
                                 "--db", str(tmp_path / "other.sqlite3")],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"approdo-leads: cannot listen on 127.0.0.1:{port}: ")
    assert "Traceback" not in result.stderr

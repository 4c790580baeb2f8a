#!/usr/bin/env python3
"""Benchmark (not a test): cookie-free counting under a burst, and what it costs lead capture.

Starts ``python -m leads serve`` on a free loopback port with a fresh database, then:

1. Burst: BEACONS view beacons (default 10,000) from 8 client threads as fast as the receiver
   answers (far harsher than 10,000 in a minute), once with realistic values (a few campaigns and
   posts) and once forged (every beacon a new utm_content, capped into "altro"). Prints the
   beacon rate, the receiver's resident memory before and at its peak (VmRSS, VmHWM), and how
   long after the last answer every count is in SQLite.
2. Lead POST latency, interleaved pairs: ROUNDS rounds, each timing LEADS sequential lead posts
   on an idle receiver and LEADS while beacons arrive, the order alternating from round to round;
   once with beacons paced at BEACONS a minute, once flat out. Prints medians, p90 and the ratio
   (during beacons / idle).

    .venv/bin/python bench/metrics_load.py [--beacons 10000] [--rounds 4] [--leads 25]
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "hooks"), str(ROOT)]

from leads.harness import SITE, post_form, sample_lead, send_beacon  # noqa: E402
from leads_throughput import cpu_seconds  # noqa: E402  (this folder is on sys.path when run)

CLIENTS = 8


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, in kB (Linux)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def beacon(n: int, forged: bool) -> dict[str, str]:
    return {"kind": "view", "page": "guida-gratuita", "utm_source": ("linkedin", "instagram", "facebook")[n % 3],
            "utm_medium": "social", "utm_campaign": f"guida-{n % 4}",
            "utm_content": f"forged-{n}" if forged else f"post-{n % 10}"}


def burst(port: int, count: int, forged: bool, offset: int = 0) -> tuple[int, int, float]:
    """(answered 204, other answers, seconds) for ``count`` beacons from CLIENTS threads."""
    ok, bad = [0], [0]
    lock = threading.Lock()

    def client(worker: int) -> None:
        for i in range(worker, count, CLIENTS):
            try:
                good = send_beacon(port, beacon(offset + i, forged)).status == 204
            except OSError:
                good = False
            with lock:
                if good:
                    ok[0] += 1
                else:
                    bad[0] += 1

    threads = [threading.Thread(target=client, args=(w,)) for w in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ok[0], bad[0], time.perf_counter() - started


def flood(port: int, rate: float | None, stop: threading.Event, worker: int) -> None:
    """One of CLIENTS threads sending beacons until ``stop``, together at ``rate`` per second
    (None: as fast as the receiver answers)."""
    interval = CLIENTS / rate if rate else 0.0
    due = time.perf_counter()
    n = worker
    while not stop.is_set():
        send_beacon(port, beacon(n, forged=False))
        n += CLIENTS
        if interval:
            due += interval
            stop.wait(max(0.0, due - time.perf_counter()))


def stored_counts(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT coalesce(sum(count), 0) FROM metrics").fetchone()[0]
    finally:
        conn.close()


def lead_latencies(port: int, count: int, tag: str) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        reply = post_form(port, sample_lead(f"{tag}-{i}@example.it"))
        times.append(time.perf_counter() - started)
        assert reply.status == 303, reply.status
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--beacons", type=int, default=10_000, help="beacons per burst (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved latency rounds (default: %(default)s)")
    parser.add_argument("--leads", type=int, default=25, help="lead posts per sample (default: %(default)s)")
    parser.add_argument("--dir", type=Path, default=None, help="where the database goes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        db = Path(tmp) / "leads.sqlite3"
        process = subprocess.Popen(
            [sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db), "--site-origin", SITE,
             "--rate-limit", "0", "--quiet"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            port = int(re.search(r":(\d+)/leads", process.stdout.readline()).group(1))
            print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; "
                  f"{CLIENTS} beacon client threads, one connection per request")
            lead_latencies(port, 5, "warm")
            burst(port, 200, forged=False, offset=10**9)
            sent = 200
            for forged in (False, True):
                before = memory_kb(process.pid)
                cpu_before = cpu_seconds(process.pid)
                ok, bad, seconds = burst(port, args.beacons, forged)
                cpu = cpu_seconds(process.pid) - cpu_before
                answered = time.perf_counter()
                sent += ok
                while stored_counts(db) < sent and time.perf_counter() - answered < 30:
                    time.sleep(0.05)
                durable = time.perf_counter() - answered
                after = memory_kb(process.pid)
                print(f"burst of {args.beacons} {'forged (all distinct)' if forged else 'realistic'} view beacons: "
                      f"{ok} counted ({bad} other answers) in {seconds:.2f} s = {ok / seconds:.0f} beacons/s; "
                      f"all in SQLite {durable:.2f} s after the last answer; receiver memory "
                      f"{before['VmRSS'] / 1024:.1f} MB before, peak {after['VmHWM'] / 1024:.1f} MB, "
                      f"{after['VmRSS'] / 1024:.1f} MB after; receiver CPU {cpu / max(ok, 1) * 1000:.2f} ms per beacon "
                      f"({cpu / max(ok, 1) * args.beacons / 60 * 100:.0f}% of one CPU at {args.beacons} a minute)")
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            keys = conn.execute("SELECT count(*), count(DISTINCT utm_content) FROM metrics").fetchone()
            conn.close()
            print(f"rows in the metrics table: {keys[0]} ({keys[1]} distinct utm_content, 'altro' included)")

            for label, rate in (("10,000 a minute", args.beacons / 60), ("flat out", None)):
                idle, loaded = [], []
                for round_ in range(args.rounds):
                    def with_burst() -> None:
                        stop = threading.Event()
                        floods = [threading.Thread(target=flood, args=(port, rate, stop, w)) for w in range(CLIENTS)]
                        for thread in floods:
                            thread.start()
                        time.sleep(0.3)  # let the burst get going
                        loaded.extend(lead_latencies(port, args.leads, f"burst{int(bool(rate))}-{round_}"))
                        stop.set()
                        for thread in floods:
                            thread.join()

                    def without() -> None:
                        idle.extend(lead_latencies(port, args.leads, f"idle{int(bool(rate))}-{round_}"))

                    for step in ((without, with_burst) if round_ % 2 == 0 else (with_burst, without)):
                        step()
                idle_ms, loaded_ms = statistics.median(idle) * 1000, statistics.median(loaded) * 1000
                print(f"lead POST latency with beacons {label}, median of {len(idle)} each: idle {idle_ms:.1f} ms, "
                      f"during the beacons {loaded_ms:.1f} ms; ratio {loaded_ms / idle_ms:.2f}; p90 idle "
                      f"{statistics.quantiles(idle, n=10)[-1] * 1000:.1f} ms, during the beacons "
                      f"{statistics.quantiles(loaded, n=10)[-1] * 1000:.1f} ms")
            print(f"load average while measuring: {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
        finally:
            process.terminate()
            process.wait(timeout=30)
            process.stdout.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark (not a test): how many leads per second the production receiver accepts, and how
long a post waits, with and without slow clients attached.

Each round runs, in turn (the order rotates from round to round, so a busy neighbour on the
machine hits every variant alike):
- raw SQLite: the same rows inserted straight into the receiver's schema with the same
  durability, one commit per row, from one thread: the ceiling the disk allows;
- the receiver as production runs it (``python -m leads serve``, waitress) on a free loopback
  port with a fresh database: THREADS client threads post valid leads (plain form posts, one
  connection per post, as a browser without keep-alive) until COUNT are acknowledged;
- the same with SLOW extra connections that send their headers one byte every 0.2 s the whole
  time (a "slowloris" attack).
Every acknowledgement is a durable commit (WAL, synchronous=FULL). Printed: per variant the
median over the rounds of throughput and of the 50th and 99th percentile latency, and the
ratios to raw SQLite and between the two receiver variants.

    .venv/bin/python bench/leads_throughput.py [--count 1500] [--threads 8] [--slow 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "hooks"), str(ROOT)]

from leads.harness import SITE, SlowClients, post_form, sample_lead  # noqa: E402
from leads.storage import LEAD_COLUMNS, MIGRATIONS, timestamp, utcnow  # noqa: E402
from leads.validation import validate  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def receiver_run(directory: Path, name: str, threads: int, count: int, seconds: float,
                 slow: int) -> dict[str, float]:
    """One run against a fresh receiver: rate, latency percentiles, failures, server CPU."""
    db = directory / f"{name}.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-m", "leads", "serve", "--server", "waitress", "--port", "0", "--db", str(db),
         "--site-origin", SITE, "--rate-limit", "0", "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    attackers = None
    try:
        port = int(re.search(r":(\d+)/leads", process.stdout.readline()).group(1))
        if slow:
            attackers = SlowClients(port, slow, interval=0.2, reconnect=True)
        latencies: list[float] = []
        failed = [0]
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def client(worker: int) -> None:
            # Spread the remainder so that exactly `count` leads are posted.
            for i in range(count // threads + (worker < count % threads)):
                if time.monotonic() > deadline:
                    return
                began = time.perf_counter()
                try:
                    ok = post_form(port, sample_lead(f"bench{worker}-{i}@example.it")).status == 303
                except OSError:
                    ok = False
                took = time.perf_counter() - began
                with lock:
                    if ok:
                        latencies.append(took)
                    else:
                        failed[0] += 1

        workers = [threading.Thread(target=client, args=(w,)) for w in range(threads)]
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        reconnects = 0
        if attackers is not None:
            reconnects = attackers.reconnects
            attackers.close()
            attackers = None
    finally:
        if attackers is not None:
            attackers.close()
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    conn.close()
    assert rows == len(latencies), f"{rows} rows stored for {len(latencies)} acknowledgements"
    assert latencies, "no lead was acknowledged"
    return {"acked": len(latencies), "rate": len(latencies) / elapsed, "failed": failed[0],
            "p50": percentile(latencies, 0.50) * 1000, "p99": percentile(latencies, 0.99) * 1000,
            "cpu_ms": cpu / len(latencies) * 1000, "reconnects": reconnects}


def raw_sqlite_rate(directory: Path, count: int, seconds: float) -> tuple[int, float]:
    """One INSERT + COMMIT per row, WAL + synchronous=FULL, same schema and row size."""
    db = directory / "raw.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for migration in MIGRATIONS:
        for statement in migration:
            conn.execute(statement)
    row = validate(sample_lead("raw@example.it")).stored()
    row["marketing_consent"] = 1
    sql = f"INSERT INTO leads (received_at, {', '.join(LEAD_COLUMNS)}) VALUES ({', '.join('?' * (len(LEAD_COLUMNS) + 1))})"
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    done = 0
    for i in range(count):
        if time.monotonic() > deadline:
            break
        row["email"] = f"raw{i}@example.it"
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(sql, (timestamp(utcnow()), *(row[name] for name in LEAD_COLUMNS)))
        conn.execute("COMMIT")
        done += 1
    elapsed = time.perf_counter() - started
    conn.close()
    return done, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1500, help="leads per run (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default: %(default)s)")
    parser.add_argument("--slow", type=int, default=100, help="slow connections attached (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per run (default: %(default)s)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the databases go (default: a temporary folder; use the disk that "
                             "will hold data/ in production)")
    args = parser.parse_args()
    plain, attacked = "receiver", f"receiver + {args.slow} slow clients"
    raw_rates: list[float] = []
    runs: dict[str, list[dict[str, float]]] = {plain: [], attacked: []}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
              f"databases in {directory}; {args.count} leads per run, {args.threads} client threads, "
              f"{args.rounds} rounds", flush=True)
        for round_number in range(args.rounds):
            variants = ["raw", plain, attacked]
            shift = round_number % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                tag = f"r{round_number}-{len(raw_rates)}-{variant[:3]}"
                if variant == "raw":
                    (directory / tag).mkdir()
                    done, elapsed = raw_sqlite_rate(directory / tag, args.count, args.seconds)
                    raw_rates.append(done / elapsed)
                    print(f"  round {round_number + 1}: raw SQLite {done / elapsed:.0f} inserts/s", flush=True)
                    continue
                result = receiver_run(directory, tag, args.threads, args.count, args.seconds,
                                      args.slow if variant == attacked else 0)
                runs[variant].append(result)
                print(f"  round {round_number + 1}: {variant}: {result['acked']} acknowledged "
                      f"({result['failed']} failed), {result['rate']:.0f} leads/s, p50 {result['p50']:.1f} ms, "
                      f"p99 {result['p99']:.1f} ms, server CPU {result['cpu_ms']:.2f} ms/lead"
                      + (f", slow connections cut off and reopened: {result['reconnects']}"
                         if variant == attacked else ""), flush=True)
        raw = statistics.median(raw_rates)
        print(f"\nmedians over {args.rounds} rounds:")
        print(f"  raw SQLite, 1 thread, 1 commit per row (WAL, FULL): {raw:.0f} inserts/s")
        medians = {}
        for variant, results in runs.items():
            medians[variant] = {key: statistics.median(r[key] for r in results) for key in ("rate", "p50", "p99")}
            m = medians[variant]
            print(f"  {variant}: {m['rate']:.0f} leads/s (ratio to raw SQLite {m['rate'] / raw:.2f}), "
                  f"p50 {m['p50']:.1f} ms, p99 {m['p99']:.1f} ms")
        print(f"  with / without slow clients: throughput x{medians[attacked]['rate'] / medians[plain]['rate']:.2f}, "
              f"p99 x{medians[attacked]['p99'] / medians[plain]['p99']:.2f}")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

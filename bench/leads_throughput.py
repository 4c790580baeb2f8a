#!/usr/bin/env python3
"""Benchmark (not a test): how many leads per second the bundled receiver accepts.

1. Starts ``python -m leads serve`` on a free loopback port with a fresh database, then N
   client threads post valid leads (plain form posts, one connection per post as a browser
   without keep-alive would) until COUNT leads are acknowledged or the time runs out.
   Every acknowledgement is a durable commit (WAL, synchronous=FULL).
2. Inserts the same rows straight into SQLite with the receiver's schema and the same
   durability, one commit per row, from one thread: the ceiling the disk allows.
3. Prints both rates and their ratio.

    .venv/bin/python bench/leads_throughput.py [--count 3000] [--threads 8 16] [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "hooks"), str(ROOT)]

from leads.harness import SITE, post_form, sample_lead  # noqa: E402
from leads.storage import LEAD_COLUMNS, MIGRATIONS, timestamp, utcnow  # noqa: E402
from leads.validation import validate  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def receiver_rate(directory: Path, threads: int, count: int, seconds: float) -> tuple[int, float, int, float]:
    """(acknowledged leads, elapsed seconds, refused or failed posts, server CPU seconds)."""
    db = directory / f"serve-{threads}.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db), "--site-origin", SITE,
         "--rate-limit", "0", "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        port = int(re.search(r":(\d+)/leads", process.stdout.readline()).group(1))
        acked, failed = [0], [0]
        lock = threading.Lock()
        deadline = time.monotonic() + seconds
        def client(worker: int) -> None:
            # Spread the remainder so that exactly `count` leads are posted.
            for i in range(count // threads + (worker < count % threads)):
                if time.monotonic() > deadline:
                    return
                try:
                    ok = post_form(port, sample_lead(f"bench{worker}-{i}@example.it")).status == 303
                except OSError:
                    ok = False
                with lock:
                    if ok:
                        acked[0] += 1
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
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    conn.close()
    assert rows == acked[0], f"{rows} rows stored for {acked[0]} acknowledgements"
    return acked[0], elapsed, failed[0], cpu


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
    parser.add_argument("--count", type=int, default=3000, help="leads per run (default: %(default)s)")
    parser.add_argument("--threads", type=int, nargs="+", default=[8, 16], help="client threads per run")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per run (default: %(default)s)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the databases go (default: a temporary folder; use the disk that "
                             "will hold data/ in production)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
              f"databases in {directory}")
        raw_done, raw_elapsed = raw_sqlite_rate(directory, args.count, args.seconds)
        raw = raw_done / raw_elapsed
        print(f"raw SQLite, 1 thread, 1 commit per row (WAL, FULL): {raw_done} rows in {raw_elapsed:.2f} s "
              f"= {raw:.0f} inserts/s")
        for threads in args.threads:
            acked, elapsed, failed, cpu = receiver_rate(directory, threads, args.count, args.seconds)
            rate = acked / elapsed
            print(f"receiver, {threads} client threads over loopback HTTP: {acked} leads acknowledged "
                  f"({failed} failed) in {elapsed:.2f} s = {rate:.0f} leads/s; ratio to raw SQLite {rate / raw:.2f}; "
                  f"server CPU {cpu / max(acked, 1) * 1000:.2f} ms per lead")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

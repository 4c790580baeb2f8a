#!/usr/bin/env python3
"""Benchmark (not a test): the lead loop's cost and speed, against a real local SMTP server.

1. Latency: ``python -m leads serve`` (a subprocess, as in production) sends its emails to an
   aiosmtpd server in this process over 127.0.0.1. One lead at a time is posted; the time from
   the start of the POST to the owner's notification arriving at the SMTP server is measured
   (both ends read this process's clock). Median and 95th percentile.
2. Throughput, in interleaved rounds so that the machine's load hits all three alike:
   raw SQLite inserts (one durable commit per row, as bench/leads_throughput.py), the receiver
   with ``--no-lead-loop`` (only storing, as before this feature) and the receiver with
   notifications on (each lead also queues the owner's notification and, box ticked, the
   double opt-in email, in the same transaction). Medians of the rounds and their ratios; for
   "on", also how long the outbox took to deliver everything to the SMTP server.

    .venv/bin/python bench/notify_latency.py [--samples 100] [--count 600] [--threads 8] [--rounds 3]
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
sys.path[:0] = [str(ROOT / "hooks"), str(ROOT), str(ROOT / "bench")]

from leads.harness import SITE, MailSink, post_form, sample_lead, write_site_data  # noqa: E402
from leads_throughput import raw_sqlite_rate  # noqa: E402

OWNER = "titolare@example.it"


def start_receiver(db: Path, sink: MailSink, site_data: str, loop: bool) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "APPRODO_SMTP_HOST": "127.0.0.1", "APPRODO_SMTP_PORT": str(sink.port),
           "APPRODO_SMTP_SECURITY": "none", "APPRODO_LEADS_NOTIFY": OWNER}
    command = [sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db), "--site-origin", SITE,
               "--rate-limit", "0", "--quiet", "--site-data", site_data]
    if not loop:
        command.append("--no-lead-loop")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+)/leads", process.stdout.readline()).group(1))
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=60)
    process.stdout.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(directory: Path, site_data: str, samples: int) -> list[float]:
    """Seconds from POST to the owner's notification at the SMTP server, one lead at a time."""
    with MailSink() as sink:
        process, port = start_receiver(directory / "latency.sqlite3", sink, site_data, loop=True)
        try:
            times = []
            for number in range(samples):
                email = f"latency{number}@example.it"
                started = time.perf_counter()
                assert post_form(port, sample_lead(email, "consulenza", marketing_consent="")).status == 303
                arrived = sink.wait_for(number + 1, timeout=30)
                assert len(arrived) == number + 1, "a notification did not arrive within 30 s"
                message = arrived[number]
                assert message["message"]["Reply-To"].addresses[0].addr_spec == email
                times.append(message["at"] - started)
        finally:
            stop(process)
    return times


def throughput(directory: Path, site_data: str, name: str, count: int, threads: int,
               loop: bool) -> tuple[float, float]:
    """(acknowledged leads per second, seconds until every email reached the SMTP server)."""
    db = directory / f"{name}.sqlite3"
    with MailSink() as sink:
        process, port = start_receiver(db, sink, site_data, loop)
        try:
            failed, ticked = [0], [0]

            def client(worker: int) -> None:
                for i in range(count // threads + (worker < count % threads)):
                    consent = "si" if i % 2 else ""  # half tick the box: a confirmation email each
                    reply = post_form(port, sample_lead(f"{name}{worker}-{i}@example.it", "consulenza",
                                                        marketing_consent=consent))
                    if reply.status != 303:
                        failed[0] += 1
                    elif consent:
                        ticked[0] += 1

            workers = [threading.Thread(target=client, args=(w,)) for w in range(threads)]
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            elapsed = time.perf_counter() - started
            expected = count + ticked[0] if loop else 0
            sink.wait_for(expected, timeout=300)
            drained = time.perf_counter() - started
            assert failed[0] == 0, f"{failed[0]} posts failed"
            assert len(sink.received) == expected, f"{len(sink.received)} emails for {expected} expected"
        finally:
            stop(process)
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    conn.close()
    assert stored == count, f"{stored} leads stored of {count}"
    return count / elapsed, drained


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100, help="leads timed one by one (default: %(default)s)")
    parser.add_argument("--count", type=int, default=600, help="leads per throughput run (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default: %(default)s)")
    parser.add_argument("--dir", type=Path, default=None, help="where the databases go (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        site_data = write_site_data(directory / "site")
        print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")
        times = latency(directory, site_data, args.samples)
        print(f"POST -> owner notification at the local SMTP server, {len(times)} leads one at a time: "
              f"median {statistics.median(times) * 1000:.1f} ms, p95 {percentile(times, 0.95) * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms")
        raw, off, on, drain = [], [], [], []
        for number in range(args.rounds):
            order = ("raw", "off", "on") if number % 2 == 0 else ("on", "off", "raw")
            for kind in order:
                if kind == "raw":
                    round_dir = directory / f"raw{number}"
                    round_dir.mkdir()
                    done, elapsed = raw_sqlite_rate(round_dir, args.count, 60)
                    raw.append(done / elapsed)
                elif kind == "off":
                    off.append(throughput(directory, site_data, f"off{number}", args.count, args.threads, False)[0])
                else:
                    rate, drained = throughput(directory, site_data, f"on{number}", args.count, args.threads, True)
                    on.append(rate)
                    drain.append(drained)
            print(f"round {number + 1}: raw SQLite {raw[-1]:.0f}/s, receiver off {off[-1]:.0f}/s, "
                  f"on {on[-1]:.0f}/s (all emails delivered after {drain[-1]:.1f} s)")
        m_raw, m_off, m_on = statistics.median(raw), statistics.median(off), statistics.median(on)
        print(f"medians over {args.rounds} interleaved rounds ({args.count} leads, {args.threads} client threads):")
        print(f"  raw SQLite inserts (1 durable commit each): {m_raw:.0f}/s")
        print(f"  receiver, lead loop off (as before):        {m_off:.0f} leads/s  ({m_off / m_raw:.2f} x raw)")
        print(f"  receiver, notifications on:                 {m_on:.0f} leads/s  ({m_on / m_raw:.2f} x raw, "
              f"{m_on / m_off:.2f} x off)")
        print(f"  emails delivered to SMTP, whole run:        {statistics.median(drain):.1f} s median")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

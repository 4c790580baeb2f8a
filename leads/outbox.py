"""The durable outbox: messages (emails, webhook calls) that must leave the receiver.

Public API, for any part of the receiver that needs to send something:

``enqueue(conn, kind, payload, *, now=None, lead_id=None) -> int``
    Call it *inside* the write transaction that makes the message necessary (``Store.write()``
    or the ``then`` callback of ``Store.add_lead``): the message is committed together with
    what caused it, or not at all. ``kind`` names a sender registered with the worker
    (``EMAIL``: the dict ``mailer.build(...)`` returns; ``WEBHOOK``: ``webhook.payload(...)``); ``payload`` is a JSON-able
    dict. ``lead_id`` ties the message to a lead, so erasing the lead deletes it unsent.
    Example (a weekly digest)::

        with store.write() as conn:
            outbox.enqueue(conn, outbox.EMAIL, mailer.build(
                sender=settings.loop.sender, to=settings.loop.notify, subject="Riepilogo settimanale",
                body=text, now=now))
        worker.wake()   # optional: otherwise it is picked up within ``poll_interval``

``OutboxWorker`` (one background thread per receiver process) claims due messages, hands each
to its sender and records the outcome: sent (the payload is cleared: no personal data kept),
retried later with exponential back-off (``DeliveryError(permanent=False)`` or any other
exception), or failed (``permanent=True``, or too many attempts). A claim is a lease: a
process that dies mid-send leaves the message to be sent again once the lease ends, so a crash
may at worst repeat one message (same Message-ID), while normal operation sends each once.
``pending``/``failed``/``retry`` serve the ``outbox`` command.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping

from .storage import Store, timestamp, utcnow

log = logging.getLogger("leads.outbox")

EMAIL = "email"
WEBHOOK = "webhook"

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# A claimed message is someone else's to retry only after this long.
LEASE = timedelta(minutes=15)
BATCH = 20
# Chores such as expiring unconfirmed consents: a minute late is on time.
HOUSEKEEPING_INTERVAL = 60.0
ERROR_LENGTH = 300


class DeliveryError(Exception):
    """A message could not be delivered; ``permanent`` ones are not retried automatically.

    The text is stored and shown by ``outbox list``: it must never hold a credential.
    """

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# A sender gets the outbox id (stable across retries) and the payload.
Sender = Callable[[int, dict], None]


def enqueue(conn: sqlite3.Connection, kind: str, payload: Mapping, *, now: datetime | None = None,
            lead_id: int | None = None) -> int:
    """Queue one message in the caller's transaction; returns its outbox id."""
    when = timestamp(now or utcnow())
    cursor = conn.execute(
        "INSERT INTO outbox (kind, payload, lead_id, created_at, due_at) VALUES (?, ?, ?, ?, ?)",
        (kind, json.dumps(payload, ensure_ascii=False), lead_id, when, when),
    )
    assert cursor.lastrowid is not None  # set by every INSERT that succeeds
    return cursor.lastrowid


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    payload: dict
    attempts: int


def backoff(attempts: int, base: float, ceiling: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: base, 2×base, 4×base… up to ceiling."""
    return min(ceiling, base * 2 ** max(0, attempts - 1))


class OutboxWorker:
    """Sends what the outbox holds, in a background thread (``start``/``wake``/``stop``)."""

    def __init__(self, store: Store, senders: Mapping[str, Sender], *, retry_base: float = 30.0,
                 retry_max: float = 3600.0, max_attempts: int = 12, poll_interval: float = 5.0,
                 clock: Callable[[], datetime] = utcnow,
                 housekeeping: tuple[Callable[[datetime], object], ...] = (),
                 finishers: tuple[Callable[[], None], ...] = ()):
        self.store = store
        # Called after each batch (e.g. to close an SMTP connection kept for the batch).
        self.finishers = finishers
        self.senders = dict(senders)
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self.clock = clock
        self.housekeeping = housekeeping
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- thread ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="leads-outbox", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the message in hand and stop; what is still queued waits in the database."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        last_housekeeping = float("-inf")
        while not self._stopping.is_set():
            try:
                if time.monotonic() - last_housekeeping >= HOUSEKEEPING_INTERVAL:
                    last_housekeeping = time.monotonic()
                    for task in self.housekeeping:
                        task(self.clock())
                while not self._stopping.is_set() and self.run_once():
                    pass
                wait = self.seconds_to_next()
            except Exception:  # the database is busy or gone for a moment: try again later
                log.exception("outbox worker: will try again")
                wait = self.poll_interval
            self._wake.wait(wait)
            self._wake.clear()

    def seconds_to_next(self) -> float:
        with self.store.connection() as conn:
            due = conn.execute("SELECT min(due_at) FROM outbox WHERE state = ?", (PENDING,)).fetchone()[0]
        if due is None:
            return self.poll_interval
        left = (datetime.fromisoformat(due) - self.clock()).total_seconds()
        return max(0.0, min(self.poll_interval, left))

    # --- one round ------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim and deliver the messages due now; returns how many were handled.

        The outcomes of a batch are recorded in one transaction after it (one durable commit
        instead of one per message, which the posts waiting for the write lock feel): a crash
        in between repeats the batch's messages once the lease ends, nothing is lost.
        """
        items = self.claim()
        outcomes = []
        try:
            for item in items:
                if self._stopping.is_set():
                    break  # the lease lapses and the message is sent after restart
                outcomes.append(self.deliver(item))
        finally:
            for finish in self.finishers:
                finish()
        if outcomes:
            with self.store.write() as conn:
                for statement, params in outcomes:
                    conn.execute(statement, params)
        return len(items)

    def claim(self) -> list[Item]:
        now = self.clock()
        stamp = timestamp(now)
        with self.store.write() as conn:
            rows = conn.execute(
                "SELECT id, kind, payload, attempts FROM outbox"
                " WHERE (state = ? AND due_at <= ?) OR (state = ? AND lease_until <= ?)"
                " ORDER BY due_at, id LIMIT ?",
                (PENDING, stamp, SENDING, stamp, BATCH),
            ).fetchall()
            conn.executemany("UPDATE outbox SET state = ?, lease_until = ? WHERE id = ?",
                             [(SENDING, timestamp(now + LEASE), row["id"]) for row in rows])
        return [Item(row["id"], row["kind"], json.loads(row["payload"]), row["attempts"]) for row in rows]

    def deliver(self, item: Item) -> tuple[str, tuple]:
        """Hand one message to its sender; returns the UPDATE that records the outcome."""
        sender = self.senders.get(item.kind)
        try:
            if sender is None:
                raise DeliveryError(f"no sender for messages of kind {item.kind!r}", permanent=True)
            sender(item.id, item.payload)
        except DeliveryError as problem:
            return self._failed(item, str(problem)[:ERROR_LENGTH], problem.permanent)
        except Exception as problem:  # noqa: BLE001 - a bug or an outage: retried, never lost
            # Only the type: an exception's text may quote what it was given.
            return self._failed(item, f"unexpected {type(problem).__name__}", permanent=False)
        log.info("outbox %d (%s) sent", item.id, item.kind)
        return ("UPDATE outbox SET state = ?, sent_at = ?, payload = '{}', last_error = '', lease_until = ''"
                " WHERE id = ?", (SENT, timestamp(self.clock()), item.id))

    def _failed(self, item: Item, error: str, permanent: bool) -> tuple[str, tuple]:
        attempts = item.attempts + 1
        now = self.clock()
        if permanent or attempts >= self.max_attempts:
            state, due = FAILED, now
            log.warning("outbox %d (%s) failed after %d attempt(s): %s", item.id, item.kind, attempts, error)
        else:
            state, due = PENDING, now + timedelta(seconds=backoff(attempts, self.retry_base, self.retry_max))
            log.info("outbox %d (%s) attempt %d failed, next at %s: %s", item.id, item.kind, attempts,
                     timestamp(due), error)
        return ("UPDATE outbox SET state = ?, attempts = ?, due_at = ?, last_error = ?, lease_until = ''"
                " WHERE id = ?", (state, attempts, timestamp(due), error, item.id))


# --- the `outbox` command -----------------------------------------------------------------

def listing(store: Store, states: tuple[str, ...] = (PENDING, SENDING, FAILED)) -> list[sqlite3.Row]:
    """Messages in ``states``, oldest first (no payload: it may hold personal data)."""
    with store.connection() as conn:
        return conn.execute(
            f"SELECT id, kind, state, attempts, created_at, due_at, last_error FROM outbox"
            f" WHERE state IN ({', '.join('?' for _ in states)}) ORDER BY created_at, id",
            states,
        ).fetchall()


def retry(store: Store, ids: tuple[int, ...] = (), now: datetime | None = None) -> int:
    """Queue failed messages (all, or those ``ids``) again, due now; returns how many."""
    where = "state = ?"
    params: list[object] = [FAILED]
    if ids:
        where += f" AND id IN ({', '.join('?' for _ in ids)})"
        params.extend(ids)
    with store.write() as conn:
        return conn.execute(f"UPDATE outbox SET state = ?, attempts = 0, due_at = ? WHERE {where}",
                            (PENDING, timestamp(now or utcnow()), *params)).rowcount

"""Lead storage in SQLite: durable commits, a versioned schema, erasure and retention.

- WAL journal with ``synchronous=FULL``: a lead acknowledged to the visitor is on disk, even
  if the machine loses power right after.
- Group commit: concurrent posts share one durable commit (see ``GroupCommitter``).
- A small pool of connections, each used by one thread at a time; write transactions are serialised by a lock inside the process
  (no busy-wait polling between our own threads) and by ``busy_timeout`` across processes.
- ``secure_delete`` and a WAL checkpoint after erasure: an erased address does not linger in
  free pages of the database file or in the write-ahead log.
- Leads that are erased or expire leave an anonymous count behind (table ``retired``), so the
  statistics of past campaigns do not change when personal data goes.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator

from approdo import lead_form

# Each migration is a list of statements run in one transaction, in order, from the
# database's PRAGMA user_version up to len(MIGRATIONS). Migrations are history: never edit
# one that has shipped, append a new one (a test checks the columns still match the contract).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the leads, with consent proof and campaign attribution.
    (
        """CREATE TABLE leads (
            id INTEGER PRIMARY KEY,
            received_at TEXT NOT NULL,
            landing TEXT NOT NULL,
            email TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            company TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL DEFAULT '',
            marketing_consent INTEGER NOT NULL CHECK (marketing_consent IN (0, 1)),
            consent_version TEXT NOT NULL,
            privacy_version TEXT NOT NULL,
            utm_source TEXT NOT NULL DEFAULT '',
            utm_medium TEXT NOT NULL DEFAULT '',
            utm_campaign TEXT NOT NULL DEFAULT '',
            utm_content TEXT NOT NULL DEFAULT '',
            utm_term TEXT NOT NULL DEFAULT '',
            page_url TEXT NOT NULL DEFAULT '',
            referrer TEXT NOT NULL DEFAULT ''
        )""",
        # Duplicate check: the same address on the same landing page, recently.
        "CREATE INDEX leads_landing_email ON leads (landing, email COLLATE NOCASE, received_at)",
        "CREATE INDEX leads_email ON leads (email COLLATE NOCASE)",
        "CREATE INDEX leads_received_at ON leads (received_at)",
    ),
    # 2: anonymous counters (spam, duplicates, erasure requests) and the counts that erased or
    # expired leads leave behind.
    (
        """CREATE TABLE events (
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, kind)
        ) WITHOUT ROWID""",
        """CREATE TABLE retired (
            day TEXT NOT NULL,
            landing TEXT NOT NULL,
            utm_source TEXT NOT NULL,
            utm_campaign TEXT NOT NULL,
            reason TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, landing, utm_source, utm_campaign, reason)
        ) WITHOUT ROWID""",
    ),
    # 3: the lead loop (leads/outbox.py, leads/optin.py, leads/consent.py): messages waiting to
    # go out, the double opt-in state of each lead, and every consent text ever published.
    (
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            lead_id INTEGER,
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            lease_until TEXT NOT NULL DEFAULT '',
            last_error TEXT NOT NULL DEFAULT '',
            sent_at TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX outbox_due ON outbox (state, due_at)",
        "CREATE INDEX outbox_lead ON outbox (lead_id)",
        """CREATE TABLE consents (
            lead_id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            requested_at TEXT NOT NULL,
            expires_at TEXT NOT NULL DEFAULT '',
            confirmed_at TEXT NOT NULL DEFAULT '',
            withdrawn_at TEXT NOT NULL DEFAULT '',
            expired_at TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE consent_texts (
            version TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            first_seen TEXT NOT NULL
        ) WITHOUT ROWID""",
        # Erasure and retention reach a lead's consent state and unsent messages too.
        """CREATE TRIGGER leads_retire AFTER DELETE ON leads BEGIN
            DELETE FROM consents WHERE lead_id = old.id;
            DELETE FROM outbox WHERE lead_id = old.id;
        END""",
    ),
    # 4: the row /health rewrites to prove the database takes durable writes, and the spam
    # quarantine (posts that look like spam, kept for review instead of being dropped).
    (
        "CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at TEXT NOT NULL)",
        """CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            received_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            email TEXT NOT NULL DEFAULT '',
            lead TEXT NOT NULL
        )""",
        "CREATE INDEX quarantine_received_at ON quarantine (received_at)",
        "CREATE INDEX quarantine_email ON quarantine (email COLLATE NOCASE)",
    ),
    # 5: visits and clicks from campaigns, as counters only (leads/metrics.py): no address, no
    # user agent, no time finer than the day, nothing that tells one visitor from another.
    (
        """CREATE TABLE metrics (
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            page TEXT NOT NULL,
            utm_source TEXT NOT NULL,
            utm_medium TEXT NOT NULL,
            utm_campaign TEXT NOT NULL,
            utm_content TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, kind, page, utm_source, utm_medium, utm_campaign, utm_content)
        ) WITHOUT ROWID""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# The columns a lead row holds, drawn from the contract: every field but the routing ones.
LEAD_COLUMNS: tuple[str, ...] = tuple(f.name for f in lead_form.FIELDS if f.group != lead_form.ROUTING)

# Counter kinds in ``events``.
SPAM = "spam"
DUPLICATE = "duplicate"
ERASURE = "erasure"
# Reasons in ``retired``.
ERASED = "erased"
EXPIRED = "expired"

STORED = "stored"
UPDATED = "updated"

# Contact details a repeated post replaces when it brings a new value: the newer is the one
# the person wants to be reached at.
NEWER_WINS = ("name", "company", "phone")


def merge_repeat(old: dict, new: dict, when: str) -> dict[str, object]:
    """The columns of an already stored lead that a repeated post changes.

    Newer contact details win; a new message is appended (with the time it came) instead of
    being discarded; a marketing consent given the second time is recorded with the versions of
    the texts shown then. The first attribution (landing, campaign, page) stays: it is the
    campaign that brought the person.
    """
    changes: dict[str, object] = {}
    for name in NEWER_WINS:
        if new[name] and new[name] != old[name]:
            changes[name] = new[name]
    message = new["message"].strip()
    if message and message not in old["message"]:
        changes["message"] = f"{old['message']}\n\n[{when}]\n{message}" if old["message"] else message
    if new["marketing_consent"] and not old["marketing_consent"]:
        changes.update(marketing_consent=1, consent_version=new["consent_version"],
                       privacy_version=new["privacy_version"])
    return changes


class StorageError(RuntimeError):
    """The database cannot be used as it is (e.g. written by a newer version)."""


class FileGone(StorageError):
    """The database file was deleted or replaced under the running receiver: what it writes
    now goes to a file nobody will ever read, so it must not acknowledge anything."""


class NotGone(StorageError):
    """Deleted rows still have a copy in the database files (a reader holds an old snapshot)."""


def timestamp(moment: datetime) -> str:
    """A UTC time as stored: sortable text, e.g. ``2026-11-22T10:28:00.123456Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """The lead database at ``path``, created and migrated on first use."""

    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000, pool_size: int = 16,
                 checkpoint_timeout: float = 5.0):
        self.path = Path(path)
        # How long erase/prune retry a checkpoint that readers keep from completing.
        self.checkpoint_timeout = checkpoint_timeout
        self.busy_timeout_ms = busy_timeout_ms
        self.pool_size = pool_size
        self._idle: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._committer = GroupCommitter(self)
        # Called first by close(), e.g. to write counters kept in memory (leads/metrics.py).
        self.before_close: list[Callable[[], None]] = []
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Personal data: readable by its owner only (SQLite gives -wal/-shm the same mode).
            self.path.touch(mode=0o600)
        self._identity = self._file_identity()
        self.migrate()

    # --- the file itself ------------------------------------------------------------------

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return info.st_dev, info.st_ino

    def check_file(self) -> None:
        """Raise ``FileGone`` if the database file is no longer the one this store opened.

        Open connections keep writing to a deleted (or renamed-over) file without any error;
        comparing device and inode numbers is the only way to notice.
        """
        if self._file_identity() != self._identity:
            raise FileGone(f"{self.path}: the database file was deleted or replaced while the receiver "
                           "was running; restart it (restore the file from a backup first if it was lost)")

    # --- connections ----------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        # A pooled connection serves one thread at a time, but not always the same thread
        # (requests run on the server's pool threads, the group commit on its own).
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=self.busy_timeout_ms / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        return conn

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """Borrow a connection from the pool for the length of a ``with`` block."""
        with self._pool_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._open()
        try:
            yield conn
        finally:
            if conn.in_transaction:  # never hand on a connection mid-transaction
                conn.execute("ROLLBACK")
            with self._pool_lock:
                if len(self._idle) < self.pool_size:
                    self._idle.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    def close(self) -> None:
        for hook in self.before_close:
            hook()
        self._committer.stop()
        with self._pool_lock:
            for conn in self._idle:
                conn.close()
            self._idle.clear()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (durably) when the block ends without error."""
        with self.connection() as conn, self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- schema ---------------------------------------------------------------------------

    def version(self) -> int:
        with self.connection() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Bring the schema up to ``SCHEMA_VERSION``; returns the version found before."""
        found = self.version()
        if found > SCHEMA_VERSION:
            raise StorageError(f"{self.path}: schema version {found} is newer than this receiver "
                               f"understands ({SCHEMA_VERSION}); upgrade Approdo")
        for number in range(found + 1, SCHEMA_VERSION + 1):
            with self.write() as conn:
                # Another process may have migrated while we waited for the write lock.
                if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue
                for statement in MIGRATIONS[number - 1]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
        return found

    # --- writes ---------------------------------------------------------------------------

    def add_lead(self, values: dict[str, str], received_at: datetime, dedupe_window: float,
                 then: Callable[[sqlite3.Connection, int], None] | None = None) -> str:
        """Store a validated lead; returns ``STORED``, or for a repeat of a recent lead (same
        address, same landing page, within ``dedupe_window`` seconds) ``UPDATED`` when it
        brought something new (merged into that lead, see ``merge_repeat``) or ``DUPLICATE``.

        ``then(conn, lead_id)`` runs in the same transaction right after the insert or the
        update (the lead loop queues its messages there: a lead and its messages are committed
        together); not for a DUPLICATE, which changes nothing.
        Returns only after the transaction holding it is committed to disk.
        """
        row: dict[str, object] = {name: values.get(name, "") for name in LEAD_COLUMNS}
        row["marketing_consent"] = 1 if values.get("marketing_consent") == lead_form.CONSENT_GIVEN else 0
        when = timestamp(received_at)
        since = timestamp(received_at - timedelta(seconds=dedupe_window))

        def insert(conn: sqlite3.Connection) -> str:
            if dedupe_window > 0:
                seen = conn.execute(
                    f"SELECT id, {', '.join(LEAD_COLUMNS)} FROM leads WHERE landing = ?"
                    " AND email = ? COLLATE NOCASE AND received_at >= ? ORDER BY received_at DESC, id DESC LIMIT 1",
                    (row["landing"], row["email"], since),
                ).fetchone()
                if seen:
                    self._count(conn, DUPLICATE, when[:10])
                    changes = merge_repeat(dict(seen), row, when)
                    if not changes:
                        return DUPLICATE
                    conn.execute(f"UPDATE leads SET {', '.join(f'{name} = ?' for name in changes)} WHERE id = ?",
                                 (*changes.values(), seen["id"]))
                    if then is not None:
                        then(conn, seen["id"])
                    return UPDATED
            columns = ("received_at", *LEAD_COLUMNS)
            cursor = conn.execute(
                f"INSERT INTO leads ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                (when, *(row[name] for name in LEAD_COLUMNS)),
            )
            assert cursor.lastrowid is not None  # set by every INSERT that succeeds
            if then is not None:
                then(conn, cursor.lastrowid)
            return STORED

        return self._committer.run(insert)

    def commit(self, work: Callable[[sqlite3.Connection], object]) -> object:
        """Run ``work`` in the next group commit; returns its result once durable."""
        return self._committer.run(work)

    def count(self, conn: sqlite3.Connection, kind: str, day: str) -> None:
        """Add one to today's counter ``kind`` inside the caller's transaction."""
        self._count(conn, kind, day)

    def count_event(self, kind: str, moment: datetime) -> None:
        day = timestamp(moment)[:10]
        self._committer.run(lambda conn: self._count(conn, kind, day))

    @staticmethod
    def _count(conn: sqlite3.Connection, kind: str, day: str, amount: int = 1) -> None:
        conn.execute(
            "INSERT INTO events (day, kind, count) VALUES (?, ?, ?)"
            " ON CONFLICT (day, kind) DO UPDATE SET count = count + excluded.count",
            (day, kind, amount),
        )

    def erase(self, email: str, moment: datetime | None = None) -> int:
        """Right to erasure: delete every lead of ``email`` (any letter case, any landing).

        Keeps only how many leads there were per day and landing page, and counts the request.
        """
        moment = moment or utcnow()
        with self.write() as conn:
            where, params = "email = ? COLLATE NOCASE", (email.strip(),)
            # Campaign names are dropped too: a campaign link may be made for one person.
            erased = self._retire(conn, where, params, ERASED, keep_campaign=False)
            erased += conn.execute(f"DELETE FROM quarantine WHERE {where}", params).rowcount
            self._count(conn, ERASURE, timestamp(moment)[:10])
        self.checkpoint_fully()
        return erased

    def prune(self, before: datetime, spam_before: datetime | None = None) -> int:
        """Retention: delete the leads received before ``before`` (keeping anonymous counts)
        and the quarantined posts received before ``spam_before``."""
        with self.write() as conn:
            pruned = self._retire(conn, "received_at < ?", (timestamp(before),), EXPIRED, keep_campaign=True)
            if spam_before is not None:
                conn.execute("DELETE FROM quarantine WHERE received_at < ?", (timestamp(spam_before),))
        self.checkpoint_fully()
        return pruned

    @staticmethod
    def _retire(conn: sqlite3.Connection, where: str, params: tuple, reason: str, keep_campaign: bool) -> int:
        source, campaign = ("utm_source", "utm_campaign") if keep_campaign else ("''", "''")
        conn.execute(
            f"INSERT INTO retired (day, landing, utm_source, utm_campaign, reason, count)"
            f" SELECT substr(received_at, 1, 10), landing, {source}, {campaign}, ?, count(*)"
            f" FROM leads WHERE {where} GROUP BY 1, 2, 3, 4"
            " ON CONFLICT (day, landing, utm_source, utm_campaign, reason)"
            " DO UPDATE SET count = count + excluded.count",
            (reason, *params),
        )
        return conn.execute(f"DELETE FROM leads WHERE {where}", params).rowcount

    def checkpoint(self, wait: float | None = None) -> bool:
        """Copy the WAL into the database file and empty it; False if readers kept it busy.

        SQLite waits for those readers up to the busy timeout, or ``wait`` seconds if given:
        without it, a ``checkpoint_timeout`` shorter than the busy timeout was not kept."""
        waits = self.busy_timeout_ms if wait is None else int(wait * 1000)
        with self.connection() as conn:
            conn.execute(f"PRAGMA busy_timeout = {int(waits)}")
            try:
                return conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")

    def checkpoint_fully(self) -> None:
        """Checkpoint until the WAL is empty, retrying while readers finish; ``NotGone`` if a
        reader still holds an older snapshot after ``checkpoint_timeout`` seconds.

        Until then the old pages (with what was just deleted) stay in the database file and
        the deletion only in the WAL: reporting success would be untrue.
        """
        deadline = time.monotonic() + self.checkpoint_timeout
        while not self.checkpoint(wait=max(0.0, deadline - time.monotonic())):
            if time.monotonic() >= deadline:
                raise NotGone(
                    f"{self.path}: the rows are deleted, but another program is reading the database "
                    "(an open `sqlite3` shell, a backup, a report) and keeps the old copy in the file; "
                    "close it and run the same command again")
            time.sleep(0.05)

    # --- health ---------------------------------------------------------------------------

    def probe_write(self, moment: datetime) -> None:
        """A durable write through the same path as a lead: raises if leads cannot be stored."""
        when = timestamp(moment)
        self._committer.run(lambda conn: conn.execute(
            "INSERT INTO health (id, checked_at) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at", (when,)))

    def integrity_problems(self, limit: int = 20) -> list[str]:
        """What ``PRAGMA integrity_check`` finds wrong (empty when the database is sound)."""
        try:
            with self.connection() as conn:
                rows = [row[0] for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
        except sqlite3.DatabaseError as problem:  # damaged past what the check can walk
            return [str(problem)]
        return [] if rows == ["ok"] else rows

    # --- reads ----------------------------------------------------------------------------

    def leads(self, landings: tuple[str, ...] = (), since: datetime | None = None,
              until: datetime | None = None, email: str | None = None) -> list[sqlite3.Row]:
        """Stored leads, oldest first, filtered by landing page, time (``until`` excluded) and
        address (any letter case: the right of access)."""
        where, params = _filters(landings, since, until)
        if email is not None:
            where += (" AND " if where else " WHERE ") + "email = ? COLLATE NOCASE"
            params.append(email.strip())
        columns = ", ".join(f"leads.{name}" for name in ("id", "received_at", *LEAD_COLUMNS))
        with self.connection() as conn:
            # With the double opt-in state (leads/optin.py): "" where there is none.
            return conn.execute(
                f"SELECT {columns}, coalesce(c.confirmed_at, '') AS consent_confirmed_at,"
                " coalesce(c.withdrawn_at, '') AS consent_withdrawn_at"
                f" FROM leads LEFT JOIN consents AS c ON c.lead_id = leads.id{where}"
                " ORDER BY received_at, leads.id",
                params,
            ).fetchall()

    def retired(self, landings: tuple[str, ...] = (), since: datetime | None = None,
                until: datetime | None = None) -> list[sqlite3.Row]:
        """Anonymous counts left by erased and expired leads (days compared as dates)."""
        where, params = _filters(landings, since, until, column="day")
        with self.connection() as conn:
            return conn.execute(
                f"SELECT day, landing, utm_source, utm_campaign, reason, count FROM retired{where}",
                params,
            ).fetchall()

    def events(self, since: datetime | None = None, until: datetime | None = None) -> dict[str, int]:
        where, params = _filters((), since, until, column="day")
        with self.connection() as conn:
            rows = conn.execute(f"SELECT kind, sum(count) FROM events{where} GROUP BY kind", params).fetchall()
        return {kind: total for kind, total in rows}


def _filters(landings: tuple[str, ...], since: datetime | None, until: datetime | None,
             column: str = "received_at") -> tuple[str, list]:
    clauses: list[str] = []
    params: list[object] = []
    if landings:
        clauses.append(f"landing IN ({', '.join('?' for _ in landings)})")
        params.extend(landings)
    # Whole-day columns compare on the date; a day counts if it starts before ``until``.
    length = 10 if column == "day" else None
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(timestamp(since)[:length])
    if until is not None:
        clauses.append(f"{column} < ?")
        params.append(timestamp(until)[:length])
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class _Job:
    """One unit of work for the committer, and a way to wait for its outcome."""

    __slots__ = ("work", "done", "result", "error")

    def __init__(self, work: Callable[[sqlite3.Connection], object]):
        self.work = work
        self.done = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None


class GroupCommitter:
    """Group commit: the posts that arrive while a commit is being flushed share the next one.

    A durable commit costs one or two fsyncs whatever it holds, so under concurrent load many
    leads per commit is what lets the receiver accept more leads per second than the disk
    allows commits. A lone post is committed at once (no waiting to fill a batch). Each job
    runs in its own savepoint, so one failing job does not undo the others; every caller is
    answered only after the COMMIT has returned.
    """

    MAX_BATCH = 256

    def __init__(self, store: "Store"):
        self.store = store
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, work: Callable[[sqlite3.Connection], object]):
        job = _Job(work)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="leads-writer", daemon=True)
                self._thread.start()
            self._queue.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()

    def _loop(self) -> None:
        try:
            with self.store.connection() as conn:
                self._serve(conn)
        except BaseException as problem:  # e.g. the database cannot be opened: nobody waits forever
            while True:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    return
                if job is not None:
                    job.error = problem
                    job.done.set()

    def _serve(self, conn: sqlite3.Connection) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
            stopping = False
            while len(batch) < self.MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._commit(conn, batch)
            if stopping:
                return

    def _commit(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        try:
            with self.store._write_lock:
                self.store.check_file()
                conn.execute("BEGIN IMMEDIATE")
                for job in batch:
                    conn.execute("SAVEPOINT job")
                    try:
                        job.result = job.work(conn)
                    except Exception as problem:  # this job only; the batch goes on
                        conn.execute("ROLLBACK TO job")
                        job.error = problem
                    conn.execute("RELEASE job")
                conn.execute("COMMIT")
                # Deleted while we wrote: the commit went to a file nobody will read.
                self.store.check_file()
        except BaseException as problem:  # nothing of the batch is durable: tell every caller
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for job in batch:
                job.error = job.error or problem
        finally:
            for job in batch:
                job.done.set()

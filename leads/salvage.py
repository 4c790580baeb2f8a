"""``approdo-leads doctor``: check a lead database and save what can still be read from a
damaged one into a new, sound database.

A damaged page makes any query that crosses it fail. Rows of a table are therefore read in
``id`` order, and after a failure the reading starts again past the damage (further and
further ahead until it succeeds), so every row that does not live on a damaged page is saved.
Tables without an ``id`` (the anonymous counters) are read until the first failure.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .storage import Store, StorageError

# Tables copied, with their integer key (None: no key to skip damage with).
TABLES: tuple[tuple[str, str | None], ...] = (
    ("leads", "id"), ("quarantine", "id"), ("retired", None), ("events", None),
)
# How far past a failing row to look for the next readable one (ids are dense: a few pages'
# worth at first, up to far beyond any real table).
LARGEST_SKIP = 1 << 40
# Keys jumped over are then tried one by one, up to this many.
BACKFILL_LIMIT = 100_000


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    saved: dict[str, int] = field(default_factory=dict)
    read_errors: dict[str, int] = field(default_factory=dict)


def check(path: Path, limit: int = 20) -> list[str]:
    """What ``integrity_check`` says is wrong (empty: sound), or why the file cannot be read."""
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as problem:
        return [f"cannot open: {problem}"]
    try:
        rows = [row[0] for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    except sqlite3.DatabaseError as problem:
        return [str(problem)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def salvage(source: Path, target: Path) -> Report:
    """Copy every readable row of ``source`` into a new database at ``target``."""
    if target.exists():
        raise StorageError(f"{target}: already exists; choose a new file for the saved leads")
    report = Report(problems=check(source))
    conn = _open_read_only(source)
    store = Store(target)
    try:
        with store.write() as out:
            available = {name for (name,) in out.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table, key in TABLES:
                if table not in available:
                    continue
                columns = [row[1] for row in out.execute(f"PRAGMA table_info({table})")]
                insert = (f"INSERT OR IGNORE INTO {table} ({', '.join(columns)})"
                          f" VALUES ({', '.join('?' for _ in columns)})")
                saved = errors = 0
                for row in _readable_rows(conn, table, columns, key, report):
                    if row is None:
                        errors += 1
                        continue
                    out.execute(insert, row)
                    saved += 1
                report.saved[table] = saved
                report.read_errors[table] = errors
    finally:
        store.close()
        conn.close()
    return report


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.exists():
        raise StorageError(f"{path}: no such file")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _readable_rows(conn: sqlite3.Connection, table: str, columns: list[str], key: str | None,
                   report: Report) -> Iterator[tuple | None]:
    """The rows of ``table`` that can be read; None for each failure met on the way."""
    selected = ", ".join(columns)
    try:
        conn.execute(f"SELECT {selected} FROM {table} LIMIT 0")
    except sqlite3.DatabaseError:
        yield None  # the table itself (its columns, its root page) is unreadable
        return
    if key is None:
        try:
            yield from conn.execute(f"SELECT {selected} FROM {table}")
        except sqlite3.DatabaseError:
            yield None
        return
    index = columns.index(key)
    query = f"SELECT {selected} FROM {table} WHERE {key} > ? ORDER BY {key}"
    last = 0  # the last key read (SQLite gives the first row id 1)
    skip = 0  # how far past ``last`` the reading restarts (0: right after it)
    while True:
        try:
            cursor = conn.execute(query, (last + skip,))
            row = cursor.fetchone()
        except sqlite3.DatabaseError:
            if skip == 0:
                yield None
            skip = max(1, skip * 2)
            if skip > LARGEST_SKIP:
                return
            continue
        if skip:
            # Past the damage: the keys jumped over may still be readable one by one.
            for candidate in range(last + 1, last + min(skip, BACKFILL_LIMIT) + 1):
                try:
                    found = conn.execute(f"SELECT {selected} FROM {table} WHERE {key} = ?", (candidate,)).fetchone()
                except sqlite3.DatabaseError:
                    continue
                if found is not None:
                    yield found
            skip = 0
        try:
            while row is not None:
                last = row[index]
                yield row
                row = cursor.fetchone()
            return
        except sqlite3.DatabaseError:
            continue

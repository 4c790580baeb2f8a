"""Verified backups of the lead database, kept no longer than the leads themselves.

A backup is made with SQLite's online backup API (a consistent copy while the receiver keeps
writing), checked (``integrity_check``, same schema version, the same number of leads as the
source had at that moment), flushed to disk and only then renamed into place: a file named
``leads-<UTC time>.sqlite3`` in the backup folder is always a complete, readable database.
Backups older than the retention period are deleted, so an erased or expired lead does not
live on in them longer than the retention allows.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from .storage import Store, StorageError, utcnow

log = logging.getLogger("leads")

NAME = re.compile(r"^leads-(\d{8}T\d{6}Z)\.sqlite3$")
STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(StorageError):
    """A backup could not be made or did not verify; the previous backups are untouched."""


def backup_name(moment: datetime) -> str:
    return f"leads-{moment.strftime(STAMP)}.sqlite3"


def make_backup(store: Store, directory: Path, moment: datetime) -> Path:
    """Copy ``store`` into ``directory``; returns the verified backup's path."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = directory / backup_name(moment)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # Personal data: readable by its owner only, like the database itself.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        with store.connection() as source:
            copy = sqlite3.connect(partial, isolation_level=None)
            try:
                # One read transaction: the count below is of the snapshot that was copied.
                source.execute("BEGIN")
                try:
                    expected = source.execute("SELECT count(*) FROM leads").fetchone()[0]
                    version = source.execute("PRAGMA user_version").fetchone()[0]
                    source.backup(copy)
                finally:
                    source.execute("COMMIT")
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                problems = [row[0] for row in copy.execute("PRAGMA integrity_check(5)")]
                found = copy.execute("SELECT count(*) FROM leads").fetchone()[0]
                copied_version = copy.execute("PRAGMA user_version").fetchone()[0]
            finally:
                copy.close()
        if problems != ["ok"] or found != expected or copied_version != version:
            raise BackupError(f"{partial}: the copy did not verify (integrity {problems[:2]}, "
                              f"{found} of {expected} leads, schema {copied_version}/{version})")
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)  # the rename itself survives a power cut
        finally:
            os.close(directory_fd)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def backups(directory: Path) -> list[tuple[datetime, Path]]:
    """The backups in ``directory``, oldest first."""
    found = []
    if directory.is_dir():
        for path in directory.iterdir():
            match = NAME.match(path.name)
            if match:
                moment = datetime.strptime(match.group(1), STAMP).replace(tzinfo=utcnow().tzinfo)
                found.append((moment, path))
    return sorted(found)


def prune_backups(directory: Path, keep_days: float, moment: datetime) -> list[Path]:
    """Delete the backups made more than ``keep_days`` before ``moment``; never the newest."""
    cutoff = moment - timedelta(days=keep_days)
    existing = backups(directory)
    removed = []
    for made, path in existing[:-1]:
        if made < cutoff:
            path.unlink()
            removed.append(path)
    return removed


class BackupSchedule:
    """Backs up every ``every`` seconds in a background thread (the first one at start)."""

    def __init__(self, store: Store, directory: Path, every: float, keep_days: float,
                 clock: Callable[[], datetime] = utcnow):
        self.store, self.directory, self.every, self.keep_days = store, directory, every, keep_days
        self.clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="leads-backup", daemon=True)

    def start(self) -> "BackupSchedule":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def run_once(self) -> Path | None:
        now = self.clock()
        try:
            path = make_backup(self.store, self.directory, now)
        except (OSError, sqlite3.Error, StorageError) as problem:
            log.error("backup failed: %s", problem)
            return None
        for old in prune_backups(self.directory, self.keep_days, now):
            log.info("backup %s deleted (older than %g days)", old.name, self.keep_days)
        log.info("backup %s written and verified", path.name)
        return path

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.every)

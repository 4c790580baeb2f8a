"""Health and storage faults: /health proves a write, a deleted, replaced, read-only or locked
database answers 503 (nothing acknowledged that is not stored), a damaged database is noticed
at start and its readable leads saved by `doctor`, backups verify, and erasure reports success
only when the data has left the database file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leads.app import LeadApp
from leads.backup import backup_name, backups, make_backup, prune_backups
from leads.cli import main
from leads.config import Settings
from leads.harness import SITE, post_form, request, running, sample_lead
from leads.storage import NotGone, Store, StorageError
from leads.validation import validate

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def settings(db: Path) -> Settings:
    return Settings(db_path=db, site_origins=(SITE,), rate_limit=0)


def emails(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT email FROM leads ORDER BY id")]
    finally:
        conn.close()


def fill(db: Path, count: int) -> list[str]:
    """``count`` leads with long messages (many pages), all checkpointed into the main file."""
    store = Store(db)
    try:
        for i in range(count):
            store.add_lead(validate(sample_lead(f"p{i}@example.it", message=f"Richiesta {i} " + "x" * 600)).stored(),
                           T0 + timedelta(seconds=i), 0)
        assert store.checkpoint()
    finally:
        store.close()
    return [f"p{i}@example.it" for i in range(count)]


def damage_a_page_of_leads(db: Path) -> None:
    """Overwrite one leaf page of the leads table, in the middle, with garbage."""
    conn = sqlite3.connect(db)
    pages = [row[0] for row in conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'leads' AND pagetype = 'leaf' ORDER BY pageno")]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert len(pages) > 10
    with open(db, "r+b") as handle:
        handle.seek((pages[len(pages) // 2] - 1) * page_size)
        handle.write(b"\xa5" * page_size)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- the file under the running receiver --------------------------------------------------

@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_deleted_or_replaced_database_stops_acknowledging(tmp_path, how):
    db = tmp_path / "leads.sqlite3"
    app = LeadApp(settings(db))
    with running(app) as port:
        assert request(port, "GET", "/health").status == 200
        assert post_form(port, sample_lead("before@example.it")).status == 303
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        if how == "replaced":
            Store(tmp_path / "other.sqlite3").close()
            os.replace(tmp_path / "other.sqlite3", db)
        reply = post_form(port, sample_lead("after@example.it"))
        assert reply.status == 503
        assert int(reply.headers["retry-after"]) > 0
        health = request(port, "GET", "/health")
        assert health.status == 503 and health.json() == {"ok": False}
        assert "retry-after" in health.headers
    if how == "replaced":
        assert "after@example.it" not in emails(db)


def test_a_read_only_database_is_unhealthy_and_acknowledges_nothing(tmp_path):
    db = tmp_path / "leads.sqlite3"
    Store(db).close()
    # Root ignores file modes: the immutable flag makes the file read-only even for root.
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        app = LeadApp(settings(db))
        with running(app) as port:
            health = request(port, "GET", "/health")
            assert health.status == 503 and "retry-after" in health.headers
            reply = post_form(port, sample_lead("ro@example.it"))
            assert reply.status == 503 and int(reply.headers["retry-after"]) > 0
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert emails(db) == []


def test_a_locked_database_gives_503_and_later_posts_are_stored(tmp_path):
    db = tmp_path / "leads.sqlite3"
    app = LeadApp(settings(db), store=Store(db, busy_timeout_ms=300))
    with running(app) as port:
        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            reply = post_form(port, sample_lead("locked@example.it"))
            assert reply.status == 503 and int(reply.headers["retry-after"]) > 0
            assert request(port, "GET", "/health").status == 503
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert post_form(port, sample_lead("unlocked@example.it")).status == 303
        assert request(port, "GET", "/health").status == 200
    assert emails(db) == ["unlocked@example.it"]


# --- damage: noticed at start, export fails plainly, doctor saves the rest ----------------

def test_a_damaged_database_is_refused_at_start_and_doctor_saves_the_readable_leads(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    written = fill(db, 300)
    damage_a_page_of_leads(db)

    with pytest.raises(StorageError, match="doctor"):
        LeadApp(settings(db))
    served = subprocess.run([sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert served.returncode == 2 and "approdo-leads doctor" in served.stderr
    assert "Traceback" not in served.stderr

    code, _, err = run(capsys, "export", "--db", str(db), "--format", "json")
    assert code == 2 and "doctor" in err

    code, out, _ = run(capsys, "doctor", "--db", str(db))
    assert code == 1 and "damaged" in out

    saved_db = tmp_path / "saved.sqlite3"
    code, out, _ = run(capsys, "doctor", "--db", str(db), "--output", str(saved_db))
    assert code == 1 and f"copied into {saved_db}" in out
    saved = emails(saved_db)
    # Every lead not on the damaged page is back, each exactly as it was written.
    assert 250 < len(saved) < 300
    assert set(saved) < set(written)
    code, out, _ = run(capsys, "export", "--db", str(saved_db), "--format", "json")
    assert code == 0 and out.count("@example.it") == len(saved)
    code, out, _ = run(capsys, "doctor", "--db", str(saved_db))
    assert code == 0 and "sound" in out


# --- backups ------------------------------------------------------------------------------

def test_backups_are_verified_private_copies_kept_no_longer_than_the_retention(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    fill(db, 20)
    folder = tmp_path / "backups"
    store = Store(db)
    try:
        old = make_backup(store, folder, T0 - timedelta(days=400))
        recent = make_backup(store, folder, T0 - timedelta(days=3))
    finally:
        store.close()
    assert old.name == backup_name(T0 - timedelta(days=400))
    assert recent.stat().st_mode & 0o777 == 0o600
    assert emails(recent) == emails(db)
    assert not list(folder.glob("*.partial"))
    assert prune_backups(folder, 365, T0) == [old]
    assert [path for _, path in backups(folder)] == [recent]

    code, out, _ = run(capsys, "backup", "--db", str(db), "--dir", str(folder), "--retention-days", "1")
    assert code == 0 and "written and verified" in out
    remaining = [path for _, path in backups(folder)]
    assert len(remaining) == 1 and remaining[0] != recent  # the 3-day-old one is past 1 day
    assert emails(remaining[0]) == emails(db)


def test_serve_writes_a_backup_at_start(tmp_path):
    db = tmp_path / "leads.sqlite3"
    fill(db, 5)
    folder = tmp_path / "backups"
    process = subprocess.Popen([sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db),
                                "--backup-dir", str(folder), "--quiet"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("Approdo lead receiver: ")
        deadline = time.monotonic() + 30
        while not backups(folder) and time.monotonic() < deadline:
            time.sleep(0.05)
        (made,) = [path for _, path in backups(folder)]
        assert emails(made) == emails(db)
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()


# --- erasure is only reported when it is true ---------------------------------------------

def test_erase_fails_while_a_reader_holds_the_old_data_and_succeeds_after(tmp_path, capsys):
    db = tmp_path / "leads.sqlite3"
    store = Store(db)
    store.add_lead(validate(sample_lead("gone@example.it", name="Persona Da Cancellare")).stored(), T0, 0)
    store.add_lead(validate(sample_lead("stays@example.it")).stored(), T0, 0)
    assert store.checkpoint()
    store.close()

    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM leads").fetchone()[0] == 2  # holds this snapshot
    try:
        quick = Store(db, checkpoint_timeout=0.5)
        try:
            with pytest.raises(NotGone, match="another program is reading"):
                quick.erase("gone@example.it")
        finally:
            quick.close()
        assert b"Persona Da Cancellare" in db.read_bytes()  # the failure was real
        code, _, err = run(capsys, "prune", "--db", str(db), "--older-than", "0")
        assert code == 2 and "close it and run the same command again" in err
    finally:
        reader.execute("COMMIT")
        reader.close()

    code, out, _ = run(capsys, "erase", "--db", str(db), "--email", "gone@example.it")
    assert code == 0
    assert b"Persona Da Cancellare" not in db.read_bytes()
    assert not Path(f"{db}-wal").exists() or b"gone@example.it" not in Path(f"{db}-wal").read_bytes()

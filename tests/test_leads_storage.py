"""Storage: durability settings, migrations, duplicates, erasure (really gone from the files)
and retention (anonymous counts kept)."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from approdo import lead_form
from leads import storage
from leads.harness import sample_lead
from leads.stats import compute
from leads.storage import DUPLICATE, STORED, Store, StorageError
from leads.validation import validate

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def lead(email: str, landing: str = "guida-gratuita", **extra: str) -> dict[str, str]:
    return validate(sample_lead(email, landing, **extra)).stored()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "data" / "leads.sqlite3")
    yield s
    s.close()


def test_database_is_durable_private_and_current(store):
    with store.connection() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == storage.SCHEMA_VERSION
    assert store.path.stat().st_mode & 0o777 == 0o600


def test_schema_has_a_column_for_every_stored_contract_field(store):
    """A new field in the contract needs a migration: this fails until one is written."""
    with store.connection() as conn:
        columns = {row["name"] for row in conn.execute("PRAGMA table_info(leads)")}
    stored = {f.name for f in lead_form.FIELDS if f.group != lead_form.ROUTING}
    assert stored <= columns
    assert columns - stored == {"id", "received_at"}


def test_migrates_an_old_database_and_keeps_its_leads(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for statement in storage.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO leads (received_at, landing, email, marketing_consent, consent_version,"
                 " privacy_version) VALUES ('2026-01-02T03:04:05.000000Z', 'consulenza', 'old@example.it', 0,"
                 " 'aaaaaaaaaaaa', 'bbbbbbbbbbbb')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = Store(path)
    try:
        assert store.version() == storage.SCHEMA_VERSION
        assert [row["email"] for row in store.leads()] == ["old@example.it"]
        store.count_event(storage.SPAM, T0)  # a table of migration 2
        assert store.events() == {"spam": 1}
    finally:
        store.close()


def test_refuses_a_database_from_a_newer_version(tmp_path):
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {storage.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this receiver"):
        Store(path)


def test_same_email_on_same_landing_is_stored_once_within_the_window(store):
    assert store.add_lead(lead("anna@example.it"), T0, 600) == STORED
    assert store.add_lead(lead("ANNA@example.it"), T0 + timedelta(minutes=9), 600) == DUPLICATE
    assert store.add_lead(lead("anna@example.it", "consulenza"), T0, 600) == STORED  # another landing
    assert store.add_lead(lead("anna@example.it"), T0 + timedelta(minutes=11), 600) == STORED  # window over
    assert len(store.leads()) == 3
    assert store.events()["duplicate"] == 1


def test_stored_values_and_timestamps(store):
    store.add_lead(lead("anna@example.it", message="Ciao'); DROP TABLE leads;--"), T0, 600)
    (row,) = store.leads()
    assert row["received_at"] == "2026-11-20T09:00:00.000000Z"
    assert row["marketing_consent"] == 1
    assert row["message"] == "Ciao'); DROP TABLE leads;--"
    assert (row["utm_source"], row["utm_medium"], row["utm_campaign"]) == ("facebook", "social", "guida")


def test_filters_by_landing_and_time(store):
    for day, landing in ((0, "guida-gratuita"), (1, "consulenza"), (2, "guida-gratuita")):
        store.add_lead(lead(f"p{day}@example.it", landing), T0 + timedelta(days=day), 600)
    assert len(store.leads(("guida-gratuita",))) == 2
    assert [r["email"] for r in store.leads(since=T0 + timedelta(days=1))] == ["p1@example.it", "p2@example.it"]
    assert [r["email"] for r in store.leads(until=T0 + timedelta(days=1))] == ["p0@example.it"]


def _files_contain(store: Store, needle: bytes) -> bool:
    return any(needle in p.read_bytes() for p in store.path.parent.iterdir() if p.name.startswith(store.path.name))


def test_erasure_removes_every_trace_and_keeps_an_anonymous_count(store):
    store.add_lead(lead("gone@example.it", name="Persona Da Cancellare"), T0, 600)
    store.add_lead(lead("Gone@Example.it", "consulenza", utm_campaign="solo-per-lei"), T0, 600)
    store.add_lead(lead("stays@example.it"), T0, 600)
    assert _files_contain(store, b"gone@example.it")
    assert store.erase("GONE@example.it ", T0) == 2
    assert [r["email"] for r in store.leads()] == ["stays@example.it"]
    # Not in the database file, its free pages or the write-ahead log.
    assert not _files_contain(store, b"gone@example.it")
    assert not _files_contain(store, b"Gone@Example.it")
    assert not _files_contain(store, b"Persona Da Cancellare")
    assert not _files_contain(store, b"solo-per-lei")
    stats = compute(store)
    assert stats.total == 3 and stats.retired == 2
    assert stats.counts["landing"] == {"guida-gratuita": 2, "consulenza": 1}
    assert stats.counts["utm_campaign"]["(erased)"] == 2
    assert stats.erasure_requests == 1


def test_prune_deletes_old_leads_and_keeps_their_counts(store):
    store.add_lead(lead("old@example.it"), T0 - timedelta(days=400), 600)
    store.add_lead(lead("new@example.it"), T0, 600)
    assert store.prune(T0 - timedelta(days=365)) == 1
    assert [r["email"] for r in store.leads()] == ["new@example.it"]
    stats = compute(store)
    assert stats.total == 2
    assert stats.counts["utm_campaign"] == {"guida": 2}  # campaigns survive retention
    assert store.prune(T0 - timedelta(days=365)) == 0


def test_concurrent_writers_lose_nothing_and_a_failing_job_fails_alone(store):
    def good(i: int) -> str:
        return store.add_lead(lead(f"c{i}@example.it"), T0, 600)

    def bad() -> object:
        return store._committer.run(lambda conn: conn.execute("INSERT INTO nowhere VALUES (1)"))

    with ThreadPoolExecutor(16) as pool:
        goods = [pool.submit(good, i) for i in range(300)]
        bads = [pool.submit(bad) for _ in range(10)]
    assert [f.result() for f in goods] == [STORED] * 300
    for future in bads:
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            future.result()
    assert len(store.leads()) == 300
    # The writer thread survives failures and serves the next post.
    assert store.add_lead(lead("after@example.it"), T0, 600) == STORED

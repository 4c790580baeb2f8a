"""Cookie-free counting against a real receiver on 127.0.0.1 and its real SQLite file:
beacons counted per day and campaign only, forged and foreign ones refused, bots and
prefetches left out, bounded values, the no-script short-link redirect."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from leads.app import LeadApp
from leads.config import Settings
from leads.harness import SITE, request, running, send_beacon

DAY = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
VIEW = {"kind": "view", "page": "guida-gratuita", "utm_source": "linkedin", "utm_medium": "social",
        "utm_campaign": "guida", "utm_content": "post-3"}


class Receiver:
    def __init__(self, app: LeadApp, port: int):
        self.app, self.port = app, port

    def counts(self) -> dict[tuple, int]:
        """What is stored, after the pending counts are written."""
        self.app.counters.flush()
        conn = sqlite3.connect(f"file:{self.app.store.path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT day, kind, page, utm_source, utm_medium, utm_campaign,"
                                " utm_content, count FROM metrics").fetchall()
        finally:
            conn.close()
        return {tuple(row[:-1]): row[-1] for row in rows}

    def events(self) -> dict[str, int]:
        self.app.counters.flush()
        conn = sqlite3.connect(f"file:{self.app.store.path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT kind, sum(count) FROM events GROUP BY kind").fetchall())
        finally:
            conn.close()


@pytest.fixture
def receiver(tmp_path):
    app = LeadApp(Settings(db_path=tmp_path / "leads.sqlite3", site_origins=(SITE,)), clock=lambda: DAY)
    with running(app) as port:
        yield Receiver(app, port)


def key(fields: dict[str, str], kind: str = "view") -> tuple:
    return ("2026-11-20", kind, fields["page"], fields.get("utm_source", ""), fields.get("utm_medium", ""),
            fields.get("utm_campaign", ""), fields.get("utm_content", ""))


def test_views_and_clicks_are_counted_per_day_and_campaign(receiver):
    for _ in range(3):
        assert send_beacon(receiver.port, VIEW).status == 204
    click = {**VIEW, "kind": "go"}
    reply = send_beacon(receiver.port, click)
    assert reply.status == 204
    assert reply.headers["access-control-allow-origin"] == SITE
    direct = {"kind": "view", "page": "consulenza"}
    assert send_beacon(receiver.port, direct).status == 204
    assert receiver.counts() == {key(VIEW): 3, key(click, "go"): 1, key(direct): 1}


def test_the_table_holds_counters_and_nothing_that_identifies(receiver):
    send_beacon(receiver.port, VIEW, headers={"Cookie": "id=42", "X-Forwarded-For": "203.0.113.9"})
    receiver.app.counters.flush()
    conn = sqlite3.connect(receiver.app.store.path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(metrics)")]
        rows = conn.execute("SELECT * FROM metrics").fetchall()
    finally:
        conn.close()
    assert columns == ["day", "kind", "page", "utm_source", "utm_medium", "utm_campaign",
                       "utm_content", "count"]
    assert rows == [("2026-11-20", "view", "guida-gratuita", "linkedin", "social", "guida", "post-3", 1)]
    stored = receiver.app.store.path.read_bytes()
    for secret in (b"127.0.0.1", b"203.0.113.9", b"Mozilla", b"id=42", b"10:30"):
        assert secret not in stored


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
def test_foreign_or_missing_origin_is_refused(receiver, origin):
    assert send_beacon(receiver.port, VIEW, origin=origin).status == 403
    assert receiver.counts() == {}


@pytest.mark.parametrize("fields", [
    {**VIEW, "kind": "purchase"},
    {**VIEW, "page": "../../etc"},
    {**VIEW, "page": ""},
    {**VIEW, "utm_source": "<script>"},
    {**VIEW, "utm_campaign": "x" * 101},
    {**VIEW, "utm_content": "caffè"},
    {**VIEW, "email": "anna@example.it"},
])
def test_forged_beacons_are_refused_and_counted_as_refused(receiver, fields):
    assert send_beacon(receiver.port, fields).status == 400
    assert receiver.counts() == {}
    assert receiver.events() == {"beacon-refused": 1}


def test_oversized_and_empty_beacons_are_refused(receiver):
    big = request(receiver.port, "POST", "/metrics", b"kind=view&page=" + b"a" * 2000,
                  {"Origin": SITE, "Content-Type": "text/plain"})
    assert big.status == 413
    empty = request(receiver.port, "POST", "/metrics", b"", {"Origin": SITE, "Content-Type": "text/plain"})
    assert empty.status == 400
    assert receiver.counts() == {}


@pytest.mark.parametrize("headers", [
    {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
    {"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"},
    {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36"},
    {"User-Agent": "curl/8.5.0"},
    {"User-Agent": ""},
    {"Sec-Purpose": "prefetch;prerender"},
    {"Purpose": "prefetch"},
])
def test_bots_and_prefetches_are_answered_but_not_counted(receiver, headers):
    agent = headers.pop("User-Agent", None)
    reply = (send_beacon(receiver.port, VIEW, headers=headers) if agent is None
             else send_beacon(receiver.port, VIEW, agent=agent))
    assert reply.status == 204
    assert receiver.counts() == {}
    assert receiver.events() == {"beacon-bot": 1}


def test_distinct_values_per_day_are_capped_into_altro(receiver):
    receiver.app.counters.max_values = 3
    for n in range(6):
        assert send_beacon(receiver.port, {**VIEW, "utm_content": f"forged-{n}"}).status == 204
    counts = receiver.counts()
    contents = sorted(k[6] for k in counts)
    assert contents == ["altro", "forged-0", "forged-1", "forged-2"]
    assert counts[key({**VIEW, "utm_content": "altro"})] == 3
    assert sum(counts.values()) == 6


def test_distinct_keys_per_day_are_capped(receiver):
    receiver.app.counters.max_keys = 4
    for n in range(10):
        send_beacon(receiver.port, {**VIEW, "utm_campaign": f"c{n}"})
    counts = receiver.counts()
    assert len(counts) == 5  # four keys and the all-"altro" bucket
    assert counts[("2026-11-20", "view", "altro", "altro", "altro", "altro", "altro")] == 6


def test_counts_survive_a_restart_and_keep_the_days_quota(tmp_path):
    db = tmp_path / "leads.sqlite3"
    settings = Settings(db_path=db, site_origins=(SITE,))
    first = LeadApp(settings, clock=lambda: DAY)
    with running(first) as port:  # closing the store writes what is pending
        send_beacon(port, VIEW)
    second = LeadApp(settings, clock=lambda: DAY)
    second.counters.max_values = 1
    with running(second) as port:
        send_beacon(port, VIEW)
        send_beacon(port, {**VIEW, "utm_content": "post-4"})  # a second value: over the quota
        receiver = Receiver(second, port)
        assert receiver.counts() == {key(VIEW): 2, key({**VIEW, "utm_content": "altro"}): 1}


def test_counts_are_written_within_the_flush_interval(tmp_path):
    import time

    app = LeadApp(Settings(db_path=tmp_path / "leads.sqlite3", site_origins=(SITE,)), clock=lambda: DAY)
    app.counters.flush_interval = 0.2
    with running(app) as port:
        send_beacon(port, VIEW)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            conn = sqlite3.connect(f"file:{app.store.path}?mode=ro", uri=True)
            try:
                stored = conn.execute("SELECT sum(count) FROM metrics").fetchone()[0]
            finally:
                conn.close()
            if stored == 1:
                break
            time.sleep(0.05)
        assert stored == 1


def redirect(port: int, query: dict[str, str], agent: str | None = None, method: str = "GET"):
    headers = {"User-Agent": agent or "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}
    return request(port, method, "/go?" + urlencode(query), headers=headers)


def test_short_link_without_javascript_is_counted_and_redirected(receiver):
    target = f"{SITE}/landing/guida-gratuita/?utm_source=instagram&utm_medium=social&utm_campaign=guida"
    reply = redirect(receiver.port, {"page": "guida-gratuita", "to": target})
    assert reply.status == 303
    assert reply.headers["location"] == target
    assert redirect(receiver.port, {"page": "guida-gratuita", "to": target}, method="HEAD").status == 303
    assert redirect(receiver.port, {"page": "guida-gratuita", "to": target}, agent="Twitterbot/1.0").status == 303
    assert receiver.counts() == {("2026-11-20", "go", "guida-gratuita", "instagram", "social", "guida", ""): 1}


@pytest.mark.parametrize("target", [
    "https://evil.example/landing/x/", "javascript:alert(1)", "//evil.example/",
    f"{SITE}/x\r\nSet-Cookie: a=b", f"{SITE}\\@evil.example/",
])
def test_redirect_goes_only_to_the_site(receiver, target):
    reply = redirect(receiver.port, {"page": "guida-gratuita", "to": target})
    assert reply.status == 400
    assert "location" not in reply.headers
    assert receiver.counts() == {}

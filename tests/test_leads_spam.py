"""Spam without a third party: the honeypot's answer is the real one, too-fast and proof-of-work
failures are quarantined (never dropped) and can be released, rate limits count an IPv6 /64
and trust X-Forwarded-For only from a configured proxy, and client addresses never reach the
log. The last test runs the real page script in Chromium against the real receiver."""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import altcha
import pytest

from leads.app import LeadApp
from leads.cli import main
from leads.config import Settings
from leads.harness import SITE, post_form, post_json, request, running, running_production, sample_lead
from leads.production import Limits
from leads.ratelimit import RateLimiter, client_key
from leads.spam import BAD_PROOF, HONEYPOT_FILLED, NO_PROOF, TOO_FAST, quarantine, quarantined
from leads.storage import Store, utcnow
from leads.validation import validate

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def app_for(tmp_path: Path, **overrides) -> LeadApp:
    options = {"rate_limit": 0, **overrides}
    return LeadApp(Settings(db_path=tmp_path / "leads.sqlite3", site_origins=(SITE,), **options))


def leads_and_quarantine(db: Path) -> tuple[list[str], list[tuple[str, str]]]:
    conn = sqlite3.connect(db)
    try:
        leads = [row[0] for row in conn.execute("SELECT email FROM leads ORDER BY id")]
        held = [(row[0], row[1]) for row in conn.execute("SELECT email, reason FROM quarantine ORDER BY id")]
    finally:
        conn.close()
    return leads, held


def solve(port: int) -> str:
    """What the page script does: ask for a challenge and find its number."""
    challenge = request(port, "GET", "/leads/challenge", headers={"Origin": SITE}).json()
    solution = altcha.solve_challenge_v1(challenge["challenge"], challenge["salt"], challenge["algorithm"],
                                         challenge["maxNumber"], 0)
    assert solution is not None
    return altcha.PayloadV1(challenge["algorithm"], challenge["challenge"], solution.number, challenge["salt"],
                            challenge["signature"]).to_base64()


def comparable(reply) -> tuple:
    headers = {name: value for name, value in reply.headers.items() if name != "date"}
    return reply.status, headers, reply.body


def test_the_honeypot_answer_is_the_answer_to_a_real_lead(tmp_path):
    app = app_for(tmp_path)
    with running(app) as port:
        real = post_form(port, sample_lead("vera@example.it", "consulenza"))
        bot = post_form(port, sample_lead("bot@example.it", "consulenza", _gotcha="http://compra.example"))
        real_json = post_json(port, sample_lead("vera2@example.it", "consulenza"))
        bot_json = post_json(port, sample_lead("bot2@example.it", "consulenza", _gotcha="x"))
    assert real.headers["location"] == f"{SITE}/landing/consulenza/grazie/"
    assert comparable(bot) == comparable(real)
    assert comparable(bot_json) == comparable(real_json)
    leads, held = leads_and_quarantine(app.store.path)
    assert leads == ["vera@example.it", "vera2@example.it"]
    assert held == [("bot@example.it", HONEYPOT_FILLED), ("bot2@example.it", HONEYPOT_FILLED)]


def test_a_form_sent_faster_than_a_person_types_is_quarantined(tmp_path):
    app = app_for(tmp_path)
    with running(app) as port:
        assert post_json(port, sample_lead("robot@example.it", _elapsed="350")).status == 201
        assert post_json(port, sample_lead("persona@example.it", _elapsed="48000")).status == 201
    assert leads_and_quarantine(app.store.path) == (["persona@example.it"], [("robot@example.it", TOO_FAST)])


def test_proof_of_work_is_checked_and_cannot_be_replayed(tmp_path):
    app = app_for(tmp_path)
    with running(app) as port:
        challenge = request(port, "GET", "/leads/challenge", headers={"Origin": SITE})
        assert challenge.status == 200 and challenge.headers["access-control-allow-origin"] == SITE
        assert challenge.headers["cache-control"] == "no-store"
        proof = solve(port)
        assert post_json(port, sample_lead("solved@example.it", altcha=proof)).status == 201
        assert post_json(port, sample_lead("replay@example.it", altcha=proof)).status == 201
        forged = json.loads(base64.b64decode(solve(port)))
        forged["number"] += 1
        fake = base64.b64encode(json.dumps(forged).encode()).decode()
        assert post_json(port, sample_lead("forged@example.it", altcha=fake)).status == 201
        assert post_json(port, sample_lead("garbage@example.it", altcha="bm90IGpzb24=")).status == 201
        assert post_form(port, sample_lead("nojs@example.it")).status == 303  # no script, no proof
    leads, held = leads_and_quarantine(app.store.path)
    assert leads == ["solved@example.it", "nojs@example.it"]
    assert held == [("replay@example.it", BAD_PROOF), ("forged@example.it", BAD_PROOF),
                    ("garbage@example.it", BAD_PROOF)]


def test_require_proof_quarantines_posts_without_one(tmp_path):
    app = app_for(tmp_path, require_proof=True)
    with running(app) as port:
        assert post_form(port, sample_lead("nojs@example.it")).status == 303
        assert post_json(port, sample_lead("js@example.it", altcha=solve(port))).status == 201
    assert leads_and_quarantine(app.store.path) == (["js@example.it"], [("nojs@example.it", NO_PROOF)])


def test_spam_list_and_release_make_a_false_positive_a_lead(tmp_path, capsys):
    app = app_for(tmp_path)
    with running(app) as port:
        post_json(port, sample_lead("fretta@example.it", name="Giulia Svelta", message="Chiamatemi",
                                    _elapsed="900"))
    db = str(app.store.path)
    assert main(["spam", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "#1" in out and TOO_FAST in out and "fretta@example.it" in out and "Chiamatemi" in out
    assert main(["spam", "list", "--db", db, "--json"]) == 0
    (held,) = json.loads(capsys.readouterr().out)
    assert held["lead"]["name"] == "Giulia Svelta"
    assert main(["spam", "release", "--db", db, "1"]) == 0
    assert "released into the leads (stored)" in capsys.readouterr().out
    assert leads_and_quarantine(app.store.path) == (["fretta@example.it"], [])
    assert main(["spam", "release", "--db", db, "1"]) == 1
    assert main(["spam", "list", "--db", db]) == 0
    assert "Quarantine is empty." in capsys.readouterr().out


def test_quarantine_keeps_posts_for_the_configured_days_and_erase_reaches_it(tmp_path):
    store = Store(tmp_path / "leads.sqlite3")
    try:
        values = validate(sample_lead("vecchio@example.it")).stored()
        quarantine(store, values, TOO_FAST, T0, keep_days=30)
        quarantine(store, {**values, "email": "nuovo@example.it"}, TOO_FAST, T0 + timedelta(days=29), keep_days=30)
        assert [p["lead"]["email"] for p in quarantined(store)] == ["vecchio@example.it", "nuovo@example.it"]
        quarantine(store, {**values, "email": "ultimo@example.it"}, TOO_FAST, T0 + timedelta(days=31), keep_days=30)
        assert [p["lead"]["email"] for p in quarantined(store)] == ["nuovo@example.it", "ultimo@example.it"]
        assert store.erase("NUOVO@example.it") == 1
        assert [p["lead"]["email"] for p in quarantined(store)] == ["ultimo@example.it"]
        assert store.events()["spam"] == 3
    finally:
        store.close()


# --- rate limits and addresses -------------------------------------------------------------

def test_rate_limit_keys():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb:cccc:dddd:eeee") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.7") == client_key("192.0.2.7") == "192.0.2.7"
    assert client_key("192.0.2.7") != client_key("192.0.2.8")
    limiter = RateLimiter(3, 60, clock=lambda: 0.0)
    rotating = [f"2001:db8:1:2::{i:x}" for i in range(1, 6)]
    assert [limiter.hit(address) for address in rotating] == [0.0, 0.0, 0.0, 60.0, 60.0]
    assert limiter.hit("2001:db8:1:3::1") == 0.0  # the neighbouring network is another client


def test_forwarded_for_is_believed_only_from_the_configured_proxy(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    forwarded = lambda i: {"X-Forwarded-For": f"2001:db8:{i}::1"}  # noqa: E731
    app = app_for(tmp_path / "a", rate_limit=2)
    with running_production(app, Limits(trusted_proxy="127.0.0.1")) as port:
        # Three clients behind the proxy: each has its own allowance.
        statuses = [post_form(port, sample_lead(f"p{i}-{n}@example.it"), headers=forwarded(i)).status
                    for i in range(3) for n in range(2)]
        assert statuses == [303] * 6
        assert post_form(port, sample_lead("p0-x@example.it"), headers=forwarded(0)).status == 429
    app = app_for(tmp_path / "b", rate_limit=2)
    with running_production(app) as port:
        # No proxy configured: the header is anyone's to forge and changes nothing.
        statuses = [post_form(port, sample_lead(f"q{i}@example.it"), headers=forwarded(i)).status for i in range(3)]
        assert statuses == [303, 303, 429]
    assert caplog.text  # the requests were logged...
    for address in ("127.0.0.1", "2001:db8"):  # ...without any client address
        assert address not in caplog.text


# --- the page script in a real browser, against the real receiver --------------------------

@pytest.mark.browser
def test_the_page_script_solves_the_challenge_and_the_lead_is_stored(tmp_path, open_page):
    from browser import serve_directory
    from conftest import make_project, run_build
    from test_landing import MINIMAL_NAV, SAMPLE_FILES

    project = make_project(tmp_path, SAMPLE_FILES, MINIMAL_NAV)
    with serve_directory(project / "site") as site_url:
        origin = site_url.rstrip("/")
        app = LeadApp(Settings(db_path=tmp_path / "leads.sqlite3", site_origins=(origin,), rate_limit=0,
                               require_proof=True))  # without a valid proof the lead would be held
        with running_production(app) as port:
            build = run_build(project, env={"APPRODO_LEAD_ACTION": f"http://127.0.0.1:{port}/leads",
                                            "APPRODO_SITE_URL": site_url})
            assert build.returncode == 0, build.output
            page = open_page()
            page.clock.install()  # the page's clock moves only when the test says so
            page.goto(f"{site_url}landing/consulenza/?utm_source=instagram")
            page.fill("input[name=email]", "browser@example.org")
            page.fill("input[name=name]", "Anna Rossi")
            page.clock.fast_forward(30_000)  # a person takes a while to fill the form in
            page.click("button[type=submit]")
            page.locator("main [data-landing-thanks]").wait_for()
    leads, held = leads_and_quarantine(app.store.path)
    assert (leads, held) == (["browser@example.org"], [])


def test_prune_also_empties_the_quarantine_after_its_own_retention(tmp_path, capsys):
    store = Store(tmp_path / "leads.sqlite3")
    try:
        values = validate(sample_lead("sospetto@example.it")).stored()
        now = utcnow()  # the receiver's one clock, which `prune` reads too
        quarantine(store, values, TOO_FAST, now - timedelta(days=40), keep_days=365)
        quarantine(store, {**values, "email": "recente@example.it"}, TOO_FAST, now - timedelta(days=1), keep_days=365)
    finally:
        store.close()
    assert main(["prune", "--db", str(tmp_path / "leads.sqlite3"), "--older-than", "365"]) == 0
    store = Store(tmp_path / "leads.sqlite3")
    try:
        assert [p["lead"]["email"] for p in quarantined(store)] == ["recente@example.it"]  # 30 days by default
    finally:
        store.close()

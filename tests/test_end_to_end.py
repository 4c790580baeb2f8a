"""End to end: the real sample site -> the bundled receiver -> the thank-you page -> SQLite,
then `export` and `stats` show the lead with its campaign.

The real site is built with its lead action pointing at `python -m leads serve` on a free
port (as `./dev serve` does on 8001), served by a stdlib static server; headless Chromium
opens the landing page from a campaign link, with JavaScript on and off. Everything listens
on 127.0.0.1; any request to another origin is aborted, recorded and fails the test.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from approdo import lead_form
from browser import serve_directory

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
UTM_QUERY = "?utm_source=facebook&utm_medium=social&utm_campaign=guida"
SLUG = "guida-gratuita"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """(site URL, receiver database) with the receiver and the built site both running."""
    tmp = tmp_path_factory.mktemp("e2e")
    db = tmp / "data" / "leads.sqlite3"
    with serve_directory(tmp / "site") as site_url:
        receiver = subprocess.Popen(
            [sys.executable, "-m", "leads", "serve", "--port", "0", "--db", str(db),
             "--site-origin", site_url.rstrip("/"), "--rate-limit", "0", "--quiet"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        try:
            port = re.search(r"http://127\.0\.0\.1:(\d+)/leads", receiver.stdout.readline()).group(1)
            build = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp / "site")],
                cwd=ROOT, capture_output=True, text=True, timeout=600,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
                     "APPRODO_LEAD_ACTION": f"http://127.0.0.1:{port}/leads",
                     "APPRODO_SITE_URL": site_url},
            )
            assert build.returncode == 0, build.stdout + build.stderr
            yield site_url, db
        finally:
            receiver.terminate()
            receiver.wait(timeout=20)
            receiver.stdout.close()


def lead_row(db: Path, email: str) -> sqlite3.Row | None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM leads WHERE email = ?", (email,)).fetchone()
    finally:
        conn.close()


def cli(db: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "leads", *args, "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def hidden(page, name: str) -> str:
    return page.locator(f"input[type=hidden][name='{name}']").input_value()


def test_campaign_link_to_stored_lead_with_javascript(stack, open_page):
    site, db = stack
    page = open_page()
    # The page's clock moves only when the test says so: the receiver quarantines a form sent
    # faster than a person fills it in (leads/spam.py), and a person takes a while.
    page.clock.install()
    page.goto(f"{site}landing/{SLUG}/{UTM_QUERY}")
    consent_version, privacy_version = hidden(page, "consent_version"), hidden(page, "privacy_version")
    page.fill("input[name=email]", "giovanna.e2e@example.org")
    page.fill("input[name=name]", "Giovanna Bianchi")
    page.check("input[name=marketing_consent]")
    page.clock.fast_forward(30_000)
    page.click("button[type=submit]")
    thanks = page.locator("main [data-landing-thanks]")
    thanks.wait_for()
    assert thanks.locator("h1").inner_text() == "La guida è pronta"

    row = lead_row(db, "giovanna.e2e@example.org")
    assert row is not None
    assert (row["utm_source"], row["utm_medium"], row["utm_campaign"]) == ("facebook", "social", "guida")
    assert row["landing"] == SLUG and row["name"] == "Giovanna Bianchi"
    assert row["page_url"] == f"{site}landing/{SLUG}/{UTM_QUERY}"
    assert row["marketing_consent"] == 1
    assert (row["consent_version"], row["privacy_version"]) == (consent_version, privacy_version)
    assert re.fullmatch(lead_form.VERSION_PATTERN, consent_version)

    # What the README promises a newcomer: the lead, with its campaign, in export and stats.
    exported = [lead for lead in json.loads(cli(db, "export", "--format", "json", "--landing", SLUG))
                if lead["email"] == "giovanna.e2e@example.org"]
    assert exported and exported[0]["utm_campaign"] == "guida"
    stats = json.loads(cli(db, "stats", "--json"))
    assert stats["by_utm_campaign"]["guida"] >= 1 and stats["by_utm_source"]["facebook"] >= 1
    assert stats["by_landing"][SLUG] >= 1
    assert "guida" in cli(db, "stats").split("Leads per utm_campaign\n")[1]


def test_receiver_errors_reach_the_visitor_in_italian(stack, open_page):
    site, db = stack
    page = open_page(f"{site}landing/{SLUG}/{UTM_QUERY}")
    # Valid for the browser's own check, not for the receiver (no dot in the domain).
    page.fill("input[name=email]", "giovanna@localhost")
    page.click("button[type=submit]")
    slot = page.locator("[data-field-error=email]")
    slot.wait_for(state="visible")
    assert "indirizzo email non sembra valido" in slot.inner_text()
    assert page.locator("input[name=email]").get_attribute("aria-invalid") == "true"
    assert page.locator("input[name=email]").input_value() == "giovanna@localhost"
    assert lead_row(db, "giovanna@localhost") is None


def test_campaign_link_to_stored_lead_without_javascript(stack, open_page):
    site, db = stack
    page = open_page(f"{site}landing/{SLUG}/{UTM_QUERY}", java_script_enabled=False)
    page.fill("input[name=email]", "paolo.nojs@example.org")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{site}landing/{SLUG}/grazie/"
    assert page.locator("h1").inner_text() == "La guida è pronta"
    row = lead_row(db, "paolo.nojs@example.org")
    assert row is not None and row["landing"] == SLUG and row["marketing_consent"] == 0
    # A static page cannot copy its address into the form without a script, and a browser
    # sends another origin only the Referer's origin: a receiver on another port (as locally)
    # gets no campaign from a plain post. Under the site's own domain it reads the full
    # Referer (see test_leads_http); here it must at least not invent one.
    assert all(row[name] == "" for name in lead_form.UTM_FIELDS)


def test_plain_post_error_page_is_italian_and_links_back(stack, open_page):
    site, db = stack
    page = open_page(f"{site}landing/{SLUG}/", java_script_enabled=False)
    page.fill("input[name=email]", "paolo@localhost")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Richiesta non inviata"
    assert "Email" in page.locator("li").first.inner_text()
    back = page.locator("a", has_text="Torna al modulo")
    # Cross-origin, the Referer is only the site's origin: the form's landing slug leads back.
    assert back.get_attribute("href") == f"{site}landing/{SLUG}/"
    with page.expect_navigation():
        back.click()
    assert page.locator("input[name=email]").count() == 1
    assert lead_row(db, "paolo@localhost") is None

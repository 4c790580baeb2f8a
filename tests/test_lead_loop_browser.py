"""The lead loop as a newcomer meets it: the real sample site, built with its published consent
ledger, and `python -m leads serve` with nothing configured but what `./dev serve` passes.

Headless Chromium fills the guide's landing page with the marketing box ticked; the emails land
as .eml files (no SMTP configured) and `mail list` shows them; the browser opens the link of the
confirmation email and sees the consent confirmed; `export` then says so. Every request not to
127.0.0.1 is aborted, recorded and fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from browser import serve_directory
from leads.harness import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SLUG = "guida-gratuita"
UTM_QUERY = "?utm_source=instagram&utm_medium=social&utm_campaign=autunno"


def cli(db: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "leads", *args, "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """(site URL, receiver URL, database): the built site and the receiver, both running."""
    tmp = tmp_path_factory.mktemp("loop")
    db = tmp / "data" / "leads.sqlite3"
    port = free_port()
    with serve_directory(tmp / "site") as site_url:
        receiver = subprocess.Popen(
            [sys.executable, "-m", "leads", "serve", "--port", str(port), "--db", str(db),
             "--site-origin", site_url.rstrip("/"), "--rate-limit", "0", "--quiet",
             "--site-data", str(tmp / "site"), "--notify", "titolare@example.it"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith(("APPRODO_SMTP", "APPRODO_LEADS"))},
        )
        try:
            assert f"127.0.0.1:{port}/leads" in receiver.stdout.readline()
            build = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp / "site")],
                cwd=ROOT, capture_output=True, text=True, timeout=600,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
                     "APPRODO_LEAD_ACTION": f"http://127.0.0.1:{port}/leads", "APPRODO_SITE_URL": site_url},
            )
            assert build.returncode == 0, build.stdout + build.stderr
            yield site_url, f"http://127.0.0.1:{port}", db
        finally:
            receiver.terminate()
            receiver.wait(timeout=20)
            receiver.stdout.close()


def test_build_publishes_the_consent_texts_the_form_claims(stack, open_page):
    site, _, _ = stack
    page = open_page(f"{site}landing/{SLUG}/")
    versions = json.loads(page.request.get(f"{site}consent/versions.json").text())
    claimed = page.locator("input[type=hidden][name=consent_version]").input_value()
    assert versions["consent"]["version"] == claimed
    label = page.locator("label[for=ld-marketing_consent]").inner_text()
    assert versions["consent"]["text"] and versions["consent"]["text"] in label
    assert versions["privacy"]["version"] == page.locator(
        "input[type=hidden][name=privacy_version]").input_value()
    assert versions["privacy"]["url"] == f"{site}privacy/"


def test_landing_page_to_confirmed_consent_in_export(stack, open_page):
    site, receiver, db = stack
    page = open_page()
    # The page's clock moves only when the test says so: the receiver quarantines a form sent
    # faster than a person fills it in (leads/spam.py), and a person takes a while.
    page.clock.install()
    page.goto(f"{site}landing/{SLUG}/{UTM_QUERY}")
    page.fill("input[name=email]", "marta.doi@example.org")
    page.fill("input[name=name]", "Marta Neri")
    page.check("input[name=marketing_consent]")
    page.clock.fast_forward(30_000)
    page.click("button[type=submit]")
    page.locator("main [data-landing-thanks]").wait_for()

    # The emails, as a newcomer finds them: `mail list`, then the confirmation's text.
    listed = ""
    for _ in range(200):  # the worker sends within moments; poll with a deadline, no fixed sleep
        listed = cli(db, "mail", "list")
        if listed.count("\n") >= 3:
            break
        page.wait_for_timeout(50)
    assert "Nuovo contatto da «Guida gratuita: dai social ai clienti»: Marta Neri" in listed
    assert "La tua guida «Dai social ai clienti»" in listed
    number = next(line.split()[0] for line in listed.splitlines() if "Conferma la tua iscrizione" in line)
    confirmation = cli(db, "mail", "show", number)
    assert "To: marta.doi@example.org" in confirmation
    link = re.search(rf"{re.escape(receiver)}/leads/conferma\?t=\S+", confirmation).group(0)

    assert not json.loads(cli(db, "export", "--format", "json", "--email", "marta.doi@example.org"))[0][
        "marketing_consent"]
    page.goto(link)
    assert page.locator("h1").inner_text() == "Iscrizione confermata"
    [lead] = json.loads(cli(db, "export", "--format", "json", "--email", "marta.doi@example.org"))
    assert lead["marketing_consent"] is True and lead["consent_confirmed_at"]
    assert lead["utm_campaign"] == "autunno"
    proof = cli(db, "consent", "--email", "marta.doi@example.org")
    assert "Sì, voglio ricevere anche la newsletter" in proof and "confirmed:       20" in proof

    page.goto(link)  # the same link again: nothing changes
    assert page.locator("h1").inner_text() == "Iscrizione già confermata"


def test_every_open_sample_landing_page_notifies_the_owner(stack, open_page):
    site, _, db = stack
    page = open_page()
    page.clock.install()  # a person takes a while to fill a form: see the test above
    page.goto(f"{site}leads/landings.json")
    landings = json.loads(page.locator("body").inner_text())["landings"]
    assert len(landings) >= 3
    sent = []
    for slug, landing in sorted(landings.items()):
        page.goto(f"{site}landing/{slug}/")
        if page.locator("form input[name=email]").count() == 0:
            continue  # an offer that has closed (an event in the past) shows no form
        email = f"owner.{slug}@example.org"
        page.fill("input[name=email]", email)
        for name in ("name", "company", "phone", "message"):  # whatever the page requires
            field = page.locator(f"form [name={name}][required]")
            if field.count():
                field.fill("+39 051 000 000" if name == "phone" else "Prova")
        page.clock.fast_forward(30_000)
        page.click("button[type=submit]")
        page.locator("main [data-landing-thanks]").wait_for()
        sent.append((landing["title"], email))
    assert len(sent) >= 2
    for title, _email in sent:
        listed = ""
        for _ in range(200):
            listed = cli(db, "mail", "list")
            if f"Nuovo contatto da «{title}»" in listed:
                break
            page.wait_for_timeout(50)
        assert f"Nuovo contatto da «{title}»" in listed, listed

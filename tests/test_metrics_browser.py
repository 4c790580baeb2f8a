"""The campaign funnel end to end, in Debian's Chromium with every off-site request blocked:
the sample site built against a real receiver on 127.0.0.1, visited from a few tracked links
(short links with and without JavaScript, a landing page link, an article's call to action),
two leads submitted, then ``report --json`` and ``report --html`` read from the real SQLite."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser import origin, serve_directory
from conftest import ROOT, run_build
from leads.app import LeadApp
from leads.config import Settings
from leads import cli as leads_cli
from leads import mailer
from leads.harness import BROWSER_AGENT, free_port, running
from leads.loop_settings import LoopSettings
from test_landing_browser import fill_form

pytestmark = pytest.mark.browser

ARTICLE = "kb/metriche-che-contano/"


@pytest.fixture(scope="module")
def funnel_site(tmp_path_factory):
    """The sample site served on 127.0.0.1, built to post and count to a receiver of its own."""
    root = tmp_path_factory.mktemp("funnel")
    port = free_port()
    with serve_directory(root / "site") as site:
        # The lead loop's emails (double opt-in) go to a folder; their links to this receiver.
        loop = LoopSettings(public_url=f"http://127.0.0.1:{port}", mail_dir=root / "mail", poll_interval=0.2)
        app = LeadApp(Settings(db_path=root / "data" / "leads.sqlite3", site_origins=(origin(site),),
                               rate_limit=0, loop=loop))
        with running(app, port):
            # Built from the repository like live_site, into a folder of its own: the page and
            # card caches of the other builds of the sample site serve this one too.
            build = run_build(ROOT, site=root / "site",
                              env={"APPRODO_LEAD_ACTION": f"http://127.0.0.1:{port}/leads",
                                   "APPRODO_SITE_URL": site})
            assert build.returncode == 0, build.output
            yield {"site": site, "app": app, "port": port, "build": build, "root": root}


def short_link(build, landing: str, source: str) -> str:
    """The /go/<code>/ path of a landing page on a channel, read from the built pages."""
    pages = sorted((build.site / "go").glob("*/index.html"))
    assert pages
    for page in pages:
        target = re.search(r'data-target="([^"]*)"', page.read_text(encoding="utf-8")).group(1)
        if f"landing/{landing}/" in target and f"utm_source={source}&" in target:
            return f"go/{page.parent.name}/"
    raise AssertionError(f"no short link for {landing} on {source}")


def report(app: LeadApp, *args: str) -> dict:
    """`approdo-leads report --json`, run in this process: it is polled while beacons arrive,
    and a new Python process per poll cost more than the report (the report page test below
    runs the command as a process)."""
    app.counters.flush()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = leads_cli.main(["report", "--db", str(app.store.path), "--json", *args])
    assert code == 0
    return json.loads(out.getvalue())


def wait_for_report(app: LeadApp, check, timeout: float = 20.0) -> dict:
    """Beacons leave the page asynchronously: poll the report until ``check`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        data = report(app)
        if check(data) or time.monotonic() > deadline:
            return data
        time.sleep(0.2)


def by_key(data: dict, dimension: str) -> dict[str, dict]:
    return {row["key"]: row for row in data[f"by_{dimension}"]}


def confirmation_link(folder: Path, timeout: float = 15.0) -> str:
    """The link of the double opt-in email, once the receiver's outbox has written it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for _, message in mailer.listing(folder):
            found = re.search(r"http://127\.0\.0\.1:\d+/leads/conferma\?t=\S+", mailer.text_of(message))
            if found:
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no confirmation email in {folder}")


def visit(open_page, url: str, **options):
    """A page whose clock moves only when the test says so (see ``submit_lead``)."""
    page = open_page(**options)
    page.clock.install()
    page.goto(url)
    return page


def submit_lead(page, marketing: bool) -> None:
    page.locator("form[data-landing-form]").wait_for()
    fill_form(page)
    if marketing:
        page.check("input[name=marketing_consent]")
    # A person takes a while to fill a form; a faster one is quarantined (leads/spam.py).
    page.clock.fast_forward(30_000)
    page.click("button[type=submit]")
    page.locator("main [data-landing-thanks]").wait_for()


def test_tracked_visits_and_two_leads_make_the_funnel(funnel_site, open_page, tmp_path):
    site, app, build = funnel_site["site"], funnel_site["app"], funnel_site["build"]
    person = {"user_agent": BROWSER_AGENT}  # Chromium's own headless agent counts as a bot

    # A LinkedIn post's short link, twice; the first visitor leaves a lead with marketing consent.
    linkedin = short_link(build, "guida-gratuita", "linkedin")
    page = visit(open_page, f"{site}{linkedin}?utm_content=post-7", **person)
    page.wait_for_url(re.compile(r"/landing/guida-gratuita/\?"))
    assert "utm_content=post-7" in page.url
    submit_lead(page, marketing=True)
    # The visitor confirms the newsletter from the email: a confirmed marketing consent.
    page.goto(confirmation_link(funnel_site["root"] / "mail"))
    assert page.locator("h1").inner_text() == "Iscrizione confermata"
    page = open_page(f"{site}{linkedin}?utm_content=post-7", **person)
    page.wait_for_url(re.compile(r"/landing/guida-gratuita/\?"))
    page.locator("form[data-landing-form]").wait_for()

    # An Instagram reel's link straight to the landing page: a view, no lead.
    page = open_page(f"{site}landing/guida-gratuita/?utm_source=instagram&utm_medium=social"
                     "&utm_campaign=guida&utm_content=reel-2", **person)
    page.locator("form[data-landing-form]").wait_for()

    # An article's call to action, clicked; that reader leaves a lead without marketing consent.
    page = visit(open_page, f"{site}{ARTICLE}", **person)
    page.locator("[data-approdo-cta] a").last.click()
    page.wait_for_url(re.compile(r"/landing/consulenza/\?"))
    submit_lead(page, marketing=False)

    # A Facebook short link followed with JavaScript off: counted by the receiver's redirect.
    facebook = short_link(build, "consulenza", "facebook")
    page = open_page(f"{site}{facebook}", java_script_enabled=False, **person)
    page.wait_for_url(re.compile(r"/landing/consulenza/\?utm_source=facebook"))

    data = wait_for_report(app, lambda d: d["totals"]["views"] >= 4 and d["totals"]["clicks"] >= 4)
    totals = data["totals"]
    assert (totals["clicks"], totals["views"], totals["leads"], totals["confirmed"]) == (4, 4, 2, 1)
    assert totals["conversion"] == 0.5

    channels = by_key(data, "channel")
    assert set(channels) == {"linkedin", "instagram", "blog", "facebook"}
    linkedin_row = channels["linkedin"]
    assert (linkedin_row["clicks"], linkedin_row["views"], linkedin_row["leads"], linkedin_row["confirmed"]) == (2, 2, 1, 1)
    assert linkedin_row["conversion"] == 0.5 and linkedin_row["confirmation"] == 1.0
    assert (channels["instagram"]["views"], channels["instagram"]["leads"], channels["instagram"]["conversion"]) == (1, 0, 0.0)
    assert (channels["blog"]["clicks"], channels["blog"]["views"], channels["blog"]["leads"]) == (1, 1, 1)
    assert channels["blog"]["confirmed"] == 0 and channels["blog"]["confirmation"] == 0.0
    assert (channels["facebook"]["clicks"], channels["facebook"]["views"], channels["facebook"]["conversion"]) == (1, 0, None)

    posts = by_key(data, "post")
    assert (posts["post-7"]["views"], posts["post-7"]["leads"]) == (2, 1)
    assert (posts["reel-2"]["views"], posts["reel-2"]["leads"]) == (1, 0)
    articles = by_key(data, "article")
    assert list(articles) == ["metriche-che-contano"]
    assert (articles["metriche-che-contano"]["clicks"], articles["metriche-che-contano"]["leads"]) == (1, 1)
    pages = by_key(data, "page")
    assert (pages["guida-gratuita"]["views"], pages["guida-gratuita"]["leads"]) == (3, 1)
    assert (pages["consulenza"]["clicks"], pages["consulenza"]["leads"]) == (2, 1)
    not_converted = {(row["dimension"], row["key"]) for row in data["not_converted"]}
    assert {("channel", "instagram"), ("post", "reel-2"), ("channel", "facebook")} <= not_converted

    # The lead carries the post and the article it came from.
    conn = sqlite3.connect(app.store.path)
    try:
        rows = conn.execute("SELECT landing, utm_source, utm_medium, utm_content FROM leads ORDER BY id").fetchall()
    finally:
        conn.close()
    assert rows == [("guida-gratuita", "linkedin", "social", "post-7"),
                    ("consulenza", "blog", "cta", "metriche-che-contano")]

    # A headless browser is a bot: its visit is answered and left out.
    bot = open_page(f"{site}landing/guida-gratuita/?utm_source=linkedin")
    bot.locator("form[data-landing-form]").wait_for()
    deadline = time.monotonic() + 15
    while app.store.events().get("beacon-bot", 0) < 1 and time.monotonic() < deadline:
        app.counters.flush()
        time.sleep(0.2)
    assert app.store.events().get("beacon-bot", 0) == 1
    assert report(app)["totals"]["views"] == 4

    # Nothing that could identify a visitor is stored with the counters.
    conn = sqlite3.connect(app.store.path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(metrics)")]
    finally:
        conn.close()
    assert columns == ["day", "kind", "page", "utm_source", "utm_medium", "utm_campaign", "utm_content", "count"]


def test_report_page_reads_well_on_a_phone(funnel_site, open_page, tmp_path):
    """Runs after the funnel test (same receiver): the HTML report at 360 px."""
    app = funnel_site["app"]
    app.counters.flush()
    folder = tmp_path / "report"
    folder.mkdir()
    result = subprocess.run([sys.executable, "-m", "leads", "report", "--db", str(app.store.path),
                             "--html", str(folder / "index.html")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in re.sub(r'xmlns="[^"]*"', "", html)
    with serve_directory(folder) as url:
        page = open_page(url, viewport={"width": 360, "height": 740})
        assert page.locator("html").get_attribute("lang") == "it"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        charts = page.locator("svg")
        assert charts.count() >= 2
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box and box["width"] > 200 and box["x"] + box["width"] <= 360
        assert page.locator("svg rect").count() >= 4
        text = page.locator("body").inner_text()
        assert "linkedin" in text and "metriche-che-contano" in text and "50,0%" in text
        shot = page.screenshot(full_page=True)
        (tmp_path / "report-360.png").write_bytes(shot)
        assert len(shot) > 20_000

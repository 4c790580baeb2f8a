"""Lighthouse (npm, pinned in package-lock.json) on the home page, the newest post and a landing
page, with Debian's Chromium, offline, the site served gzip-compressed over kept-alive
connections like a real host (browser.HostLikeFiles): 100 in performance, accessibility, best
practices and SEO.

Lighthouse's mobile preset emulates a low-tier phone by slowing the host's CPU down 4x, which
assumes a desktop-class host. This machine is shared: measured with Lighthouse's own benchmark
it is often slower than that phone before any slowdown. The slowdown is therefore calibrated the
way Chrome DevTools calibrates it (host benchmark / the phone's benchmark, between 1x and 4x),
before each run. Other agents' work still stalls the browser at random (under the suite's own
load about one run in seven of home or post scored 96-99), so each page is run up to five times
and the median performance counts, as Lighthouse's own guidance on variability says
(docs/variability.md in the Lighthouse repository); a page stops once three of its runs agree,
as the others could not change the median. The three pages take turns, in one
Chromium (tests/lighthouse_runs.mjs), so a busy moment falls on one run of each page.
Accessibility, best practices and SEO do not depend on the host's speed: they are audited in
each page's first run, and must be 100 there; later runs audit performance only. Every run prints
its numbers.
"""

from __future__ import annotations

import json
import math
import os
import subprocess

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, page_kinds
from conftest import ROOT, LiveSite

pytestmark = pytest.mark.browser

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
RUNNER = ROOT / "tests" / "lighthouse_runs.mjs"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Chrome DevTools' CalibrationController: the benchmark index of the low-tier phone (Moto G
# Power 2022) that Lighthouse's mobile preset emulates.
LOW_TIER_PHONE = 264
RUNS = 5  # per page at most; the median counts


def cpu_slowdown(host_index: float) -> float:
    """The CPU slowdown that makes this host as fast as the emulated phone (1x to 4x), to one
    decimal, rounded half up as lighthouse_runs.mjs does."""
    return math.floor(10 * min(4.0, max(1.0, host_index / LOW_TIER_PHONE)) + 0.5) / 10


def lighthouse_runs(urls: list[str]) -> list[dict]:
    """RUNS rounds of Lighthouse over ``urls``: one dict per run (url, round, hostIndex,
    slowdown, lhr: the report)."""
    if not LIGHTHOUSE.is_file():
        pytest.fail("lighthouse is missing: run ./dev test (npm ci) first")
    options = {"urls": urls, "runs": RUNS, "categories": list(CATEGORIES),
               "lowTierPhone": LOW_TIER_PHONE, "chromeFlags": CHROMIUM_ARGS}
    result = subprocess.run(["node", str(RUNNER), json.dumps(options)], cwd=ROOT,
                            capture_output=True, text=True, timeout=1200,
                            env={**os.environ, "CHROME_PATH": CHROMIUM})
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def scores(report: dict) -> dict[str, int]:
    """The score of each category the run audited."""
    return {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES
            if name in report["categories"]}


def shortfalls(report: dict) -> list[str]:
    """Audits that cost points: "category: audit (score) value"."""
    found = []
    for name in CATEGORIES:
        for ref in report["categories"].get(name, {}).get("auditRefs", []):
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                found.append(f"{name}: {ref['id']} ({audit['score']}) "
                             f"{audit.get('displayValue', '')}")
    return found


def median_run(runs: list[dict]) -> dict:
    """The run whose performance is the median of the page's runs."""
    ordered = sorted(runs, key=lambda run: scores(run["lhr"])["performance"])
    return ordered[len(ordered) // 2]


@pytest.fixture(scope="module")
def runs(live_site: LiveSite) -> dict[str, list[dict]]:
    """Every run, by page name."""
    kinds = page_kinds(live_site.site)
    landing = next(path for kind, path in kinds.items() if kind.startswith("landing"))
    pages = {"home": "", "post": kinds["post"], "landing": landing}
    urls = {live_site.url + path: name for name, path in pages.items()}
    found: dict[str, list[dict]] = {name: [] for name in pages}
    for run in lighthouse_runs(list(urls)):
        found[urls[run["url"]]].append(run)
    lines = ["| page | run | performance | accessibility | best practices | SEO | CPU slowdown "
             "| host benchmark |", "|---|---|---|---|---|---|---|---|"]
    for name, page_runs in found.items():
        for run in page_runs:
            got = scores(run["lhr"])
            lines.append(f"| {name} | {run['round'] + 1} | "
                         + " | ".join(str(got.get(c, "")) for c in CATEGORIES)
                         + f" | {run['slowdown']}x | {run['hostIndex']:.0f} |")
        if page_runs:
            middle = scores(median_run(page_runs)["lhr"])["performance"]
            lines.append(f"| {name} | median | {middle} | | | | | |")
    version = next(run["lhr"]["lighthouseVersion"] for page_runs in found.values()
                   for run in page_runs)
    print(f"\nLighthouse {version} (mobile):\n" + "\n".join(lines))
    return found


def test_every_page_ran_until_its_median_was_decided_with_a_calibrated_slowdown(runs):
    """Up to RUNS runs; fewer only when a majority already agreed on 100 or on less, which the
    remaining runs could not change (tests/lighthouse_runs.mjs)."""
    majority = RUNS // 2 + 1
    for page_runs in runs.values():
        full = sum(scores(run["lhr"])["performance"] == 100 for run in page_runs)
        assert majority <= len(page_runs) <= RUNS
        assert len(page_runs) == RUNS or majority in (full, len(page_runs) - full), page_runs
        for run in page_runs:
            assert not run["lhr"].get("runtimeError"), run["lhr"].get("runtimeError")
            assert run["slowdown"] == cpu_slowdown(run["hostIndex"])
            assert run["lhr"]["configSettings"]["throttling"]["cpuSlowdownMultiplier"] == \
                run["slowdown"]
            assert run["lhr"]["configSettings"]["formFactor"] == "mobile"


@pytest.mark.parametrize("page", ["home", "post", "landing"])
def test_lighthouse_gives_100_in_accessibility_best_practices_and_seo(runs, page):
    """In the page's first run, the one that audits them; the others audit performance only."""
    first = [run for run in runs[page] if run["round"] == 0]
    assert len(first) == 1
    got = scores(first[0]["lhr"])
    assert {c: got.get(c) for c in CATEGORIES[1:]} == dict.fromkeys(CATEGORIES[1:], 100), \
        shortfalls(first[0]["lhr"])
    assert all(set(scores(run["lhr"])) == {"performance"}
               for run in runs[page] if run["round"] > 0)


@pytest.mark.parametrize("page", ["home", "post", "landing"])
def test_lighthouse_gives_100_in_performance(runs, page):
    """The median of the page's runs."""
    report = median_run(runs[page])["lhr"]
    assert scores(report)["performance"] == 100, shortfalls(report)


def test_the_site_is_served_compressed_like_a_real_host(runs):
    """Lighthouse saw gzip: the text-compression audit passed on every page."""
    for report in [run["lhr"] for page_runs in runs.values() for run in page_runs]:
        assert report["audits"]["uses-text-compression"]["score"] == 1
        encoded = [r for r in report["audits"]["network-requests"]["details"]["items"]
                   if r.get("mimeType") == "text/html"]
        assert encoded and all(r["transferSize"] < r["resourceSize"] for r in encoded), encoded


def test_calibrated_slowdown_stays_between_1x_and_4x():
    assert cpu_slowdown(100) == 1.0
    assert cpu_slowdown(LOW_TIER_PHONE * 2) == 2.0
    assert cpu_slowdown(LOW_TIER_PHONE * 2.25) == 2.3   # half up, as in lighthouse_runs.mjs
    assert cpu_slowdown(5000) == 4.0

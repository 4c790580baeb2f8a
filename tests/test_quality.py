"""Quality gates for the built sample site: HTML validity (the Nu Html Checker, vnu-jar) and
privacy (no page refers to anything on another origin). What the browser does with the pages
(axe-core, requests, overflow, console) is checked in test_pages_browser.py.

Everything runs on the one shared build (``real_site``). The checkers come from npm
(package-lock.json); ``./dev test`` installs them into node_modules/ with ``npm ci``.
Findings that belong to Material for MkDocs itself, not to our templates, are filtered by
short explicit allow-lists below, each entry with the reason it is not ours to fix.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from mkdocs.utils.yaml import get_yaml_loader

from approdo.frontmatter import parse
from browser import origin
from conftest import ROOT, Build
from dom import dom

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _need(path: Path) -> Path:
    """A checker installed by `npm ci`: a quality gate never skips silently when it is missing."""
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `./dev test` (or `npm ci`) first")
    return path


def _site_config() -> dict:
    """mkdocs.yml with its !ENV values resolved exactly as the build resolved them."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=get_yaml_loader())  # noqa: S506 - our own config file


# --- 1. HTML validity ------------------------------------------------------------------------

@dataclass(frozen=True)
class Known:
    """A finding that is Material's, not ours: an exact message plus a piece of the markup."""

    message: str
    extract: str
    why: str


VNU_KNOWN = (
    Known("Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "
          "“datetime-local”, “email”, “hidden”, “month”, “number”, “password”, “range”, "
          "“search”, “tel”, “text”, “time”, “url”, or “week”.",
          '<input class="md-toggle" data-md-toggle=',
          "Material's base.html puts autocomplete=off on its drawer and search checkbox toggles "
          "so that Firefox does not restore them checked after a back navigation."),
    Known("The value of the “for” attribute of the “label” element must be the ID of a "
          "non-hidden form control.",
          '<label class="md-nav__title" for="__toc">',
          "Material's partials/toc.html always labels the __toc toggle, which nav-item.html only "
          "renders for pages in the navigation: blog posts, the blog index and not_in_nav pages "
          "have a table of contents but no toggle."),
)

CANARY = ("<!DOCTYPE html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>canary</title>"
          "</head><body><img src=\"x.png\"></body></html>\n")
CANARY_MESSAGE = "An “img” element must have an “alt” attribute"


@dataclass
class VnuReport:
    messages: list[dict]
    seconds: float


@pytest.fixture(scope="module")
def vnu(real_site: Build, tmp_path_factory) -> VnuReport:
    """One run of the Nu Html Checker over the whole site, plus a canary page that must fail."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("the HTML checker needs Java 11 or later on PATH (Debian: default-jre-headless)")
    canary = tmp_path_factory.mktemp("vnu") / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run(
        # C1-only JIT: this short run takes about half the time; it also needs deeper thread
        # stacks, or vnu stops half-way with a StackOverflowError (printed on stdout).
        [java, "-Xss16m", "-XX:TieredStopAtLevel=1", "-jar", str(_need(VNU_JAR)),
         "--skip-non-html", "--errors-only", "--format", "json", str(real_site.site), str(canary)],
        capture_output=True, text=True, timeout=600,
    )
    seconds = time.perf_counter() - start
    # vnu prints its JSON report on stderr and exits 1 when it found errors; anything on
    # stdout means it gave up part-way.
    if result.returncode not in (0, 1) or result.stdout.strip():
        pytest.fail(f"vnu failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    try:  # skip anything the JVM prints first (e.g. "Picked up JAVA_TOOL_OPTIONS")
        report = json.loads(result.stderr[result.stderr.index("{"):])
    except ValueError:
        pytest.fail(f"vnu did not produce a JSON report (exit {result.returncode}):\n"
                    f"{result.stdout}\n{result.stderr}")
    print(f"\nvnu: {len(report['messages'])} messages in {seconds:.1f} s")
    return VnuReport(report["messages"], seconds)


def _where(message: dict, site: Path) -> str:
    url = message.get("url", "")
    path = url.removeprefix("file:")
    try:
        path = str(Path(path).relative_to(site))
    except ValueError:
        pass
    return f"{path}:{message.get('lastLine', '?')}"


def _is_known(message: dict) -> bool:
    return any(message.get("message") == known.message and known.extract in message.get("extract", "")
               for known in VNU_KNOWN)


def test_html_checker_catches_an_invalid_page(vnu: VnuReport):
    """The gate can fail: the canary page's missing alt is reported."""
    canary = [m for m in vnu.messages if m.get("url", "").endswith("/canary.html")]
    assert any(m["message"].startswith(CANARY_MESSAGE) for m in canary), canary


def test_built_pages_are_valid_html(vnu: VnuReport, real_site: Build):
    ours = [m for m in vnu.messages
            if not m.get("url", "").endswith("/canary.html") and not _is_known(m)]
    problems = sorted(f"{_where(m, real_site.site)}: {m['type']}: {m['message']}\n"
                      f"    {m.get('extract', '').strip()}" for m in ours)
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems)


# --- 4. no request to another origin ---------------------------------------------------------

# Navigation, not requests: a reader follows these only by clicking.
NAVIGATION_TAGS = {"a", "area"}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "poster", "data", "background",
                  "xlink:href", "manifest", "icon"}
CSS_URL = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""", re.I)


def _references(html: str) -> list[tuple[str, str, str]]:
    """Every URL a page makes the browser request: (tag, attribute, url)."""
    found = []
    for node in dom(html).iter():
        tag = node.tag
        for name, value in node.pairs:
            if not value:
                continue
            if name in URL_ATTRIBUTES and tag not in NAVIGATION_TAGS:
                found.append((tag, name, value.strip()))
            elif name in ("srcset", "imagesrcset"):
                found.extend((tag, name, candidate.split()[0])
                             for candidate in value.split(",") if candidate.strip())
            elif name == "style":
                found.extend((tag, "style", url) for url in _css_urls(value))
        if tag == "style":
            found.extend(("style", "url()", url) for url in _css_urls(node.raw_text()))
    return found


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def _allowed_form_actions(config: dict) -> set[str]:
    """The configured receiver, and any receiver a landing page names in its front matter."""
    actions = {str(config["extra"]["approdo"]["leads"]["action"])}
    for page in sorted((ROOT / "docs" / "landing").glob("*.md")):
        data = parse(page.read_text(encoding="utf-8")).data or {}
        form = data.get("form")
        if isinstance(form, dict) and form.get("action"):
            actions.add(str(form["action"]))
    return actions


def _off_site(url: str, site_origin: str) -> bool:
    """True when loading ``url`` would contact a host that is not this site."""
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False  # relative, data:, mailto:, #fragment...
    return parts.hostname not in LOCAL_HOSTS and origin(url) != site_origin


def test_no_page_loads_anything_from_another_origin(real_site: Build):
    config = _site_config()
    site_origin = origin(str(config["site_url"]))
    actions = _allowed_form_actions(config)
    pages = sorted(real_site.site.rglob("*.html"))
    stylesheets = sorted(real_site.site.rglob("*.css"))
    assert len(pages) > 20 and stylesheets
    problems = []
    for page in pages:
        for tag, attribute, url in _references(page.read_text(encoding="utf-8")):
            if tag == "form" and attribute == "action" and url in actions:
                continue
            if _off_site(url, site_origin):
                problems.append(f"{page.relative_to(real_site.site)}: <{tag} {attribute}> {url}")
    for sheet in stylesheets:
        for url in _css_urls(sheet.read_text(encoding="utf-8", errors="replace")):
            if _off_site(url, site_origin):
                problems.append(f"{sheet.relative_to(real_site.site)}: url() {url}")
    assert not problems, "requests to other origins:\n" + "\n".join(problems)


def test_reference_scanner_sees_every_kind_of_request():
    """The scanner is not blind: each way a page can pull in a third party is caught."""
    page = """
      <link rel="stylesheet" href="https://cdn.example.com/a.css">
      <script src="//cdn.example.com/a.js"></script>
      <img srcset="/ok.png 1x, https://img.example.com/b.png 2x" src="/ok.png">
      <iframe src="https://www.youtube.com/embed/x"></iframe>
      <form action="https://forms.example.com/post"></form>
      <div style="background: url('https://img.example.com/c.png')"></div>
      <style>@import "https://fonts.example.com/d.css";</style>
      <a href="https://www.linkedin.com/">navigation is fine</a>
      <link rel="canonical" href="https://www.example.it/pagina/">
      <img src="data:image/png;base64,AAAA"><img src="../e.png">
    """
    off = [(tag, url) for tag, _, url in _references(page) if _off_site(url, "https://www.example.it")]
    assert off == [
        ("link", "https://cdn.example.com/a.css"),
        ("script", "//cdn.example.com/a.js"),
        ("img", "https://img.example.com/b.png"),
        ("iframe", "https://www.youtube.com/embed/x"),
        ("form", "https://forms.example.com/post"),
        ("div", "https://img.example.com/c.png"),
        ("style", "https://fonts.example.com/d.css"),
    ]


# Accessibility (axe-core), requests made by the browser, sideways scroll and console errors are
# checked page kind by page kind in tests/test_pages_browser.py.

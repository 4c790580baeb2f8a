"""Adversarial review of "escape everything authors or visitors supply", kept as a test.

One fixture site is built with hostile payloads in every place the content validator lets them
through (landing pages escape instead of refusing; tags, social texts, author profiles, the
glossary, post bodies, image alt texts, a download file name, brand settings and the site
name), then every built file is walked: HTML is parsed as a browser splits it (no injected
script, event attribute or javascript: URL), XML and JSON files and JSON-LD blocks must parse,
the HTML inside feeds and the search index must be inert, and no template expression may have
been evaluated. Two small failing builds check that the places which refuse markup say so with
``path:line``. In Chromium, the hostile landing page is opened with a hostile query string and
any dialog fails the test. Last, the lead receiver: ``_next`` tricks, header injection, error
pages, CORS.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from approdo import lead_form
from browser import serve_directory
from conftest import make_project, run_build
from leads.app import LeadApp
from leads.config import Settings, origin_of
from leads.harness import SITE, post_form, post_json, request, running, sample_lead
from test_landing import dom

# --- payloads -----------------------------------------------------------------------------------

BREAK_ATTR = '"><script>alert(1)</script>'
BREAK_SCRIPT = "</script><script>alert(2)</script>"
EVENT_ATTR = "' onmouseover='alert(3)"
JS_URL = "javascript:alert(4)"
TEMPLATE = "{{ 7*7 }}"
CDATA_END = "]]>"
IMG_ONERROR = "<img src=x onerror=alert(5)>"
# Everything at once, for fields that take any text.
HOSTILE = " ".join([BREAK_ATTR, BREAK_SCRIPT, EVENT_ATTR, JS_URL, TEMPLATE, CDATA_END, IMG_ONERROR])
# What a field that refuses < and > still accepts.
NO_BRACKETS = " ".join([EVENT_ATTR, '" onload="alert(6)', JS_URL, TEMPLATE, "&amp; &"])
# What an author's name or description still accepts (Material prints them inside alt="").
NO_QUOTES = " ".join([EVENT_ATTR, JS_URL, TEMPLATE, "&amp; &"])

# New lines that would start properties of their own in a calendar file (RFC 5545).
ICS_BREAK = "\r\nATTACH:https://evil.example/x\nBEGIN:VALARM\r\n;X=1,\\"
# A spreadsheet formula at the start of a cell (the social kit's CSV).
FORMULA = '=HYPERLINK("https://example.org";"x")'
SLUG = "ostile"
# A file of the site whose name breaks out of an attribute (the thank-you page's download).
DOWNLOAD_NAME = 'guida" onmouseover="alert(8).pdf'
POST_TITLE = "Un articolo con ospiti " + NO_BRACKETS
GUIDE_TITLE = "Una guida con ospiti " + NO_BRACKETS
ALERT = re.compile(r"alert\(\d\)")


def _yaml(value: str) -> str:
    """A YAML scalar holding ``value`` exactly (a JSON string is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


LANDING = f"""---
title: {_yaml(HOSTILE)}
description: {_yaml(HOSTILE)}
offer:
  headline: {_yaml("Titolo " + HOSTILE)}
  subheadline: {_yaml("Sotto " + HOSTILE)}
  benefits:
    - {_yaml("Beneficio " + HOSTILE)}
    - {_yaml(JS_URL)}
  difference: {_yaml("Differenza " + HOSTILE)}
form:
  fields: [name, message]
  labels:
    message: {_yaml("Etichetta " + HOSTILE)}
  submit: {_yaml("Invia " + HOSTILE)}
thanks:
  title: {_yaml("Grazie " + HOSTILE)}
  text: {_yaml("Testo di ringraziamento " + NO_BRACKETS)}
  download: {_yaml("/assets/landing/" + DOWNLOAD_NAME)}
  download_label: {_yaml("Scarica " + HOSTILE)}
event:
  start: 2027-03-01T09:30
  end: 2027-03-01T13:00
  place: {_yaml("Sala " + ICS_BREAK + " " + HOSTILE)}
  address:
    street: {_yaml("Via " + ICS_BREAK + " " + HOSTILE)}
    postal_code: "40122"
    city: {_yaml("Bologna " + HOSTILE)}
  online: {_yaml("https://meet.example/?x=" + BREAK_ATTR + EVENT_ATTR)}
tags: [{_yaml("etichetta " + NO_BRACKETS)}]
social:
  text: {_yaml("Social " + HOSTILE)}
  x: {_yaml(FORMULA + " " + HOSTILE)}
---

## Perché

Corpo della pagina: {NO_BRACKETS}
"""

POST = f"""---
title: {_yaml(POST_TITLE)}
description: {_yaml("Descrizione " + NO_BRACKETS)}
date: 2026-03-01
authors: [giulia]
categories: [Strategia]
tags: [{_yaml("tag " + NO_BRACKETS)}, sicurezza]
landing: {SLUG}
social:
  text: {_yaml("Testo social " + HOSTILE)}
---

# {POST_TITLE}

Un ospite scrive {NO_BRACKETS} nel testo, e `{HOSTILE}` in un frammento di codice.

<!-- more -->

![Alt {NO_BRACKETS}](../../assets/images/autori/giulia.svg "Titolo {EVENT_ATTR}")

Un [link](../../kb/pagina.md "{EVENT_ATTR} {TEMPLATE}") con un titolo ostile.

```
{HOSTILE}
```
"""

GUIDE = f"""---
title: {_yaml(GUIDE_TITLE)}
description: {_yaml("Guida " + NO_BRACKETS)}
tags: [{_yaml("tag " + NO_BRACKETS)}]
subtitle: {_yaml("Sottotitolo " + NO_BRACKETS)}
status: new
---

# {GUIDE_TITLE}

L'ospite arriva e scrive {NO_BRACKETS}.
"""

GLOSSARY = f"""---
title: Glossario
description: Le parole spiegate.
---

# Glossario

## Ospite

Chi arriva senza invito e scrive {NO_BRACKETS} ovunque.

Altro testo.
"""

AUTHORS = f"""authors:
  giulia:
    name: {_yaml("Giulia " + NO_QUOTES)}
    description: {_yaml("Autrice " + NO_QUOTES)}
    avatar: assets/images/autori/giulia.svg
  marco:
    name: Marco Bellandi
    description: Social media manager
    avatar: assets/images/autori/marco.svg
"""

FILES = {
    f"landing/{SLUG}.md": LANDING,
    "blog/posts/ostile.md": POST,
    "blog/.authors.yml": AUTHORS,
    "kb/pagina.md": GUIDE,
    "kb/glossario.md": GLOSSARY,
}

CONFIG = {
    # Material prints site_name raw (header, also inside aria-label=""): see the report.
    "site_name": "Maestrale " + NO_QUOTES,
    "nav": [{"Home": "index.md"}, {"Blog & News": ["blog/index.md"]},
            {"Guide": ["kb/index.md", "kb/pagina.md", "kb/glossario.md"]}, {"Tag": "tags.md"}],
}
BRAND = {
    "name": "Brand " + HOSTILE,
    "tagline": "Motto " + HOSTILE,
    "city": "Città " + HOSTILE,
    "email": JS_URL,
    "address": "Via " + HOSTILE,
    "profiles": [JS_URL],
    "twitter": "@" + HOSTILE,
}


def _set_brand(project: Path) -> None:
    """Replace the sample brand in the fixture's mkdocs.yml with the hostile one."""
    path = project / "mkdocs.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    brand:\n")
    end = text.index("    leads:\n")
    block = "    brand:\n" + "".join(f"      {key}: {json.dumps(value, ensure_ascii=False)}\n"
                                   for key, value in BRAND.items())
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("security"), FILES, CONFIG)
    _set_brand(project)
    landing_assets = project / "docs" / "assets" / "landing"
    (landing_assets / DOWNLOAD_NAME).write_bytes(
        (landing_assets / "guida-dai-social-ai-clienti.pdf").read_bytes())
    build = run_build(project)
    assert build.returncode == 0, build.output
    return build


# --- what a browser would execute ---------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcset",
                  "background", "cite", "longdesc", "ping"}


@dataclass
class Findings:
    """What a browser would run in a page: scripts, event handlers, javascript: URLs."""

    problems: list[str]
    json_ld: list[str]


def html_findings(html: str) -> Findings:
    found = Findings([], [])
    for node in dom(html).iter():
        tag = node.tag
        for name, value in node.pairs:
            if name.startswith("on") and ALERT.search(value):
                found.problems.append(f"<{tag} {name}={value!r}>")
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(("javascript:", "vbscript:")):
                found.problems.append(f"<{tag} {name}={value!r}>")
            if (tag == "meta" and (node.get("http-equiv") or "").lower() == "refresh"
                    and "javascript:" in squeezed):
                found.problems.append(f"<meta refresh {value!r}>")
        if tag == "script":
            text = node.raw_text()
            if node.get("type") == "application/ld+json":
                found.json_ld.append(text)
            elif ALERT.search(text):
                found.problems.append(f"<script>{text[:80]!r}")
    return found


# A template engine that evaluated "{{ 7*7 }}" leaves "alert(4) 49" where the payload has
# "alert(4) {{ 7*7 }}".
EVALUATED = re.compile(r"alert\(4\)\W{0,12}49\b")


def built_files(build) -> list[Path]:
    """Every file the build wrote that can hold author or visitor text (not theme assets)."""
    return sorted(path for path in build.site.rglob("*")
                  if path.is_file() and path.suffix != ".gz"
                  and not path.relative_to(build.site).as_posix().startswith("assets/"))


# --- places that refuse markup: one failing build, every error reported with path:line --------

REFUSED_POST = f"""---
title: {_yaml("Titolo " + BREAK_ATTR)}
description: {_yaml("Descrizione " + IMG_ONERROR)}
date: 2026-03-01
authors: [giulia]
categories: [Strategia]
tags: [sicurezza, {_yaml(IMG_ONERROR)}]
image: {_yaml(JS_URL)}
---

# Titolo

Testo.

<!-- more -->
"""

REFUSED_GUIDE = f"""---
title: {_yaml(BREAK_SCRIPT)}
description: {_yaml("Guida " + BREAK_ATTR)}
tags: [{_yaml(BREAK_ATTR)}]
subtitle: {_yaml(IMG_ONERROR)}
status: {_yaml('new" onmouseover="alert(10)')}
---

# Guida
"""

REFUSED_LANDING = f"""---
title: Offerta
description: Una pagina di prova.
offer:
  headline: Una promessa
form:
  fields: [name]
  submit: Invia
  action: {_yaml(JS_URL)}
thanks:
  title: Grazie
  text: Ti ricontattiamo presto.
  download: {_yaml(JS_URL)}
tags:
  - prova
  - {_yaml(BREAK_ATTR)}
event:
  start: 2027-03-01T09:30
  online: {_yaml(JS_URL)}
---

Testo.
"""

REFUSED_AUTHORS = f"""authors:
  giulia:
    name: {_yaml('Giulia" onload="alert(1)')}
    description: {_yaml("Autrice " + IMG_ONERROR)}
    avatar: assets/images/autori/giulia.svg
  marco:
    name: Marco Bellandi
    description: Social media manager
    avatar: {_yaml("assets/images/autori/marco.svg" + BREAK_ATTR)}
    url: {_yaml(JS_URL)}
"""

REFUSED = {
    "blog/posts/rifiutato.md": REFUSED_POST,
    "kb/rifiutata.md": REFUSED_GUIDE,
    "landing/rifiutata.md": REFUSED_LANDING,
}
REFUSED_CONFIG = {**CONFIG, "nav": [{"Home": "index.md"}, {"Blog & News": ["blog/index.md"]},
                                    {"Guide": ["kb/index.md", "kb/rifiutata.md"]}, {"Tag": "tags.md"}]}


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("security-refused"), REFUSED, REFUSED_CONFIG)
    return run_build(project)


@pytest.fixture(scope="module")
def refused_authors(tmp_path_factory):
    # The blog plugin reads .authors.yml while the configuration loads: its errors stop the
    # build before any page is read, so they get a build of their own (a fast one).
    project = make_project(tmp_path_factory.mktemp("security-authors"),
                           {"blog/.authors.yml": REFUSED_AUTHORS}, CONFIG)
    return run_build(project)


def squeeze(text: str) -> str:
    return " ".join(text.split())


def as_markup(text: str) -> str:
    """What a reader sees of ``text`` where Markdown or Material takes it as markup (entities
    such as &amp; are read): the places that refuse < and > (and, for author names, quotes)."""
    return html.unescape(text)


# --- every built file ---------------------------------------------------------------------------

def test_no_built_page_runs_injected_code(site):
    pages = [path for path in built_files(site) if path.suffix == ".html"]
    assert len(pages) > 15
    problems = {}
    for path in pages:
        found = html_findings(path.read_text(encoding="utf-8")).problems
        if found:
            problems[path.relative_to(site.site).as_posix()] = found
    assert problems == {}


def test_json_ld_blocks_parse_and_hold_the_payload_as_data(site):
    blocks = 0
    for path in built_files(site):
        if path.suffix == ".html":
            for block in html_findings(path.read_text(encoding="utf-8")).json_ld:
                json.loads(block)
                blocks += 1
    assert blocks > 15
    # On the landing page the JSON-LD is one element that still holds the whole title, as data.
    [block] = html_findings(site.read(f"landing/{SLUG}/")).json_ld
    assert HOSTILE in json.dumps(json.loads(block), ensure_ascii=False)


def _feed_html(root: ET.Element) -> list[str]:
    """The parts of a feed that readers render as HTML."""
    html_tags = {"{http://purl.org/rss/1.0/modules/content/}encoded", "description",
                 "{http://www.w3.org/2005/Atom}content", "{http://www.w3.org/2005/Atom}summary"}
    return [element.text for element in root.iter() if element.tag in html_tags and element.text]


def test_xml_files_parse_and_feed_html_runs_nothing(site):
    xml_files = [path for path in built_files(site) if path.suffix == ".xml"]
    names = {path.relative_to(site.site).as_posix() for path in xml_files}
    assert {"sitemap.xml", "feed.xml", "atom.xml"} <= names
    for path in xml_files:
        root = ET.parse(path).getroot()
        for markup in _feed_html(root):
            assert html_findings(markup).problems == [], path
    # The post's code block reached the feed as escaped text, not as markup.
    rss = ET.parse(site.site / "feed.xml").getroot()
    content = rss.find(".//{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert HOSTILE in "".join(dom(content).find("pre").text().split("\n"))


def test_json_files_parse_and_feed_html_runs_nothing(site):
    json_files = {path.relative_to(site.site).as_posix(): path
                  for path in built_files(site) if path.suffix == ".json"}
    assert {"feed.json", "search/search_index.json", "social-kit.json"} <= set(json_files)
    for path in json_files.values():
        json.loads(path.read_text(encoding="utf-8"))
    feed = json.loads(json_files["feed.json"].read_text(encoding="utf-8"))
    for item in feed["items"]:
        assert html_findings(item["content_html"]).problems == []


def _search_docs(site) -> list[dict]:
    return json.loads(site.read("search/search_index.json"))["docs"]


def test_search_index_entries_are_inert(site):
    # Material's search shows titles, texts and tags with innerHTML: each must be inert HTML.
    docs = [doc for doc in _search_docs(site) if not doc["location"].startswith("landing/")]
    assert any(doc["location"].startswith("blog/2026/03/") for doc in docs)
    for doc in docs:
        for markup in [doc["title"], doc["text"], *doc.get("tags", [])]:
            assert html_findings(markup).problems == [], doc["location"]
            assert "<img" not in markup and "<script" not in markup, doc["location"]


def test_landing_title_in_search_index_is_inert(site):
    docs = [doc for doc in _search_docs(site) if doc["location"].startswith(f"landing/{SLUG}/")]
    assert docs
    for doc in docs:
        assert "<img" not in doc["title"] and html_findings(doc["title"]).problems == []


def test_no_template_expression_is_evaluated(site):
    for path in built_files(site):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        assert not EVALUATED.search(text), path
    # The expression is still there, literally, where it was written.
    assert TEMPLATE in dom(site.read(f"landing/{SLUG}/")).find("h1").text()


def _ics_lines(text: str) -> list[str]:
    """The content lines of a calendar file, unfolded (RFC 5545 §3.1)."""
    assert text.endswith("\r\n")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_calendar_file_keeps_every_text_inside_its_property(site):
    ics = (site.site / f"landing/{SLUG}/{SLUG}.ics").read_bytes().decode("utf-8")
    lines = _ics_lines(ics)
    # Every line is a property ("NAME:" or "NAME;PARAM=...:"): no text started a line of its own.
    assert all(re.match(r"[A-Z-]+[;:]", line) for line in lines), lines
    begins = [line.split(":", 1)[1] for line in lines if line.startswith("BEGIN:")]
    assert begins.count("VEVENT") == 1 and "VALARM" not in begins
    assert not [line for line in lines if line.startswith("ATTACH")]
    [location] = [line for line in lines if line.startswith("LOCATION:")]
    assert "\\nATTACH:https://evil.example/x\\nBEGIN:VALARM\\n\\;X=1\\,\\\\" in location


def test_robots_txt_is_plain(site):
    robots = site.read("robots.txt")
    assert robots.startswith("User-agent: *")
    assert "alert(" not in robots and "{{" not in robots


# --- landing pages: escaped, never dropped ------------------------------------------------------

def test_landing_page_shows_every_payload_as_text(site):
    html = site.read(f"landing/{SLUG}/")
    page = dom(html)
    assert squeeze(page.find("title").text()) == f"{HOSTILE} - {CONFIG['site_name']}"
    assert page.find("h1", **{"class": "ld-headline"}).text() == "Titolo " + HOSTILE
    assert page.find("p", **{"class": "ld-lead"}).text() == "Sotto " + HOSTILE
    benefits = [li.text() for li in page.find("ul", **{"class": "ld-benefits"}).find_all("li")]
    assert benefits == ["Beneficio " + HOSTILE, JS_URL]
    assert page.find("section", **{"class": "ld-why"}).find("p").text() == "Differenza " + HOSTILE
    label = page.find("label", **{"for": "ld-message"}).text()
    assert label.startswith("Etichetta " + HOSTILE)
    assert page.find("button", type="submit").text() == "Invia " + HOSTILE
    where = page.find("div", **{"class": "ld-event"}).text()
    assert squeeze("Sala " + ICS_BREAK + " " + HOSTILE) in where
    assert [a.text() for a in page.find_all("a", **{"class": "ld-button"})][0] == "Invia " + HOSTILE
    brand = page.find("a", **{"class": "ld-brand"}).text()
    assert brand == BRAND["name"]
    footer = page.find("footer", **{"class": "ld-footer"}).text()
    assert BRAND["tagline"] in footer
    # The brand's e-mail is a mailto: address, never a script URL.
    assert page.find("footer", **{"class": "ld-footer"}).find("a").attrs["href"] == "mailto:" + JS_URL
    # Meta tags keep the text as an attribute value (the description loses only its tags).
    head = page.find("head")
    og_title = [meta.attrs["content"] for meta in head.find_all("meta", property="og:title")]
    assert og_title == [HOSTILE]
    assert "<" not in head.find("meta", name="description").attrs["content"]


def test_thank_you_page_shows_every_payload_as_text(site):
    page = dom(site.read(f"landing/{SLUG}/grazie/"))
    assert page.find("h1").text() == "Grazie " + HOSTILE
    # thanks.text is Markdown, like the page body.
    prose = page.find("div", **{"class": "ld-prose"}).text()
    assert as_markup("Testo di ringraziamento " + NO_BRACKETS) in prose
    download = page.find("p", **{"class": "ld-thanks__download"}).find("a")
    assert download.text() == "Scarica " + HOSTILE
    assert download.attrs["href"] == "../../../assets/landing/" + DOWNLOAD_NAME
    assert set(download.attrs) == {"class", "href", "download"}


def test_hidden_fields_carry_no_author_text(site):
    page = dom(site.read(f"landing/{SLUG}/"))
    for field in page.find("form").find_all("input", type="hidden"):
        assert "alert(" not in field.attrs.get("value", ""), field.attrs


# --- the other places hostile text reaches -------------------------------------------------------

def _post_url(site) -> str:
    [entry] = [doc["location"] for doc in _search_docs(site)
               if doc["location"].startswith("blog/2026/03/") and "#" not in doc["location"]]
    return entry


def test_post_shows_tags_title_and_body_payloads_as_text(site):
    page = dom(site.read(_post_url(site)))
    tags = [a.text() for a in page.find("nav", **{"class": "md-tags"}).find_all("a")]
    assert as_markup("tag " + NO_BRACKETS) in tags
    assert page.find("h1").text().startswith(as_markup(POST_TITLE))  # the Markdown heading
    assert squeeze(page.find("title").text()) == f"{POST_TITLE} - {CONFIG['site_name']}"
    code = page.find("article").find_all("code")
    assert any(node.text() == HOSTILE for node in code)
    images = [img.attrs for img in page.find("article").find_all("img")
              if img.attrs.get("src", "").endswith("giulia.svg") and "title" in img.attrs]
    assert images == [{**images[0], "alt": as_markup("Alt " + NO_BRACKETS), "title": "Titolo " + EVENT_ATTR}]


def test_author_name_and_description_are_text(site):
    name = "Giulia " + NO_QUOTES
    page = dom(site.read(_post_url(site)))
    avatars = [img for img in page.find_all("img") if img.attrs.get("src", "").endswith("giulia.svg")
               and "title" not in img.attrs]
    assert avatars and all(img.attrs["alt"] == as_markup(name) for img in avatars)
    profile = dom(site.read("blog/author/giulia/"))
    assert profile.find("p", **{"class": "approdo-author__description"}).text() == "Autrice " + NO_QUOTES


def test_navigation_shows_subtitle_and_status_as_text(site):
    page = dom(site.read("kb/index.html"))
    subtitles = [node.text() for node in page.find_all("small")]
    assert as_markup("Sottotitolo " + NO_BRACKETS) in subtitles
    assert page.find_all("span", **{"class": "md-status md-status--new"})


def test_glossary_tooltip_holds_the_definition_as_an_attribute(site):
    page = dom(site.read("kb/pagina/"))
    links = [a for a in page.find_all("a") if (a.attrs.get("href") or "").endswith("glossario/#ospite")]
    assert links, "the glossary term is not linked"
    tooltip = links[0].attrs["title"]
    assert tooltip.startswith(f"Chi arriva senza invito e scrive {EVENT_ATTR} \" onload=\"alert(6) {JS_URL}")
    assert not EVALUATED.search(tooltip)


def test_tag_page_lists_the_landing_page_title_as_text(site):
    page = dom(site.read("tags/"))
    titles = [a.text() for a in page.find("article").find_all("a")]
    assert HOSTILE in titles


def test_brand_reaches_json_ld_as_data(site):
    [block] = html_findings(site.read("")).json_ld
    graph = json.loads(block)["@graph"]
    organization = next(item for item in graph if item["@type"] == "Organization")
    assert organization["name"] == BRAND["name"]
    assert organization["sameAs"] == [JS_URL]


def test_social_kit_keeps_texts_and_neutralises_formulas(site):
    rows = list(csv.DictReader(io.StringIO(site.read("social-kit.csv").lstrip("\ufeff"))))
    kit = json.loads(site.read("social-kit.json"))
    assert len(rows) == len(kit["rows"]) > 0
    x_row = next(row for row in rows if row["slug"] == SLUG and row["channel"] == "x")
    # A spreadsheet shows the formula as text; programs reading the JSON get it verbatim.
    assert x_row["text"] == "'" + FORMULA + " " + HOSTILE
    assert x_row["title"] == HOSTILE
    x_json = next(row for row in kit["rows"] if row["slug"] == SLUG and row["channel"] == "x")
    assert x_json["text"] == FORMULA + " " + HOSTILE
    assert [{key: value.lstrip("'") for key, value in row.items()} for row in rows] == [
        {key: value.lstrip("'") for key, value in row.items()} for row in kit["rows"]]
    cells = [value for row in rows for value in row.values()]
    assert cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


# --- refusals ------------------------------------------------------------------------------------

REFUSALS = [
    "docs/blog/posts/rifiutato.md:2: title contains markup characters < or >",
    "docs/blog/posts/rifiutato.md:3: description contains markup characters < or >",
    "docs/blog/posts/rifiutato.md:7: tag '<img src=x onerror=alert(5)>' contains markup characters < or >",
    "docs/blog/posts/rifiutato.md:8: image 'javascript:alert(4)' is not PNG",
    "docs/kb/rifiutata.md:2: title contains markup characters < or >",
    "docs/kb/rifiutata.md:3: description contains markup characters < or >",
    "docs/kb/rifiutata.md:4: tag '\"><script>alert(1)</script>' contains markup characters < or >",
    "docs/kb/rifiutata.md:5: subtitle contains markup characters < or >",
    "docs/kb/rifiutata.md:6: status 'new\" onmouseover=\"alert(10)' is not a status name",
    "docs/landing/rifiutata.md:9: form action 'javascript:alert(4)' is not https://",
    "docs/landing/rifiutata.md:13: download 'javascript:alert(4)' is neither a site path nor https://",
    "docs/landing/rifiutata.md:16: tag '\"><script>alert(1)</script>' contains markup characters < or >",
    "docs/landing/rifiutata.md:19: online address 'javascript:alert(4)' is not https://",
]


def test_refused_payloads_fail_the_build(refused):
    assert refused.returncode != 0
    assert not (refused.site / "landing" / "rifiutata").exists()


@pytest.mark.parametrize("message", REFUSALS)
def test_refused_payload_message(refused, message):
    assert message in refused.output


def test_author_markup_is_refused(refused_authors):
    assert refused_authors.returncode != 0
    assert ("docs/blog/.authors.yml:3: name of author 'giulia' contains markup characters < > or \""
            in refused_authors.output)
    assert ("docs/blog/.authors.yml:4: description of author 'giulia' contains markup characters"
            in refused_authors.output)
    # Material prints the avatar into src="" and the profile link into href="", raw.
    assert ("docs/blog/.authors.yml:9: avatar of author 'marco': link 'assets/images/autori/marco.svg"
            + BREAK_ATTR + "' contains spaces, quotes or < >") in refused_authors.output
    assert ("docs/blog/.authors.yml:10: url of author 'marco': link 'javascript:alert(4)' is neither "
            "an http(s) address nor a path on this site") in refused_authors.output


# --- in a browser ---------------------------------------------------------------------------------

HOSTILE_QUERY = {
    "utm_source": BREAK_ATTR,
    "utm_medium": EVENT_ATTR,
    "utm_campaign": BREAK_SCRIPT + " " + "x" * 200,
    "utm_content": JS_URL,
    "utm_term": IMG_ONERROR + " " + TEMPLATE,
}


@pytest.fixture(scope="module")
def served(site):
    """The hostile fixture site on an ephemeral 127.0.0.1 port (its base URL)."""
    with serve_directory(site.site) as url:
        yield url


def open_watched(open_page, url: str):
    """A page at ``url`` whose dialogs (alert, confirm...) are recorded and dismissed; the
    handler is in place before the page loads. Requests off 127.0.0.1 fail ``open_page``."""
    dialogs: list[str] = []
    page = open_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="load")
    return page, dialogs


def _clean_utm(value: str) -> str:
    """What the contract lets a UTM value keep (lead_form.UTM_PATTERN is "[chars]*")."""
    allowed = lead_form.UTM_PATTERN[1:-2]
    return re.sub(f"[^{allowed}]", "", value)[:lead_form.UTM_MAX_LENGTH]


@pytest.mark.browser
def test_hostile_landing_page_and_query_string_run_nothing(served, open_page):
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in HOSTILE_QUERY.items())
    page, dialogs = open_watched(open_page, f"{served}landing/{SLUG}/?{query}")
    # Hover and focus everything a payload was written into, in case an attribute got through.
    for selector in ("h1", ".ld-lead", ".ld-benefits li", ".ld-why p", ".ld-field label", ".ld-submit",
                     ".ld-brand", ".ld-footer"):
        for element in page.locator(selector).all():
            element.hover()
    page.focus("#ld-message")
    page.wait_for_timeout(200)
    assert dialogs == []
    assert page.locator("h1").inner_text() == "Titolo " + HOSTILE
    for name, value in HOSTILE_QUERY.items():
        kept = page.eval_on_selector(f"input[name={name}]", "input => input.value")
        assert kept == _clean_utm(value)
        assert lead_form.is_valid(lead_form.FIELDS_BY_NAME[name], kept)
    assert page.eval_on_selector("input[name=utm_source]", "input => input.value") == "scriptalert1script"
    # The page URL is kept whole, as a value: it is data for the receiver, never markup.
    page_url_field = page.get_attribute("form[data-landing-form]", "data-page-url-field")
    page_url = page.eval_on_selector(f"input[name={page_url_field}]", "input => input.value")
    assert page_url.startswith("http://127.0.0.1:") and "%3Cscript%3E" in page_url
    # No element or attribute came from the query string.
    assert page.evaluate("document.querySelectorAll('script:not([src]):not([type])').length") == 0


@pytest.mark.browser
def test_searching_shows_the_landing_title_as_text(served, open_page):
    page, dialogs = open_watched(open_page, served)
    box = page.locator(".md-search__input")
    box.click()
    # Typed, not filled: Material searches on key events. "corpo" is in the landing page body.
    box.press_sequentially("corpo", delay=20)
    page.wait_for_selector(".md-search-result__item")
    # An injected image fails to load, then its onerror runs: give it time to.
    for _ in range(30):
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == []


# --- the lead receiver: what tests/test_leads_*.py do not cover yet -----------------------------

def _receiver_app(tmp_path_factory):
    db = tmp_path_factory.mktemp("security-leads") / "leads.sqlite3"
    return LeadApp(Settings(db_path=db, site_origins=(SITE,), rate_limit=0))


@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    with running(_receiver_app(tmp_path_factory)) as port:
        yield port


def _browser_origin(url: str) -> str | None:
    """The origin a browser goes to: the URL Standard reads "\\" as "/" in http(s) URLs."""
    return origin_of(url.replace("\\", "/"))


def _lead(email: str, **extra: str) -> dict[str, str]:
    return sample_lead(email, "consulenza", **extra)


# _next values that must never send the visitor away from the allowed site.
NEXT_TRICKS = {
    "userinfo": "http://127.0.0.1:8000@evil.example/",
    "fragment before @": "http://evil.example#@127.0.0.1:8000/",
    "query before @": "http://evil.example?@127.0.0.1:8000/",
    "scheme-relative": "//evil.example/",
    "slash-backslash": "http:/\\evil.example/",
    "encoded backslash": "http://evil.example%5C@127.0.0.1:8000/",
    "look-alike host": "http://127.0.0.1:8000.evil.example/",
    "tab in host": "http://evil.example\t@127.0.0.1:8000/",
    "javascript": JS_URL,
    "data": "data:text/html,<script>alert(1)</script>",
}


@pytest.mark.parametrize("target", list(NEXT_TRICKS.values()), ids=list(NEXT_TRICKS))
def test_next_never_redirects_off_site(receiver, target):
    email = f"next-{list(NEXT_TRICKS.values()).index(target)}@example.it"
    reply = post_form(receiver, _lead(email, _next=target))
    assert reply.status in (303, 400)
    if reply.status == 303:
        assert _browser_origin(reply.headers["location"]) == SITE


def test_next_with_a_backslash_does_not_redirect_off_site(receiver):
    target = "http://evil.example\\@127.0.0.1:8000/"  # Chromium: new URL(target).host == "evil.example"
    reply = post_form(receiver, _lead("backslash@example.it", _next=target))
    assert reply.status in (303, 400)
    if reply.status == 303:
        assert _browser_origin(reply.headers["location"]) == SITE


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:8000/landing/consulenza/grazie/\r\nSet-Cookie: rubato=1",
    "http://127.0.0.1:8000/landing/consulenza/grazie/\nLocation: http://evil.example/",
    "http://127.0.0.1:8000/landing/consulenza/grazie/\x00",
], ids=["crlf", "lf", "nul"])
@pytest.mark.parametrize("encoding", ["form", "json"])
def test_next_cannot_inject_headers(receiver, target, encoding):
    send = post_form if encoding == "form" else post_json
    reply = send(receiver, _lead(f"crlf-{encoding}-{len(target)}@example.it", _next=target))
    assert reply.status == 400
    assert "set-cookie" not in reply.headers
    assert "location" not in reply.headers


def test_next_outside_latin1_gets_a_complete_answer(receiver):
    reply = post_form(receiver, _lead("latin1@example.it", _next="http://127.0.0.1:8000/\u2028x/"))
    assert reply.status == 400 or "location" in reply.headers


def test_error_page_escapes_the_page_url_it_links_back_to(receiver):
    page_url = f"{SITE}/landing/consulenza/?q={BREAK_ATTR}{EVENT_ATTR}"
    reply = post_form(receiver, _lead("non-valida", page_url=page_url))
    assert reply.status == 400
    findings = html_findings(reply.text)
    assert findings.problems == []
    assert "<script" not in reply.text
    [back] = [a.get("href") for a in dom(reply.text).find_all("a")]
    assert back in (page_url, f"{SITE}/landing/consulenza/")


@pytest.mark.parametrize("page_url", [JS_URL, "http://evil.example/landing/consulenza/",
                                      "http://127.0.0.1:8000@evil.example/landing/consulenza/"])
def test_error_page_never_links_off_site(receiver, page_url):
    reply = post_form(receiver, _lead("non-valida", page_url=page_url))
    assert reply.status == 400
    links = [a.get("href") for a in dom(reply.text).find_all("a")]
    assert links == [f"{SITE}/landing/consulenza/"]


def test_cors_never_allows_credentials_or_any_origin(receiver):
    replies = [
        post_json(receiver, _lead("cors-ok@example.it")),
        post_json(receiver, _lead("non-valida")),
        post_json(receiver, _lead("cors-evil@example.it"), origin="http://evil.example"),
        request(receiver, "OPTIONS", "/leads", headers={"Origin": SITE,
                                                        "Access-Control-Request-Method": "POST"}),
        post_form(receiver, _lead("cors-form@example.it")),
    ]
    assert [reply.status for reply in replies] == [201, 400, 403, 204, 303]
    for reply in replies:
        assert "access-control-allow-credentials" not in reply.headers
        assert reply.headers.get("access-control-allow-origin") in (None, SITE)
    assert "access-control-allow-origin" not in replies[2].headers
    # A JSON error tells the page which fields are wrong, never what was typed in them.
    assert "non-valida" not in replies[1].text

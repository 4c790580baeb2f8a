"""SEO on fixture sites: hostile titles, both date forms, drafts and future posts, front-matter
images, noindex pages, the card cache, a build with the network cut off, invalid images."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import feedparser
import pytest
from PIL import Image

from conftest import ROOT, Build, make_project, run_build
from dom import dom
from test_seo_support import SITECUSTOMIZE, png_size, read_head, site_file

ROME = ZoneInfo("Europe/Rome")

SITE_URL = "http://127.0.0.1:8000/"
EVIL_TITLE = 'Titolo "citato", l\'apostrofo & </script><script>alert(1)</script> <!-- fine'
EVIL_TAG = "</script><b>tag</b>"


def _post(title: str, date: str, category: str, extra: str = "", body: str = "Testo.") -> str:
    return (f"---\ntitle: {json.dumps(title)}\ndescription: Descrizione di {json.dumps(title)[1:-1]}.\n"
            f"date: {date}\nauthors: [giulia]\ncategories: [{category}]\n{extra}---\n\n"
            f"Introduzione.\n\n<!-- more -->\n\n{body}\n")


FILES = {
    # date as a mapping, hostile title and tag (the validator is off in this fixture, so the
    # SEO layer is tested on its own: it must stay safe whatever reaches it).
    "blog/posts/evil.md": _post(EVIL_TITLE, "\n  created: 2026-03-01\n  updated: 2026-05-02",
                                "Strategia", f"tags: [{json.dumps(EVIL_TAG)}, social]\n",
                                body="Un [link](../../kb/aggiornata.md) e un'immagine ![foto](../../assets/images/foto.png)."),
    # date as a datetime scalar, with its own image.
    "blog/posts/scalare.md": _post("Post con data e ora", "2026-04-10 09:30:00", "Metriche",
                                   "image: /assets/images/foto.png\n"),
    # Older and pinned: first on the blog page, but feeds order by date.
    "blog/posts/vecchio.md": _post("Post vecchio e fissato", "2025-01-05", "Strategia", "pin: true\n"),
    "blog/posts/bozza.md": _post("Bozza da non pubblicare", "2026-02-01", "Strategia", "draft: true\n"),
    "blog/posts/futuro.md": _post("Post dal futuro", "2099-01-01", "Strategia"),
    "kb/segreta.md": "---\ntitle: Pagina segreta\ndescription: Da non indicizzare.\nnoindex: true\n---\n\n# Segreta\n",
    "kb/nascosta.md": ("---\ntitle: Pagina nascosta\ndescription: Fuori dalla ricerca.\nsearch:\n  exclude: true\n---\n\n"
                       "# Nascosta\n"),
    "kb/aggiornata.md": ("---\ntitle: Guida aggiornata\ndate: 2026-02-02\n---\n\n# Guida aggiornata\n\n"
                         "Il primo paragrafo fa da descrizione a questa guida.\n"),
}

# The nav of the minimal site (mkdocs.yml's nav names the sample guides).
CONFIG = {
    "nav": [{"Home": "index.md"}, {"Blog & News": ["blog/index.md"]},
            {"Guide": ["kb/index.md"]}, {"Tag": "tags.md"}],
    "not_in_nav": "/landing/\n/privacy.md\n/kb/*.md\n",
}



def _with_landings(files: dict[str, str]) -> dict[str, str]:
    """``files`` plus the sample landing pages (mkdocs.yml's short links name them)."""
    landings = {f"landing/{path.name}": path.read_text(encoding="utf-8")
                for path in sorted((ROOT / "docs/landing").glob("*.md"))}
    return {**landings, **files}


def _hooks_without_validation() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    hooks = re.findall(r"^  - (hooks/\S+\.py)$", text, re.M)
    assert "hooks/seo.py" in hooks
    return [hook for hook in hooks if hook != "hooks/validate_content.py"]


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#3f51b5").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    """The fixture site built twice: cold (no card cache), then after one title changed."""
    tmp = tmp_path_factory.mktemp("seo")
    project = make_project(tmp, _with_landings(FILES),
                           config={**CONFIG, "hooks": _hooks_without_validation()})
    (project / "docs/assets/images/foto.png").write_bytes(_png(800, 400))
    guard = tmp / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    net_log = tmp / "network.log"
    env = {"PYTHONPATH": str(guard), "APPRODO_NET_LOG": str(net_log)}

    start = time.perf_counter()
    cold = run_build(project, env=env)
    cold_seconds = time.perf_counter() - start
    assert cold.returncode == 0, cold.output
    # The second build cleans the same site folder: keep a copy of the first one.
    kept = tmp / "cold-site"
    shutil.copytree(cold.site, kept)
    cold = Build(cold.returncode, cold.output, kept)
    cold_html = {path.relative_to(cold.site).as_posix(): path.read_bytes()
                 for path in cold.site.rglob("*") if path.is_file()}

    post = project / "docs/blog/posts/vecchio.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Post vecchio e fissato",
                                                             "Post vecchio, titolo nuovo"),
                    encoding="utf-8")
    start = time.perf_counter()
    warm = run_build(project, env=env)
    warm_seconds = time.perf_counter() - start
    assert warm.returncode == 0, warm.output
    print(f"\nfixture build: {cold_seconds:.2f}s without card cache, "
          f"{warm_seconds:.2f}s with it (one card redrawn)")
    return {"cold": cold, "warm": warm, "cold_files": cold_html, "net_log": net_log,
            "project": project}


def _head(build, url_path: str):
    return read_head(build.read(url_path))


def test_build_made_no_network_request(fixture):
    assert not fixture["net_log"].exists(), fixture["net_log"].read_text()


def test_hostile_title_stays_text_in_every_meta_tag(fixture):
    head = _head(fixture["cold"], "blog/2026/03/" + _evil_slug() + "/")
    assert head.one("og:title") == EVIL_TITLE
    assert head.one("twitter:title") == EVIL_TITLE
    assert head.title == f"{EVIL_TITLE} - Maestrale Digitale"
    assert EVIL_TAG in head.all("article:tag")
    # One script carries the JSON-LD, and no script element in the head (as an HTML parser,
    # like a browser, splits them) contains the injected code.
    assert len(head.json_ld_raw) == 1
    html = fixture["cold"].read("blog/2026/03/" + _evil_slug() + "/")
    scripts = _head_scripts(html[: html.index("</head>") + 7])
    # The title is inside the JSON-LD as an inert string; had it closed the element, a second
    # script would hold the injected code.
    assert [script for script in scripts if "alert(1)" in script] == head.json_ld_raw


def _head_scripts(html: str) -> list[str]:
    return [script.raw_text() for script in dom(html).find_all("script")]


def test_hostile_title_round_trips_through_json_ld(fixture):
    head = _head(fixture["cold"], "blog/2026/03/" + _evil_slug() + "/")
    raw = head.json_ld_raw[0]
    assert "</script" not in raw.lower() and "<!--" not in raw
    (post,) = head.of_type("BlogPosting")
    assert post["headline"] == EVIL_TITLE
    assert EVIL_TAG in post["keywords"]
    (crumbs,) = head.of_type("BreadcrumbList")
    assert crumbs["itemListElement"][-1]["name"] == EVIL_TITLE


def _evil_slug() -> str:
    from approdo.slugs import slugify

    return slugify(EVIL_TITLE)


def test_feeds_have_published_posts_only_newest_first_with_both_date_forms(fixture):
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((fixture["cold"].site / name).read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        titles = [entry.title for entry in feed.entries]
        assert titles == ["Post con data e ora", EVIL_TITLE, "Post vecchio e fissato"], name
        when = {entry.title: (datetime(*entry.published_parsed[:6], tzinfo=timezone.utc),
                              datetime(*entry.updated_parsed[:6], tzinfo=timezone.utc))
                for entry in feed.entries}
        # Front-matter dates without a zone are Italian time (approdo.clock).
        assert when[EVIL_TITLE] == (datetime(2026, 3, 1, tzinfo=ROME), datetime(2026, 5, 2, tzinfo=ROME))
        assert when["Post con data e ora"] == (datetime(2026, 4, 10, 9, 30, tzinfo=ROME),) * 2
        assert when["Post vecchio e fissato"][0] == datetime(2025, 1, 5, tzinfo=ROME)
        evil = next(entry for entry in feed.entries if entry.title == EVIL_TITLE)
        html = evil.content[0]["value"]
        assert f'href="{SITE_URL}kb/aggiornata/"' in html
        assert f'src="{SITE_URL}assets/images/foto.png"' in html
    data = json.loads((fixture["cold"].site / "feed.json").read_text(encoding="utf-8"))
    assert [item["title"] for item in data["items"]] == titles
    assert data["items"][1]["date_modified"] == "2026-05-02T00:00:00+02:00"


def test_category_feed_and_front_matter_image(fixture):
    feed = feedparser.parse((fixture["cold"].site / "blog/category/strategia/feed.xml").read_bytes())
    assert [entry.title for entry in feed.entries] == [EVIL_TITLE, "Post vecchio e fissato"]
    metriche = feedparser.parse((fixture["cold"].site / "blog/category/metriche/atom.xml").read_bytes())
    (entry,) = metriche.entries
    assert entry.media_content[0]["url"] == SITE_URL + "assets/images/foto.png"
    assert (entry.media_content[0]["width"], entry.media_content[0]["height"]) == ("800", "400")


def test_front_matter_image_replaces_the_card(fixture):
    head = _head(fixture["cold"], "blog/2026/04/post-con-data-e-ora/")
    assert head.one("og:image") == SITE_URL + "assets/images/foto.png"
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("800", "400")
    assert head.one("og:image:alt") == "Post con data e ora"
    assert head.one("article:published_time") == "2026-04-10T09:30:00+02:00"


def test_page_without_description_gets_one_from_its_first_paragraph(fixture):
    head = _head(fixture["cold"], "kb/aggiornata/")
    expected = "Il primo paragrafo fa da descrizione a questa guida."
    assert head.one("description") == expected == head.one("og:description")


def test_sitemap_skips_noindex_search_excluded_drafts_and_future(fixture):
    root = ET.parse(fixture["cold"].site / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    entries = {url.findtext(f"{ns}loc"): url.findtext(f"{ns}lastmod") for url in root}
    assert SITE_URL + "kb/segreta/" not in entries
    assert SITE_URL + "kb/nascosta/" not in entries
    assert not [loc for loc in entries if "bozza" in loc or "futuro" in loc]
    assert entries[SITE_URL + "kb/aggiornata/"] == "2026-02-02"
    assert entries[SITE_URL + "blog/2026/03/" + _evil_slug() + "/"] == "2026-05-02"
    assert entries[SITE_URL + "blog/"] == "2026-05-02"
    head = _head(fixture["cold"], "kb/segreta/")
    assert head.one("robots") == "noindex"


def test_cards_are_redrawn_only_when_their_inputs_change(fixture):
    cold, warm = fixture["cold"], fixture["warm"]
    drawn = re.search(r"social cards: (\d+) used, (\d+) drawn", cold.output)
    assert drawn and int(drawn.group(2)) == int(drawn.group(1)) > 3
    again = re.search(r"social cards: (\d+) used, (\d+) drawn, (\d+) from cache", warm.output)
    assert again and again.group(2) == "1", warm.output
    # Untouched cards are the same bytes under the same name; the changed one has a new name.
    old_cards = {name for name in fixture["cold_files"] if name.startswith("assets/cards/")}
    new_cards = {path.relative_to(warm.site).as_posix()
                 for path in (warm.site / "assets/cards").iterdir()}
    assert len(old_cards - new_cards) == 1 and len(new_cards - old_cards) == 1
    assert old_cards & new_cards
    for name in old_cards & new_cards:
        assert (warm.site / name).read_bytes() == fixture["cold_files"][name]
    (changed,) = new_cards - old_cards
    assert changed.startswith("assets/cards/post-vecchio-titolo-nuovo-")
    assert png_size(warm.site / changed) == (1200, 630)


def test_card_images_of_every_page_exist(fixture):
    site = fixture["cold"].site
    for path in site.rglob("index.html"):
        head = read_head(path.read_text(encoding="utf-8"))
        if head.all("og:image"):
            assert site_file(site, head.one("og:image"), SITE_URL).is_file(), path


# --- invalid images ------------------------------------------------------------------------

def test_invalid_images_fail_the_build_with_file_and_line(tmp_path):
    project = make_project(tmp_path, _with_landings({
        "kb/manca.md": "---\ntitle: Manca\ndescription: Immagine assente.\nimage: foto-assente.png\n---\n\n# Manca\n",
        "kb/vettoriale.md": "---\ntitle: Vettoriale\ndescription: Immagine SVG.\n\nimage: /assets/images/logo.svg\n---\n\n# SVG\n",
        "kb/insicura.md": "---\ntitle: Insicura\ndescription: Immagine http.\nimage: http://example.com/x.png\n---\n\n# Http\n",
        "kb/piccola.md": "---\ntitle: Piccola\ndescription: Immagine piccola.\nimage: piccola.png\n---\n\n# Piccola\n",
    }), config=CONFIG)
    (project / "docs/kb/piccola.png").write_bytes(_png(120, 90))
    build = run_build(project)
    assert build.returncode != 0
    assert "docs/kb/manca.md:4: image 'foto-assente.png' not found" in build.output
    assert "docs/kb/vettoriale.md:5: image '/assets/images/logo.svg' is not PNG, JPEG, GIF or WebP" in build.output
    assert "docs/kb/insicura.md:4: image 'http://example.com/x.png' is not https://" in build.output
    assert "docs/kb/piccola.md:4: image 'piccola.png' is 120×90 pixels (at least 200×200" in build.output

"""What an Italian reader sees in the built sample site: one brand everywhere (tokens in
brand.css, read by the social cards too), capitalised archive headings, previous/next links only
where they make sense, feeds that Material does not mistake for language versions, the link in
bio's deadline said once, and no near-duplicate tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from mkdocs.utils.yaml import get_yaml_loader

from approdo import brand, cards, stylesheets
from conftest import ROOT, Build
from test_site import dom

STYLESHEETS = [ROOT / "docs/assets/stylesheets/approdo.css",
               ROOT / "docs/assets/stylesheets/social.css",
               ROOT / "docs/assets/landing/landing.css"]
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")


# --- brand tokens ------------------------------------------------------------------------------

def test_brand_tokens_hold_a_light_and_a_dark_value():
    tokens = brand.load()
    assert {"sea", "coral", "link", "bg", "text", "on-sea", "on-coral"} <= tokens.colours.keys()
    assert tokens.colours["link"].light == "#14506a" and tokens.colours["link"].dark != "#14506a"
    assert "sans-serif" in tokens.other["font"] and tokens.other["radius"].endswith("rem")


def test_a_colour_that_is_not_light_dark_is_refused():
    with pytest.raises(ValueError, match="--brand-sea: #123456"):
        brand.parse(":root { --brand-sea: #123456; }")


def test_social_cards_are_drawn_in_the_token_colours():
    colours = brand.load().colours
    style = cards.CardStyle()
    assert (style.background, style.accent, style.text) == (
        colours["sea"].light, colours["coral"].light, colours["on-sea"].light)


@pytest.mark.parametrize("sheet", STYLESHEETS, ids=lambda p: p.name)
def test_stylesheets_take_every_colour_from_the_tokens(sheet: Path):
    css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
    assert "var(--brand-" in css
    assert HEX.findall(css) == [] and "rgb(" not in css


def test_receiver_pages_wear_the_brand_too():
    from leads import pages

    html = pages.error_page("Controlla i dati", "Manca qualcosa.", [("Email", "obbligatoria")],
                            "/landing/x/").decode("utf-8")
    style = html[html.index("<style>"):html.index("</style>")]
    assert "--brand-sea: light-dark(" in style and "var(--brand-link)" in style
    assert HEX.findall(style.split("--brand-radius")[1]) == []   # no colour outside the tokens


def test_every_page_kind_loads_the_tokens_first(real_site: Build):
    go = next(p.parent for p in real_site.site.glob("go/*/index.html"))
    pages = ["", "landing/consulenza/", "landing/consulenza/grazie/", "bio/",
             go.relative_to(real_site.site).as_posix() + "/"]
    for path in pages:
        sheets = [link.attrs["href"] for link in dom(real_site.read(path)).find_all("link")
                  if link.attrs.get("rel") == "stylesheet"]
        # Material's own sheets come first on its pages; then ours, the tokens before the rest
        # (on Material pages, the first part of the one joined file).
        ours = [href for href in sheets if ".min.css" not in href]
        assert ours, (path, sheets)
        if ours[0].endswith(stylesheets.JOINED):
            assert real_site.read(stylesheets.JOINED).startswith(
                "/* assets/stylesheets/brand.css */"), path
        else:
            assert ours[0].endswith("assets/stylesheets/brand.css"), (path, sheets)
    assert (real_site.site / "assets/stylesheets/brand.css").is_file()


def test_material_pages_load_our_stylesheets_as_one_file(real_site: Build):
    """One request instead of three before the first paint (approdo.stylesheets): the sources
    of mkdocs.yml's extra_css, in order, each whole; they stay published for the stand-alone
    pages that use them."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"),
                       Loader=get_yaml_loader())  # noqa: S506 - our own config file
    sources = config["extra_css"]
    assert sources == ["assets/stylesheets/brand.css", "assets/stylesheets/approdo.css",
                       "assets/stylesheets/social.css"]
    for path in MATERIAL_PAGES:
        sheets = [link.attrs["href"] for link in dom(real_site.read(path)).find_all("link")
                  if link.attrs.get("rel") == "stylesheet" and ".min.css" not in link.attrs["href"]]
        assert [href.rsplit("/", 1)[-1] for href in sheets] == ["approdo-site.css"], path
    joined = real_site.read(stylesheets.JOINED)
    positions = [joined.index(real_site.read(source).strip()) for source in sources]
    assert positions == sorted(positions) and positions[0] < 100


def test_a_stylesheet_that_cannot_be_joined_is_refused():
    assert stylesheets.joined([("assets/stylesheets/a.css", "a{}"),
                               ("assets/stylesheets/b.css", "b{}")]) == (
        "/* assets/stylesheets/a.css */\na{}\n\n/* assets/stylesheets/b.css */\nb{}\n")
    with pytest.raises(ValueError, match="extra/c.css: .* must be in assets/stylesheets/"):
        stylesheets.joined([("extra/c.css", "c{}")])
    with pytest.raises(ValueError, match="@import"):
        stylesheets.joined([("assets/stylesheets/d.css", '@import "e.css";')])


# --- what a phone loads first (Lighthouse, handbook/docs/design.md) ----------------------------

MATERIAL_PAGES = ["", "blog/", "kb/glossario/", "tags/", "privacy/", "404.html"]


def test_material_pages_defer_every_script(real_site: Build):
    """Scripts never compete with the stylesheets for the first paint: Material's bundle and
    ours are deferred, and run in the page's order: the search script (which holds back the
    search index until the reader interacts) just before the bundle, the others after it."""
    for path in MATERIAL_PAGES:
        scripts = [s.attrs for s in dom(real_site.read(path)).find_all("script") if "src" in s.attrs]
        assert len(scripts) > 2, (path, scripts)
        assert scripts[0]["src"].endswith("approdo-search.js"), (path, scripts)
        assert "bundle." in scripts[1]["src"], (path, scripts)
        assert all("defer" in attrs for attrs in scripts), (path, scripts)


def test_material_pages_inline_the_svg_logo(real_site: Build):
    """The header's and the drawer's logo cost no request."""
    logo = (ROOT / "overrides/assets/images/logo.svg").read_text(encoding="utf-8").strip()
    for path in MATERIAL_PAGES:
        html = real_site.read(path)
        links = dom(html).find_all("a", "md-logo")
        assert len(links) == 2 and all(not link.find_all("img") for link in links), path
        assert html.count(logo) == 2, path
    assert (real_site.site / "assets/images/logo.svg").is_file()   # still there for other pages


def test_heading_permalinks_are_named_without_a_tooltip(real_site: Build):
    """The ¶ after each heading has its name as aria-label, not as a title: Material would mount
    a tooltip for each title at start-up (approdo/permalink_labels.py). Glossary links keep the
    definition as their title: that is their tooltip."""
    page = dom(real_site.read("kb/glossario/"))
    permalinks = page.find_all("a", "headerlink")
    assert len(permalinks) > 10
    assert all(link.attrs.get("aria-label") == "Link a questa sezione" and "title" not in link.attrs
               for link in permalinks), [link.attrs for link in permalinks]
    guide = dom(real_site.read("kb/landing-page-efficaci/"))
    terms = guide.find_all("a", "approdo-glossary")
    assert terms and all(link.attrs.get("title") for link in terms)


# --- Italian details ---------------------------------------------------------------------------

def test_archive_headings_and_entries_start_with_a_capital(real_site: Build):
    archives = sorted(real_site.site.glob("blog/archive/*/*/index.html"))
    assert archives
    for page in archives:
        heading = dom(page.read_text(encoding="utf-8")).find("h1").text()
        assert re.fullmatch(r"[A-Z][a-z]+ \d{4}", heading), (page, heading)
    blog = dom(real_site.read("blog/"))
    entries = [a.text() for a in blog.find_all("a") if "archive/" in a.attrs.get("href", "")]
    assert entries and all(entry[0].isupper() for entry in entries), entries


def _footer_links(html: str) -> list[str]:
    return [a.attrs.get("aria-label", "") for a in dom(html).find_all("a")
            if any(c.startswith("md-footer__link") for c in a.classes)]


def test_index_pages_have_no_previous_or_next_link(real_site: Build):
    indexes = ["", "blog/", "blog/page/2/", "kb/", "tags/"]
    indexes += [p.parent.relative_to(real_site.site).as_posix() + "/"
                for p in real_site.site.glob("blog/*/*/*/index.html")
                if p.parts[-4] in ("archive", "category", "author")][:3]
    for path in indexes:
        html = real_site.read(path)
        assert _footer_links(html) == [], path
        assert 'rel="prev"' not in html and 'rel="next"' not in html, path


def test_guides_lead_to_neighbouring_guides(real_site: Build):
    links = _footer_links(real_site.read("kb/landing-page-efficaci/"))
    assert [label.split(":")[0] for label in links] == ["Precedente", "Successivo"], links
    # Never an archive month, an author or a listing.
    assert not any(re.search(r"\d{4}$|Giulia|Marco|Blog|Guide$", label) for label in links), links


def test_feeds_are_announced_without_looking_like_language_versions(real_site: Build):
    head = dom(real_site.read("blog/")).find("head")
    rels = [link.attrs.get("rel") for link in head.find_all("link")]
    feeds = [link for link in head.find_all("link") if "feed" in link.attrs.get("rel", "").split()]
    assert {link.attrs["type"] for link in feeds} >= {"application/rss+xml"}
    # Material's JavaScript fetches sitemap.xml for every link[rel=alternate] (an exact match).
    assert "alternate" not in rels, rels


def test_link_in_bio_says_each_deadline_once(real_site: Build):
    cards_ = dom(real_site.read("bio/")).find_all("a", "approdo-bio__card--offer")
    assert cards_
    for card in cards_:
        text = card.text()
        days = re.findall(r"\b(\d{1,2} (?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|"
                          r"settembre|ottobre|novembre|dicembre))\b", text)
        assert len(days) == len(set(days)), text


def test_sample_tags_have_no_near_duplicates(real_site: Build):
    names = sorted({tag.text() for tag in dom(real_site.read("tags/")).find_all(cls="md-tag")})
    assert len(names) > 10
    stems = {}
    for name in names:
        stem = re.sub(r"[aeio]$", "", name.split()[0])
        stems.setdefault(stem, []).append(name)
    assert [group for group in stems.values() if len(group) > 1] == []

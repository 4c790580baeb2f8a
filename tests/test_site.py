"""The site as a reader sees it: home page, blog (Material's plugin, configured), knowledge base
and glossary tooltips. Fixture sites are built once per module with a real `mkdocs build
--strict`; assertions parse the built HTML and JSON."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from approdo import glossary, posts
from approdo.glossary_markdown import Target
from browser import OffSiteGuard, axe_violations, serve_directory
from conftest import AS_OF, ROOT, make_project, run_build
from dom import Node, dom

def content(html: str) -> Node:
    """The article area of a page (what the reader reads, without navigation)."""
    return dom(html).find("article", "md-content__inner")


def resolve(page_url: str, href: str) -> str:
    """A site URL path ("blog/x/") from a link on the page at ``page_url``."""
    return urljoin("/" + page_url, urldefrag(href)[0]).lstrip("/")


# ---------------------------------------------------------------------------------------------
# Fixture site
# ---------------------------------------------------------------------------------------------

POST = """\
---
title: {title}
description: {description}
date: {date}
authors: [{author}]
categories: [{categories}]
tags: [{tags}]
{extra}---

# {title}

{intro}

<!-- more -->

{body}
"""


def post(title, date, author="giulia", categories="Strategia", tags="social", extra="",
         intro="Introduzione breve.", body="Il resto dell'articolo.", description=None):
    return POST.format(title=title, description=description or f"Descrizione di {title}.",
                       date=date, author=author, categories=categories, tags=tags,
                       extra=extra, intro=intro, body=body)


GLOSSARY = """\
---
title: Glossario
description: Le parole del web marketing.
---

# Glossario

Le parole che usiamo negli articoli.

## Landing page
<!-- sinonimi: pagina di atterraggio -->

Una pagina con un solo obiettivo, pensata per chi arriva da una campagna.

Altri esempi nella guida.

## Lead
<!-- sinonimi: leads -->

Una persona che ha lasciato i propri recapiti.

## ZMOT

Il momento zero della verità: quando il cliente si informa da solo.
"""

GUIDE = """\
---
title: Guida alle campagne
description: Una guida di prova.
---

# Guida alle campagne

Ogni campagna ha la sua landing page, e ogni landing page raccoglie un lead.

## Perché un lead vale più di un like

Il codice `lead` resta codice. Leggi prima cos'è lo [ZMOT](glossario.md#zmot): lo ZMOT decide.

```text
landing page in un blocco di codice
```
"""

TITLE_ACCENTS = "Perché i social non vendono"
SOCIAL_INTRO = ("I social creano fiducia, ma la vendita avviene sul sito: ogni lead nasce da "
                "una landing page curata.")
SOCIAL_BODY = ("Dopo il separatore c'è il testo completo, con la parola chiave Sottomarino. "
               "Lo sa bene l'ormeggiatore del porto.")
DRAFT_WORD = "Zafferanobozza"
FUTURE_WORD = "Cometafutura"

# The sample landing pages: posts lead to them (extra.approdo.cta in mkdocs.yml).
LANDING = {f"landing/{path.name}": path.read_text(encoding="utf-8")
           for path in (ROOT / "docs" / "landing").glob("*.md")}

FILES = {
    **LANDING,
    "index.md": (
        "---\ntitle: Maestrale Digitale\ndescription: Pagina iniziale.\ntemplate: home.html\n"
        "hide: [navigation, toc]\n---\n\n# Dai social al sito\n\nIl blog di prova.\n"),
    "kb/glossario.md": GLOSSARY,
    "kb/guida.md": GUIDE,
    "blog/posts/social.md": post(
        TITLE_ACCENTS, "2025-03-04", tags="social, vendite", intro=SOCIAL_INTRO,
        body=SOCIAL_BODY + "\n\nUn altro lead e un'altra landing page: senza link."),
    "blog/posts/metriche.md": post(
        "Le metriche che contano", "\n  created: 2026-01-20\n  updated: 2026-02-01",
        author="marco", categories="Metriche", tags="metriche",
        intro="Contare i contatti, non i like."),
    "blog/posts/evento.md": post(
        "Un evento a Bologna", "2025-09-10", author="marco", categories="News, Strategia",
        tags="eventi, social", intro="Ci vediamo a Bologna."),
    **{f"blog/posts/nota-{n}.md": post(f"Nota numero {n}", f"2024-0{n}-15",
                                       intro=f"Introduzione della nota {n}.")
       for n in range(1, 6)},
    "blog/posts/bozza.md": post(
        f"Bozza {DRAFT_WORD}", "2025-10-01", categories="Social media",
        tags="tag-bozza", extra="draft: true\n", intro=f"Testo {DRAFT_WORD}.",
        body=DRAFT_WORD),
    "blog/posts/futuro.md": post(
        f"Articolo {FUTURE_WORD}", "2099-05-01", author="marco",
        categories="Inbound marketing", tags="tag-futuro", intro=f"Testo {FUTURE_WORD}.",
        body=FUTURE_WORD),
}

NAV = [
    {"Home": "index.md"},
    {"Blog & News": ["blog/index.md"]},
    {"Guide": ["kb/index.md", "kb/guida.md", "kb/glossario.md"]},
    {"Tag": "tags.md"},
]

# Published posts, newest first, with the URL Material gives them.
PUBLISHED = [
    ("Le metriche che contano", "blog/2026/01/le-metriche-che-contano/"),
    ("Un evento a Bologna", "blog/2025/09/un-evento-a-bologna/"),
    (TITLE_ACCENTS, "blog/2025/03/perche-i-social-non-vendono/"),
    *((f"Nota numero {n}", f"blog/2024/0{n}/nota-numero-{n}/") for n in range(5, 0, -1)),
]
SOCIAL_URL = "blog/2025/03/perche-i-social-non-vendono/"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("site"), FILES, {"nav": NAV})
    build = run_build(project)
    assert build.returncode == 0, build.output
    return build


def site_files(build) -> list[Path]:
    return [path for path in build.site.rglob("*") if path.is_file()]


def listed_titles(html: str) -> list[str]:
    """Post titles of a Material listing (blog index, archive, category, author page)."""
    return [article.find("h2").text() for article in dom(html).find_all("article", "md-post")]


# ---------------------------------------------------------------------------------------------
# Home page
# ---------------------------------------------------------------------------------------------

def test_home_lists_latest_posts_newest_first(site):
    page = content(site.read(""))
    section = page.find("section", "approdo-latest")
    assert section.find("h2").text() == "Leggi gli ultimi articoli"
    cards = section.find_all("article", "approdo-card")
    # Six by default: the two oldest of the eight published posts are left to the blog.
    titles = [card.find("h3").text() for card in cards]
    assert titles == [title for title, _ in PUBLISHED[:6]]
    for card, (_, url) in zip(cards, PUBLISHED[:6], strict=True):
        link = card.find("h3").find("a")
        assert resolve("", link.attrs["href"]) == url
        assert (site.site / url / "index.html").is_file()
        assert card.find("a", "approdo-card__more").text().startswith("Continua a leggere")
    dates = [card.find("time").attrs["datetime"] for card in cards]
    assert dates == sorted(dates, reverse=True)
    assert cards[0].find("time").text() == "20 gennaio 2026"


def test_home_card_shows_excerpt_categories_and_reading_time(site):
    cards = content(site.read("")).find_all("article", "approdo-card")
    social = next(card for card in cards if card.find("h3").text() == TITLE_ACCENTS)
    # The excerpt is the text before `<!-- more -->`, without the title or what follows.
    assert social.find("p", "approdo-card__excerpt").text() == SOCIAL_INTRO
    assert "Sottomarino" not in social.text()
    assert social.find("time").attrs["datetime"] == "2025-03-04"
    categories = social.find("span", "approdo-card__categories").find_all("a")
    assert [(a.text(), resolve("", a.attrs["href"])) for a in categories] == [
        ("Strategia", "blog/category/strategia/")]
    assert social.find("span", "approdo-card__readtime").text() == "1 minuto di lettura"
    evento = next(card for card in cards if card.find("h3").text() == "Un evento a Bologna")
    assert evento.find("span", "approdo-card__categories").text() == "News, Strategia"


def test_home_hero_is_the_page_markdown(site):
    root = dom(site.read(""))
    hero = root.find("section", "approdo-hero")
    assert hero.find("h1").text().startswith("Dai social al sito")
    assert "Il blog di prova." in hero.text()
    assert len(root.find_all("h1")) == 1
    assert root.find("html").attrs["lang"] == "it"


def test_home_lists_the_guides_of_the_knowledge_base(site):
    section = content(site.read("")).find("section", "approdo-guides")
    guides = [(item.find("a").text(), resolve("", item.find("a").attrs["href"]),
               item.find("span", "approdo-guides__description").text())
              for item in section.find_all("li", "approdo-guides__item")]
    assert guides == [
        ("Guida alle campagne", "kb/guida/", "Una guida di prova."),
        ("Glossario", "kb/glossario/", "Le parole del web marketing."),
    ]
    everything = section.find("p", "approdo-latest__all").find("a")
    assert resolve("", everything.attrs["href"]) == "kb/"


def test_home_limit_must_be_a_positive_number(tmp_path):
    config = {"nav": NAV, "extra": {"approdo": {"home": {"latest_posts": "tanti"}}}}
    build = run_build(make_project(tmp_path, FILES, config))
    assert build.returncode != 0
    assert "mkdocs.yml: extra.approdo.home.latest_posts is 'tanti' (expected a whole number" \
        in build.output


# ---------------------------------------------------------------------------------------------
# Blog: posts, listings, drafts, slugs, dates
# ---------------------------------------------------------------------------------------------

def test_post_page_shows_title_date_author_categories_reading_time(site):
    root = dom(site.read(SOCIAL_URL))
    assert root.find("article", "md-content__inner").find("h1").text() == TITLE_ACCENTS
    sidebar = root.find("div", "md-sidebar--post")
    author = sidebar.find("div", "md-post__authors")
    assert "Giulia Ferraresi" in author.text()
    assert resolve(SOCIAL_URL, author.find("a").attrs["href"]) == "blog/author/giulia/"
    time = sidebar.find("time")
    assert (time.attrs["datetime"][:10], time.text()) == ("2025-03-04", "4 marzo 2025")
    meta = sidebar.find("ul", "md-post__meta").text()
    assert "in Strategia" in meta
    assert "1 minuto di lettura" in meta
    tags = [a.text() for a in root.find("nav", "md-tags").find_all("a")]
    assert tags == ["social", "vendite"]


def test_post_meta_line_for_narrow_screens(site):
    # On phones Material moves the post sidebar below the article: the facts are repeated above
    # the title.
    meta = content(site.read(SOCIAL_URL)).find("div", "approdo-post-meta")
    items = [item.text() for item in meta.find_all("li", "md-meta__item")]
    assert items == ["4 marzo 2025", "Giulia Ferraresi", "1 minuto di lettura"]
    assert meta.find("time").attrs["datetime"] == "2025-03-04"
    assert resolve(SOCIAL_URL, meta.find("a").attrs["href"]) == "blog/author/giulia/"
    assert not content(site.read("kb/guida/")).find_all("div", "approdo-post-meta")


@pytest.mark.browser
def test_post_meta_line_shows_only_where_the_sidebar_is_hidden(served, open_page):
    phone = open_page(served + SOCIAL_URL, viewport={"width": 390, "height": 800})
    assert phone.locator(".approdo-post-meta").is_visible()
    # There Material moves the post sidebar below the whole article; the line sits above the title.
    sidebar = phone.locator(".md-sidebar--post time").first.bounding_box()
    article = phone.locator("article.md-content__inner").bounding_box()
    line = phone.locator(".approdo-post-meta").bounding_box()
    title = phone.locator("article.md-content__inner h1").bounding_box()
    assert sidebar["y"] >= article["y"] + article["height"]
    assert line["y"] < title["y"]
    desktop = open_page(served + SOCIAL_URL, viewport={"width": 1280, "height": 800})
    assert not desktop.locator(".approdo-post-meta").is_visible()
    assert desktop.locator(".md-sidebar--post time").first.is_visible()


def test_both_date_forms(site):
    root = dom(site.read("blog/2026/01/le-metriche-che-contano/"))
    times = [(t.attrs["datetime"][:10], t.text())
             for t in root.find("div", "md-sidebar--post").find_all("time")]
    assert times == [("2026-01-20", "20 gennaio 2026"), ("2026-02-01", "1 febbraio 2026")]
    assert (site.site / "blog/2025/03/perche-i-social-non-vendono/index.html").is_file()


def test_post_urls_are_ascii_slugs(site):
    assert (site.site / SOCIAL_URL / "index.html").is_file()
    for path in site_files(site):
        relative = path.relative_to(site.site).as_posix()
        assert relative.isascii() and " " not in relative, relative


def test_drafts_and_future_posts_are_absent_everywhere(site):
    for path in site_files(site):
        if path.suffix in {".html", ".json", ".xml", ".txt"}:
            text = path.read_text(encoding="utf-8")
            for word in (DRAFT_WORD, FUTURE_WORD):
                assert word not in text, f"{word} leaks into {path.relative_to(site.site)}"
    # No page, category or tag exists only for them.
    for url in ("blog/category/social-media/", "blog/category/inbound-marketing/",
                "blog/2025/10/", "blog/2099/", "blog/archive/2099/"):
        assert not (site.site / url).exists(), url
    tags = content(site.read("tags/")).text()
    assert "tag-bozza" not in tags and "tag-futuro" not in tags
    index = json.loads(site.read("search/search_index.json"))
    locations = {doc["location"] for doc in index["docs"]}
    assert not any("bozza" in location or "futuro" in location for location in locations)


def test_blog_index_paginates_with_excerpts(site):
    first = site.read("blog/")
    assert listed_titles(first) == [title for title, _ in PUBLISHED[:6]]
    assert listed_titles(site.read("blog/page/2/")) == [title for title, _ in PUBLISHED[6:]]
    social = next(article for article in dom(first).find_all("article", "md-post")
                  if article.find("h2").text() == TITLE_ACCENTS)
    text = social.text()
    assert SOCIAL_INTRO in text
    assert "Sottomarino" not in text
    more = social.find("nav", "md-post__action").find("a")
    assert more.text() == "Continua a leggere"
    assert resolve("blog/", more.attrs["href"]) == SOCIAL_URL


@pytest.mark.parametrize("url, titles", [
    ("blog/archive/2025/03/", [TITLE_ACCENTS]),
    ("blog/archive/2026/01/", ["Le metriche che contano"]),
    ("blog/category/strategia/", ["Un evento a Bologna", TITLE_ACCENTS,
                                  *(f"Nota numero {n}" for n in range(5, 1, -1))]),
    ("blog/category/strategia/page/2/", ["Nota numero 1"]),
    ("blog/category/news/", ["Un evento a Bologna"]),
    ("blog/category/metriche/", ["Le metriche che contano"]),
    ("blog/author/marco/", ["Le metriche che contano", "Un evento a Bologna"]),
])
def test_archive_category_and_author_pages_list_the_right_posts(site, url, titles):
    assert listed_titles(site.read(url)) == titles


def test_author_page_and_section_labels_are_italian(site):
    root = dom(site.read("blog/author/giulia/"))
    assert root.find("div", "md-content").find("h1").text() == "Giulia Ferraresi"
    # navigation.prune: the open section ("Autori") has a label, the closed ones are links.
    nav = root.find("nav", "md-nav--primary")
    nav_labels = {node.text() for node in nav.find_all("label") + nav.find_all("a")}
    assert {"Archivio", "Categorie", "Autori"} <= nav_labels
    html = site.read("blog/")
    # The footer's previous/next links, and their label, are on content pages (not listings).
    assert 'aria-label="Piè di pagina"' in site.read("kb/guida/")
    assert "Authors" not in html and 'aria-label="Footer"' not in html
    assert "Realizzato con" in dom(html).find("div", "md-copyright").text()
    assert "Made with" not in html


def test_author_page_introduces_the_author(site):
    header = dom(site.read("blog/author/marco/")).find("header", "approdo-author")
    assert header.find("h1").text() == "Marco Bellandi"
    assert header.find("p", "approdo-author__description").text() == "Social media manager"
    # The scheduled post is not counted.
    assert header.find("p", "approdo-author__count").text() == "2 articoli pubblicati"
    avatar = header.find("img", "approdo-author__avatar").attrs["src"]
    assert resolve("blog/author/marco/", avatar) == "assets/images/autori/marco.svg"
    assert (site.site / "assets/images/autori/marco.svg").is_file()


def test_not_found_page_is_italian_and_leads_back(site):
    root = dom(site.read("404.html"))
    assert root.find("title").text() == "Pagina non trovata - Maestrale Digitale"
    page = root.find("article", "md-content__inner")
    assert page.find("h1").text() == "Pagina non trovata"
    # Hosts serve this page at any depth: its links start from the site root.
    links = [a.attrs["href"] for a in page.find_all("a")]
    assert links == ["/.", "/blog/", "/kb/"]
    assert "Not found" not in site.read("404.html")


def test_tags_index_lists_tags_with_their_pages(site):
    page = content(site.read("tags/"))
    text = page.text()
    for tag in ("social", "vendite", "metriche", "eventi"):
        assert tag in text
    links = {resolve("tags/", a.attrs["href"]) for a in page.find_all("a") if "href" in a.attrs}
    assert SOCIAL_URL in links
    assert "blog/2025/09/un-evento-a-bologna/" in links


def test_search_index_is_italian(site):
    index = json.loads(site.read("search/search_index.json"))
    assert index["config"]["lang"] == ["it"]
    docs = {doc["location"]: doc for doc in index["docs"]}
    assert SOCIAL_INTRO in docs[SOCIAL_URL]["text"]
    assert docs[SOCIAL_URL]["title"] == TITLE_ACCENTS
    # The browser stems Italian words with lunr's Italian support, shipped with the site.
    assert (site.site / "assets/javascripts/lunr/min/lunr.it.min.js").is_file()


# ---------------------------------------------------------------------------------------------
# Glossary
# ---------------------------------------------------------------------------------------------

def glossary_links(node: Node) -> list[Node]:
    return node.find_all("a", "approdo-glossary")


def test_glossary_terms_in_a_post_show_their_definition(site):
    page = content(site.read(SOCIAL_URL))
    links = glossary_links(page)
    # Each term once per page, at its first occurrence, in reading order.
    assert [(a.text(), a.attrs["title"]) for a in links] == [
        ("lead", "Una persona che ha lasciato i propri recapiti."),
        ("landing page",
         "Una pagina con un solo obiettivo, pensata per chi arriva da una campagna."),
    ]
    assert [resolve(SOCIAL_URL, a.attrs["href"]) + urldefrag(a.attrs["href"])[1]
            for a in links] == ["kb/glossario/lead", "kb/glossario/landing-page"]
    glossary_page = dom(site.read("kb/glossario/"))
    for link in links:
        anchor = urldefrag(link.attrs["href"])[1]
        assert glossary_page.find_all(id=anchor), anchor


def test_glossary_skips_headings_code_and_hand_made_links(site):
    page = content(site.read("kb/guida/"))
    zmot = [a for a in page.find_all("a") if "zmot" in a.attrs.get("href", "")]
    added = [a.text() for a in glossary_links(page) if a not in zmot]
    assert added == ["landing page", "lead"]
    for link in glossary_links(page):
        assert not {"h1", "h2", "code", "pre"} & {node.tag for node in link.ancestors()}
    # ZMOT is linked by hand once; the automatic link does not add a second one...
    assert len(zmot) == 1
    # ...but the hand-made link looks like the added ones and shows the definition too.
    assert "approdo-glossary" in zmot[0].classes
    assert zmot[0].attrs["title"] == (
        "Il momento zero della verità: quando il cliente si informa da solo.")


def test_glossary_on_listings_but_not_on_home_or_glossary(site):
    blog = dom(site.read("blog/"))
    assert [a.text() for a in glossary_links(blog)] == ["lead", "landing page"]
    assert [resolve("blog/", a.attrs["href"]) for a in glossary_links(blog)] == [
        "kb/glossario/", "kb/glossario/"]
    assert not glossary_links(dom(site.read("kb/glossario/")))
    assert not glossary_links(dom(site.read("")))


def test_broken_glossary_fails_the_build_with_file_and_line(tmp_path):
    broken = GLOSSARY.replace(
        "Una persona che ha lasciato i propri recapiti.\n", "- una lista invece di una frase\n"
    ).replace("## ZMOT\n", "## ZMOT\n<!-- sinonimi: pagina di atterraggio -->\n")
    build = run_build(make_project(tmp_path, {**FILES, "kb/glossario.md": broken}, {"nav": NAV}))
    assert build.returncode != 0
    assert ("docs/kb/glossario.md:20: glossary term 'Lead' has no definition (a plain "
            "paragraph of one or two sentences right after the heading)") in build.output
    assert ("docs/kb/glossario.md:22: glossary term 'pagina di atterraggio' is already "
            "defined (each term and synonym once; see 'Landing page' at line 10)") \
        in build.output


# ---------------------------------------------------------------------------------------------
# The sample site
# ---------------------------------------------------------------------------------------------

def test_sample_site_home_lists_its_newest_posts(real_site):
    index = json.loads(real_site.read("search/search_index.json"))
    cards = content(real_site.read("")).find_all("article", "approdo-card")
    assert len(cards) == 6
    dates = [card.find("time").attrs["datetime"] for card in cards]
    assert dates == sorted(dates, reverse=True)
    today = AS_OF.date().isoformat()   # the build's day (SOURCE_DATE_EPOCH)
    assert all(date <= today for date in dates)
    locations = {doc["location"] for doc in index["docs"]}
    for card in cards:
        url = resolve("", card.find("h3").find("a").attrs["href"])
        assert url in locations
        assert card.find("p", "approdo-card__excerpt").text()


def test_sample_site_drafts_are_not_published(real_site):
    drafts = [path for path in (Path(__file__).parent.parent / "docs/blog/posts").glob("*.md")
              if re.search(r"^draft:\s*true\s*$", path.read_text(encoding="utf-8"), re.M)]
    index = real_site.read("search/search_index.json")
    for path in drafts:
        title = re.search(r"^title:\s*(.+)$", path.read_text(encoding="utf-8"), re.M).group(1)
        assert json.dumps(title.strip())[1:-1] not in index, title
        assert title.strip() not in real_site.read("") and title.strip() not in real_site.read(
            "blog/")


def test_sample_site_glossary_has_the_required_terms(real_site):
    page = dom(real_site.read("kb/glossario/"))
    anchors = {node.attrs["id"] for node in page.find_all("h2") if "id" in node.attrs}
    assert {"lead", "landing-page", "squeeze-page", "zmot", "inbound-marketing", "buzz",
            "branding", "customer-care", "prospect", "conversione", "cta", "utm"} <= anchors


# ---------------------------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------------------------

def test_glossary_parse_reads_terms_synonyms_and_lines():
    terms, problems = glossary.parse("glossario.md", GLOSSARY.split("---\n", 2)[2], first_line=5)
    assert problems == []
    assert [(t.name, t.anchor, t.synonyms, t.line) for t in terms] == [
        ("Landing page", "landing-page", ("pagina di atterraggio",), 10),
        ("Lead", "lead", ("leads",), 17),
        ("ZMOT", "zmot", (), 22),
    ]
    assert terms[0].definition.startswith("Una pagina con un solo obiettivo")


def test_glossary_definitions_become_plain_text():
    body = "## CTA\n\nL'**invito** all'[azione](guida.md), come `Scarica`.\n"
    terms, _ = glossary.parse("glossario.md", body)
    assert terms[0].definition == "L'invito all'azione, come Scarica."


def test_glossary_ignores_headings_in_code_and_flags_long_definitions():
    body = "```\n## Non un termine\n```\n\n## Lungo\n\n" + "parola " * 60 + "\n"
    terms, problems = glossary.parse("glossario.md", body)
    assert [t.name for t in terms] == ["Lungo"]
    assert problems[0].line == 7 and "characters long" in problems[0].problem


def test_glossary_refuses_two_headings_with_one_anchor():
    terms, problems = glossary.parse(
        "glossario.md", "## Call to action\n\nUn invito.\n\n## Call-to-action\n\nAncora.\n")
    assert [t.name for t in terms] == ["Call to action"]
    assert [(p.line, p.problem) for p in problems] == [
        (5, "glossary term 'Call-to-action' has the same anchor '#call-to-action' as "
            "'Call to action' at line 1")]


def test_matcher_links_each_term_once_whole_words_any_case():
    terms, _ = glossary.parse("glossario.md", GLOSSARY.split("---\n", 2)[2])
    matcher = glossary.Matcher(terms)
    used: set[str] = set()
    parts = matcher.split("I Leads, i leader e una Pagina di\natterraggio; poi leads.", used)
    assert [p if isinstance(p, str) else (p[0].anchor, p[1]) for p in parts] == [
        "I ", ("lead", "Leads"), ", i leader e una ",
        ("landing-page", "Pagina di\natterraggio"), "; poi leads."]
    assert matcher.split("un lead", used) == ["un lead"]


def test_matcher_accepts_either_apostrophe():
    terms, _ = glossary.parse("glossario.md", "## CTA\n<!-- sinonimi: invito all'azione -->\n\nUn invito.\n")
    parts = glossary.Matcher(terms).split("Serve un invito all’azione chiaro.", set())
    assert [p if isinstance(p, str) else (p[0].anchor, p[1]) for p in parts] == [
        "Serve un ", ("cta", "invito all’azione"), " chiaro."]


@pytest.mark.parametrize("src, href, anchor", [
    ("blog/posts/a.md", "../../kb/glossario.md#lead", "lead"),
    ("kb/guida.md", "glossario.md#zmot", "zmot"),
    ("kb/guida.md", "glossario.md", None),
    ("kb/guida.md", "altro.md#lead", None),
    ("kb/guida.md", "https://example.org/kb/glossario.md#lead", None),
])
def test_target_recognises_hand_made_glossary_links(src, href, anchor):
    target = Target(src, "kb/glossario.md")
    assert target.links_to_glossary(href) == anchor


def test_target_href_is_relative_to_the_source():
    assert Target("blog/posts/a.md", "kb/glossario.md").href("cta") == "../../kb/glossario.md#cta"
    assert Target("index.md", "kb/glossario.md").href("cta") == "kb/glossario.md#cta"


def test_excerpt_is_plain_text_before_the_separator():
    html = ('<h1 id="t">Titolo<a class="headerlink" href="#t">¶</a></h1>\n<p>Primo &amp; '
            '<a class="approdo-glossary" title="x">lead</a>.</p><p>Secondo.</p>\n'
            '<!-- more -->\n<p>Dopo.</p>')
    assert posts.excerpt(html) == "Primo & lead. Secondo."
    assert posts.shorten("uno due, tre quattro", 2) == "uno due…"


def test_newest_first_orders_by_date_and_limits():
    def card(title, day):
        return posts.PostCard(title, f"{title}/", datetime(2025, 1, day, tzinfo=timezone.utc))
    cards = [card("b", 3), card("a", 9), card("c", 3), card("d", 1)]
    assert [c.title for c in posts.newest_first(cards, 3)] == ["a", "b", "c"]
    assert posts.newest_first(cards, 0) == []


# ---------------------------------------------------------------------------------------------
# In a browser (Playwright driving Debian's Chromium; only 127.0.0.1 may be contacted)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(site):
    with serve_directory(site.site) as url:
        yield url


@pytest.mark.browser
def test_off_site_guard_aborts_and_records_requests(served, chromium):
    """The guard every browser test relies on: 127.0.0.1 passes, any other host is aborted."""
    canary = "https://canary.example.invalid/pixel.png"
    guard = OffSiteGuard()
    context = guard.install(chromium.new_context())
    try:
        page = context.new_page()
        page.goto(served)
        loaded = page.evaluate("""url => new Promise(done => { const img = new Image();
            img.onload = () => done(true); img.onerror = () => done(false); img.src = url; })""",
                               canary)
    finally:
        context.close()
    assert loaded is False
    assert guard.blocked == [(served, canary)]


def _rgb(css: str) -> tuple[float, ...]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return tuple(values[:3])


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(_rgb(foreground)), luminance(_rgb(background))),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.browser
def test_glossary_tooltip_appears_on_hover(served, open_page):
    page = open_page(served + SOCIAL_URL)
    term = page.locator("a.approdo-glossary").first
    term.hover()
    tooltip = page.locator("[role=tooltip]")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().strip() == "Una persona che ha lasciato i propri recapiti."


def search_titles(page, query: str) -> list[str]:
    """Type ``query`` into Material's search box and read the titles of the results."""
    box = page.locator(".md-search__input")
    box.click()
    # Material searches on key-up. Cleared, the box shows its prompt again; then the query goes
    # in with one key-up at its end, so the only results that can show are this query's (typed
    # key by key, the results of a shorter prefix could be read instead).
    box.fill("")
    box.press("Backspace")
    page.wait_for_function(
        """() => !/trovat/.test(document.querySelector(".md-search-result__meta").textContent)""")
    box.fill(query[:-1])
    box.press(query[-1])
    # Done when the list holds as many documents as the count above it says (Material shows
    # the first ten at once).
    page.wait_for_function(
        """query => {
             const meta = document.querySelector(".md-search-result__meta").textContent;
             if (document.querySelector(".md-search__input").value !== query ||
                 !/trovat/.test(meta)) return false;
             const count = /(\\d+)/.exec(meta);
             return document.querySelectorAll(".md-search-result__item").length ===
                    (count ? Math.min(Number(count[1]), 10) : 0);
           }""",
        arg=query)
    return [title.strip() for title in
            page.locator(".md-search-result__item > a article h1").all_inner_texts()]


@pytest.mark.browser
def test_search_stems_italian_words(served, open_page):
    page = open_page(served)
    # The post only says "l'ormeggiatore": the plural and the word after the apostrophe match.
    for query in ("ormeggiatore", "ormeggiatori", "Gli ormeggiatori"):
        assert search_titles(page, query) == [TITLE_ACCENTS], query
    assert TITLE_ACCENTS in search_titles(page, "creare fiducia")
    assert search_titles(page, "zzzqqq") == []


@pytest.mark.browser
def test_search_index_waits_for_the_readers_first_interaction(served, open_page):
    page = open_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url).path))
    page.goto(served)
    page.wait_for_load_state("networkidle")
    assert any(path.endswith(".js") for path in asked), "the page's scripts were fetched"
    assert not [path for path in asked if path.endswith("search_index.json")]
    with page.expect_request(lambda request: request.url.endswith("/search/search_index.json")):
        page.locator(".md-search__input").click()
    # An address with a search (?q=) fetches it at once, and shows the results.
    page = open_page()
    with page.expect_request(lambda request: request.url.endswith("/search/search_index.json")):
        page.goto(served + "?q=ormeggiatori")
    page.wait_for_function("""() => /trovat/.test(
        document.querySelector(".md-search-result__meta")?.textContent || "")""")


@pytest.mark.browser
@pytest.mark.parametrize("scheme, material_scheme", [("light", "default"), ("dark", "slate")])
def test_home_is_readable_in_both_schemes(served, open_page, scheme, material_scheme):
    page = open_page(served, color_scheme=scheme)
    assert page.get_attribute("body", "data-md-color-scheme") == material_scheme
    style = "el => getComputedStyle(el).{}"
    page_bg = page.eval_on_selector("body", style.format("backgroundColor"))
    card_bg = page.eval_on_selector(".approdo-card", style.format("backgroundColor"))
    pairs = {
        "all posts button": (page.eval_on_selector(".approdo-latest__all .md-button",
                                                   style.format("color")), page_bg),
        "card title": (page.eval_on_selector(".approdo-card__title a", style.format("color")),
                       card_bg),
        "card link": (page.eval_on_selector(".approdo-card__more", style.format("color")),
                      card_bg),
        "card date": (page.eval_on_selector(".approdo-card__meta", style.format("color")),
                      card_bg),
    }
    for name, (foreground, background) in pairs.items():
        assert contrast(foreground, background) >= 4.5, (name, foreground, background)
    hero = page.locator(".approdo-hero h1")
    assert hero.is_visible()
    assert page.eval_on_selector(".approdo-hero h1", style.format("color")) == "rgb(255, 255, 255)"


@pytest.mark.browser
@pytest.mark.parametrize("url, scheme", [
    ("", "light"), ("", "dark"), (SOCIAL_URL, "light"), (SOCIAL_URL, "dark"),
    ("blog/", "light"), ("kb/guida/", "dark"), ("tags/", "light")])
def test_pages_have_no_accessibility_violations(served, open_page, url, scheme):
    """The fixture site's pages (content the sample site lacks: accents, hand-made glossary
    links...), through the one axe harness and allow-list of browser.py."""
    page = open_page(served + url, color_scheme=scheme)
    assert axe_violations(page) == []


def test_glossary_tooltips_keep_braces_that_are_not_attribute_lists():
    assert glossary.plain_text("Un lead {#lead} è un {{ contatto }} {: .nota } vero") == (
        "Un lead è un {{ contatto }} vero")

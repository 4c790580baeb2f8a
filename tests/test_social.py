"""From social post to landing page: calls to action, short links, share buttons, the link in
bio and the social kit, checked on built sites (the sample site and fixture projects)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, unquote, urljoin, urlsplit

import pytest
import yaml

from approdo.cta import find_directives, Directive, Malformed, chosen_landing, page_slug
from approdo.short_codes import CHANNELS, derived_code, merge_query
from approdo.social_kit import COLUMNS, check_social, suggested_text
from approdo.utm import has_utm, is_internal
from conftest import ROOT, make_project, run_build
from dom import dom

SITE_URL = "http://127.0.0.1:8000/"
SAMPLE_LANDINGS = ("consulenza", "guida-gratuita", "workshop-bologna")
SHARE_CHANNELS = ("facebook", "linkedin", "x", "whatsapp", "telegram", "email")


# --- reading built HTML ----------------------------------------------------------------------

def elements(html: str, tag: str | None = None, inside: str | None = None, cls: str | None = None):
    """(tag, attrs) of the elements matching a tag, an enclosing class and an own class."""
    return [(node.tag, node.attrs) for node in dom(html).find_all(tag, cls)
            if node.parent is not None
            and (inside is None or any(inside in around.classes for around in node.ancestors()))]


def built_pages(site: Path):
    return sorted(site.rglob("*.html"))


def resolve(site: Path, page: Path, href: str) -> Path:
    """The built file a relative link on ``page`` points at."""
    base = "/" + page.relative_to(site).as_posix()
    path = urlsplit(urljoin(base, href)).path
    target = site / unquote(path).lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def post_pages(site: Path) -> list[Path]:
    return sorted(p for p in (site / "blog").glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"))


def load_real_extra() -> dict:
    """The real mkdocs.yml's ``extra`` (its !ENV tags read as their defaults)."""
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])
    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["extra"]


# --- pure functions --------------------------------------------------------------------------

def test_directives_found_with_file_lines_and_fences_skipped():
    body = ("Intro\n[[cta: consulenza]]\n\n```md\n[[cta: nel-codice]]\n```\n"
            "  [[ CTA : guida-gratuita ]]  \n[[cta consulenza]]\n~~~~\n[[cta: x]]\n~~~~\n"
            "- elenco\n\n    [[cta: consulenza]]\n")
    found = find_directives(body, body_line=10)
    assert found == [Directive(11, "consulenza"), Directive(16, "guida-gratuita"),
                     Malformed(17, "[[cta consulenza]]"), Malformed(23, "[[cta: consulenza]]")]


def test_landing_choice_front_matter_then_category():
    defaults = {"Strategia": "consulenza", "News": "workshop-bologna"}
    assert chosen_landing({"landing": "guida-gratuita"}, ["Strategia"], defaults) == "guida-gratuita"
    assert chosen_landing({}, ["Metriche", "News"], defaults) == "workshop-bologna"
    assert chosen_landing({"landing": False}, ["Strategia"], defaults) is None
    assert chosen_landing({}, [], defaults) is None
    assert page_slug("blog/2025/03/perche-i-social/") == "perche-i-social"
    assert page_slug("") == "home"


def test_derived_codes_are_short_stable_and_distinct():
    codes = {derived_code(slug, channel) for slug in SAMPLE_LANDINGS for channel in CHANNELS}
    assert len(codes) == len(SAMPLE_LANDINGS) * len(CHANNELS)
    assert all(re.fullmatch(r"[a-z2-7]{6}", code) for code in codes)
    # Stable across builds, machines and refactors: a code already posted must keep working,
    # so the algorithm is pinned by known values.
    assert derived_code("consulenza", "facebook") == "id4sfg"
    assert derived_code("guida-gratuita", "instagram") == "kjxac5"


def test_short_link_query_precedence():
    target = [("utm_source", "facebook"), ("utm_medium", "social"), ("utm_campaign", "c"),
              ("utm_content", "default")]
    visitor = [("utm_source", "evil"), ("utm_content", "reel-3"), ("fbclid", "abc")]
    assert merge_query(target, visitor) == [
        ("utm_source", "facebook"), ("utm_medium", "social"), ("utm_campaign", "c"),
        ("utm_content", "reel-3"), ("fbclid", "abc")]


def test_social_texts_checked_and_chosen():
    # Each key on its own line, so an error's line names its key.
    keys = ["social", "social.text", "social.tiktok", "social.facebook", "social.x"]

    def check(social):
        return check_social("p.md", social, lambda key: keys.index(key) + 1)

    assert check({"text": "Ciao", "x": "Breve"}) == []
    problems = {keys[p.line - 1]: p.problem for p in check(
        {"text": "a" * 300, "tiktok": "x", "facebook": 3, "x": "b" * 257})}
    assert problems == {
        "social.tiktok": "unknown key 'tiktok' in 'social'",
        "social.facebook": "'social.facebook' is not text",
        "social.x": "'social.x' is 257 characters, too long for x",
    }
    # The default text is too long only where no override replaces it.
    assert [str(p) for p in check({"text": "a" * 300})] == [
        "p.md:2: 'social.text' is 300 characters, too long for x (at most 256 with the link; "
        "shorten it or add social.x)"]
    assert suggested_text({"text": "Generale", "x": "Per X"}, "x", "Descr") == "Per X"
    assert suggested_text({"text": "Generale"}, "linkedin", "Descr") == "Generale"
    assert suggested_text({}, "linkedin", "Descr") == "Descr"


# --- the sample site -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(real_site) -> Path:
    return real_site.site


def test_every_post_ends_with_one_call_to_action_with_the_exact_query(site):
    posts = post_pages(site)
    assert len(posts) >= 5
    for page in posts:
        html = page.read_text(encoding="utf-8")
        buttons = elements(html, "a", inside="approdo-cta--end", cls="approdo-cta__button")
        assert len(buttons) == 1, page
        href = buttons[0][1]["href"]
        parts = urlsplit(href)
        slug = parts.path.rstrip("/").rsplit("/", 1)[-1]
        post_slug = page.parent.name
        assert slug in SAMPLE_LANDINGS
        assert parts.query == (f"utm_source=blog&utm_medium=cta&utm_campaign={slug}"
                               f"&utm_content={post_slug}")
        # The reader really reaches the landing page: the link resolves to a built page with
        # the lead form.
        target = resolve(site, page, href)
        assert "data-landing-form" in target.read_text(encoding="utf-8"), href


def test_front_matter_landing_wins_over_category_default(site):
    html = next(p for p in post_pages(site) if p.parent.name.startswith("perche-i-social")).read_text(encoding="utf-8")
    href = elements(html, "a", inside="approdo-cta--end", cls="approdo-cta__button")[0][1]["href"]
    # The post says `landing: guida-gratuita`; its category (Strategia) defaults to consulenza.
    assert "/landing/guida-gratuita/?" in href


def test_listings_never_show_a_call_to_action(site):
    listings = [site / "blog/index.html", *sorted((site / "blog/category").rglob("index.html")),
                *sorted((site / "blog/archive").rglob("index.html")), site / "index.html"]
    for page in listings:
        html = page.read_text(encoding="utf-8")
        assert not elements(html, cls="approdo-cta"), page
        assert not elements(html, cls="approdo-share"), page


def test_guides_with_a_landing_get_a_call_to_action(site):
    html = (site / "kb/link-tracciati-utm/index.html").read_text(encoding="utf-8")
    href = elements(html, "a", inside="approdo-cta--end", cls="approdo-cta__button")[0][1]["href"]
    assert urlsplit(href).query == ("utm_source=blog&utm_medium=cta&utm_campaign=consulenza"
                                    "&utm_content=link-tracciati-utm")


def check_share_buttons(html: str, campaign: str) -> None:
    """The six share links and the copy button of one page share its tagged canonical URL."""
    canonical = next(a["href"] for _, a in elements(html, "link") if a.get("rel") == "canonical")
    links = {a["data-approdo-share"]: a["href"]
             for _, a in elements(html, "a", inside="approdo-share") if "data-approdo-share" in a}
    assert sorted(links) == sorted(SHARE_CHANNELS)

    def expected(source):
        return f"{canonical}?utm_source={source}&utm_medium=share&utm_campaign={campaign}"

    def param(href, name):
        values = parse_qs(urlsplit(href).query)[name]
        assert len(values) == 1
        return values[0]

    assert links["facebook"].startswith("https://www.facebook.com/sharer/sharer.php?u=")
    assert param(links["facebook"], "u") == expected("facebook")
    assert param(links["linkedin"], "url") == expected("linkedin")
    assert param(links["x"], "url") == expected("x")
    assert param(links["telegram"], "url") == expected("telegram")
    assert param(links["whatsapp"], "text").endswith(" " + expected("whatsapp"))
    mail = urlsplit(links["email"])
    assert mail.scheme == "mailto"
    assert parse_qs(mail.query)["body"][0].endswith(expected("email"))
    # Encoded once, fully: no raw "&" or spaces of the shared URL leak into the share link.
    assert "%26utm_medium%3Dshare" in links["facebook"]
    assert " " not in links["email"] and "+" not in links["email"]
    copy = elements(html, "button", inside="approdo-share")[0][1]
    assert copy["data-approdo-copy"] == expected("link")
    assert "hidden" in copy  # revealed by share.js only


def test_share_buttons_on_posts_share_the_tagged_canonical_url(site):
    page = post_pages(site)[0]
    check_share_buttons(page.read_text(encoding="utf-8"), page.parent.name)


def test_share_buttons_on_landing_pages_but_not_thank_you_pages(site):
    for slug in SAMPLE_LANDINGS:
        html = (site / "landing" / slug / "index.html").read_text(encoding="utf-8")
        check_share_buttons(html, slug)
        # The copy button works there too: the page loads the first-party script.
        assert [a["src"] for _, a in elements(html, "script") if a.get("src", "").endswith("share.js")]
        thanks = (site / "landing" / slug / "grazie" / "index.html").read_text(encoding="utf-8")
        assert not elements(thanks, cls="approdo-share")


def test_no_third_party_scripts_or_iframes(site):
    for page in built_pages(site):
        html = page.read_text(encoding="utf-8")
        assert not elements(html, "iframe"), page
        for _, attrs in elements(html, "script"):
            src = attrs.get("src", "")
            assert not src.startswith(("http:", "https:", "//")), (page, src)


def test_short_links_lead_to_each_landing_tagged_by_channel(site):
    kit = json.loads((site / "social-kit.json").read_text(encoding="utf-8"))
    shorts = {(row["slug"], row["channel"]): row["short_url"]
              for row in kit["rows"] if row["kind"] == "landing"}
    assert set(shorts) == {(slug, channel) for slug in SAMPLE_LANDINGS for channel in CHANNELS}
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    search = (site / "search/search_index.json").read_text(encoding="utf-8")
    for (slug, channel), short in shorts.items():
        assert short.startswith(SITE_URL + "go/")
        page = site / urlsplit(short).path.lstrip("/") / "index.html"
        html = page.read_text(encoding="utf-8")
        robots = [a["content"] for _, a in elements(html, "meta") if a.get("name") == "robots"]
        assert robots == ["noindex"]
        visible = elements(html, "a")
        assert len(visible) == 1
        href = visible[0][1]["href"]
        assert resolve(site, page, href) == site / "landing" / slug / "index.html"
        medium = "email" if channel == "newsletter" else "social"
        assert parse_qsl(urlsplit(href).query) == [
            ("utm_source", channel), ("utm_medium", medium), ("utm_campaign", slug)]
        script = elements(html, "script")[0][1]
        assert script["data-target"] == href
        # Without JavaScript the refresh goes through the receiver's counting redirect, which
        # sends the visitor on to the same landing page (handbook: metrics).
        refresh = [a["content"] for _, a in elements(html, "meta") if a.get("http-equiv") == "refresh"]
        assert len(refresh) == 1 and refresh[0].startswith("0; url=")
        counted = urlsplit(refresh[0].removeprefix("0; url="))
        assert f"{counted.scheme}://{counted.netloc}{counted.path}" == "http://127.0.0.1:8001/go"
        assert dict(parse_qsl(counted.query)) == {
            "page": slug, "to": urljoin(SITE_URL, f"landing/{slug}/?{urlsplit(href).query}")}
        code = urlsplit(short).path.strip("/").split("/")[-1]
        assert f"/go/{code}/" not in sitemap and f"go/{code}/" not in search


def test_link_in_bio(site):
    html = (site / "bio/index.html").read_text(encoding="utf-8")
    assert [a["content"] for _, a in elements(html, "meta") if a.get("name") == "robots"] == ["noindex"]
    assert [a["content"] for _, a in elements(html, "meta") if a.get("name") == "viewport"]
    cards = [a["href"] for _, a in elements(html, "a", cls="approdo-bio__card")]
    offers = [a["href"] for _, a in elements(html, "a", cls="approdo-bio__card--offer")]
    assert {urlsplit(h).path.rstrip("/").rsplit("/", 1)[-1] for h in offers} == set(SAMPLE_LANDINGS)
    assert len(cards) - len(offers) == min(6, len(post_pages(site)))
    for href in cards:
        query = dict(parse_qsl(urlsplit(href).query))
        campaign = urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]
        assert query == {"utm_source": "instagram", "utm_medium": "social",
                         "utm_campaign": campaign, "utm_content": "bio"}
        assert resolve(site, site / "bio/index.html", href).is_file(), href
    assert "bio/" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert '"location":"bio/' not in (site / "search/search_index.json").read_text(encoding="utf-8")


def test_social_kit_has_one_row_per_item_and_channel(site):
    text = (site / "social-kit.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    data = json.loads((site / "social-kit.json").read_text(encoding="utf-8"))
    assert tuple(data["columns"]) == COLUMNS and tuple(rows[0]) == COLUMNS
    assert data["rows"] == rows
    items = {(row["kind"], row["slug"]) for row in rows}
    posts = [item for item in items if item[0] == "post"]
    assert len(posts) == min(10, len(post_pages(site)))
    assert {slug for kind, slug in items if kind == "landing"} == set(SAMPLE_LANDINGS)
    assert len(rows) == len(items) * len(CHANNELS)
    assert sorted((row["kind"], row["slug"], row["channel"]) for row in rows) == sorted(
        (kind, slug, channel) for kind, slug in items for channel in CHANNELS)
    for row in rows:
        query = dict(parse_qsl(urlsplit(row["url"]).query))
        assert query["utm_source"] == row["channel"]
        assert query["utm_campaign"] == row["slug"]
        assert row["title"] and row["text"] and row["url"].startswith(SITE_URL)
        assert bool(row["short_url"]) == (row["kind"] == "landing")
        if row["channel"] != "instagram":
            assert row["post"].endswith(row["short_url"] or row["url"])
    # Not linked from any page.
    pages = built_pages(site)
    assert pages
    for page in pages:
        assert "social-kit." not in page.read_text(encoding="utf-8"), page


def test_no_internal_navigation_link_carries_utm(site):
    """Only entry links get UTM: calls to action and share buttons in articles; the link in bio
    and the short links are entry pages of their own."""
    tagged_on_purpose = ("approdo-cta__button",)
    checked = 0
    for page in built_pages(site):
        if page.relative_to(site).parts[0] in ("go", "bio"):
            continue
        for _, attrs in elements(page.read_text(encoding="utf-8"), "a"):
            href = attrs.get("href", "")
            if is_internal(href, SITE_URL):
                checked += 1
                if has_utm(href):
                    assert attrs.get("class", "").split()[-1] in tagged_on_purpose, (page, href)
    assert checked > 100


# --- fixture projects ------------------------------------------------------------------------

LANDING = """---
title: {title}
description: {description}
offer:
  headline: {headline}
form:
  submit: {submit}
thanks:
  title: Grazie
  text: Ti scriviamo presto.
{extra}---

Testo della landing.
"""

POST = """---
title: {title}
description: Un post di prova.
date: {date}
authors: [giulia]
categories: [{category}]
{extra}---

# {title}

Introduzione.

<!-- more -->

{body}
"""

FIXTURE_NAV = [{"Home": "index.md"}, {"Blog & News": ["blog/index.md"]},
               {"Guide": ["kb/index.md"]}, {"Tag": "tags.md"}]


def landing(title: str, extra: str = "") -> str:
    return LANDING.format(title=title, description=f"Descrizione di {title}.",
                          headline=f"Titolo di {title}", submit="Vai", extra=extra)


def project(tmp_path, files, by_category=None):
    """A fixture site whose only landing pages are those in ``files``."""
    extra = load_real_extra()
    extra["approdo"]["cta"] = {"by_category": by_category or {}}
    built = make_project(tmp_path, files, {"nav": FIXTURE_NAV, "extra": extra})
    for page in (built / "docs" / "landing").glob("*.md"):
        if f"landing/{page.name}" not in files:
            page.unlink()
    return built


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory):
    files = {
        "landing/aperta.md": landing("Aperta", "short_links:\n  facebook: promo25\n"),
        "landing/altra.md": landing("Altra"),
        "blog/posts/inline.md": POST.format(
            title="Con inline", date="2025-03-04", category="Strategia", extra="landing: false\n",
            body="Primo.\n\n[[cta: altra]]\n\nSecondo.\n\n```\n[[cta: nel-codice]]\n```\n"),
        "blog/posts/prima.md": POST.format(
            title="Default di categoria", date="2025-03-05", category="Social media", extra="",
            body="[[cta: aperta]]\n\nFine."),
    }
    build = run_build(project(tmp_path_factory.mktemp("social"), files,
                              {"Social media": "aperta", "Strategia": "altra"}))
    assert build.returncode == 0, build.output
    return build


def test_inline_directive_renders_the_same_partial_mid_article(fixture_build):
    html = fixture_build.read("blog/2025/03/con-inline/")
    inline = elements(html, "a", inside="approdo-cta--inline", cls="approdo-cta__button")
    assert [urlsplit(a["href"]).query for _, a in inline] == [
        "utm_source=blog&utm_medium=cta&utm_campaign=altra&utm_content=con-inline"]
    # `landing: false`: no closing box even though the category has a default.
    assert not elements(html, cls="approdo-cta--end")
    # A directive inside a code block is text, not a call to action.
    assert "[[cta: nel-codice]]" in html
    # Before and after the directive's paragraphs, in order.
    assert html.index("Primo.") < html.index("approdo-cta--inline") < html.index("Secondo.")


def test_category_default_and_excerpt_without_inline_box(fixture_build):
    html = fixture_build.read("blog/2025/03/default-di-categoria/")
    end = elements(html, "a", inside="approdo-cta--end", cls="approdo-cta__button")
    assert "landing/aperta/?utm_source=blog&utm_medium=cta&utm_campaign=aperta" in end[0][1]["href"]
    listing = fixture_build.read("blog/")
    assert not elements(listing, cls="approdo-cta")


def test_author_short_code_is_used(fixture_build):
    html = fixture_build.read("go/promo25/")
    href = elements(html, "a")[0][1]["href"]
    assert href == "../../landing/aperta/?utm_source=facebook&utm_medium=social&utm_campaign=aperta"
    assert (fixture_build.site / "go" / derived_code("aperta", "instagram") / "index.html").is_file()
    assert not (fixture_build.site / "go" / derived_code("aperta", "facebook")).exists()


def test_closed_landing_gives_no_call_to_action_and_a_notice(tmp_path):
    files = {
        "landing/chiusa.md": landing("Chiusa", "closes: 2020-01-31\n"),
        "blog/posts/vecchio.md": POST.format(title="Vecchio", date="2019-12-01", category="News",
                                             extra="landing: chiusa\n", body="[[cta: chiusa]]\n"),
    }
    build = run_build(project(tmp_path, files))
    # A notice, not a warning: a strict build must not start failing on the day an offer closes.
    assert build.returncode == 0, build.output
    assert ("INFO    -  docs/blog/posts/vecchio.md: landing page 'chiusa' closed on 2020-01-31: "
            "no call to action shown") in build.output
    html = build.read("blog/2019/12/vecchio/")
    assert not elements(html, cls="approdo-cta")
    assert "[[cta" not in html
    kit = json.loads((build.site / "social-kit.json").read_text(encoding="utf-8"))
    assert not [row for row in kit["rows"] if row["kind"] == "landing"]


def test_invalid_fixtures_fail_with_their_messages(tmp_path):
    files = {
        "landing/uno.md": landing("Uno", "short_links:\n  facebook: stesso\n  tiktok: abc\n"
                                         "  x: NO_VALE\nsocial:\n  testo: ciao\n"),
        "landing/due.md": landing("Due", "short_links:\n  instagram: stesso\n"),
        "blog/posts/errato.md": POST.format(
            title="Errato", date="2025-01-01", category="News",
            extra="landing: sconosciuta\nsocial:\n  x: " + "y" * 300 + "\n",
            body="[[cta: nessuna]]\n\n[[cta consulenza]]\n\nVedi [la guida](../../kb/guida.md?utm_source=blog)"
                 " e `[esempio](/x/?utm_source=blog)`.\n"),
        "kb/guida.md": "---\ntitle: Guida\ndescription: Una guida.\nlanding: [a, b]\n---\n\n# Guida\n",
        "go/mia.md": "---\ntitle: Mia\ndescription: Pagina.\n---\n\n# Mia\n",
    }
    build = run_build(project(tmp_path, files, {"Socials": "due", "News": "inesistente"}))
    assert build.returncode == 1
    expected = [
        "docs/blog/posts/errato.md:7: unknown landing page 'sconosciuta' (one of: due, uno)",
        "docs/blog/posts/errato.md:18: unknown landing page 'nessuna' (one of: due, uno)",
        "docs/blog/posts/errato.md:20: malformed call to action '[[cta consulenza]]' "
        "(a line [[cta: <landing slug>]] at the start of the line, outside lists and admonitions)",
        "docs/blog/posts/errato.md:9: 'social.x' is 300 characters, too long for x "
        "(at most 256 with the link; shorten it)",
        "docs/blog/posts/errato.md:22: internal link with UTM parameters "
        "'../../kb/guida.md?utm_source=blog' (link without utm_*; for a call to action use "
        "[[cta: <landing slug>]])",
        "docs/kb/guida.md:4: 'landing' is not a landing page slug",
        "docs/landing/uno.md:13: unknown short-link channel 'tiktok' (one of: facebook, instagram, "
        "linkedin, x, whatsapp, newsletter)",
        "docs/landing/uno.md:14: short-link code 'NO_VALE' for 'x' is not valid",
        "docs/landing/uno.md:16: unknown key 'testo' in 'social' (one of: text, facebook, ",
        "docs/landing/uno.md:12: short-link code 'stesso' of 'uno' on facebook is also the code "
        "of 'due' on instagram (docs/landing/due.md:12) (a code used by one landing page and "
        "channel only)",
        "docs/go/mia.md:1: 'go/' is reserved for short links (move this file to another folder)",
        "unknown category 'Socials' in extra.approdo.cta.by_category (one of: Social media, ",
        "unknown landing page 'inesistente' (one of: due, uno)",
    ]
    missing = [line for line in expected if line not in build.output]
    assert not missing, build.output
    # An example in `inline code` is not a link.
    assert "'/x/?utm_source=blog'" not in build.output
    config_lines = [line for line in build.output.splitlines() if "by_category" in line
                    or "'inesistente'" in line]
    assert config_lines and all(re.search(r"ERROR\s+-\s+mkdocs\.yml:\d+: ", line) for line in config_lines), \
        config_lines


def test_category_defaults_wait_for_the_first_landing_page(tmp_path):
    """A new site (no landing pages yet) builds with the sample defaults in mkdocs.yml; a
    post naming a landing page is still an error there."""
    post = POST.format(title="Nuovo", date="2025-01-01", category="Strategia", extra="", body="Testo.")
    build = run_build(project(tmp_path, {"blog/posts/nuovo.md": post}, {"Strategia": "consulenza"}))
    assert build.returncode == 0, build.output
    assert not elements(build.read("blog/2025/01/nuovo/"), cls="approdo-cta")
    explicit = post.replace("categories: [Strategia]\n", "categories: [Strategia]\nlanding: consulenza\n")
    build = run_build(project(tmp_path / "due", {"blog/posts/nuovo.md": explicit}))
    assert ("docs/blog/posts/nuovo.md:7: unknown landing page 'consulenza' (one of: no landing "
            "pages yet, add docs/landing/<slug>.md)") in build.output
